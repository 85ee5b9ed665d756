"""Crawls of a column whose list only JavaScript draws, from an API no adapter knows.

The spider reads the column page, finds no list, and has chromium draw it (tests/portals/scripted.py);
the run records the page as rendered. Without a browser the same crawl ends ``partial``, never
``finished`` with nothing.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from govreports.portal import PortalServer
from tests.conftest import crawl
from tests.portals.scripted import build_scripted_portal
from tests.test_rendering import needs_chromium

INCOMPLETE = 4


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    root = tmp_path_factory.mktemp("scripted")
    truth = build_scripted_portal(root)
    with PortalServer(root, routes=truth["routes"]) as server:
        yield server.url, truth


def paths(archive: sqlite_utils.Database, kind: str) -> set[str]:
    rows = archive.query("select distinct url from fetches where kind = ? and status = 200", [kind])
    return {urlsplit(row["url"]).path for row in rows}


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("start", ["column_path", "home_path"])
def test_a_list_only_javascript_draws_is_rendered_and_read(scripted, start, tmp_path):
    url, truth = scripted
    db = tmp_path / "archive.db"
    result = crawl(url + truth[start], db)
    archive = sqlite_utils.Database(db)
    assert paths(archive, "report_page") == {report["url_path"] for report in truth["reports"]}
    assert paths(archive, "attachment") == {
        path for report in truth["reports"] for path in report["attachments"]
    }
    (run,) = archive.query("select * from crawl_runs")
    assert run["status"] == "finished", run["reason"]
    assert [urlsplit(page).path for page in json.loads(run["rendered"])] == [truth["column_path"]]
    assert (run["announced"], run["reached"]) == (truth["announced"], truth["announced"])
    assert "1 rendered" in result.stderr


def test_without_rendering_the_column_is_reported_partial(scripted, tmp_path):
    url, truth = scripted
    db = tmp_path / "archive.db"
    result = crawl(url + truth["column_path"], db, "--no-render", expect=INCOMPLETE)
    (run,) = sqlite_utils.Database(db).query("select * from crawl_runs")
    assert run["status"] == "partial" and "render" in run["reason"]
    assert ": partial (" in result.stderr

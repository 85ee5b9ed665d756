"""A real Scrapy crawl of each fixture portal over HTTP on 127.0.0.1: exactly the reports, and their files.

Each portal copies one CMS family's markup (tests/portals/): Hanweb's jpage lists fed by POST to
dataproxy.jsp, a gkmlpt JSON list API, and an unknown CMS read by the generic adapter.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlite_utils

from govreports.portal import PortalServer
from tests.conftest import crawl
from tests.portals.generic import build_generic_portal
from tests.portals.gkmlpt import build_gkmlpt_portal
from tests.portals.hanweb import build_hanweb_portal

PORTALS = {"hanweb": build_hanweb_portal, "gkmlpt": build_gkmlpt_portal, "generic": build_generic_portal}


def fetched_paths(db_path, kind: str) -> set[str]:
    db = sqlite_utils.Database(db_path)
    rows = db.query("select distinct url from fetches where kind = ? and status = 200", [kind])
    return {urlsplit(row["url"]).path for row in rows}


@pytest.fixture(params=sorted(PORTALS))
def portal(request, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    truth = PORTALS[request.param](root)
    with PortalServer(root, routes=truth["routes"]) as server:
        yield request.param, server.url, truth


@pytest.mark.parametrize("start", ["column", "home"])
def test_crawl_finds_exactly_the_reports_and_their_attachments(portal, start, tmp_path):
    family, url, truth = portal
    db = tmp_path / "archive.db"
    crawl(url + truth[f"{start}_path"], db)
    expected_reports = {report["url_path"] for report in truth["reports"]}
    assert fetched_paths(db, "report_page") == expected_reports
    expected_files = {path for report in truth["reports"] for path in report["attachments"]}
    assert fetched_paths(db, "attachment") == expected_files
    assert not fetched_paths(db, "report_page") & set(truth["non_reports"])
    archive = sqlite_utils.Database(db)
    (run,) = archive.query("select * from crawl_runs")
    assert run["status"] == "finished" and run["new_reports"] == len(expected_reports)
    if start == "home":  # the column was found, and recorded with the family that reads it
        (column,) = archive.query("select url, cms from columns")
        assert urlsplit(column["url"]).path == truth["column_path"].split("#")[0] and column["cms"] == family


def test_recrawl_of_an_unchanged_portal_is_a_fraction(portal, tmp_path):
    _, url, truth = portal
    db = tmp_path / "archive.db"
    crawl(url + truth["column_path"], db)
    crawl(url + truth["column_path"], db)
    first, second = sqlite_utils.Database(db).query(
        "select requests, new_reports from crawl_runs order by id"
    )
    assert second["new_reports"] == 0
    assert second["requests"] <= max(3, 0.1 * first["requests"])

"""Finding a column on another host of the same government, and runs that say what they missed.

Real Scrapy crawls over HTTP of tests/portals/sibling_hosts.py, whose two host names reach 127.0.0.1
through ``--resolve``: the bureau's site leads to its column on the city's disclosure platform; other
columns end ``partial`` (a pager no adapter follows), ``empty`` and ``no_column``, each with exit status 4.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from govreports.portal import PortalServer
from tests.conftest import crawl
from tests.portals.sibling_hosts import build_sibling_hosts_portal
from tests.test_datasette import get_json, serving

INCOMPLETE = 4  # the documented exit status of a partial, empty or no_column source


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("sibling_hosts")
    with PortalServer(root, virtual_hosts=True) as server:
        truth = build_sibling_hosts_portal(root, urlsplit(server.url).port)
        resolve = [option for host in truth["resolve"] for option in ("--resolve", f"{host}:127.0.0.1")]
        yield {**truth, "options": resolve}


def crawled(portal, start_url: str, tmp_path, expect: int = 0) -> tuple[sqlite_utils.Database, dict, str]:
    tmp_path.mkdir(exist_ok=True)
    db = tmp_path / "archive.db"
    result = crawl(start_url, db, *portal["options"], expect=expect)
    archive = sqlite_utils.Database(db)
    (run,) = archive.query("select * from crawl_runs")
    return archive, run, result.stderr


def fetched(archive: sqlite_utils.Database, kind: str) -> set[str]:
    rows = archive.query("select distinct url from fetches where kind = ? and status = 200", [kind])
    return {urlsplit(row["url"]).path for row in rows}


def test_the_bureau_site_leads_to_its_column_on_the_city_platform(portal, tmp_path):
    archive, run, stderr = crawled(portal, portal["home_url"], tmp_path)
    assert fetched(archive, "report_page") == {report["url_path"] for report in portal["reports"]}
    assert fetched(archive, "attachment") == {
        path for report in portal["reports"] for path in report["attachments"]
    }
    (column,) = archive.query("select url from columns")
    assert column["url"] == portal["column_url"]
    assert run["status"] == "finished", run["reason"]
    assert (run["announced"], run["reached"]) == (portal["announced"], portal["announced"])
    # The other government's column was seen, left alone, and said so.
    assert portal["skipped_host"] in json.loads(run["skipped_hosts"]) and portal["skipped_host"] in stderr
    assert not any("hexi" in row["url"] for row in archive.query("select url from fetches"))


def test_a_column_crawled_from_itself_reports_announced_and_reached(portal, tmp_path):
    archive, run, stderr = crawled(portal, portal["column_url"], tmp_path)
    assert fetched(archive, "report_page") == {report["url_path"] for report in portal["reports"]}
    assert run["status"] == "finished"
    (listed,) = json.loads(run["lists"])
    assert (listed["announced"], listed["reached"], listed["pages"]) == (26, 26, 3)
    assert "reached 26 of 26 announced" in stderr


def test_a_pager_no_adapter_follows_ends_partial_not_finished(portal, tmp_path):
    archive, run, stderr = crawled(portal, portal["partial_url"], tmp_path, expect=INCOMPLETE)
    assert run["status"] == "partial"
    assert (run["announced"], run["reached"]) == (portal["partial_announced"], portal["partial_reached"])
    assert "reached 10 of 25 announced" in run["reason"]
    assert ": partial (" in stderr
    with serving(tmp_path / "archive.db") as datasette:  # and Datasette lists it among the incomplete
        (listed,) = get_json(datasette + "/archive/incomplete_crawls.json?_shape=array")
    assert (listed["start_url"], listed["status"]) == (portal["partial_url"], "partial")
    assert (listed["announced"], listed["reached"]) == (25, 10)


def test_a_framed_list_is_part_of_its_page(portal, tmp_path):
    archive, run, _ = crawled(portal, portal["framed_url"], tmp_path)
    assert fetched(archive, "report_page") == {report["url_path"] for report in portal["framed_reports"]}
    assert run["status"] == "finished"


def test_an_empty_column_and_a_page_with_no_column_say_so(portal, tmp_path):
    _, run, _ = crawled(portal, portal["empty_url"], tmp_path / "empty", expect=INCOMPLETE)
    assert run["status"] == "empty"
    _, run, stderr = crawled(portal, portal["no_column_url"], tmp_path / "none", expect=INCOMPLETE)
    assert run["status"] == "no_column" and ": no_column (" in stderr

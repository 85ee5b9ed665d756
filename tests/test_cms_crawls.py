"""A real Scrapy crawl of each fixture portal over HTTP on 127.0.0.1: exactly the reports, and their files.

Each portal copies one CMS family's markup (tests/portals/): Hanweb's jpage lists fed by POST to
dataproxy.jsp, a gkmlpt JSON list API, and an unknown CMS read by the generic adapter.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from govreports.portal import PortalServer
from tests.conftest import crawl
from tests.portals.ewb import build_ewb_portal
from tests.portals.generic import build_generic_portal
from tests.portals.gkmlpt import build_gkmlpt_portal
from tests.portals.hanweb import build_hanweb_portal
from tests.portals.jpaas import build_jpaas_portal
from tests.portals.trs_search import build_trs_search_portal

PORTALS = {
    "hanweb": build_hanweb_portal,
    # Replies with no <nextgroup>: every window's form comes from the column page.
    "hanweb-no-nextgroup": partial(build_hanweb_portal, nextgroup=False),
    # The old jQuery jpage: quoted parameters, appid twice, ill-formed replies.
    "hanweb-legacy": partial(build_hanweb_portal, legacy_jquery=True, nextgroup=False),
    "gkmlpt": build_gkmlpt_portal,
    "generic": build_generic_portal,
    "jpaas": build_jpaas_portal,
    "trs-search": build_trs_search_portal,
    "ewb": build_ewb_portal,
}


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
    assert run["status"] == "finished", run["reason"]
    assert run["new_reports"] == len(expected_reports)
    if "announced" in truth:  # the list said how many items it has, and the crawl reached them all
        assert (run["announced"], run["reached"]) == (truth["announced"], truth["announced"])
    if start == "home":  # the column was found, and recorded with the family that reads it
        (column,) = archive.query("select url, cms from columns")
        # The list's own page: for Epoint, the govInfoPub page the column's shell frames.
        list_path = truth.get("list_page_path", truth["column_path"])
        assert urlsplit(column["url"]).path == list_path.split("?")[0].split("#")[0]
        assert column["cms"] == family.split("-no-")[0].removesuffix("-legacy")


def test_recrawl_of_an_unchanged_portal_is_a_fraction(portal, tmp_path):
    _, url, truth = portal
    db = tmp_path / "archive.db"
    crawl(url + truth["column_path"], db)
    crawl(url + truth["column_path"], db)
    first, second = sqlite_utils.Database(db).query(
        "select requests, new_reports from crawl_runs order by id"
    )
    assert second["new_reports"] == 0
    # A floor: robots.txt and the pages on the way to the list's first reply are asked every time
    # (Epoint: the shell, its frame, webBuilderCommon.js and the first reply).
    floor = 5 if "list_page_path" in truth else 3
    assert second["requests"] <= max(floor, 0.1 * first["requests"])


def test_identifying_user_agent_and_the_hanweb_request_headers(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    truth = build_hanweb_portal(root)
    with PortalServer(root, routes=truth["routes"]) as server:
        crawl(
            server.url + truth["column_path"],
            tmp_path / "archive.db",
            "--contact-url",
            "https://example.org/crawl",
        )
    posts = truth["list_requests"]
    assert posts and all(request.method == "POST" for request in posts)
    for request in posts:
        assert "govreports" in request.headers["user-agent"]
        assert "https://example.org/crawl" in request.headers["user-agent"]
        assert request.headers["x-requested-with"] == "XMLHttpRequest"
        assert request.headers["referer"].endswith(truth["column_path"])


def test_a_wrong_meta_charset_does_not_hide_the_reports(tmp_path):
    """A list page that says gb2312 but is UTF-8 (and one that says UTF-8 but is GBK)."""
    column = tmp_path / "site" / "xxgk" / "nb"
    column.mkdir(parents=True)
    title = "某县人民政府2023年政府信息公开工作年度报告"
    lists = {
        "index.html": ("gb2312", "utf-8", "index_1.html", "./202401/t20240120_1.html"),
        "index_1.html": ("utf-8", "gbk", None, "./202301/t20230120_2.html"),
    }
    for name, (declared, actual, _, article) in lists.items():
        pager = (
            'createPageHTML(2, 0, "index", "html");'
            if name == "index.html"
            else 'createPageHTML(2, 1, "index", "html");'
        )
        year_title = title if name == "index.html" else title.replace("2023", "2022")
        page = (
            f'<html><head><meta charset="{declared}"></head><body><ul class="list">'
            f'<li><a href="{article}" title="{year_title}">{year_title}</a></li></ul>'
            f"<script>{pager}</script></body></html>"
        )
        (column / name).write_bytes(page.encode(actual))
        target = column / article.removeprefix("./")
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(
            f"<html><head><meta charset='utf-8'><title>{year_title}</title></head></html>".encode()
        )
    with PortalServer(tmp_path / "site") as server:
        crawl(server.url + "/xxgk/nb/index.html", tmp_path / "archive.db")
    titles = {
        row["link_title"]
        for row in sqlite_utils.Database(tmp_path / "archive.db")["fetches"].rows_where(
            "kind = 'report_page'"
        )
    }
    assert titles == {title, title.replace("2023", "2022")}


def test_the_link_title_gives_the_year_a_silent_page_does_not(tmp_path):
    column = tmp_path / "site" / "xxgk" / "nb"
    (column / "201701").mkdir(parents=True)
    title = "某县人民政府2016年政府信息公开工作年度报告"
    (column / "index.html").write_text(
        f'<html><body><ul><li><a href="./201701/t20170120_1.html" title="{title}">{title}</a></li></ul></body></html>',
        encoding="utf-8",
    )
    body = "<html><body><p>一、概述</p><p>本机关认真贯彻落实《条例》，公开工作稳步推进。</p></body></html>"
    (column / "201701" / "t20170120_1.html").write_text(body, encoding="utf-8")
    db = tmp_path / "archive.db"
    with PortalServer(tmp_path / "site") as server:
        crawl(server.url + "/xxgk/nb/index.html", db)
    archive = sqlite_utils.Database(db)
    assert archive.execute("select report_year from fetches where kind = 'report_page'").fetchone()[0] == 2016
    (report,) = archive.query("select id, year, title from reports")
    assert (report["year"], report["title"]) == (2016, title)
    checks = [row["check_name"] for row in archive["findings"].rows_where("report_id = ?", [report["id"]])]
    assert "metadata.year" not in checks

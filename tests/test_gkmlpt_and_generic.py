"""The gkmlpt (JSON list API) and generic (fallback) adapters, on the bytes of their fixture portals."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.cms import ListPage, ListResponse, generic, gkmlpt, trs
from crawler.cms.html_lists import iso_date
from crawler.links import looks_like_annual_report, report_year
from extract.readers.html import decode_html
from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalRequest, PortalServer
from tests.portals.generic import build_generic_portal
from tests.portals.gkmlpt import build_gkmlpt_portal

ORIGIN = "http://127.0.0.1:8123"

TRS_PAGE = """<html><head><meta charset="utf-8"></head><body>
<div class="nav"><a href="/gkmlpt/index">政府信息公开目录</a></div>
<ul class="list"><li><a href="./202001/t20200131_3923451.html" title="某区2019年政府信息公开工作年度报告">某区…</a>
<span>2020-01-31</span></li></ul>
<script>createPageHTML(3, 0, "index", "html");</script></body></html>"""
HANWEB_PAGE = """<html><body><div id="4936067"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=2761&path=/&columnid=1634838&unitid=4936067&permissiontype=0"></a>]]></nextgroup>
<recordset><record><![CDATA[<li><a href="/art/2020/1/20/art_1634838_41234567.html" title="某县2019年政府信息公开工作年度报告">某县</a></li>]]></record>
</recordset></datastore></script></div></body></html>"""
GKMLPT_SNIPPET = (
    "<html><head><script>var _CONFIG = { SID: '755031', SITE: 'x' };</script></head><body></body></html>"
)


def html_response(url: str, body: bytes, media_type: str | None = "text/html") -> ListResponse:
    text, _ = decode_html(body, media_type)
    return ListResponse(url=url, text=text, body=body, media_type=media_type)


def text_response(url: str, text: str) -> ListResponse:
    return ListResponse(url=url, text=text, body=text.encode("utf-8"), media_type="text/html; charset=utf-8")


# --- gkmlpt -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gkmlpt_portal(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("gkmlpt")
    return root, build_gkmlpt_portal(root)


def call_route(portal: dict, url: str, host: str | None = "127.0.0.1:8123") -> tuple[int, ListResponse]:
    """What the portal answers a GET of ``url``, as the spider would hand it to an adapter."""
    parts = urlsplit(url)
    request = PortalRequest("GET", parts.path, parse_qs(parts.query), {}, {"host": host} if host else {})
    reply = portal["routes"][parts.path](request)
    return reply.status, html_response(url, reply.body, reply.media_type)


def column_response(portal: dict) -> ListResponse:
    return call_route(portal, ORIGIN + portal["column_path"])[1]


def test_gkmlpt_detects_its_column_page_and_api_reply(gkmlpt_portal):
    _, portal = gkmlpt_portal
    column = column_response(portal)
    assert gkmlpt.detect(column)
    assert gkmlpt.parse(column).links  # chrome only: the list itself is not in the HTML
    assert not any(looks_like_annual_report(link.title) for link in gkmlpt.parse(column).links)
    _, reply = call_route(portal, gkmlpt.parse(column).next.url)
    assert gkmlpt.detect(reply)


@pytest.mark.parametrize(
    "response",
    [
        text_response("http://a.gov.cn/zfxxgk/zfxxgknb/index.html", TRS_PAGE),
        text_response("http://a.gov.cn/col/col1634838/index.html", HANWEB_PAGE),
        html_response(ORIGIN + SAMPLE_COLUMN, (SAMPLE_PORTAL / SAMPLE_COLUMN.lstrip("/")).read_bytes()),
        text_response("http://a.gov.cn/api/page", json.dumps({"data": {"html": "<ul><li>x</li></ul>"}})),
        text_response(
            "http://a.gov.cn/gkmlpt/api/all/0?page=1&sid=1", "<html>500 Internal Server Error</html>"
        ),
    ],
    ids=["trs-linking-gkmlpt", "hanweb", "sample-portal", "other-json", "api-error-page"],
)
def test_other_pages_are_not_gkmlpt(response):
    assert not gkmlpt.detect(response)


def test_trs_page_still_goes_to_trs():
    assert trs.detect(text_response("http://a.gov.cn/zfxxgk/zfxxgknb/index.html", TRS_PAGE))


def test_gkmlpt_first_request_is_page_one_of_the_column_category(gkmlpt_portal):
    _, portal = gkmlpt_portal
    first = gkmlpt.parse(column_response(portal)).next
    assert first.method == "GET" and first.body is None
    assert first.url == f"{ORIGIN}{portal['api_path']}?page=1&sid={portal['sid']}"


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        # gkmlpt under a bureau's sub-path, the category in the column URL's fragment
        (
            "http://www.a.gov.cn/bureau/gkmlpt/index#2811",
            GKMLPT_SNIPPET,
            "http://www.a.gov.cn/bureau/gkmlpt/api/all/2811?page=1&sid=755031",
        ),
        # the category named by the page's script
        (
            "http://www.a.gov.cn/gkmlpt/policy",
            GKMLPT_SNIPPET.replace("SITE:", "catId: '35', SITE:"),
            "http://www.a.gov.cn/gkmlpt/api/all/35?page=1&sid=755031",
        ),
        # a page outside /gkmlpt/ that carries the config and links into it
        (
            "http://www.a.gov.cn/xxgk/index.html",
            GKMLPT_SNIPPET.replace("<body>", '<body><a href="/org/gkmlpt/index">目录</a>'),
            "http://www.a.gov.cn/org/gkmlpt/api/all/0?page=1&sid=755031",
        ),
    ],
)
def test_gkmlpt_api_url_is_built_beside_the_page(url, text, expected):
    response = text_response(url, text)
    assert gkmlpt.detect(response)
    assert gkmlpt.parse(response).next.url == expected


def test_gkmlpt_page_without_sid_asks_nothing():
    response = text_response("http://www.a.gov.cn/gkmlpt/index", "<html><body>gkmlpt</body></html>")
    assert not gkmlpt.detect(response)
    assert gkmlpt.parse(response).next is None


def follow_api(portal: dict) -> tuple[list, int]:
    """Follow ``next`` from the column page to the end; the links listed and the API requests made."""
    listing, links, requests = gkmlpt.parse(column_response(portal)), [], 0
    while listing.next is not None:
        requests += 1
        assert requests < 20, "the API list does not end"
        status, reply = call_route(portal, listing.next.url)
        assert status == 200
        listing = gkmlpt.parse(reply)
        links += listing.links
    return links, requests


def test_gkmlpt_pages_through_the_api_to_the_end(gkmlpt_portal):
    _, portal = gkmlpt_portal
    links, requests = follow_api(portal)
    documents = len(portal["reports"]) + len(portal["non_reports"])
    assert documents >= 35
    pages = math.ceil(documents / portal["per_page"])
    # A short last page can't know it is the last one: at most one empty page more.
    assert pages <= requests <= pages + 1
    paths = [urlsplit(link.url).path for link in links]
    assert len(paths) == len(set(paths)) == documents
    assert all(link.url.startswith(ORIGIN + "/gkmlpt/content/1/") for link in links)
    reports = {urlsplit(link.url).path for link in links if looks_like_annual_report(link.title)}
    assert reports == {report["url_path"] for report in portal["reports"]}


def test_gkmlpt_dates_come_from_the_publication_time(gkmlpt_portal):
    _, portal = gkmlpt_portal
    links, _ = follow_api(portal)
    # Epochs in display_publish_time (not the older create_time), first_publish_time, or a printed
    # created_at; some published at 07:15 China time, which is the day before in UTC.
    assert {urlsplit(link.url).path: link.published for link in links} == portal["published"]


def test_gkmlpt_relative_article_urls_resolve_against_the_api(gkmlpt_portal):
    _, portal = gkmlpt_portal
    _, reply = call_route(portal, f"{ORIGIN}{portal['api_path']}?page=2&sid={portal['sid']}", host=None)
    listing = gkmlpt.parse(reply)
    assert len(listing.links) == portal["per_page"]
    assert all(link.url.startswith(ORIGIN + "/gkmlpt/content/") for link in listing.links)
    assert parse_qs(urlsplit(listing.next.url).query) == {"page": ["3"], "sid": [portal["sid"]]}


@pytest.mark.parametrize("query", ["page=1", "page=1&sid=1", "page=x&sid=755099"])
def test_gkmlpt_api_refuses_a_missing_or_wrong_sid(gkmlpt_portal, query):
    _, portal = gkmlpt_portal
    status, reply = call_route(portal, f"{ORIGIN}{portal['api_path']}?{query}")
    assert status == 400
    assert gkmlpt.parse(reply) == ListPage()


@pytest.mark.parametrize(
    "text",
    [
        '{"total": 37, "articles": [{"id": 1, "title": "x", "url": "/a.html"',
        "not json",
        '{"total": 3}',
        "[1, 2]",
    ],
)
def test_gkmlpt_malformed_reply_lists_nothing(text):
    response = text_response("http://a.gov.cn/gkmlpt/api/all/0?page=1&sid=1", text)
    assert gkmlpt.parse(response) == ListPage()


def test_gkmlpt_stops_on_a_full_last_page_and_an_empty_page():
    articles = [{"id": n, "title": f"t{n}", "url": f"/gkmlpt/content/1/1/post_{n}.html"} for n in range(5)]
    url = "http://a.gov.cn/gkmlpt/api/all/7?page=2&sid=9"
    full_last = gkmlpt.parse(text_response(url, json.dumps({"total": 10, "articles": articles})))
    assert len(full_last.links) == 5 and full_last.next is None
    more = gkmlpt.parse(text_response(url, json.dumps({"total": 11, "articles": articles})))
    assert more.next.url == "http://a.gov.cn/gkmlpt/api/all/7?page=3&sid=9"
    empty = gkmlpt.parse(text_response(url, json.dumps({"total": 11, "articles": []})))
    assert empty == ListPage(announced=11, links_are_items=True)  # the list still says it has 11


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1579482000, "2020-01-20"),  # 2020-01-20 09:00 China time
        (1579475700, "2020-01-20"),  # 07:15 China time, still 2020-01-19 in UTC
        (1579482000123, "2020-01-20"),  # milliseconds
        ("1579482000", "2020-01-20"),
        ("2021-01-05 10:00:00", "2021-01-05"),
        ("2021年1月5日", "2021-01-05"),
        (0, None),
        (None, None),
        (True, None),
        ("", None),
    ],
)
def test_gkmlpt_dates(value, expected):
    assert iso_date(value) == expected


def test_gkmlpt_fixture_truth_is_consistent(gkmlpt_portal):
    root, portal = gkmlpt_portal
    years = sorted(report["year"] for report in portal["reports"])
    assert years[0] == 2015 and years[-1] == 2024
    for report in portal["reports"]:
        assert looks_like_annual_report(report["title"]) and report_year(report["title"]) == report["year"]
        page = (root / report["url_path"].lstrip("/")).read_text(encoding="utf-8")
        for attachment in report["attachments"]:
            assert f'href="{attachment}"' in page and (root / attachment.lstrip("/")).stat().st_size > 0
    attached = [Path(path).suffix for report in portal["reports"] for path in report["attachments"]]
    assert ".pdf" in attached and ".docx" in attached
    assert (root / "robots.txt").read_text() == "User-agent: *\nDisallow: /search/\n"


def test_gkmlpt_portal_over_http(gkmlpt_portal):
    root, portal = gkmlpt_portal
    with PortalServer(root, routes=portal["routes"]) as server:
        with urllib.request.urlopen(server.url + portal["column_path"]) as reply:
            assert reply.headers["Content-Type"].startswith("text/html")
            column = html_response(server.url + portal["column_path"], reply.read())
        first = gkmlpt.parse(column).next
        with urllib.request.urlopen(first.url) as reply:
            listing = gkmlpt.parse(html_response(first.url, reply.read(), reply.headers["Content-Type"]))
        assert len(listing.links) == portal["per_page"]
        with urllib.request.urlopen(listing.links[0].url) as reply:
            assert reply.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url + portal["api_path"] + "?page=1")
        assert refused.value.code == 400


# --- generic ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generic_portal(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("generic")
    return root, build_generic_portal(root)


def file_response(root: Path, path: str) -> ListResponse:
    return html_response(ORIGIN + path, (root / path.lstrip("/")).read_bytes())


def test_generic_accepts_any_page():
    assert generic.detect(text_response("http://a.gov.cn/x.html", "<html></html>"))
    assert generic.parse(text_response("http://a.gov.cn/x.html", "")) == ListPage()


def test_generic_keeps_same_site_links_only(generic_portal):
    root, portal = generic_portal
    listing = generic.parse(file_response(root, portal["column_path"]))
    assert listing.links and all(link.url.startswith(ORIGIN + "/") for link in listing.links)
    assert not {link.url for link in listing.links} & set(portal["cross_site"])
    titles = {link.title for link in listing.links}
    assert {"首页", "联系我们"} <= titles  # chrome stays: the spider filters by title


def follow_list(root: Path, portal: dict) -> tuple[list, list[str]]:
    response, links, visited = file_response(root, portal["column_path"]), [], [portal["column_path"]]
    while True:
        listing = generic.parse(response)
        links += listing.links
        if listing.next is None:
            return links, visited
        path = urlsplit(listing.next.url).path
        assert path not in visited, f"list loops back to {path}"
        visited.append(path)
        response = file_response(root, path)


def test_generic_follows_next_page_links_to_the_end(generic_portal):
    root, portal = generic_portal
    links, visited = follow_list(root, portal)
    assert (
        visited
        == portal["list_pages"]
        == ["/xxgk/ndbg/list.html", "/xxgk/ndbg/list_2.html", "/xxgk/ndbg/list_3.html"]
    )
    reports = {urlsplit(link.url).path: link.title for link in links if looks_like_annual_report(link.title)}
    # Titles of the GBK page (list_2.html) read right, and the report-titled link on another host is gone.
    assert reports == {report["url_path"]: report["title"] for report in portal["reports"]}
    listed = {urlsplit(link.url).path for link in links}
    assert set(portal["non_reports"]) <= listed
    assert not any(
        looks_like_annual_report(link.title)
        for link in links
        if urlsplit(link.url).path in portal["non_reports"]
    )
    assert len(portal["reports"]) + len(portal["non_reports"]) >= 25


def test_generic_fixture_truth_is_consistent(generic_portal):
    root, portal = generic_portal
    for path in portal["gbk_paths"]:
        body = (root / path.lstrip("/")).read_bytes()
        assert b"charset=gb2312" in body
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    articles = [report["url_path"] for report in portal["reports"]] + portal["non_reports"]
    assert len([path for path in articles if path in portal["gbk_paths"]]) == len(articles) // 2
    for report in portal["reports"]:
        assert report_year(report["title"]) == report["year"]
        for attachment in report["attachments"]:
            assert (root / attachment.lstrip("/")).read_bytes().startswith(b"%PDF-")


def page(url: str, body: str) -> ListResponse:
    return text_response(url, f"<html><head></head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("url", "body", "expected"),
    [
        ("http://a.gov.cn/x/list.html", '<a href="list_2.html">下一页</a>', "http://a.gov.cn/x/list_2.html"),
        (
            "http://a.gov.cn/x/list_2.html",
            '<a href="list_3.html">下页&gt;&gt;</a>',
            "http://a.gov.cn/x/list_3.html",
        ),
        ("http://a.gov.cn/x/index.html", '<a href="index_1.html">&gt;</a>', "http://a.gov.cn/x/index_1.html"),
        (
            "http://a.gov.cn/x/index.html",
            '<a href="index_1.html"> 后页 </a>',
            "http://a.gov.cn/x/index_1.html",
        ),
        (
            "http://a.gov.cn/x/",
            '<link rel="next" href="more.jsp?pageNo=2"><a href="index_1.shtml">2</a>',
            "http://a.gov.cn/x/more.jsp?pageNo=2",
        ),
        # no 下一页 text: the numbered page after this one, among those the page links to
        (
            "http://a.gov.cn/x/index_1.html",
            '<a href="index.html">1</a><a href="index_2.html">3</a>',
            "http://a.gov.cn/x/index_2.html",
        ),
        (
            "http://a.gov.cn/nb/2.html",
            '<a href="1.html">1</a><a href="3.html">3</a><a href="9.html">9</a>',
            "http://a.gov.cn/nb/3.html",
        ),
        (
            "http://a.gov.cn/x/list.html",
            '<a href="javascript:;">下一页</a><a href="list_2.html">2</a>',
            "http://a.gov.cn/x/list_2.html",
        ),
        (
            "http://a.gov.cn/x/list.html?page=2",
            '<a href="list.html?page=3">下一页</a>',
            "http://a.gov.cn/x/list.html?page=3",
        ),
    ],
)
def test_generic_next_page(url, body, expected):
    assert generic.parse(page(url, body)).next.url == expected


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("http://a.gov.cn/x/list_3.html", '<a href="list_3.html">下一页</a>'),  # the last page's self-link
        ("http://a.gov.cn/x/list_3.html", '<a href="list.html">下一页</a>'),  # back to the first page
        ("http://a.gov.cn/x/list_3.html", '<a href="list_2.html">下一页</a><a href="list.html">1</a>'),
        ("http://a.gov.cn/x/index_4.html", '<a href="./">&gt;</a>'),
        ("http://a.gov.cn/x/list.html?page=3", '<a href="list.html?page=2">下一页</a>'),
        ("http://a.gov.cn/x/list.html", '<a href="http://b.gov.cn/x/list_2.html">下一页</a>'),  # another site
        ("http://a.gov.cn/x/list.html", '<a href="content_2.html">2</a><a href="list_5.html">5</a>'),
        (
            "http://a.gov.cn/x/list.html",
            '<a href="list_9.html">尾页</a><a href="list.html">首页</a>',
        ),  # no jump
    ],
)
def test_generic_never_goes_back_or_elsewhere(url, body):
    assert generic.parse(page(url, body)).next is None


@pytest.mark.parametrize(
    ("url", "other", "same"),
    [
        ("http://www.a.gov.cn/x.html", "https://a.gov.cn/y.html", True),
        ("http://127.0.0.1:8000/x.html", "http://127.0.0.1:9000/y.html", True),
        # One government's hosts are one site (its disclosure platform on zfxxgk.<city>.gov.cn) …
        ("http://a.gov.cn/x.html", "http://zfxxgk.a.gov.cn/y.html", True),
        # … another government's are not.
        ("http://a.gov.cn/x.html", "http://b.gov.cn/y.html", False),
        ("http://sjzf.example.invalid/x.html", "http://127.0.0.1/y.html", False),
    ],
)
def test_generic_same_site(url, other, same):
    assert generic.same_site(url, other) is same


def test_generic_reads_xhtml_with_an_xml_declaration():
    text = '<?xml version="1.0" encoding="utf-8"?>\n<html><body><a href="list_2.html">下一页</a><a href="a.html">甲</a></body></html>'
    listing = generic.parse(text_response("http://a.gov.cn/x/list.html", text))
    assert [link.title for link in listing.links] == ["下一页", "甲"]
    assert listing.next.url == "http://a.gov.cn/x/list_2.html"


@pytest.mark.parametrize(
    ("script", "unfollowed"),
    [
        ("var countPage = 5 //共多少页\nvar currentPage = 0", True),  # TRS's variant, pages from 0
        ("pager({totalPage: 3, currentPage: 1, el: '#page'})", True),
        ("pager({totalPage: 3, currentPage: 3, el: '#page'})", False),  # the last page
        ("var countPage = 1\nvar currentPage = 0", False),
    ],
)
def test_generic_says_when_a_pager_script_hides_pages(script, unfollowed):
    text = (
        f'<ul><li><a href="a.html">某县2020年政府信息公开工作年度报告</a></li></ul><script>{script}</script>'
    )
    listing = generic.parse(text_response("http://a.gov.cn/xxgk/nb/index.html", text))
    assert listing.next is None
    assert bool(listing.unfollowed) is unfollowed


def test_layui_pager_counts_are_announced_items():
    text = "<div id='p'></div><script>laypage.render({elem: 'p', count: 37, limit: 10})</script>"
    assert generic.parse(text_response("http://a.gov.cn/xxgk/nb/list.html", text)).announced == 37


def test_trs_count_page_variables_page_like_create_page_html():
    from crawler.cms import trs

    text = '<a href="./202001/t20200131_1.html">某县2019年政府信息公开工作年度报告</a><script>var countPage = 3 //共多少页\nvar currentPage = 1</script>'
    listing = trs.parse(text_response("http://a.gov.cn/xxgk/nb/index_1.shtml", text))
    assert listing.next.url == "http://a.gov.cn/xxgk/nb/index_2.shtml" and listing.unfollowed is None
    last = text.replace("currentPage = 1", "currentPage = 2")
    assert trs.parse(text_response("http://a.gov.cn/xxgk/nb/index_2.shtml", last)).next is None

"""The Hanweb (大汉 JCMS, jpage) list adapter on the fixture portal's bytes: embedded records, the
dataproxy.jsp POST it asks for next, replies fed back until the list ends, record markup variants,
and replies that try entity tricks."""

from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from crawler.cms import ListedLink, ListRequest, ListResponse, hanweb
from extract.readers.html import decode_html
from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalRequest, PortalResponse, PortalServer
from tests.portals.hanweb import (
    COLUMNID,
    MARKUPS,
    PROXY_PATH,
    SITE_NAME,
    UNITID,
    WEBID,
    build_hanweb_portal,
    column_items,
    datastore_xml,
    record_li,
)

BASE = "http://127.0.0.1:8080"  # never contacted: the adapter is a pure function of the response
COLUMN_URL = f"{BASE}/col/col{COLUMNID}/index.html"
FIRST_WINDOW = f"{BASE}{PROXY_PATH}?startrecord=16&endrecord=60&perpage=15"
EXPECTED_FORM = {
    "col": ["1"],
    "appid": ["1"],
    "webid": [WEBID],
    "path": ["/"],
    "columnid": [COLUMNID],
    "sourceContentType": ["1"],
    "unitid": [UNITID],
    "webname": [SITE_NAME],
    "permissiontype": ["0"],
}
EXPECTED_HEADERS = {
    "X-Requested-With": "XMLHttpRequest",
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "Referer": COLUMN_URL,
}


@pytest.fixture
def portal(tmp_path) -> dict:
    return {**build_hanweb_portal(tmp_path), "root": tmp_path}


def page_response(root: Path, path: str, base: str = BASE) -> ListResponse:
    data = (root / path.lstrip("/")).read_bytes()
    text, _ = decode_html(data)
    return ListResponse(base + path, text, data, "text/html")


def answer(portal: dict, request: ListRequest) -> PortalResponse:
    """What the fixture's dataproxy.jsp answers, called as PortalServer would call it."""
    parts = urlsplit(request.url)
    headers = {name.lower(): value for name, value in request.headers.items()} | {"host": parts.netloc}
    portal_request = PortalRequest(
        request.method, parts.path, parse_qs(parts.query), parse_qs(request.body or ""), headers
    )
    return portal["routes"][parts.path](portal_request)


def reply(portal: dict, request: ListRequest) -> ListResponse:
    response = answer(portal, request)
    assert response.status == 200, response.body
    text, _ = decode_html(response.body, response.media_type)
    return ListResponse(request.url, text, response.body, response.media_type)


def follow_list(portal: dict) -> tuple[list[ListedLink], list[ListRequest]]:
    page = hanweb.parse(page_response(portal["root"], portal["column_path"]))
    links, requests = list(page.links), []
    while page.next is not None:
        assert len(requests) < 20, "the list never ends"
        requests.append(page.next)
        page = hanweb.parse(reply(portal, page.next))
        links += page.links
    return links, requests


def as_truth(links: list[ListedLink], base: str = BASE) -> list[dict]:
    return [
        {"url_path": link.url.removeprefix(base), "title": link.title, "published": link.published}
        for link in links
    ]


def column_page(body: str) -> str:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'


# --- detection -----------------------------------------------------------------------------------------


def test_detects_the_column_page_and_its_replies_only(portal):
    root = portal["root"]
    column = page_response(root, portal["column_path"])
    first_reply = reply(portal, hanweb.parse(column).next)
    assert hanweb.detect(column)
    assert hanweb.detect(first_reply)
    assert not hanweb.detect(page_response(root, "/index.html"))
    assert not hanweb.detect(page_response(root, portal["reports"][0]["url_path"]))
    assert not hanweb.detect(page_response(SAMPLE_PORTAL, SAMPLE_COLUMN))  # a TRS column


# --- the column page -----------------------------------------------------------------------------------


def test_column_page_lists_its_embedded_records(portal):
    page = hanweb.parse(page_response(portal["root"], portal["column_path"]))
    assert as_truth(page.links) == portal["items"][:15]


def test_column_page_asks_for_the_next_window_as_the_jpage_script_does(portal):
    request = hanweb.parse(page_response(portal["root"], portal["column_path"])).next
    assert request is not None
    assert request.url == FIRST_WINDOW
    assert request.method == "POST"
    assert parse_qs(request.body) == EXPECTED_FORM
    assert [pair.split("=")[0] for pair in request.body.split("&")] == list(EXPECTED_FORM)
    assert f"webname={quote(SITE_NAME)}&" in request.body  # URL-encoded UTF-8, not raw characters
    assert request.headers == EXPECTED_HEADERS


def test_column_page_covering_its_total_asks_for_nothing_more():
    items = column_items()[:3]
    records = "".join(f"<record><![CDATA[{record_li(item)}]]></record>" for item in items)

    def page(total: int) -> ListResponse:
        text = column_page(
            f'<div id="{UNITID}"><script type="text/xml"><datastore><recordset>{records}</recordset>'
            f"</datastore></script></div><script>$('#{UNITID}').jpage({{perPage: 15, totalRecord: {total},"
            f" ajaxParam: {{webid: {WEBID}, columnid: {COLUMNID}, unitid: '{UNITID}'}}}});</script>"
        )
        return ListResponse(COLUMN_URL, text, text.encode())

    assert len(hanweb.parse(page(3)).links) == 3
    assert hanweb.parse(page(3)).next is None
    assert hanweb.parse(page(4)).next.url == f"{BASE}{PROXY_PATH}?startrecord=4&endrecord=48&perpage=15"


def test_form_and_endpoint_from_nextgroup_and_div_when_no_jpage_call():
    text = column_page(
        '<div id="88"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/jpage/'
        "dataproxy.jsp?page=1&appid=1&webid=9&path=/&columnid=77&unitid=88&webname=某某市人民政府"
        '&permissiontype=0"></a>]]></nextgroup><recordset></recordset></datastore></script></div>'
    )
    request = hanweb.parse(ListResponse(f"{BASE}/col/col77/index.html", text, text.encode())).next
    assert request.url == f"{BASE}/module/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
    form = parse_qs(request.body)
    assert (form["webid"], form["columnid"], form["unitid"], form["webname"]) == (
        ["9"],
        ["77"],
        ["88"],
        ["某某市人民政府"],
    )


def test_form_from_div_id_and_url_with_a_named_proxy_path():
    text = column_page(
        '<div id="4936067"><script type="text/xml"><datastore><recordset></recordset></datastore></script>'
        "</div><script>$('#4936067').jpage({proxyUrl: '/module/jslib/jquery/jpage/dataproxy.jsp', "
        "perPage: 20});</script>"
    )
    request = hanweb.parse(ListResponse(f"{BASE}/col/col1634838/index.html", text, text.encode())).next
    assert (
        request.url == f"{BASE}/module/jslib/jquery/jpage/dataproxy.jsp?startrecord=1&endrecord=60&perpage=20"
    )
    form = parse_qs(request.body)
    assert (form["columnid"], form["unitid"]) == (["1634838"], ["4936067"])


def test_a_column_form_the_replies_cannot_repeat_rides_in_the_url():
    text = column_page(
        f"<script>$('#{UNITID}').jpage({{perPage: 15, ajaxParam: {{col: 1, webid: {WEBID}, "
        f"columnid: {COLUMNID}, sourceContentType: 3, unitid: '{UNITID}', webname: '{SITE_NAME}'}}}});</script>"
    )
    first = hanweb.parse(ListResponse(COLUMN_URL, text, text.encode())).next
    assert first.url.endswith("?startrecord=1&endrecord=45&perpage=15&sourceContentType=3")
    assert parse_qs(first.body)["sourceContentType"] == ["3"]
    full_window = datastore_xml(column_items()[:45], 62, 15, 45, record_li)
    second = hanweb.parse(ListResponse(first.url, full_window, full_window.encode())).next
    assert second.url.endswith("?startrecord=46&endrecord=90&perpage=15&sourceContentType=3")
    assert parse_qs(second.body) == parse_qs(first.body)


# --- replies -------------------------------------------------------------------------------------------


def test_replies_give_the_next_records_then_end(portal):
    first = hanweb.parse(page_response(portal["root"], portal["column_path"])).next
    page = hanweb.parse(reply(portal, first))
    assert as_truth(page.links) == portal["items"][15:60]
    second = page.next
    assert second.url == f"{BASE}{PROXY_PATH}?startrecord=61&endrecord=105&perpage=15"
    assert (second.method, second.body, second.headers) == (first.method, first.body, first.headers)
    last = hanweb.parse(reply(portal, second))
    assert as_truth(last.links) == portal["items"][60:]
    assert last.next is None


def test_every_item_is_reachable_by_following_next(portal):
    links, requests = follow_list(portal)
    assert len(portal["items"]) >= 40
    assert as_truth(links) == portal["items"]
    assert len(requests) == -(-(len(portal["items"]) - 15) // 45)  # one request per 45 records
    listed = {link.url.removeprefix(BASE) for link in links}
    assert {report["url_path"] for report in portal["reports"]} <= listed
    assert set(portal["non_reports"]) <= listed


def test_reply_without_totalrecord_ends_on_a_short_window():
    items = column_items()
    full = re.sub(r"<totalrecord>\d+</totalrecord>", "", datastore_xml(items[15:60], 62, 15, 60, record_li))
    short = re.sub(r"<totalrecord>\d+</totalrecord>", "", datastore_xml(items[60:], 62, 15, 105, record_li))
    assert "<totalrecord>" not in full
    assert hanweb.parse(ListResponse(FIRST_WINDOW, full, full.encode())).next.url.endswith(
        "?startrecord=61&endrecord=105&perpage=15"
    )
    last_url = f"{BASE}{PROXY_PATH}?startrecord=61&endrecord=105&perpage=15"
    page = hanweb.parse(ListResponse(last_url, short, short.encode()))
    assert len(page.links) == 2
    assert page.next is None


def test_gbk_reply_with_a_gbk_encoded_webname(portal):
    xml = datastore_xml(column_items()[15:60], 62, 15, 60, record_li)
    xml = xml.replace(quote(SITE_NAME), quote(SITE_NAME, encoding="gbk")).replace(
        'encoding="UTF-8"', 'encoding="GBK"'
    )
    data = xml.encode("gbk")
    text, _ = decode_html(data, "text/xml")  # as the spider decodes a response
    page = hanweb.parse(ListResponse(FIRST_WINDOW, text, data, "text/xml"))
    assert as_truth(page.links) == portal["items"][15:60]
    assert parse_qs(page.next.body)["webname"] == [SITE_NAME]
    assert answer(portal, page.next).status == 200


# --- record markup -------------------------------------------------------------------------------------


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_record_markup_variants_give_title_and_date(tmp_path, markup):
    portal = {**build_hanweb_portal(tmp_path, markup=markup), "root": tmp_path}
    links, _ = follow_list(portal)
    assert as_truth(links) == portal["items"]


def test_records_without_title_attributes():
    records = [
        '<li><a href="/art/2020/8/14/art_1_2.html"><span>某县2019年政府信息公开工作年度报告</span>'
        "<i>2020-08-14</i></a></li>",
        '<tr><td><a href="/art/2020/1/20/art_1_3.html">某县2018年政府信息公开工作年度报告</a></td>'
        "<td>2020-01-20</td></tr>",
        '<li><a href="/art/2019/3/1/art_1_4.html">某县2018年政务公开工作要点</a><span>[2019年3月1日]</span></li>',
    ]
    xml = "<datastore><recordset>{}</recordset></datastore>".format(
        "".join(f"<record><![CDATA[{record}]]></record>" for record in records)
    )
    links = hanweb.parse(ListResponse(FIRST_WINDOW, xml, xml.encode())).links
    assert [(link.title, link.published) for link in links] == [
        ("某县2019年政府信息公开工作年度报告", "2020-08-14"),
        ("某县2018年政府信息公开工作年度报告", "2020-01-20"),
        ("某县2018年政务公开工作要点", "2019-03-01"),
    ]
    assert links[0].url == f"{BASE}/art/2020/8/14/art_1_2.html"


# --- hostile replies -----------------------------------------------------------------------------------

_PLAIN_RECORD = '<record><![CDATA[<li><a href="/art/2021/1/5/art_1_9.html">正常条目</a><span>2021-01-05</span></li>]]></record>'


def _titles_and_urls(page) -> str:
    return " ".join(f"{link.title} {link.url}" for link in page.links)


def test_external_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-7f3a", encoding="utf-8")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "{secret.as_uri()}">', encoding="utf-8")
    for doctype, entity in (
        (f'<!DOCTYPE datastore [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;"),
        (f'<!DOCTYPE datastore SYSTEM "{dtd.as_uri()}">', "&leak;"),
    ):
        xml = (
            f'<?xml version="1.0"?>{doctype}<datastore><totalrecord>{entity}</totalrecord><recordset>'
            f"<record>{entity}</record><record>&lt;a href=&quot;/x&quot;&gt;{entity}&lt;/a&gt;</record>"
            f"{_PLAIN_RECORD}</recordset></datastore>"
        )
        page = hanweb.parse(ListResponse(FIRST_WINDOW, xml, xml.encode()))
        assert "TOPSECRET" not in _titles_and_urls(page)
        assert "正常条目" in _titles_and_urls(page)  # the reply was read, not just refused


def test_billion_laughs_is_not_expanded():
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    xml = (
        f"<!DOCTYPE datastore [{entities}]><datastore><totalrecord>62</totalrecord><recordset>"
        f"<record>&lol9;</record>{_PLAIN_RECORD}</recordset></datastore>"
    )
    started = time.monotonic()
    page = hanweb.parse(ListResponse(FIRST_WINDOW, xml, xml.encode()))
    assert time.monotonic() - started < 2
    assert "lollol" not in _titles_and_urls(page)
    assert [link.title for link in page.links] == ["正常条目"]


# --- the fixture's own contract ------------------------------------------------------------------------


def test_dataproxy_refuses_a_wrong_form(portal):
    good = hanweb.parse(page_response(portal["root"], portal["column_path"])).next
    assert answer(portal, good).status == 200

    def with_body(body: str, method: str = "POST") -> ListRequest:
        return ListRequest(good.url, method, body, good.headers)

    assert answer(portal, with_body(re.sub(r"&unitid=\d+", "", good.body))).status == 400
    assert answer(portal, with_body(good.body.replace(COLUMNID, "1229000000"))).status == 400
    gbk_name = good.body.replace(quote(SITE_NAME), quote(SITE_NAME, encoding="gbk"))
    assert answer(portal, with_body(gbk_name)).status == 400
    assert answer(portal, with_body("")).status == 400
    assert answer(portal, with_body(good.body, "GET")).status == 405
    no_window = ListRequest(good.url.split("?")[0], "POST", good.body, good.headers)
    assert answer(portal, no_window).status == 400


def test_fixture_site(portal):
    root, reports = portal["root"], portal["reports"]
    assert len(portal["items"]) >= 40
    assert {report["year"] for report in reports} >= set(range(2008, 2025))
    with_files = [report for report in reports if report["attachments"]]
    assert len(with_files) >= 3
    for report in with_files:
        pdf, doc = (root / path.lstrip("/") for path in report["attachments"])
        assert pdf.read_bytes().startswith(b"%PDF-") and doc.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
        page = (root / report["url_path"].lstrip("/")).read_text(encoding="utf-8")
        assert "全真版" in page and "文字版" in page
    gbk_pages = []
    for item in portal["items"]:
        data = (root / item["url_path"].lstrip("/")).read_bytes()
        encoding = "gbk" if b"charset=gb2312" in data else "utf-8"  # what the page declares
        assert item["title"] in data.decode(encoding)
        gbk_pages += [item["url_path"]] if encoding == "gbk" else []
    assert len(gbk_pages) == 2
    gbk_reports = [report["url_path"] for report in reports if report["encoding"] == "gbk"]
    assert len(gbk_reports) == 1 and set(gbk_reports) < set(gbk_pages)
    titles = {item["url_path"]: item["title"] for item in portal["items"]}
    for word in ("通知", "工作要点", "年报发布解读"):
        assert any(word in titles[path] for path in portal["non_reports"])
    assert "Disallow: /search/" in (root / "robots.txt").read_text()


def test_list_over_http(portal):
    """The same walk through PortalServer: a real POST with the adapter's body and headers."""
    with PortalServer(portal["root"], routes=portal["routes"]) as server:
        column_path = portal["column_path"]
        with urllib.request.urlopen(server.url + column_path, timeout=10) as response:
            data = response.read()
        page = hanweb.parse(ListResponse(server.url + column_path, data.decode("utf-8"), data))
        links = list(page.links)
        while page.next is not None:
            request = page.next
            http_request = urllib.request.Request(
                request.url, request.body.encode("ascii"), request.headers, method=request.method
            )
            with urllib.request.urlopen(http_request, timeout=10) as response:
                data = response.read()
            page = hanweb.parse(ListResponse(request.url, data.decode("utf-8"), data))
            links += page.links
    assert as_truth(links, server.url) == portal["items"]
    seen = portal["list_requests"]
    assert len(seen) == 2
    assert all(request.headers["x-requested-with"] == "XMLHttpRequest" for request in seen)
    assert all(request.headers["referer"] == server.url + column_path for request in seen)

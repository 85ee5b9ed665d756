"""The Hanweb (大汉 JCMS, jpage) list adapter on the fixture portal's bytes: embedded records, the
dataproxy.jsp POST it asks for next, replies fed back (with the body that asked for them, as the spider
does) until the list ends, replies without <nextgroup>, the old jQuery jpage (quoted form values, a doubled
appid, ill-formed replies), record markup variants, and replies that try entity tricks."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from lxml import etree

from crawler.cms import ListedLink, ListPage, ListRequest, ListResponse, hanweb
from extract.readers.html import decode_html
from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer
from tests.adapter_walk import BASE, answer, as_truth, fetch_over_http, links_of, page_response, reply, walk
from tests.portals.hanweb import (
    COLUMN_FORM,
    COLUMNID,
    LEGACY_PROXY_PATH,
    MARKUPS,
    PROXY_PATH,
    SITE_NAME,
    UNITID,
    VARIANT_PERPAGE,
    WEBID,
    build_hanweb_portal,
    column_items,
    datastore_xml,
    record_li,
)

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


VARIANTS = {
    "default": {},
    "no-nextgroup": {"nextgroup": False},
    "legacy-jquery": {"legacy_jquery": True},
    "legacy-no-nextgroup": {"legacy_jquery": True, "nextgroup": False},
}


@pytest.fixture
def portal(tmp_path) -> dict:
    return {**build_hanweb_portal(tmp_path), "root": tmp_path}


def variant_portal(root: Path, variant: str) -> dict:
    return {**build_hanweb_portal(root, **VARIANTS[variant]), "root": root}


def follow_list(portal: dict) -> tuple[list[ListedLink], list[ListRequest], list[ListPage]]:
    """The column page's links and every reply's, the windows asked for, and the pages read."""
    column = page_response(portal["root"], portal["column_path"])
    pages, requests = walk(hanweb, column, lambda request: reply(portal, request))
    return links_of(pages), requests, pages


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


def test_the_columns_whole_form_is_sent_with_every_window():
    """Fields no nextgroup link repeats (col, sourceContentType) come back in the body the reply answered."""
    text = column_page(
        f"<script>$('#{UNITID}').jpage({{perPage: 15, ajaxParam: {{col: 1, webid: {WEBID}, "
        f"columnid: {COLUMNID}, sourceContentType: 3, unitid: '{UNITID}', webname: '{SITE_NAME}'}}}});</script>"
    )
    first = hanweb.parse(ListResponse(COLUMN_URL, text, text.encode())).next
    assert first.url == f"{BASE}{PROXY_PATH}?startrecord=1&endrecord=45&perpage=15"
    assert parse_qs(first.body)["sourceContentType"] == ["3"]
    full_window = datastore_xml(
        column_items()[:45], 62, 15, 45, record_li
    )  # its nextgroup says nothing of it
    answered = ListResponse(first.url, full_window, full_window.encode(), request_body=first.body)
    second = hanweb.parse(answered).next
    assert second.url == f"{BASE}{PROXY_PATH}?startrecord=46&endrecord=90&perpage=15"
    assert second.body == first.body


def test_column_page_announces_its_total_from_the_call_or_the_datastore():
    items = column_items()[:3]
    records = "".join(f"<record><![CDATA[{record_li(item)}]]></record>" for item in items)
    call = (
        f"<script>$('#{UNITID}').jpage({{perPage: 15, ajaxParam: {{columnid: {COLUMNID}, unitid: '{UNITID}'}}"
    )
    datastore = f'<div id="{UNITID}"><script type="text/xml"><datastore>{{}}<recordset>{records}</recordset>'
    datastore += "</datastore></script></div>"
    for total_tag, total_js, announced in (
        ("", ", totalRecord: 40", 40),
        ("<totalrecord>41</totalrecord><totalpage>3</totalpage>", "", 41),
        ("", "", None),
    ):
        text = column_page(datastore.format(total_tag) + call + total_js + "});</script>")
        page = hanweb.parse(ListResponse(COLUMN_URL, text, text.encode()))
        assert (page.announced, page.links_are_items, len(page.links)) == (announced, True, 3)
        assert page.next.url == f"{BASE}{PROXY_PATH}?startrecord=4&endrecord=48&perpage=15"


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
    links, requests, pages = follow_list(portal)
    assert len(portal["items"]) >= 40
    assert as_truth(links) == portal["items"]
    assert len(requests) == -(-(len(portal["items"]) - 15) // 45)  # one request per 45 records
    assert [page.announced for page in pages] == [portal["announced"]] * len(pages)
    assert all(page.links_are_items for page in pages)
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


def test_a_reply_read_without_its_request_falls_back_on_its_nextgroup(portal):
    first = hanweb.parse(page_response(portal["root"], portal["column_path"])).next
    bare = replace(reply(portal, first), request_body=None)
    assert hanweb.parse(bare).next == hanweb.parse(reply(portal, first)).next


# --- replies without <nextgroup>, and the old jQuery jpage (portal-patterns.md section G) -----------------


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_whole_list_is_followed_in_every_variant(tmp_path, variant):
    portal = variant_portal(tmp_path, variant)
    links, requests, pages = follow_list(portal)
    items, perpage = portal["items"], portal["perpage"]
    assert as_truth(links) == items
    assert len(requests) == -(-(len(items) - perpage) // (3 * perpage))
    assert variant == "default" or len(requests) >= 3  # "stops after the second window" would show
    assert [page.announced for page in pages] == [portal["announced"]] * len(pages) == [62] * len(pages)
    assert all(page.links_are_items for page in pages)
    assert {urlsplit(request.url).path for request in requests} == {portal["proxy_path"]}
    assert all(request.body == requests[0].body for request in requests)  # the column's form, every time
    assert all(request.headers == EXPECTED_HEADERS for request in requests)
    assert hanweb.detect(page_response(portal["root"], portal["column_path"]))
    assert hanweb.detect(reply(portal, requests[-1]))


def test_replies_without_nextgroup_are_asked_with_the_columns_form(tmp_path):
    portal = variant_portal(tmp_path, "no-nextgroup")
    column = page_response(portal["root"], portal["column_path"])
    assert "<nextgroup>" not in column.text and "totalRecord" not in column.text
    page = hanweb.parse(column)
    assert as_truth(page.links) == portal["items"][:VARIANT_PERPAGE]
    assert page.announced == 62  # the datastore's <totalrecord>
    windows, request = [], page.next
    while request is not None:
        assert parse_qs(request.body) == {key: [value] for key, value in COLUMN_FORM.items()}
        response = reply(portal, request)
        assert "<nextgroup>" not in response.text
        windows.append(request.url.removeprefix(f"{BASE}{PROXY_PATH}?"))
        request = hanweb.parse(response).next
    assert windows == [
        "startrecord=9&endrecord=32&perpage=8",
        "startrecord=33&endrecord=56&perpage=8",
        "startrecord=57&endrecord=80&perpage=8",
    ]


def test_a_reply_without_nextgroup_needs_the_body_that_asked_for_it(tmp_path):
    """Nothing in such a reply names the column: read without its request, it cannot go on."""
    portal = variant_portal(tmp_path, "no-nextgroup")
    first = hanweb.parse(page_response(portal["root"], portal["column_path"])).next
    response = reply(portal, first)
    assert hanweb.parse(response).next is not None
    bare = hanweb.parse(replace(response, request_body=None))
    assert len(bare.links) == 3 * VARIANT_PERPAGE and bare.announced == 62
    assert bare.next is None


def test_legacy_jquery_form_drops_its_quotes_and_doubled_appid(tmp_path):
    portal = variant_portal(tmp_path, "legacy-jquery")
    column = page_response(portal["root"], portal["column_path"])  # a GBK page
    assert "appid=1&appid=1" in column.text and "path='/'" in column.text
    assert f"webname='{SITE_NAME}'" in column.text
    page = hanweb.parse(column)
    assert as_truth(page.links) == portal["items"][:VARIANT_PERPAGE]
    assert page.announced == 62  # the call's totalRecord
    first = page.next
    assert first.url == f"{BASE}{LEGACY_PROXY_PATH}?startrecord=9&endrecord=32&perpage=8"
    form = parse_qs(first.body)
    assert (form["appid"], form["path"], form["webname"]) == (["1"], ["/"], [SITE_NAME])
    assert {key: values[0] for key, values in form.items()} == COLUMN_FORM
    assert "%27" not in first.body and "'" not in first.body
    assert answer(portal, first).status == 200


def test_ill_formed_legacy_replies_are_read(tmp_path):
    portal = variant_portal(tmp_path, "legacy-jquery")
    column = page_response(portal["root"], portal["column_path"])
    with pytest.raises(etree.XMLSyntaxError):  # the column's own datastore is ill-formed too
        etree.fromstring(re.search(r"<datastore>.*</datastore>", column.text, re.DOTALL).group(0))
    first = hanweb.parse(column).next
    response = reply(portal, first)
    assert "<table cellpadding='0'" in response.text and "align=center" in response.text
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.body)
    page = hanweb.parse(response)
    assert as_truth(page.links) == portal["items"][VARIANT_PERPAGE : 4 * VARIANT_PERPAGE]
    assert page.announced == 62
    assert page.next.url == f"{BASE}{LEGACY_PROXY_PATH}?startrecord=33&endrecord=56&perpage=8"
    # Read without its request, the reply's quoted nextgroup gives the same form.
    bare = hanweb.parse(replace(response, request_body=None))
    assert bare.next == page.next


# --- record markup -------------------------------------------------------------------------------------


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_record_markup_variants_give_title_and_date(tmp_path, markup):
    portal = {**build_hanweb_portal(tmp_path, markup=markup), "root": tmp_path}
    links, _, _ = follow_list(portal)
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


def test_variant_endpoints_refuse_a_window_without_the_columns_form(tmp_path):
    portal = variant_portal(tmp_path / "no-nextgroup", "no-nextgroup")
    good = hanweb.parse(page_response(portal["root"], portal["column_path"])).next
    assert answer(portal, good).status == 200
    for key in COLUMN_FORM:  # every field of the column's form is checked
        without = "&".join(pair for pair in good.body.split("&") if not pair.startswith(f"{key}="))
        assert answer(portal, replace(good, body=without)).status == 400, key
    nextgroup_only = good.body.replace("sourceContentType=1", "sourceContentType=2")
    assert answer(portal, replace(good, body=nextgroup_only)).status == 400

    legacy = variant_portal(tmp_path / "legacy", "legacy-jquery")
    good = hanweb.parse(page_response(legacy["root"], legacy["column_path"])).next
    assert answer(legacy, good).status == 200
    assert answer(legacy, replace(good, body=good.body.replace("appid=1", "appid=1&appid=1"))).status == 200
    assert answer(legacy, replace(good, body=good.body.replace("path=/", "path=%27/%27"))).status == 400
    quoted_name = good.body.replace(quote(SITE_NAME), quote(f"'{SITE_NAME}'"))
    assert answer(legacy, replace(good, body=quoted_name)).status == 400


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


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_list_over_http(tmp_path, variant):
    """The same walk through PortalServer: a real POST with the adapter's body and headers."""
    portal = variant_portal(tmp_path, variant)
    with PortalServer(portal["root"], routes=portal["routes"]) as server:
        column_path = portal["column_path"]
        column = fetch_over_http(ListRequest(server.url + column_path))
        pages, posts = walk(hanweb, column, fetch_over_http)
    assert as_truth(links_of(pages), server.url) == portal["items"]
    seen = portal["list_requests"]
    assert len(seen) == len(posts) == (2 if variant == "default" else 3)
    assert all(request.headers["x-requested-with"] == "XMLHttpRequest" for request in seen)
    assert all(request.headers["referer"] == server.url + column_path for request in seen)

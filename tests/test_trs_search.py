"""The TRS 「动静结合」 list adapter (trs-search) on the fixture portal's bytes: the static column page, the
POST /fjdzapp/search it asks for next, replies fed back (with the form sent and the carry, as the spider
hands them) until pageCount, further static pages, tolerant reading of the listModel call, and replies
that are not what was asked for."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from crawler.cms import ListPage, ListRequest, ListResponse, trs, trs_search
from crawler.cms.families import detect_adapter
from crawler.links import looks_like_annual_report
from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer
from tests.adapter_walk import BASE, answer, as_truth, fetch_over_http, page_response, reply, walk
from tests.portals.trs_search import (
    CHANNELID,
    CLASSSQL,
    COLUMN_PATH,
    LIST_ARGS,
    PREPAGE,
    SEARCH_PATH,
    SECTION_PATH,
    build_trs_search_portal,
    column_items,
    search_record,
)

COLUMN_URL = BASE + COLUMN_PATH
SEARCH_URL = BASE + SEARCH_PATH
EXPECTED_HEADERS = {
    "Accept": "application/json, text/javascript, */*; q=0.01",
    "X-Requested-With": "XMLHttpRequest",
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "Referer": COLUMN_URL,
}


@pytest.fixture
def portal(tmp_path) -> dict:
    return {**build_trs_search_portal(tmp_path), "root": tmp_path}


def fetch(portal: dict, request: ListRequest) -> ListResponse:
    """The reply to ``request`` as the spider hands it back: a further static page of the column (a GET),
    or the search API's answer with the body sent and the carry."""
    if request.method == "GET":
        return page_response(portal["root"], urlsplit(request.url).path)
    return reply(portal, request)


def follow_list(portal: dict) -> tuple[list[ListPage], list[ListRequest]]:
    """Walk the list from the column page, with the adapter detection picks, as the spider does."""
    column = page_response(portal["root"], portal["column_path"])
    adapter = detect_adapter(column)
    assert adapter is trs_search
    return walk(adapter, column, lambda request: fetch(portal, request))


def listed_items(page: ListPage, portal: dict, base: str = BASE) -> list[dict]:
    """The list items among a static page's links (the rest is navigation)."""
    paths = {item["url_path"] for item in portal["items"]}
    return [entry for entry in as_truth(page.links, base) if entry["url_path"] in paths]


def html_page(script: str, body: str = "") -> str:
    return f'<html><head><meta charset="utf-8"></head><body>{body}<script>{script}</script></body></html>'


def text_response(url: str, text: str, request_body: str | None = None, carry: dict | None = None):
    return ListResponse(url, text, text.encode("utf-8"), None, request_body, carry or {})


def search_reply(payload: dict, form: dict[str, str], carry: bool = True) -> ListResponse:
    request = trs_search.search_request(SEARCH_URL, form, COLUMN_URL)
    return text_response(
        SEARCH_URL, json.dumps(payload, ensure_ascii=False), request.body, request.carry if carry else {}
    )


FORM = {**LIST_ARGS, "page": "2", "prepage": str(PREPAGE)}


# --- detection -----------------------------------------------------------------------------------------


def test_detects_the_column_page_and_its_replies_only(portal):
    root = portal["root"]
    column = page_response(root, portal["column_path"])
    first_reply = fetch(portal, trs_search.parse(column).next)
    assert trs_search.detect(column)
    assert trs_search.detect(first_reply)
    assert trs_search.detect(text_response(BASE + "/other/path", first_reply.text))  # a reply by its content
    assert trs.detect(column)  # a TRS page too: trs-search must be tried first
    assert detect_adapter(column) is trs_search
    for path in ("/", SECTION_PATH, portal["reports"][0]["url_path"]):
        assert not trs_search.detect(page_response(root, path))
    assert not trs_search.detect(page_response(SAMPLE_PORTAL, SAMPLE_COLUMN))  # a plain TRS column
    gkmlpt_reply = '{"total": 3, "articles": [{"title": "x", "url": "/gkmlpt/content/1/1/post_1.html"}]}'
    assert not trs_search.detect(text_response(BASE + "/gkmlpt/api/all/0?page=1", gkmlpt_reply))
    definition = html_page("function listModel(options) { return options; }")
    assert not trs_search.detect(text_response(COLUMN_URL, definition))


# --- the column page -----------------------------------------------------------------------------------


def test_column_page_lists_its_static_items_and_announces_the_list(portal):
    page = trs_search.parse(page_response(portal["root"], portal["column_path"]))
    assert listed_items(page, portal) == portal["items"][:PREPAGE]
    assert page.announced == portal["announced"] == 45
    assert not page.links_are_items  # the page's links include its navigation
    assert page.unfollowed is None


def test_column_page_asks_for_the_first_page_after_the_static_ones(portal):
    request = trs_search.parse(page_response(portal["root"], portal["column_path"])).next
    assert request is not None
    assert (request.url, request.method) == (SEARCH_URL, "POST")
    assert parse_qsl(request.body) == list({**LIST_ARGS, "page": "2", "prepage": "10"}.items())
    assert "classsql=chnlid%3D1813&" in request.body  # url-encoded as jQuery sends it
    assert "sortfield=-docorderpri%2C-docreltime&" in request.body
    assert request.headers == EXPECTED_HEADERS
    assert request.carry == {"form": request.body, "column": COLUMN_URL}


# --- replies -------------------------------------------------------------------------------------------


def test_replies_give_the_next_pages_then_end(portal):
    pages, requests = follow_list(portal)
    assert [parse_qs(request.body)["page"] for request in requests] == [["2"], ["3"], ["4"], ["5"]]
    assert all(request.headers == EXPECTED_HEADERS for request in requests)
    for number, page in enumerate(pages[1:], start=2):
        assert as_truth(page.links) == portal["items"][(number - 1) * PREPAGE : number * PREPAGE]
        assert page.links_are_items and page.announced == 45 and page.unfollowed is None
    assert pages[-1].next is None


def test_every_item_is_reachable_and_the_reports_are_exactly_the_truth(portal):
    pages, requests = follow_list(portal)
    assert len(requests) == 4  # one static page, then pages 2–5 of the API
    items = listed_items(pages[0], portal) + [entry for page in pages[1:] for entry in as_truth(page.links)]
    assert items == portal["items"]
    links = [link for page in pages for link in page.links]
    reports = {link.url.removeprefix(BASE) for link in links if looks_like_annual_report(link.title)}
    assert reports == {report["url_path"] for report in portal["reports"]}
    assert not reports & set(portal["non_reports"])
    assert {page.announced for page in pages} == {portal["announced"]}


def test_record_url_and_date_variants(portal):
    """docpuburl absolute, empty (chnldocurl then), or relative to the column; docreltime printed or epoch ms."""
    items = column_items()
    records = [search_record(item, position, "http://127.0.0.1:8080") for position, item in enumerate(items)]
    assert {"", items[3].href} <= {record["docpuburl"] for record in records}
    assert any(isinstance(record["docreltime"], int) for record in records)
    page = trs_search.parse(search_reply({"pageCount": 5, "data": records[:10]}, FORM))
    assert as_truth(page.links) == portal["items"][:10]


def test_titles_lose_highlighting_markup():
    record = {
        "doctitle": "某县<font color='red'>2021</font>年政府信息公开工作年度报告&amp;",
        "chnldocurl": "/a.htm",
    }
    page = trs_search.parse(search_reply({"pageCount": 1, "data": [record]}, FORM))
    assert [(link.title, link.url, link.published) for link in page.links] == [
        ("某县2021年政府信息公开工作年度报告&", BASE + "/a.htm", None)
    ]


def test_reply_read_from_the_body_sent_or_from_the_carry_alone(portal):
    first = trs_search.parse(page_response(portal["root"], portal["column_path"])).next
    reply = fetch(portal, first)
    with_body_only = ListResponse(reply.url, reply.text, reply.body, reply.media_type, first.body, {})
    with_carry_only = ListResponse(reply.url, reply.text, reply.body, reply.media_type, None, first.carry)
    assert parse_qs(trs_search.parse(with_body_only).next.body)["page"] == ["3"]
    following = trs_search.parse(with_carry_only).next
    assert parse_qs(following.body)["page"] == ["3"]
    assert following.carry["column"] == COLUMN_URL and following.headers["Referer"] == COLUMN_URL


def test_reply_without_the_form_it_answers_is_reported_unfollowed(portal):
    first = trs_search.parse(page_response(portal["root"], portal["column_path"])).next
    reply = fetch(portal, first)
    page = trs_search.parse(ListResponse(reply.url, reply.text, reply.body, reply.media_type))
    assert len(page.links) == PREPAGE and page.next is None
    assert page.unfollowed == trs_search.NO_FORM


def test_reply_without_page_count_ends_on_its_total_or_a_short_page():
    records = [{"doctitle": f"条目{n}", "docpuburl": f"/d/{n}.htm"} for n in range(10)]
    with_total = trs_search.parse(search_reply({"total": 25, "data": records}, {**FORM, "page": "3"}))
    assert with_total.next is None and with_total.announced == 25
    going_on = trs_search.parse(search_reply({"recordCount": "45", "data": records}, FORM))
    assert parse_qs(going_on.next.body)["page"] == ["3"] and going_on.announced == 45
    full = trs_search.parse(search_reply({"data": records}, FORM))
    assert parse_qs(full.next.body)["page"] == ["3"] and full.announced is None
    short = trs_search.parse(search_reply({"data": records[:4]}, FORM))
    assert short.next is None and len(short.links) == 4
    empty = trs_search.parse(search_reply({"pageCount": 9, "data": []}, FORM))
    assert empty == ListPage(links_are_items=True)


def test_nested_and_docs_replies():
    record = {
        "doctitle": "某县2020年政府信息公开工作年度报告",
        "docpuburl": "http://x.gov.cn/a.htm",
        "pubdate": "2021-01-20",
    }
    nested = trs_search.parse(search_reply({"data": {"total": 1, "data": [record]}}, FORM))
    docs = trs_search.parse(search_reply({"count": "1", "docs": [record]}, FORM))
    for page in (nested, docs):
        assert [(link.url, link.published) for link in page.links] == [
            ("http://x.gov.cn/a.htm", "2021-01-20")
        ]
        assert page.announced == 1 and page.next is None


@pytest.mark.parametrize(
    "text",
    [
        '{"code": "400", "msg": "参数错误"}',
        '{"pageCount": 5, "data": [{"doctitle": "半截',
        "<html><body>系统繁忙，请稍后再试</body></html>",
        '[{"doctitle": "x", "docpuburl": "/a.htm"}]',
        "",
    ],
)
def test_broken_replies_give_an_empty_page(text):
    request = trs_search.search_request(SEARCH_URL, FORM, COLUMN_URL)
    assert trs_search.parse(text_response(SEARCH_URL, text, request.body, request.carry)) == ListPage()


# --- further static pages ------------------------------------------------------------------------------


def test_more_static_pages_are_fetched_before_the_api(tmp_path):
    portal = {**build_trs_search_portal(tmp_path, max_static_index=2), "root": tmp_path}
    pages, requests = follow_list(portal)
    assert (requests[0].url, requests[0].method) == (f"{COLUMN_URL}index_1.htm", "GET")
    assert [parse_qs(request.body)["page"] for request in requests[1:]] == [["3"], ["4"], ["5"]]
    assert requests[1].headers["Referer"] == f"{COLUMN_URL}index_1.htm"
    items = [entry for page in pages[:2] for entry in listed_items(page, portal)]
    items += [entry for page in pages[2:] for entry in as_truth(page.links)]
    assert items == portal["items"]


def test_static_page_names_follow_the_column_file():
    script = (
        'listModel({quickMode:"动静结合",maxStaticIndex:3,listArgs:{channelid:"1",classsql:"chnlid=2"},'
        "pagebar:{prepage:15,recordCount:'100'}})"
    )
    text = html_page(script)
    first = trs_search.parse(text_response(f"{BASE}/xxgk/ndbg/nlist.htm", text)).next
    assert (first.url, first.method) == (f"{BASE}/xxgk/ndbg/nlist_1.htm", "GET")
    second = trs_search.parse(text_response(f"{BASE}/xxgk/ndbg/nlist_1.htm", text)).next
    assert second.url == f"{BASE}/xxgk/ndbg/nlist_2.htm"
    last_static = trs_search.parse(text_response(f"{BASE}/xxgk/ndbg/nlist_2.htm", text)).next
    assert (last_static.url, parse_qs(last_static.body)["page"]) == (SEARCH_URL, ["4"])
    from_directory = trs_search.parse(text_response(f"{BASE}/xxgk/ndbg/", text)).next
    assert from_directory.url == f"{BASE}/xxgk/ndbg/index_1.htm"


def test_static_pages_holding_the_whole_list_ask_for_nothing_more():
    script = (
        "listModel({quickMode:'动静结合', maxStaticIndex:2, listArgs:{channelid:'1', classsql:'chnlid=2'},"
        " pagebar:{prepage:10, recordCount:'%s'}})"
    )
    assert trs_search.parse(text_response(COLUMN_URL, html_page(script % 10))).next is None
    assert trs_search.parse(text_response(f"{COLUMN_URL}index_1.htm", html_page(script % 20))).next is None
    assert trs_search.parse(text_response(COLUMN_URL, html_page(script % 11))).next.method == "GET"
    after = trs_search.parse(text_response(f"{COLUMN_URL}index_1.htm", html_page(script % 21))).next
    assert parse_qs(after.body)["page"] == ["3"]


# --- reading the listModel call ------------------------------------------------------------------------


def test_unreadable_list_args_are_reported_unfollowed():
    body = '<ul><li><a href="./202401/t20240120_1.htm">某县2023年政府信息公开工作年度报告</a></li></ul>'
    for script, announced in (
        (
            "require(['list2.trsapi']);listModel({maxStaticIndex:7,pagebar:{prepage:10,recordCount:'213'}})",
            213,
        ),
        (
            "listModel({quickMode:'动静结合', maxStaticIndex:7, listArgs: window.args, pagebar:{recordCount:'213'}})",
            213,
        ),
        (
            'listModel({maxStaticIndex:7, listArgs:{channelid:"200210", sortfield:"-docreltime"}, recordCount:213})',
            213,
        ),
        ("require(['list2.trsapi']); listModel(window.CONFIG_213);", None),  # a config the page does not hold
    ):
        response = text_response(COLUMN_URL, html_page(script, body))
        assert trs_search.detect(response), script
        page = trs_search.parse(response)
        assert page.unfollowed == trs_search.UNREADABLE_ARGS, script
        assert page.next is None and page.announced == announced
        assert [link.title for link in page.links] == ["某县2023年政府信息公开工作年度报告"]


def test_tolerant_reading_of_the_object_literal():
    script = """
    var listConfig = {
        "quickMode": '动静结合', /* braces in strings: '{' */
        maxStaticIndex : '1',
        listArgs : { 'channelid' : 229105, "classsql": 'chnlid=4910 and title=\\'{x}\\'',
                     sortfield: "-docorderpri,-docreltime", searchword: "\\u5e74\\u62a5" },
        pagebar : { prepage : "75", recordCount : 213 }
    };
    require(['list2.trsapi'], function () { listModel(listConfig); });
    """
    page = trs_search.parse(text_response(COLUMN_URL, html_page(script)))
    assert page.announced == 213
    form = dict(parse_qsl(page.next.body))
    assert form == {
        "channelid": "229105",
        "classsql": "chnlid=4910 and title='{x}'",
        "sortfield": "-docorderpri,-docreltime",
        "searchword": "年报",
        "page": "2",
        "prepage": "75",
    }


def test_a_named_endpoint_and_an_all_dynamic_list():
    script = (
        "var searchUrl = '/gov/fjdzapp/search';"
        "listModel({maxStaticIndex:0, listArgs:{channelid:'1', classsql:'chnlid=2'}, pagebar:{prepage:20}})"
    )
    request = trs_search.parse(text_response(COLUMN_URL, html_page(script))).next
    assert request.url == f"{BASE}/gov/fjdzapp/search"
    assert parse_qs(request.body)["page"] == ["1"] and parse_qs(request.body)["prepage"] == ["20"]


def test_without_a_stated_page_size_the_api_is_asked_from_page_one():
    script = (
        "listModel({quickMode:'动静结合', maxStaticIndex:1, listArgs:{channelid:'1', classsql:'chnlid=2'}})"
    )
    request = trs_search.parse(text_response(COLUMN_URL, html_page(script))).next
    assert parse_qs(request.body)["page"] == ["1"]
    assert parse_qs(request.body)["prepage"] == [str(trs_search.DEFAULT_PREPAGE)]


def test_column_page_without_list_model_is_a_plain_page():
    text = html_page("var x = 1;", '<a href="./a.htm">某县2023年政府信息公开工作年度报告</a>')
    page = trs_search.parse(text_response(COLUMN_URL, text))
    assert page.next is None and page.unfollowed is None and len(page.links) == 1


# --- the fixture's own contract ------------------------------------------------------------------------


def test_search_refuses_a_wrong_request(portal):
    good = trs_search.parse(page_response(portal["root"], portal["column_path"])).next
    assert answer(portal, good).status == 200

    def with_body(body: str, method: str = "POST") -> ListRequest:
        return ListRequest(good.url, method, body, good.headers)

    assert answer(portal, with_body(good.body, "GET")).status == 405
    assert answer(portal, with_body(good.body.replace(CHANNELID, "229105"))).status == 400
    assert answer(portal, with_body(good.body.replace("chnlid%3D1813", "chnlid%3D1"))).status == 400
    assert answer(portal, with_body(good.body.replace("page=2", "page=two"))).status == 400
    assert answer(portal, with_body("")).status == 400
    refusal = answer(portal, with_body(good.body.replace(CHANNELID, "1")))
    assert refusal.media_type.startswith("application/json") and json.loads(refusal.body)["code"] == "400"
    past_the_end = json.loads(answer(portal, with_body(good.body.replace("page=2", "page=9"))).body)
    assert past_the_end["data"] == [] and past_the_end["pageCount"] == 5


def test_fixture_site(portal):
    root, reports = portal["root"], portal["reports"]
    assert len(portal["items"]) == portal["announced"] == 45
    assert {report["year"] for report in reports} == set(range(2008, 2025))
    assert len({report["agency"] for report in reports}) == 2
    with_files = [report for report in reports if report["attachments"]]
    assert len(with_files) == 3
    for report in with_files:
        page = (root / report["url_path"].lstrip("/")).read_text(encoding="utf-8")
        for path in report["attachments"]:
            data = (root / path.lstrip("/")).read_bytes()
            assert data.startswith(b"%PDF-" if path.endswith(".pdf") else b"\xd0\xcf\x11\xe0")
            assert f'href="./{path.rsplit("/", 1)[1]}"' in page
    titles = {item["url_path"]: item["title"] for item in portal["items"]}
    assert all(looks_like_annual_report(report["title"]) for report in reports)
    assert not any(looks_like_annual_report(titles[path]) for path in portal["non_reports"])
    for word in ("通知", "工作要点", "解读", "图解", "一图读懂"):
        assert any(word in titles[path] for path in portal["non_reports"])
    column = (root / COLUMN_PATH.lstrip("/") / "index.htm").read_text(encoding="utf-8")
    assert "下一页" not in column and "createPageHTML" not in column and "ms-include-src" in column
    # A person clicks home → 政府信息公开 → 政府信息公开年报.
    assert 'href="./zfxxgk/"' in (root / "index.htm").read_text(encoding="utf-8")
    assert 'href="./zfxxgknb/">政府信息公开年报' in (root / "zfxxgk" / "index.htm").read_text(
        encoding="utf-8"
    )


def test_list_over_http(portal):
    """The same walk through PortalServer: real POSTs with the adapter's body and headers."""
    with PortalServer(portal["root"], routes=portal["routes"]) as server:
        column_url = server.url + portal["column_path"]
        pages, _ = walk(trs_search, fetch_over_http(ListRequest(column_url)), fetch_over_http)
    items = listed_items(pages[0], portal, server.url)
    items += [entry for page in pages[1:] for entry in as_truth(page.links, server.url)]
    assert items == portal["items"]
    seen = portal["list_requests"]
    assert len(seen) == 4
    assert all(request.method == "POST" for request in seen)
    assert all(request.headers["x-requested-with"] == "XMLHttpRequest" for request in seen)
    assert all(request.headers["referer"] == column_url for request in seen)
    assert all(request.form["classsql"] == [CLASSSQL] for request in seen)

"""The Epoint WebBuilder govInfoPub (ewb) list adapter on the fixture portal's bytes: the iframe page, the
webBuilderCommon.js it names, the JSON list API's replies fed back until the list ends, and replies that
are broken or shaped differently."""

from __future__ import annotations

import json

import pytest

from crawler.cms import ListedLink, ListPage, ListRequest, ListResponse, ewb
from crawler.cms.families import detect_adapter
from crawler.links import looks_like_annual_report
from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer
from tests.adapter_walk import BASE, answer, as_truth, fetch_over_http, links_of, page_response, reply, walk
from tests.portals.ewb import (
    API_PATH,
    CATEGORYNUM,
    COLUMN_PATH,
    DEPTCODE,
    LIST_PAGE_URL,
    PAGE_SIZE,
    SCRIPT_PATH,
    SITE_GUID,
    build_ewb_portal,
    column_items,
    record_json,
)

PAGE_URL = BASE + LIST_PAGE_URL
API_URL = BASE + API_PATH
FIRST_BODY = {
    "deptcode": DEPTCODE,
    "categorynum": CATEGORYNUM,
    "siteGuid": SITE_GUID,
    "pageIndex": 0,
    "pageSize": PAGE_SIZE,
}
POST_HEADERS = {
    "Accept": "application/json, text/javascript, */*; q=0.01",
    "Content-Type": "application/json;charset=UTF-8",
    "X-Requested-With": "XMLHttpRequest",
    "Referer": PAGE_URL,
}


@pytest.fixture
def portal(tmp_path) -> dict:
    return {**build_ewb_portal(tmp_path), "root": tmp_path}


# --- replies and walks ---------------------------------------------------------------------------------


def json_reply(value: object, request_body: str | None = None, carry: dict | None = None) -> ListResponse:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return ListResponse(API_URL, text, text.encode(), "application/json", request_body, carry or {})


def follow_list(portal: dict, **options) -> tuple[list[ListPage], list[ListRequest]]:
    """Every response from the iframe page to the list's end, as the spider walks them (one at a time)."""
    iframe_page = page_response(portal["root"], LIST_PAGE_URL)
    return walk(ewb, iframe_page, lambda request: reply(portal, request, **options))


def items_of(pages: list[ListPage]) -> list[ListedLink]:
    return [link for page in pages if page.links_are_items for link in page.links]


# --- detection -----------------------------------------------------------------------------------------


def test_detects_the_iframe_page_its_script_and_the_replies(portal):
    root = portal["root"]
    iframe_page = page_response(root, LIST_PAGE_URL)
    script = reply(portal, ewb.parse(iframe_page).next)
    first_reply = reply(portal, ewb.parse(script).next)
    assert ewb.detect(iframe_page) and ewb.detect(script) and ewb.detect(first_reply)
    assert detect_adapter(iframe_page) is ewb  # no family tried before ewb claims it
    for path in ("/index.html", "/xxgk/index.html", COLUMN_PATH, portal["reports"][0]["url_path"]):
        assert not ewb.detect(page_response(root, path)), path
    assert not ewb.detect(page_response(SAMPLE_PORTAL, SAMPLE_COLUMN))  # a TRS column


def test_an_epoint_page_of_no_category_is_not_a_list():
    """EWB-FRONT in a page (the 政府信息公开 page links 依申请公开 there) does not make it a list."""
    text = '<html><body><a href="/EWB-FRONT/frontPages/applyOpen/index.html">依申请公开</a></body></html>'
    page = ListResponse(f"{BASE}/xxgk/index.html", text, text.encode())
    assert not ewb.detect(page)
    assert ewb.parse(page).next is None


# --- the iframe page and the script --------------------------------------------------------------------


def test_iframe_page_asks_for_the_script_it_loads_carrying_the_column(portal):
    page = ewb.parse(page_response(portal["root"], LIST_PAGE_URL))
    assert not page.links_are_items and page.announced is None
    assert page.next == ListRequest(
        BASE + SCRIPT_PATH,
        carry={"page": PAGE_URL, "deptcode": DEPTCODE, "categorynum": CATEGORYNUM, "pageSize": "10"},
    )


def test_script_gives_the_first_post_of_the_list(portal):
    script = reply(portal, ewb.parse(page_response(portal["root"], LIST_PAGE_URL)).next)
    assert 'var siteInfo = {"siteGuid"' in script.text
    first = ewb.parse(script).next
    assert (first.url, first.method, first.headers) == (API_URL, "POST", POST_HEADERS)
    assert json.loads(first.body) == FIRST_BODY
    assert list(json.loads(first.body)) == list(FIRST_BODY)  # the field order of Epoint's own script
    assert answer(portal, first).status == 200


def test_page_with_inline_site_info_posts_directly_at_the_root_project():
    """siteInfo in the page itself, keys unquoted, projectName "" (the REST project at the host root);
    the category from the page's script when its URL has no query; no pageSize: Epoint's default."""
    text = (
        '<html><head><script>var siteInfo = {projectName: "", siteGuid: "0f1e2d3c"};</script></head>'
        '<body class="EWB-FRONT"><div id="list"></div><script>var categorynum = "004002";'
        " var deptcode = '';</script></body></html>"
    )
    response = ListResponse(f"{BASE}/xxgk/list.html", text, text.encode())
    assert ewb.detect(response)
    request = ewb.parse(response).next
    assert request.url == f"{BASE}/rest/lightfrontaction/getgovinfolist"
    assert json.loads(request.body) == {
        "deptcode": "",
        "categorynum": "004002",
        "siteGuid": "0f1e2d3c",
        "pageIndex": 0,
        "pageSize": ewb.DEFAULT_PAGE_SIZE,
    }


def test_page_without_a_script_tag_asks_for_the_usual_script():
    text = "<html><body><table id='infolist'></table></body></html>"
    url = f"{BASE}/govInfoPub/showinfo.html?deptcode=&categorynum=002003"
    request = ewb.parse(ListResponse(url, text, text.encode())).next
    assert request.url == f"{BASE}/js/webBuilderCommon.js"
    assert request.carry["categorynum"] == "002003" and request.carry["deptcode"] == ""


def test_script_without_site_guid_or_without_the_column_is_unfollowed():
    carry = {"page": PAGE_URL, "deptcode": DEPTCODE, "categorynum": CATEGORYNUM, "pageSize": "10"}
    script_url = BASE + SCRIPT_PATH
    no_guid = "var siteInfo = {};\nfunction checkJson(custom) { return custom; }"
    page = ewb.parse(ListResponse(script_url, no_guid, no_guid.encode(), carry=carry))
    assert page.next is None and page.unfollowed
    good = f'var siteInfo = {{"siteGuid":"{SITE_GUID}","projectName":"/EWB-FRONT"}}'
    page = ewb.parse(ListResponse(script_url, good, good.encode()))  # the carry was lost
    assert page.next is None and page.unfollowed


# --- the replies ---------------------------------------------------------------------------------------


def test_the_whole_list_through_the_chain(portal):
    pages, requests = follow_list(portal)
    assert as_truth(items_of(pages)) == portal["items"]
    assert len(portal["items"]) == portal["announced"] == 35
    assert [page.announced for page in pages[2:]] == [35, 35, 35, 35]
    assert requests[0].method == "GET" and requests[0].url == BASE + SCRIPT_PATH
    posts = requests[1:]
    assert [json.loads(request.body)["pageIndex"] for request in posts] == [0, 1, 2, 3]
    assert all(json.loads(request.body) | {"pageIndex": 0} == FIRST_BODY for request in posts)
    assert all(request.headers == POST_HEADERS for request in posts)
    assert [len(page.links) for page in pages[2:]] == [10, 10, 10, 5]
    assert pages[-1].next is None and not any(page.unfollowed for page in pages)


def test_reports_are_exactly_the_reports_with_their_full_titles(portal):
    pages, _ = follow_list(portal)
    reports = [link for link in items_of(pages) if looks_like_annual_report(link.title)]
    expected = [(report["url_path"], report["title"]) for report in portal["reports"]]
    assert [(link.url.removeprefix(BASE), link.title) for link in reports] == expected
    assert len(reports) == 25
    cut = [report for report in portal["reports"] if len(report["title"]) > 22]
    assert cut, "some titles are cut in the API's title field"


@pytest.mark.parametrize("options", [{"carry": False}, {"body": False}], ids=["body-only", "carry-only"])
def test_the_list_is_followed_with_either_the_body_sent_or_the_carry(portal, options):
    """After the script, each reply needs only the body it answered, or only what the adapter carried."""
    page = ewb.parse(page_response(portal["root"], LIST_PAGE_URL))
    page = ewb.parse(reply(portal, page.next))  # the script needs the carry in any case
    links = []
    while page.next is not None:
        page = ewb.parse(reply(portal, page.next, **options))
        links += page.links
    assert as_truth(links) == portal["items"]


def test_broken_replies_list_nothing_and_go_nowhere():
    body = json.dumps(FIRST_BODY)
    good = {"custom": {"data": [record_json(column_items()[0])], "total": 35}}
    assert len(ewb.parse(json_reply(good, body)).links) == 1
    for broken in (
        "<html><body>系统繁忙，请稍后再试</body></html>",
        json.dumps(good)[:40],  # cut off mid-way
        {"custom": "", "status": {"code": 400, "text": "siteGuid is missing"}},
        {"status": {"code": 500, "text": "服务器内部错误"}},
        {"custom": {"data": "none", "total": 3}},
        [],
        "",
    ):
        assert ewb.parse(json_reply(broken, body)) == ListPage(), broken


def test_custom_sent_as_json_text_and_relative_infourls():
    records = [
        {"infourl": "../../xxgk/20240115/abc.html", "realtitle": "<font color='red'>某区</font>2023年政府信息公开工作年度报告",
         "title": "某区2023年政府…", "infodate": "2024-01-15 09:30:00"},
        {"infourl": "http://www.example.gov.cn/art/x.html", "title": "某区2023年政务公开工作要点", "infodate": "2023-04-02"},
        {"infourl": "", "realtitle": "无链接"},
        "not a record",
    ]  # fmt: skip
    reply_text = json.dumps({"custom": json.dumps({"data": records, "total": "2"}, ensure_ascii=False)})
    carry = {"page": PAGE_URL}
    page = ewb.parse(json_reply(reply_text, json.dumps(FIRST_BODY), carry))
    assert [(link.url, link.title, link.published) for link in page.links] == [
        (f"{BASE}/xxgk/20240115/abc.html", "某区2023年政府信息公开工作年度报告", "2024-01-15"),
        ("http://www.example.gov.cn/art/x.html", "某区2023年政务公开工作要点", "2023-04-02"),
    ]
    assert page.announced == 2 and page.links_are_items and page.next is None


def test_paging_ends_on_total_on_an_empty_page_or_on_a_short_page_without_total():
    records = [record_json(item) for item in column_items()[:10]]
    body = json.dumps(FIRST_BODY | {"pageIndex": 2})
    more = ewb.parse(json_reply({"custom": {"data": records, "total": 31}}, body)).next
    assert json.loads(more.body) == FIRST_BODY | {"pageIndex": 3}
    assert more.carry["pageIndex"] == "3" and more.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert ewb.parse(json_reply({"custom": {"data": records, "total": 30}}, body)).next is None
    empty = ewb.parse(json_reply({"custom": {"data": [], "total": 99}}, body))
    assert empty.next is None and empty.announced == 99
    assert ewb.parse(json_reply({"custom": {"data": records}}, body)).next is not None
    assert ewb.parse(json_reply({"custom": {"data": records[:4]}}, body)).next is None


def test_a_wrapped_body_keeps_its_wrapping_and_a_string_page_index():
    """Some sites send ``{"token": "", "params": {…, "pageIndex": "0"}}``: the next page is asked alike."""
    sent = {"token": "", "params": {**FIRST_BODY, "pageIndex": "0", "pageSize": 10}}
    records = [record_json(item) for item in column_items()[:10]]
    request = ewb.parse(json_reply({"custom": {"data": records, "total": 35}}, json.dumps(sent))).next
    assert json.loads(request.body) == {
        "token": "",
        "params": {**FIRST_BODY, "pageIndex": "1", "pageSize": 10},
    }


def test_a_reply_without_its_request_lists_but_says_it_could_not_go_on():
    records = [record_json(item) for item in column_items()[:10]]
    page = ewb.parse(json_reply({"custom": {"data": records, "total": 35}}))
    assert len(page.links) == 10 and page.announced == 35
    assert page.next is None and page.unfollowed


# --- the fixture's own contract ------------------------------------------------------------------------


def test_list_api_refuses_what_the_front_end_never_sends(portal):
    first = ListRequest(API_URL, "POST", json.dumps(FIRST_BODY), POST_HEADERS)
    assert answer(portal, first).status == 200

    def status(body: object, method: str = "POST", headers: dict | None = None) -> int:
        text = body if isinstance(body, str) else json.dumps(body)
        response = answer(portal, ListRequest(API_URL, method, text, headers or POST_HEADERS))
        if response.status != 200:
            assert json.loads(response.body)["status"]["code"] == response.status  # a JSON error
        return response.status

    for key in ("siteGuid", "categorynum"):
        assert status({k: v for k, v in FIRST_BODY.items() if k != key}) == 400
    assert status(FIRST_BODY | {"siteGuid": "00000000-0000-0000-0000-000000000000"}) == 400
    assert status(FIRST_BODY | {"pageIndex": "一"}) == 400
    assert status("deptcode=&categorynum=001009003") == 400
    assert status(FIRST_BODY, method="GET") == 400
    assert status(FIRST_BODY, headers={"Content-Type": "application/x-www-form-urlencoded"}) == 400


def test_list_api_pages_from_zero_and_filters_by_column(portal):
    def data(body: dict) -> dict:
        response = answer(portal, ListRequest(API_URL, "POST", json.dumps(body), POST_HEADERS))
        return json.loads(response.body)["custom"]

    first = data(FIRST_BODY)
    assert first["total"] == 35
    assert first["data"][0]["infourl"] == portal["items"][0]["url_path"]
    assert [record["realtitle"] for record in data(FIRST_BODY | {"pageIndex": 3})["data"]] == [
        item["title"] for item in portal["items"][30:]
    ]
    assert data(FIRST_BODY | {"pageIndex": 4})["data"] == []
    assert data(FIRST_BODY | {"categorynum": "001009001"}) == {"data": [], "total": 0}
    assert data(FIRST_BODY | {"deptcode": ""})["total"] == 35
    assert all(request.method == "POST" for request in portal["list_requests"])


def test_fixture_site(portal):
    root, reports = portal["root"], portal["reports"]
    assert {report["year"] for report in reports} == set(range(2008, 2025))
    assert len({report["agency"] for report in reports}) == 2
    titles = {item["url_path"]: item["title"] for item in portal["items"]}
    for word in ("通知", "工作要点", "解读", "一图读懂", "图解"):
        assert any(word in titles[path] for path in portal["non_reports"]), word
    assert not any(looks_like_annual_report(titles[path]) for path in portal["non_reports"])
    with_files = [report for report in reports if report["attachments"]]
    assert len(with_files) == 3
    for report in with_files:
        page = (root / report["url_path"].lstrip("/")).read_text(encoding="utf-8")
        for path in report["attachments"]:
            assert f'href="{path}"' in page and path.isascii()
            data = (root / path.lstrip("/")).read_bytes()
            assert data.startswith(b"%PDF-" if path.endswith(".pdf") else b"\xd0\xcf\x11\xe0")
    # home → 政府信息公开 → the column, whose list is the iframe
    assert 'href="/xxgk/index.html">政府信息公开<' in (root / "index.html").read_text(encoding="utf-8")
    disclosure = (root / "xxgk" / "index.html").read_text(encoding="utf-8")
    assert f'href="{COLUMN_PATH}">政府信息公开年报<' in disclosure
    column = (root / COLUMN_PATH.lstrip("/")).read_text(encoding="utf-8")
    assert (
        f'<iframe id="govInfoPubFrame" name="govInfoPubFrame" src="{LIST_PAGE_URL.replace("&", "&amp;")}"'
        in column
    )
    assert "年度报告" not in (root / "index.html").read_text(encoding="utf-8")  # the home names no report


def test_list_over_http(portal):
    """The same walk through PortalServer: a real GET of the script and real JSON POSTs."""
    with PortalServer(portal["root"], routes=portal["routes"]) as server:
        pages, _ = walk(ewb, fetch_over_http(ListRequest(server.url + LIST_PAGE_URL)), fetch_over_http)
    assert as_truth(links_of(pages[1:]), server.url) == portal["items"]
    assert len(portal["list_requests"]) == 4
    assert all(request.headers["x-requested-with"] == "XMLHttpRequest" for request in portal["list_requests"])

"""The JPaaS (jpaas-publish-server) list adapter on the fixture ministry portal's bytes: the unitbuild.js
shell, the unit API GET it asks for next, replies fed back until the list ends, queryData spellings, and
replies that are errors or not JSON."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from w3lib.url import safe_url_string

from crawler.cms import ListedLink, ListPage, ListRequest, ListResponse, families, jpaas
from crawler.links import looks_like_annual_report
from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer
from tests.adapter_walk import BASE, answer, as_truth, fetch_over_http, links_of, page_response, reply, walk
from tests.portals.hanweb import build_hanweb_portal
from tests.portals.jpaas import (
    API_PATH,
    COLUMN_PATH,
    PAGE_ID,
    TAG_ID,
    TPL_SET_ID,
    WEB_ID,
    build_jpaas_portal,
    column_items,
    unit_reply,
    unit_script,
)

COLUMN_URL = f"{BASE}{COLUMN_PATH}"


@pytest.fixture
def portal(tmp_path) -> dict:
    return {**build_jpaas_portal(tmp_path), "root": tmp_path}


def follow_list(portal: dict) -> tuple[list[ListedLink], list[ListRequest], list[ListPage]]:
    """The items of every reply (the shell lists none), the pages asked for, and the replies read."""
    shell = page_response(portal["root"], portal["column_path"])
    pages, requests = walk(jpaas, shell, lambda request: reply(portal, request))
    return links_of(pages[1:]), requests, pages[1:]


def paging(request: ListRequest) -> dict:
    return json.loads(parse_qs(urlsplit(request.url).query)["paramJson"][0])


def with_query(request: ListRequest, **changes: str | None) -> ListRequest:
    """The request with query parameters changed (None drops one), encoded as a browser would."""
    parts = urlsplit(request.url)
    query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return ListRequest(
        parts._replace(query=urlencode(query, quote_via=quote)).geturl(), headers=request.headers
    )


# --- the shell -----------------------------------------------------------------------------------------


def test_shell_is_detected_and_asks_page_one(portal):
    shell = page_response(portal["root"], portal["column_path"])
    assert jpaas.detect(shell)
    assert families.detect_adapter(shell) is jpaas  # no earlier family claims the shell
    page = jpaas.parse(shell)
    assert not page.links_are_items and page.announced is None
    assert not any(looks_like_annual_report(link.title) for link in page.links)  # the shell lists nothing
    request = page.next
    parts = urlsplit(request.url)
    assert f"{BASE}{parts.path}" == f"{BASE}{API_PATH}" and request.method == "GET"
    query = parse_qs(parts.query, keep_blank_values=True)
    assert {key: values[0] for key, values in query.items()} == {
        "parseType": "bulidstatic",
        "webId": WEB_ID,
        "tplSetId": TPL_SET_ID,
        "pageType": "column",
        "tagId": TAG_ID,  # the list unit, not the side menu's
        "editType": "null",
        "pageId": PAGE_ID,
        "paramJson": '{"pageNo":1,"pageSize":15}',
    }
    assert "pageNo" not in query  # paging rides in paramJson only
    assert request.headers["X-Requested-With"] == "XMLHttpRequest"
    assert request.headers["Referer"] == COLUMN_URL
    # Already percent-encoded: Scrapy sends it (and hands the reply back) with this very URL.
    assert safe_url_string(request.url) == request.url


@pytest.mark.parametrize(
    "script",
    [
        unit_script(TAG_ID),
        unit_script(TAG_ID, quoted='"'),  # JSON with &quot; in the attribute
        f'<script src="/js/unitbuild.js" url="{API_PATH}" querydata=\'{{"webId":"{WEB_ID}",'
        f'"tplSetId":"{TPL_SET_ID}","tagId":"{TAG_ID}","pageId":"{PAGE_ID}"}}\'></script>',
        f'<script type="text/javascript" url="{API_PATH}" src="/AuthorizedRead/unitbuild.js" '
        f"queryData=\"{{webId: '{WEB_ID}', tplSetId: '{TPL_SET_ID}', tagId: '{TAG_ID}', "
        f"pageId: '{PAGE_ID}', editType: null}}\"></script>",
    ],
    ids=["single-quoted", "html-escaped", "json-in-single-quoted-attribute", "loose-js-object"],
)
def test_query_data_spellings(script):
    text = f"<html><body><div>{script}</div></body></html>"
    assert jpaas.detect(ListResponse(COLUMN_URL, text, text.encode()))
    request = jpaas.parse(ListResponse(COLUMN_URL, text, text.encode())).next
    query = parse_qs(urlsplit(request.url).query)
    assert (query["webId"], query["pageId"], query["tagId"]) == ([WEB_ID], [PAGE_ID], [TAG_ID])


def test_parse_type_and_page_size_from_query_data():
    text = (
        '<script src="/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit" '
        "queryData=\"{'parseType':'buildstatic','webId':'8d82','tplSetId':'2097','pageType':'column',"
        "'tagId':'信息列表','editType':null,'pageId':'c52d','pageSize':20}\"></script>"
    )
    request = jpaas.parse(
        ListResponse("https://www.example.gov.cn/zwgk/index.html", text, text.encode())
    ).next
    query = parse_qs(urlsplit(request.url).query)
    assert request.url.startswith(
        "https://www.example.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?"
    )
    assert query["parseType"] == ["buildstatic"]
    assert json.loads(query["paramJson"][0]) == {"pageNo": 1, "pageSize": 20}
    assert "pageSize" not in query


def test_shell_rendering_its_first_page_with_a_pagination_div():
    # Zhejiang's JCMS sites: the first page is in the HTML, its pagination div carries queryData.
    text = (
        '<div id="信息列表"><ul><li><a href="/art/2024/1/20/art_1229_1.html" title="某厅2023年政府信息公开'
        '工作年度报告">某厅2023年…</a><span>2024-01-20</span></li></ul>'
        '<div class="pagination" count="386" rows="20" pageNo="1" unitUrl="/api-gateway/jpaas-publish-server'
        "/front/page/build/unit\" queryData=\"{'webId':'3185','pageId':'1229565788','tagId':'信息列表',"
        "'tplSetId':'o0YcVHHq5vWtr3uiCp4SY'}\"></div></div>"
        '<script src="/AuthorizedRead/unitbuild.js"></script>'
    )
    response = ListResponse("https://fzggw.example.gov.cn/col/col1229565788/index.html", text, text.encode())
    assert jpaas.detect(response)
    page = jpaas.parse(response)
    assert page.announced == 386
    assert [link.title for link in page.links] == ["某厅2023年政府信息公开工作年度报告"]
    query = parse_qs(urlsplit(page.next.url).query)
    assert (query["webId"], query["pageId"], query["tagId"]) == (["3185"], ["1229565788"], ["信息列表"])
    assert json.loads(query["paramJson"][0]) == {"pageNo": 1, "pageSize": 20}


def test_shell_without_the_unit_identity_is_unfollowed():
    text = (
        '<script src="/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit" '
        "queryData=\"{'tplSetId':'2097','pageType':'column'}\"></script>"
    )
    page = jpaas.parse(ListResponse(COLUMN_URL, text, text.encode()))
    assert page.next is None and page.unfollowed


def test_other_families_pages_are_not_jpaas(tmp_path):
    hanweb = build_hanweb_portal(tmp_path / "hanweb")
    assert not jpaas.detect(page_response(tmp_path / "hanweb", hanweb["column_path"]))
    assert not jpaas.detect(page_response(SAMPLE_PORTAL, SAMPLE_COLUMN))
    gkmlpt_reply = '{"total": 3, "articles": []}'
    assert not jpaas.detect(ListResponse(f"{BASE}/gkmlpt/api/all/0?page=1", gkmlpt_reply, b""))


# --- replies -------------------------------------------------------------------------------------------


def test_first_reply_lists_items_announces_and_asks_page_two(portal):
    first = jpaas.parse(page_response(portal["root"], portal["column_path"])).next
    response = reply(portal, first)
    assert jpaas.detect(response)
    page = jpaas.parse(response)
    assert page.links_are_items
    assert page.announced == portal["announced"] == 40
    assert as_truth(page.links) == portal["items"][:15]
    second = page.next
    assert paging(second) == {"pageNo": 2, "pageSize": 15}
    assert second.headers["Referer"] == COLUMN_URL  # carried from the shell, as a browser sends it
    assert second.headers["X-Requested-With"] == "XMLHttpRequest"
    assert safe_url_string(second.url) == second.url

    def identity(request: ListRequest) -> dict:
        return {k: v for k, v in parse_qs(urlsplit(request.url).query).items() if k != "paramJson"}

    assert identity(second) == identity(first)


def test_every_item_is_reached_and_the_list_ends(portal):
    links, requests, replies = follow_list(portal)
    assert as_truth(links) == portal["items"]
    assert [paging(request)["pageNo"] for request in requests] == [1, 2, 3]  # 40 items, 15 a page
    assert all(page.announced == portal["announced"] for page in replies)
    assert replies[-1].next is None and len(replies[-1].links) == 10
    assert len(portal["list_requests"]) == 3


def test_the_exact_set_of_reports_and_look_alikes_is_listed(portal):
    links, _, _ = follow_list(portal)
    listed = [link.url.removeprefix(BASE) for link in links]
    assert len(listed) == len(set(listed)) == portal["announced"]
    assert set(listed) == {report["url_path"] for report in portal["reports"]} | set(portal["non_reports"])
    titles = {link.url.removeprefix(BASE): link.title for link in links}
    assert {titles[report["url_path"]] for report in portal["reports"]} == {
        report["title"] for report in portal["reports"]
    }
    for word in ("通知", "工作要点", "解读", "图解", "一图读懂"):
        assert any(word in titles[path] for path in portal["non_reports"])


def test_the_spiders_filter_keeps_exactly_the_reports(portal):
    links, _, _ = follow_list(portal)
    kept = {link.url.removeprefix(BASE) for link in links if looks_like_annual_report(link.title)}
    assert kept == {report["url_path"] for report in portal["reports"]}


def test_a_page_past_the_end_is_empty_and_ends_the_list(portal):
    first = jpaas.parse(page_response(portal["root"], portal["column_path"])).next
    beyond = with_query(first, paramJson='{"pageNo":9,"pageSize":15}')
    page = jpaas.parse(reply(portal, beyond))
    assert page.links == [] and page.next is None and page.announced == 40


def test_without_count_a_short_page_ends_the_list():
    items = column_items()
    url = f"{BASE}{API_PATH}?webId={WEB_ID}&pageId={PAGE_ID}&tagId=x&paramJson=%7B%22pageNo%22%3A1%2C%22pageSize%22%3A15%7D"
    full = unit_reply(items[:15], 40, 1, 15).decode().replace(' count=\\"40\\"', "")
    assert "count=" not in full
    page = jpaas.parse(ListResponse(url, full, full.encode()))
    assert page.announced is None and paging(page.next)["pageNo"] == 2
    short = unit_reply(items[:7], 40, 1, 15).decode().replace(' count=\\"40\\"', "")
    assert jpaas.parse(ListResponse(url, short, short.encode())).next is None


def test_a_server_answering_every_page_alike_is_reported(portal):
    first = jpaas.parse(page_response(portal["root"], portal["column_path"])).next
    page_one = jpaas.parse(reply(portal, first))
    second = page_one.next
    # Page 1's bytes again, as a server that ignores paramJson would answer page 2.
    same = answer(portal, first).body.decode()
    page = jpaas.parse(ListResponse(second.url, same, same.encode(), carry=dict(second.carry)))
    assert page.next is None and page.unfollowed


# --- the fixture's own contract ------------------------------------------------------------------------


def test_a_bare_page_no_is_ignored(portal):
    first = jpaas.parse(page_response(portal["root"], portal["column_path"])).next
    bare = with_query(first, paramJson=None, pageNo="2")
    page = jpaas.parse(reply(portal, bare))
    assert as_truth(page.links) == portal["items"][:15]  # page 1 again
    also = with_query(first, pageNo="3")  # paramJson wins over a bare pageNo
    assert as_truth(jpaas.parse(reply(portal, also)).links) == portal["items"][:15]


@pytest.mark.parametrize(
    "changes",
    [
        {"webId": None},
        {"webId": "0" * 32},
        {"pageId": None},
        {"pageId": "wrong"},
        {"tagId": None},
        {"tagId": "内容1"},
        {"tplSetId": None},
        {"parseType": "static"},
        {"paramJson": "{pageNo:2"},
    ],
)
def test_unit_api_refuses_wrong_parameters(portal, changes):
    first = jpaas.parse(page_response(portal["root"], portal["column_path"])).next
    assert answer(portal, first).status == 200
    refused = answer(portal, with_query(first, **changes))
    assert refused.status == 400
    assert json.loads(refused.body)["success"] is False


def test_tag_id_sent_as_gbk_is_refused(portal):
    first = jpaas.parse(page_response(portal["root"], portal["column_path"])).next
    gbk = first.url.replace(quote(TAG_ID), quote(TAG_ID, encoding="gbk"))
    assert gbk != first.url
    assert answer(portal, ListRequest(gbk)).status == 400


# --- broken replies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"code":"400","success":false,"message":"webId 参数错误","data":null}',
        '{"code":"500","success":false,"data":{"html":"<li><a href=\\"/x.html\\">x</a></li>"}}',
        '{"code":"200","success":true,"data":{}}',
        '{"code":"200","success":true,"data":{"html":"<ul><li><a href=\\"/a',  # cut short
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "",
    ],
    ids=["error-json", "success-false", "no-html", "truncated", "html-error-page", "empty"],
)
def test_a_broken_reply_gives_an_empty_page(body):
    url = f"{BASE}{API_PATH}?webId={WEB_ID}&pageId={PAGE_ID}&tagId=x&paramJson=%7B%22pageNo%22%3A2%7D"
    page = jpaas.parse(ListResponse(url, body, body.encode()))
    assert page == ListPage()


def test_fixture_site(portal):
    root, reports = portal["root"], portal["reports"]
    assert len(portal["items"]) == portal["announced"] >= 40
    assert {report["year"] for report in reports} >= set(range(2008, 2025))
    assert len({report["agency"] for report in reports}) == 2
    with_files = [report for report in reports if report["attachments"]]
    assert len(with_files) >= 3
    for report in with_files:
        pdf, doc = (root / path.lstrip("/") for path in report["attachments"])
        assert pdf.read_bytes().startswith(b"%PDF-") and doc.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
        page = (root / report["url_path"].lstrip("/")).read_text(encoding="utf-8")
        assert all(path in page for path in report["attachments"])
    for item in portal["items"]:
        assert item["title"] in (root / item["url_path"].lstrip("/")).read_text(encoding="utf-8")
    home = (root / "index.html").read_text(encoding="utf-8")
    disclosure = (root / "gongkai" / "index.html").read_text(encoding="utf-8")
    assert 'href="/gongkai/">政务公开</a>' in home and COLUMN_PATH not in home
    assert f'href="{COLUMN_PATH}">政府信息公开年报</a>' in disclosure


def test_list_over_http(portal):
    """The same walk through PortalServer: real GETs with the adapter's URLs and headers."""
    with PortalServer(portal["root"], routes=portal["routes"]) as server:
        shell = fetch_over_http(ListRequest(server.url + COLUMN_PATH))
        pages, _ = walk(jpaas, shell, fetch_over_http)
    assert as_truth(links_of(pages[1:]), server.url) == portal["items"]
    seen = portal["list_requests"]
    assert len(seen) == 3
    assert all(request.headers["x-requested-with"] == "XMLHttpRequest" for request in seen)
    assert all(request.headers["referer"] == server.url + COLUMN_PATH for request in seen)

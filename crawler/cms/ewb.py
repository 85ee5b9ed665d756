"""Epoint WebBuilder 政府信息公开 (govInfoPub), as Jiangsu city and district platforms run it
(shared/docs/portal-patterns.md, section E).

A column page is a shell whose list is a same-host ``<iframe src="…/govInfoPub…?deptcode=…&categorynum=…">``
(Xuzhou's departments: ``/dynamic/zwgk/govInfoPub.html?categorynum=003002``). The spider follows the
iframe itself; this adapter reads the three responses after it, one at a time:

1. the iframe page, known by ``govInfoPub`` in its URL or ``EWB-FRONT`` in its markup and by the category
   it shows (``categorynum`` in its query or its script). It lists nothing; its script asks the list API
   with the site named by ``/js/webBuilderCommon.js``, so the next request is a GET of that script
   (deptcode, categorynum and the page's pageSize ride along in ``carry``) — or, when the page declares
   ``siteInfo`` inline, the first POST of the list straight away;
2. ``webBuilderCommon.js``, whose ``var siteInfo = {"siteGuid": "…", "projectName": "/EWB-FRONT", …}``
   gives the site's id and the path prefix of its REST project (``/EWB-FRONT``, ``/EpointWebBuilder``,
   or ``""`` at the host root): the next request is ``POST {projectName}/rest/lightfrontaction/
   getgovinfolist`` with a JSON body ``{"deptcode", "categorynum", "siteGuid", "pageIndex", "pageSize"}``;
3. each reply, ``{"custom": {"data": [{"infourl", "realtitle", "title", "infodate"}], "total": N}}``
   (some sites send ``custom`` as a JSON string, which the front end's ``checkJson`` parses): ``realtitle``
   is the full title (``title`` may be cut with 「…」), ``infourl`` may be relative. The next page is the
   same body with ``pageIndex`` + 1, rebuilt from the body that was sent (or from ``carry``).
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from crawler.cms import ListedLink, ListPage, ListRequest, ListResponse
from crawler.cms.html_lists import iso_date, listed_links

name = "ewb"

API_PATH = "/rest/lightfrontaction/getgovinfolist"
DEFAULT_SCRIPT = "/js/webBuilderCommon.js"  # where Epoint sites keep it when a page names none
DEFAULT_PAGE_SIZE = 20  # when the page sets none: the size public crawlers of Xuzhou's platform ask for
_BODY_KEYS = ("deptcode", "categorynum", "siteGuid", "pageIndex", "pageSize")
_HEADERS = {
    "Accept": "application/json, text/javascript, */*; q=0.01",
    "Content-Type": "application/json;charset=UTF-8",
    "X-Requested-With": "XMLHttpRequest",
}

_URL_MARKERS = re.compile(r"govInfoPub|EWB-FRONT", re.IGNORECASE)
_SCRIPT_SRC = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']([^"']*webBuilderCommon[^"'/]*\.js[^"']*)["']""", re.IGNORECASE
)
# `var siteInfo = {"siteGuid":"…","projectName":"/EWB-FRONT",…}`; keys quoted or not.
_SITE_INFO = re.compile(r"\bsiteInfo\s*=\s*\{(.*?)\}", re.DOTALL)
_PAGE_SIZE = re.compile(r"""\bpageSize["']?\s*[:=]\s*["']?(\d+)""")
_TAGS = re.compile(r"<[^>]+>")


def detect(response: ListResponse) -> bool:
    if _is_reply(response):
        return True
    if _is_script(response):
        return bool(_site_info(response.text).get("siteGuid"))
    epoint = bool(_URL_MARKERS.search(urlsplit(response.url).path)) or "EWB-FRONT" in response.text
    # An Epoint home page or article loads the same scripts: only a page of one category is a list.
    return epoint and bool(_category(response)[1])


def parse(response: ListResponse) -> ListPage:
    if _is_reply(response):
        return parse_reply(response)
    if _is_script(response):
        return parse_script(response)
    return parse_page(response)


# --- which response this is ----------------------------------------------------------------------------


def _is_reply(response: ListResponse) -> bool:
    return urlsplit(response.url).path.lower().endswith(API_PATH)


def _is_script(response: ListResponse) -> bool:
    path = urlsplit(response.url).path.lower()
    # The script as this adapter asked for it (carrying the column), or any webBuilderCommon.js.
    return path.endswith(".js") and ("categorynum" in response.carry or "webbuildercommon" in path)


# --- 1. the iframe page --------------------------------------------------------------------------------


def parse_page(response: ListResponse) -> ListPage:
    links = listed_links(response.text, response.url)
    deptcode, categorynum = _category(response)
    if not categorynum:
        return ListPage(links)  # an Epoint page, but not one category's list (a home page, an article)
    column = {
        "page": response.url,  # the XHR's Referer, and the base its relative infourls resolve against
        "deptcode": deptcode,
        "categorynum": categorynum,
        "pageSize": _page_size(response.text),
    }
    site = _site_info(response.text)
    if site.get("siteGuid"):  # siteInfo inline in the page: no script to read
        return ListPage(links, list_request(column | site, page_index=0))
    match = _SCRIPT_SRC.search(response.text)
    script = urljoin(response.url, html.unescape(match.group(1)) if match else DEFAULT_SCRIPT)
    return ListPage(links, ListRequest(script, carry=column))


def _category(response: ListResponse) -> tuple[str, str]:
    """deptcode and categorynum: from the page's query (as its script reads them), else a literal in it."""
    query = {key.lower(): value for key, value in parse_qsl(urlsplit(response.url).query, True)}
    found = []
    for key in ("deptcode", "categorynum"):
        value = query.get(key, "").strip()
        if not value and (match := _literal(key).search(response.text)):
            value = match.group(1)
        found.append(value)
    return found[0], found[1]


def _literal(key: str) -> re.Pattern:
    # `var categorynum = "001009003";` or `categorynum: '001009003'` — not `categorynum: categorynum`.
    return re.compile(rf"""\b{key}["']?\s*[:=]\s*["']([\w-]+)["']""", re.IGNORECASE)


def _page_size(text: str) -> str:
    sizes = [int(size) for size in _PAGE_SIZE.findall(text) if 0 < int(size) <= 1000]
    return str(sizes[0] if sizes else DEFAULT_PAGE_SIZE)


# --- 2. webBuilderCommon.js ----------------------------------------------------------------------------


def parse_script(response: ListResponse) -> ListPage:
    site = _site_info(response.text)
    column = {key: value for key, value in response.carry.items() if key in ("page", *_BODY_KEYS)}
    if not site.get("siteGuid"):
        return ListPage(unfollowed="ewb: webBuilderCommon.js names no siteInfo.siteGuid for the list API")
    if not column.get("categorynum"):
        return ListPage(unfollowed="ewb: the script came back without the column's categorynum (carry)")
    column.setdefault("page", response.url)
    return ListPage(next=list_request(column | site, page_index=0))


def _site_info(text: str) -> dict[str, str]:
    """siteGuid and projectName of the page's or script's ``siteInfo`` object, when it declares one."""
    match = _SITE_INFO.search(text)
    if not match:
        return {}
    found = {}
    for key in ("siteGuid", "projectName"):
        value = re.search(rf"""["']?\b{key}["']?\s*:\s*["']([^"']*)["']""", match.group(1))
        if value:
            found[key] = value.group(1).strip()
    return found


def list_request(state: dict[str, str], page_index: int) -> ListRequest:
    """POST one page of the list. pageIndex is 0-based, as Epoint's front end counts its pager."""
    # projectName is a path from the host root ("/EWB-FRONT"), or "" when the REST project is the root.
    endpoint = urljoin(state["page"], state.get("projectName", "").rstrip("/") + API_PATH)
    body = {
        "deptcode": state.get("deptcode", ""),
        "categorynum": state["categorynum"],
        "siteGuid": state["siteGuid"],
        "pageIndex": page_index,
        "pageSize": int(state.get("pageSize") or DEFAULT_PAGE_SIZE),
    }
    carry = {key: str(body[key]) for key in _BODY_KEYS} | {"page": state["page"]}
    return _post(endpoint, body, carry)


def _post(endpoint: str, body: dict, carry: dict[str, str]) -> ListRequest:
    headers = dict(_HEADERS)
    if carry.get("page"):
        headers["Referer"] = carry["page"]  # the browser's XHR comes from the iframe page
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return ListRequest(endpoint, "POST", text, headers, carry)


# --- 3. the list API's replies -------------------------------------------------------------------------


def parse_reply(response: ListResponse) -> ListPage:
    custom = _custom(response.text)
    if custom is None:
        return ListPage()  # an error reply, an HTML error page, a half-sent body: nothing to list
    records = [record for record in custom["data"] if isinstance(record, dict)]
    base = response.carry.get("page") or response.url
    links = [link for record in records if (link := _record_link(record, base))]
    total = _number(custom.get("total"))
    page = ListPage(links, announced=total, links_are_items=True)
    if not records:
        return page
    sent = _sent_body(response)
    if sent is None:
        more = total is None or total > len(records)
        page.unfollowed = "ewb: the reply came without the body that asked for it" if more else None
        return page
    body, params = sent
    index, size = _number(params.get("pageIndex")), _number(params.get("pageSize"))
    if index is None:
        return page
    size = size or len(records)
    if (total is not None and (index + 1) * size >= total) or (total is None and len(records) < size):
        return page
    params["pageIndex"] = str(index + 1) if isinstance(params.get("pageIndex"), str) else index + 1
    carry = dict(response.carry) | {"pageIndex": str(index + 1)}
    page.next = _post(_endpoint(response.url), body, carry)
    return page


def _custom(text: str) -> dict | None:
    try:
        reply = json.loads(text)
        custom = reply.get("custom") if isinstance(reply, dict) else None
        if isinstance(custom, str):  # some sites send custom as JSON text (the front end's checkJson)
            custom = json.loads(custom)
    except ValueError:  # not JSON, cut off, or an error's empty custom ""
        return None
    # An answer has a data list, empty past the end; an error ({"custom": "", "status": …}) has none.
    if not isinstance(custom, dict) or not isinstance(custom.get("data"), list):
        return None
    return custom


def _sent_body(response: ListResponse) -> tuple[dict, dict] | None:
    """The body that asked for this reply, and the dict inside it holding pageIndex (some sites wrap the
    fields as ``{"token": "", "params": {…}}``): from the request body, else rebuilt from carry."""
    try:
        body = json.loads(response.request_body or "")
    except ValueError:
        body = None
    if isinstance(body, dict):
        params = body.get("params") if isinstance(body.get("params"), dict) else body
        if "pageIndex" in params:
            return body, params
    carry = response.carry
    if not all(carry.get(key) for key in ("categorynum", "siteGuid", "pageIndex")):
        return None
    body = {key: carry.get(key, "") for key in _BODY_KEYS}
    body["pageIndex"] = _number(carry["pageIndex"]) or 0
    body["pageSize"] = _number(carry.get("pageSize")) or DEFAULT_PAGE_SIZE
    return body, body


def _endpoint(url: str) -> str:
    return urlsplit(url)._replace(fragment="").geturl()


def _record_link(record: dict, base: str) -> ListedLink | None:
    url = record.get("infourl") or record.get("linkurl") or record.get("visiturl")
    if not isinstance(url, str) or not url.strip():
        return None
    title = record.get("realtitle") or record.get("title") or ""
    title = " ".join(html.unescape(_TAGS.sub("", str(title))).split())  # titles may carry <font> marks
    published = iso_date(record.get("infodate") or record.get("infodatetime"))
    return ListedLink(urljoin(base, url.strip()), title, published)


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None

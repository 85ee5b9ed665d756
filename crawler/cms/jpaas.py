"""JPaaS (jpaas-publish-server): a column page that is a shell, and a list API answering HTML in JSON.

What real sites do (shared/docs/portal-patterns.md, sections C "jpaas" and F; ministries such as 住建部
``/gongkai/…``, 工信部 and 市场监管总局, and Jiangsu and Zhejiang sites):

- The column page lists nothing itself. A script tag draws the list:
  ``<script src="/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
  queryData="{'webId':'…','tplSetId':'…','pageType':'column','tagId':'当前栏目_list','editType':null,
  'pageId':'…'}">``. queryData is JSON-ish: single quotes on most sites, ``&quot;`` on others. A page may
  hold several units (a side menu, the list); the list's tagId names it (…_list, 列表, 分页).
- The list: ``GET {url}?parseType=bulidstatic&webId=…&tplSetId=…&pageType=column&tagId=…&editType=null
  &pageId=…&paramJson={"pageNo":N,"pageSize":M}`` (``bulidstatic`` sic; one site sends ``buildstatic``,
  so a parseType in queryData wins). Only paramJson pages: a bare ``pageNo`` parameter is ignored.
- The reply: ``{"code":"200","success":true,"data":{"html":"<div class=\\"page-content\\"><ul>
  <li><div class=\\"doctitle\\"><a href=… title=…>…</a></div><div class=\\"doctime tim\\">…</div></li>…
  </ul><div class=\\"pagination\\" count=… rows=… pageNo=…>"}}`` where ``count`` is the list's item count
  and ``rows`` the page size.

The next page after a reply is derived from the reply's own URL (every parameter rides in it), so the
adapter needs no state; ``carry`` only keeps the column page's URL (the Referer real sites expect) and
the first item of the page, to notice a server that answers every pageNo with the same page.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from crawler.cms import ListedLink, ListPage, ListRequest, ListResponse
from crawler.cms.html_lists import link_title, listed_links, parse_markup, printed_dates

name = "jpaas"

API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DEFAULT_PAGE_SIZE = 15
DEFAULT_PARSE_TYPE = "bulidstatic"  # sic: what the unitbuild.js of most sites sends
# The order unitbuild.js sends its parameters in; queryData keys beyond these follow them.
_PARAM_ORDER = ("parseType", "webId", "tplSetId", "pageType", "tagId", "editType", "pageId")
_PARAM_DEFAULTS = {"parseType": DEFAULT_PARSE_TYPE, "pageType": "column", "editType": "null"}
_REQUIRED = ("webId", "pageId", "tagId")
# queryData keys that are paging, not the unit's identity: they go into paramJson, never bare.
_PAGING_KEYS = {"pageNo", "pageSize", "rows", "paramJson"}
_HEADERS = {"Accept": "application/json, text/javascript, */*; q=0.01", "X-Requested-With": "XMLHttpRequest"}

_SHELL_MARKER = re.compile(r"unitbuild\.js|jpaas-publish-server", re.IGNORECASE)
_QUERY_DATA = re.compile(r"""\bquerydata\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_UNIT_URL = re.compile(r"""\burl\s*=\s*["']([^"']*(?:jpaas-publish-server|/build/unit)[^"']*)["']""", re.I)
_JS_PAIR = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([\w.+-]+))""")
_LIST_TAG = re.compile(r"list|列表|分页|内容|信息", re.IGNORECASE)
_NUMBER_IN_JSON = r"""['"]?{key}['"]?\s*:\s*['"]?(\d+)"""


def detect(response: ListResponse) -> bool:
    """A unitbuild.js shell naming its queryData, or the unit API's JSON reply."""
    if _looks_like_reply(response):
        return _fragment(response.text) is not None
    return bool(_SHELL_MARKER.search(response.text)) and bool(_QUERY_DATA.search(response.text))


def parse(response: ListResponse) -> ListPage:
    return parse_reply(response) if _looks_like_reply(response) else parse_shell(response)


def _looks_like_reply(response: ListResponse) -> bool:
    return "/front/page/build/unit" in urlsplit(response.url).path or response.text.lstrip(
        "\ufeff \t\r\n"
    ).startswith("{")


# --- the column page (a shell) -------------------------------------------------------------------------


def parse_shell(response: ListResponse) -> ListPage:
    links = listed_links(response.text, response.url)  # page furniture: the spider picks the reports
    root = parse_markup(response.text)
    # Some sites (Zhejiang's) also render the first page statically, with its pagination div.
    pager = _pager(root)
    announced = _attr_int(pager, "count")
    unit = list_unit(response.text, root)
    if unit is None:
        return ListPage(links, announced=announced)
    endpoint, query = unit
    if not all(query.get(key) for key in _REQUIRED):
        return ListPage(
            links,
            announced=announced,
            unfollowed="jpaas unitbuild.js without webId/pageId/tagId in its queryData",
        )
    params = [
        (key, query.get(key) or _PARAM_DEFAULTS.get(key, ""))
        for key in _PARAM_ORDER
        if key in query or key in _PARAM_DEFAULTS
    ]
    params += [
        (key, value) for key, value in query.items() if key not in _PARAM_ORDER and key not in _PAGING_KEYS
    ]
    size = _page_size(query, pager)
    url = _unit_url(urljoin(response.url, endpoint), params, 1, size)
    headers = {**_HEADERS, "Referer": response.url}
    request = ListRequest(url, headers=headers, carry={"column": response.url})
    return ListPage(links, request, announced=announced)


def list_unit(page: str, root=None) -> tuple[str, dict[str, str]] | None:
    """The endpoint and queryData of the unit that draws the list (of all unitbuild.js units)."""
    units = _units(page, parse_markup(page) if root is None else root)
    if not units:
        return None
    # A column page may carry other units (a side menu); the list's tagId says it is one.
    listed = [unit for unit in units if _LIST_TAG.search(unit[1].get("tagId", ""))]
    return (listed or units)[0]


def _units(page: str, root) -> list[tuple[str, dict[str, str]]]:
    units = []
    if root is not None:
        for script in root.iter("script"):
            # lxml's HTML parser lowercases attribute names (queryData → querydata).
            raw = script.get("querydata")
            endpoint = script.get("url") or ""
            if raw is None or not ("unitbuild" in (script.get("src") or "") or "build/unit" in endpoint):
                continue
            units.append((endpoint or API_PATH, query_data(raw)))
    if not units:  # queryData elsewhere (a pagination div), or markup lxml could not read
        for match in _QUERY_DATA.finditer(page):
            endpoint = _UNIT_URL.search(page)
            raw = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
            units.append((endpoint.group(1) if endpoint else API_PATH, query_data(raw)))
    return units


def query_data(raw: str) -> dict[str, str]:
    """queryData as strings: JSON, JSON with single quotes, or a loose JS object (null → "null")."""
    raw = html.unescape(raw).strip()
    for text in (raw, raw.replace("'", '"')):
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            return {str(key): _as_param(item) for key, item in value.items()}
    found = {}
    for match in _JS_PAIR.finditer(raw):
        found.setdefault(match.group(1), next(group for group in match.groups()[1:] if group is not None))
    return found


def _as_param(value: object) -> str:
    if value is None:
        return "null"  # unitbuild.js writes editType=null into the URL
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _page_size(query: dict[str, str], pager) -> int:
    """The page size queryData names (pageSize, rows, inside paramJson), or the page's pager rows, or 15."""
    for key in ("pageSize", "rows"):
        if (value := query.get(key, "")).isdigit() and int(value) > 0:
            return int(value)
    if size := _json_number(query.get("paramJson", ""), "pageSize"):
        return size
    return _attr_int(pager, "rows") or DEFAULT_PAGE_SIZE


# --- the API reply -------------------------------------------------------------------------------------


def parse_reply(response: ListResponse) -> ListPage:
    fragment = _fragment(response.text)
    if fragment is None:
        return ListPage()  # an error JSON, an HTML error page, a cut reply: nothing listed, nowhere to go
    root = parse_markup(fragment)
    pager = _pager(root)
    links = item_links(root, response.url)
    announced = _attr_int(pager, "count")
    asked = _query(response.url)
    page_no = _json_number(asked.get("paramJson", ""), "pageNo") or _attr_int(pager, "pageno") or 1
    rows = _json_number(asked.get("paramJson", ""), "pageSize") or _attr_int(pager, "rows") or len(links)
    page = ListPage(links, announced=announced, links_are_items=True)
    if not links or not rows:
        return page
    if page_no > 1 and response.carry.get("first") == links[0].url:
        # The server answered this pageNo with the previous page: it ignores the paging asked of it.
        page.unfollowed = "jpaas unit API answers every pageNo with the same items"
        return page
    if (announced is not None and page_no * rows >= announced) or (announced is None and len(links) < rows):
        return page
    if not all(asked.get(key) for key in _REQUIRED):
        return page  # not a reply to a request this adapter could have made
    parts = urlsplit(response.url)
    params = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "paramJson"
    ]
    endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    column = response.carry.get("column")
    headers = {**_HEADERS, "Referer": column} if column else dict(_HEADERS)
    carry = {"first": links[0].url} | ({"column": column} if column else {})
    page.next = ListRequest(_unit_url(endpoint, params, page_no + 1, rows), headers=headers, carry=carry)
    return page


def _fragment(text: str) -> str | None:
    """data.html of a successful reply, or None for anything else."""
    try:
        reply = json.loads(text.lstrip("\ufeff"))
    except ValueError:
        return None
    if not isinstance(reply, dict) or reply.get("success") is False:
        return None
    data = reply.get("data")
    fragment = data.get("html") if isinstance(data, dict) else None
    return fragment if isinstance(fragment, str) else None


def item_links(root, base_url: str) -> list[ListedLink]:
    """One link per list item (its first link), titled by @title, dated by its doctime or any date."""
    if root is None:
        return []
    links = []
    for item in root.iter("li"):
        anchor = next((a for a in item.iter("a") if _usable(a.get("href"))), None)
        if anchor is None:
            continue
        links.append(
            ListedLink(urljoin(base_url, anchor.get("href").strip()), link_title(anchor), _date(item, anchor))
        )
    if links:
        return links
    # Templates without <li>: every link outside the pager.
    return [
        ListedLink(
            urljoin(base_url, anchor.get("href").strip()),
            link_title(anchor),
            _date(anchor.getparent(), anchor),
        )
        for anchor in root.iter("a")
        if _usable(anchor.get("href")) and not anchor.xpath("ancestor::*[contains(@class, 'pagination')]")
    ]


def _usable(href: str | None) -> bool:
    href = (href or "").strip()
    return bool(href) and not href.startswith(("javascript:", "#", "mailto:"))


def _date(item, anchor) -> str | None:
    if item is None:
        return None
    for element in item.xpath(
        ".//*[contains(@class, 'doctime') or contains(@class, 'time') or contains(@class, 'date')]"
    ):
        if dates := printed_dates(element.text_content()):
            return dates[0]
    # Otherwise a date printed beside the link, not inside its title (「2021年…」 is not a date).
    text = item.text_content().replace(anchor.text_content(), " ")
    dates = printed_dates(text)
    return dates[0] if dates else None


def _pager(root):
    if root is None:
        return None
    # The pagination div: count (items) beside rows (page size), or a pager class.
    found = root.xpath("descendant-or-self::*[@count and (@rows or contains(@class, 'pag'))][1]")
    return found[0] if found else None


# --- shared --------------------------------------------------------------------------------------------


def _unit_url(endpoint: str, params: list[tuple[str, str]], page_no: int, size: int) -> str:
    """The unit API URL for one page; fully percent-encoded, so Scrapy sends it as it stands."""
    paging = json.dumps({"pageNo": page_no, "pageSize": size}, separators=(",", ":"))
    return f"{endpoint}?{urlencode([*params, ('paramJson', paging)], quote_via=quote)}"


def _query(url: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        found.setdefault(key, value)
    return found


def _json_number(text: str, key: str) -> int | None:
    # paramJson as JSON, or as a Python dict's str() ({'pageNo': 2}) as some clients send it.
    match = re.search(_NUMBER_IN_JSON.format(key=key), text)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _attr_int(element, attribute: str) -> int | None:
    value = (element.get(attribute) or "").strip() if element is not None else ""
    return int(value) if value.isdigit() else None

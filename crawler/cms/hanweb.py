"""Hanweb 大汉 JCMS (jpage): a column page ``/col/col{columnid}/index.html`` embeds its first records in
``<script type="text/xml"><datastore>…</datastore></script>``; the rest come from POST
``/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` with the column's form
(``col, appid, webid, path, columnid, sourceContentType, unitid, webname, permissiontype``), answered by the
same ``<datastore>`` XML. Each ``<record>`` is an HTML fragment (``li>a+span``, ``li>a>span+i``,
``table>tr>td``, ``div``) holding one item.

The next request after a reply is derived from the reply alone: the window from its URL, the form from its
``<nextgroup>`` link (webid, columnid, unitid, webname, appid, path, permissiontype), and the Referer as the
column's canonical page ``/col/col{columnid}/index.html``. Form fields a reply cannot give back (``col`` and
``sourceContentType``) ride in the URL query when they differ from the usual ``1``; the endpoint reads
query parameters as well as the form, and this adapter reads them back from the reply's URL.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from urllib.parse import unquote_to_bytes, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.cms import ListedLink, ListPage, ListRequest, ListResponse
from crawler.cms.html_lists import listed_links, printed_dates

name = "hanweb"

DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
DEFAULT_PERPAGE = 15
GROUP_PAGES = 3  # the jpage script asks for three pages of records at a time
FORM_KEYS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
_FORM_DEFAULTS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
# Form fields no reply repeats: carried in the request URL when a column uses other values.
_URL_CARRIED = ("col", "sourceContentType")
_REQUIRED = ("columnid", "unitid")

_MARKERS = re.compile(r"<datastore\b|dataproxy\.jsp|\.jpage\s*\(", re.IGNORECASE)
_REPLY_START = re.compile(r"^\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<datastore\b", re.DOTALL)
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.DOTALL | re.IGNORECASE)
_PROXY_PATH = re.compile(r"/module/(?:web/jpage|jpage|jslib/jquery/jpage)/dataproxy\.jsp")
_PROXY_URL = re.compile(r"""proxyUrl\s*:\s*['"]([^'"]*dataproxy\.jsp)['"]""")
_JPAGE_CALL = re.compile(r"\.jpage\s*\((.*?)(?:</script>|$)", re.DOTALL)
_JS_NUMBER = r"""\s*:\s*['"]?(\d+)"""
_PERPAGE = re.compile(r"perPage" + _JS_NUMBER, re.IGNORECASE)
_TOTAL_JS = re.compile(r"totalRecord" + _JS_NUMBER, re.IGNORECASE)
_UNIT_DIV = re.compile(r"""<div[^>]*\bid\s*=\s*['"]?(\d+)['"]?[^>]*>\s*<script[^>]*text/xml""", re.IGNORECASE)
_UNIT_SELECTOR = re.compile(r"""\$\(\s*['"]#(\d+)['"]\s*\)\s*\.jpage""")
_COLUMN_PATH = re.compile(r"/col/col(\d+)/")
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_TRAILING_DATE = re.compile(r"\s*[\[(（【]?(?:19|20)\d{2}[-年/.]\d{1,2}[-月/.]\d{1,2}日?[\])）】]?\s*$")
# Regex readings for a reply the XML parser refuses (e.g. one that declares entities).
_CDATA_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_CDATA_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.DOTALL)
_TOTAL_TAG = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")


@dataclass(frozen=True)
class Datastore:
    records: list[str]  # HTML fragments, one item each
    total: int | None  # <totalrecord>, when given
    nextgroup: str | None  # the href of the <nextgroup> link


def detect(response: ListResponse) -> bool:
    return is_reply(response) or bool(_MARKERS.search(response.text))


def parse(response: ListResponse) -> ListPage:
    return parse_reply(response) if is_reply(response) else parse_column(response)


def is_reply(response: ListResponse) -> bool:
    """A dataproxy.jsp reply (XML), as opposed to a column page embedding a datastore in a script."""
    return bool(_REPLY_START.match(response.text)) or urlsplit(response.url).path.endswith("/dataproxy.jsp")


# --- the column page -----------------------------------------------------------------------------------


def parse_column(response: ListResponse) -> ListPage:
    page = response.text
    block = _DATASTORE.search(page)
    store = read_datastore(block.group(0)) if block else Datastore([], None, None)
    links = record_links(store.records, response.url)
    total = store.total if store.total is not None else _int(_TOTAL_JS.search(page))
    if total is not None and len(store.records) >= total:
        return ListPage(links)  # the page already shows the whole list
    form = column_form(page, store.nextgroup, response.url)
    if not all(form.get(key) for key in _REQUIRED):
        return ListPage(links)
    perpage = _int(_PERPAGE.search(page)) or DEFAULT_PERPAGE
    start = len(store.records) + 1
    endpoint = urljoin(response.url, _proxy_path(page, store.nextgroup))
    return ListPage(links, window_request(endpoint, start, perpage, form, referer=response.url))


def column_form(page: str, nextgroup: str | None, page_url: str) -> dict[str, str]:
    """The form the jpage script posts: its ajaxParam, else the nextgroup link, the div id and the URL."""
    form = dict(_FORM_DEFAULTS)
    if nextgroup:
        form |= {key: value for key, value in _query(nextgroup).items() if key in FORM_KEYS and value}
    if call := _JPAGE_CALL.search(page):
        form |= _js_params(call.group(1))
    if not form.get("unitid") and (unit := _UNIT_DIV.search(page) or _UNIT_SELECTOR.search(page)):
        form["unitid"] = unit.group(1)
    if not form.get("unitid") and (uid := _query(page_url).get("uid")):
        form["unitid"] = uid
    if not form.get("columnid") and (column := _COLUMN_PATH.search(urlsplit(page_url).path)):
        form["columnid"] = column.group(1)
    return form


def _js_params(call: str) -> dict[str, str]:
    # ajaxParam: {webid: 3317, path: '/', columnid: 1229563412, unitid: '7731562', webname: '…', …}
    found = {}
    for key in FORM_KEYS:
        pattern = rf"""['"]?\b{key}\b['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([\w.-]+))"""
        if match := re.search(pattern, call):
            found[key] = next(group for group in match.groups() if group is not None)
    return {key: value for key, value in found.items() if value}


def _proxy_path(page: str, nextgroup: str | None) -> str:
    """The endpoint the page names (proxyUrl, its nextgroup link, any reference), else the usual one."""
    if match := _PROXY_URL.search(page):
        return match.group(1)
    for text in (nextgroup or "", page):
        if match := _PROXY_PATH.search(text):
            return match.group(0)
    return DEFAULT_PROXY


# --- the dataproxy.jsp reply ---------------------------------------------------------------------------


def parse_reply(response: ListResponse) -> ListPage:
    store = read_datastore(response.text)
    links = record_links(store.records, response.url)
    query = _query(response.url)
    start, end, perpage = (_digits(query.get(key)) for key in ("startrecord", "endrecord", "perpage"))
    if start is None or end is None or end < start or not store.records:
        return ListPage(links)
    asked = end - start + 1
    if store.total is not None and end >= store.total:
        return ListPage(links)
    if store.total is None and len(store.records) < asked:
        return ListPage(links)  # a short window is the last one
    form = reply_form(store.nextgroup, query)
    if not all(form.get(key) for key in _REQUIRED):
        return ListPage(links)
    parts = urlsplit(response.url)
    endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    referer = urlunsplit((parts.scheme, parts.netloc, f"/col/col{form['columnid']}/index.html", "", ""))
    return ListPage(links, window_request(endpoint, end + 1, perpage or asked, form, referer, size=asked))


def reply_form(nextgroup: str | None, query: dict[str, str]) -> dict[str, str]:
    """The form for the next window: the reply's nextgroup link, overridden by what the URL carried."""
    form = dict(_FORM_DEFAULTS)
    if nextgroup:
        form |= {key: value for key, value in _query(nextgroup).items() if key in FORM_KEYS and value}
    form |= {key: value for key, value in query.items() if key in FORM_KEYS and value}
    return form


# --- shared --------------------------------------------------------------------------------------------


def window_request(
    endpoint: str, start: int, perpage: int, form: dict[str, str], referer: str, size: int | None = None
) -> ListRequest:
    """POST for records start…start+size-1 (three pages by default), as the jpage script sends it."""
    end = start + (size or GROUP_PAGES * perpage) - 1
    window = [("startrecord", str(start)), ("endrecord", str(end)), ("perpage", str(perpage))]
    carried = [(key, form[key]) for key in _URL_CARRIED if form.get(key, "1") != _FORM_DEFAULTS[key]]
    body = urlencode([(key, form[key]) for key in FORM_KEYS if form.get(key)], safe="/")
    headers = {
        "X-Requested-With": "XMLHttpRequest",
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        "Referer": referer,
    }
    return ListRequest(f"{endpoint}?{urlencode(window + carried)}", "POST", body, headers)


def read_datastore(xml: str) -> Datastore:
    """Records, total and nextgroup of a ``<datastore>``; entities are never expanded nor fetched."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(_XML_DECLARATION.sub("", xml, count=1).strip(), parser)
    except etree.XMLSyntaxError:
        # Malformed, or refused for its entities: the CDATA sections can still be read as they stand.
        nextgroup = _CDATA_NEXTGROUP.search(xml)
        return Datastore(
            _CDATA_RECORD.findall(xml),
            _int(_TOTAL_TAG.search(xml)),
            _href(nextgroup.group(1) if nextgroup else ""),
        )
    records = [_inner_markup(record) for record in root.iter("record")]
    return Datastore(
        [record for record in records if record.strip()],
        _digits(root.findtext("totalrecord")),
        _href(_inner_markup(root.find("nextgroup")) if root.find("nextgroup") is not None else ""),
    )


def _inner_markup(element) -> str:
    # CDATA arrives as text; a record written as plain child elements is serialised back to markup.
    children = "".join(
        etree.tostring(child, encoding="unicode", with_tail=True)
        for child in element
        if isinstance(child.tag, str)
    )
    return (element.text or "") + children


def record_links(records: list[str], base_url: str) -> list[ListedLink]:
    return [link for record in records for link in _links_of_record(record, base_url)]


def _links_of_record(record: str, base_url: str) -> list[ListedLink]:
    record_date = _last_date(record)
    links = []
    for link in listed_links(record, base_url):
        title = _TRAILING_DATE.sub("", link.title) or link.title  # 「<a><span>…</span><i>date</i></a>」
        links.append(replace(link, title=title, published=link.published or record_date))
    return links


def _last_date(record: str) -> str | None:
    # A record is one item, so a date anywhere in it (e.g. a sibling <td>) is the item's date.
    dates = printed_dates(html.unescape(_TAGS.sub(" ", record)))
    return dates[-1] if dates else None


def _href(fragment: str) -> str | None:
    match = _HREF.search(fragment or "")
    return html.unescape(match.group(1)) if match else None


def _query(url: str) -> dict[str, str]:
    """Query parameters, first value wins; percent-escapes are UTF-8, or GBK on older sites."""
    found: dict[str, str] = {}
    for part in urlsplit(url).query.split("&"):
        key, _, value = part.partition("=")
        if key and key not in found:
            found[key] = _unquote(value)
    return found


def _unquote(value: str) -> str:
    raw = unquote_to_bytes(value.replace("+", " "))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _int(match: re.Match | None) -> int | None:
    return int(match.group(1)) if match else None


def _digits(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None

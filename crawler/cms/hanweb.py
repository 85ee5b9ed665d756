"""Hanweb 大汉 JCMS (jpage), portal-patterns.md sections B and G.

A column page ``/col/col{columnid}/index.html`` embeds its first records in ``<script
type="text/xml"><datastore>…</datastore></script>``; the rest come from POST
``…/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` (``/module/web/jpage/``, ``/module/jpage/``, or the old
jQuery jpage's ``/module/jslib/jquery/jpage/``) with the column's form (``col, appid, webid, path, columnid,
sourceContentType, unitid, webname, permissiontype``), answered by the same ``<datastore>`` XML. Each
``<record>`` is an HTML fragment (``li>a+span``, ``li>a>span+i``, ``table>tr>td``, a bare ``tr``, ``div``)
holding one item.

The form is read once, from the column page: its ``jpage(...)`` call (an ``ajaxParam`` object, or the old
script's query string with quoted values, ``path='/'&webname='…'``, where ``appid`` may appear twice), its
``<nextgroup>`` link, the list's ``<div id>`` and the column URL. It is the same for every window, so each
reply's next window re-sends the form the reply answered (``ListResponse.request_body``, the body the spider
sent): real replies often carry no ``<nextgroup>``, only ``<totalrecord>``, ``<totalpage>`` and
``<recordset>``. A reply read without its request (no ``request_body``) falls back on its ``<nextgroup>``
link. The window comes from the reply's URL; the Referer is the column's canonical page. Replies that are
not well-formed XML (a stray ``<table align=center>`` inside ``<recordset>``) are read by their CDATA
sections. ``announced`` is the list's ``totalrecord`` (or the jpage call's ``totalRecord``).
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
# Either quote: an old nextgroup href holds single quotes itself (path='/').
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
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
    total = store.total if store.total is not None else _int(_TOTAL_JS.search(page))
    # Only the embedded records are read, never the page's furniture: every link is an item.
    listing = ListPage(record_links(store.records, response.url), announced=total, links_are_items=True)
    if total is not None and len(store.records) >= total:
        return listing  # the page already shows the whole list
    form = column_form(page, store.nextgroup, response.url)
    if not all(form.get(key) for key in _REQUIRED):
        return listing
    perpage = _int(_PERPAGE.search(page)) or DEFAULT_PERPAGE
    start = len(store.records) + 1
    endpoint = urljoin(response.url, _proxy_path(page, store.nextgroup))
    listing.next = window_request(endpoint, start, perpage, form, referer=response.url)
    return listing


def column_form(page: str, nextgroup: str | None, page_url: str) -> dict[str, str]:
    """The form the jpage script posts: its ajaxParam, else the nextgroup link, the div id and the URL."""
    form = dict(_FORM_DEFAULTS)
    if nextgroup:
        form |= _form_fields(_query(nextgroup))
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
    """The form fields a jpage call names: ``ajaxParam: {webid: 3317, path: '/', unitid: '7731562', …}``,
    or the old script's query string ``"appid=1&appid=1&webid=60&path='/'&webname='…'"`` (first wins)."""
    found = {}
    for key in FORM_KEYS:
        pattern = rf"""['"]?\b{key}\b['"]?\s*([:=])\s*(?:'([^']*)'|"([^"]*)"|([^\s,&'"{{}}]+))"""
        if match := re.search(pattern, call):
            separator, *values = match.groups()
            value = next(group for group in values if group is not None)
            found[key] = _unquote(value) if separator == "=" else value
    return _form_fields(found)


def _form_fields(pairs: dict[str, str]) -> dict[str, str]:
    """The form fields among ``pairs``, their quotes dropped: old pages write ``path='/'``, ``webname='…'``."""
    values = {key: _unquoted(value) for key, value in pairs.items() if key in FORM_KEYS}
    return {key: value for key, value in values.items() if value}


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    return value


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
    listing = ListPage(record_links(store.records, response.url), announced=store.total, links_are_items=True)
    query = _query(response.url)
    start, end, perpage = (_digits(query.get(key)) for key in ("startrecord", "endrecord", "perpage"))
    if start is None or end is None or end < start or not store.records:
        return listing
    asked = end - start + 1
    if store.total is not None and end >= store.total:
        return listing
    if store.total is None and len(store.records) < asked:
        return listing  # a short window is the last one
    form = reply_form(response.request_body, store.nextgroup)
    if not all(form.get(key) for key in _REQUIRED):
        return listing
    parts = urlsplit(response.url)
    endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    referer = urlunsplit((parts.scheme, parts.netloc, f"/col/col{form['columnid']}/index.html", "", ""))
    listing.next = window_request(endpoint, end + 1, perpage or asked, form, referer, size=asked)
    return listing


def reply_form(request_body: str | None, nextgroup: str | None) -> dict[str, str]:
    """The form for the next window: the one this reply answered, the column's form for every window.
    A reply read without its request falls back on its nextgroup link (many replies have none)."""
    form = dict(_FORM_DEFAULTS)
    if request_body:
        return form | _form_fields(_pairs(request_body))
    if nextgroup:
        form |= _form_fields(_query(nextgroup))
    return form


# --- shared --------------------------------------------------------------------------------------------


def window_request(
    endpoint: str, start: int, perpage: int, form: dict[str, str], referer: str, size: int | None = None
) -> ListRequest:
    """POST for records start…start+size-1 (three pages by default), as the jpage script sends it."""
    end = start + (size or GROUP_PAGES * perpage) - 1
    window = [("startrecord", str(start)), ("endrecord", str(end)), ("perpage", str(perpage))]
    body = urlencode([(key, form[key]) for key in FORM_KEYS if form.get(key)], safe="/")
    headers = {
        "X-Requested-With": "XMLHttpRequest",
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        "Referer": referer,
    }
    return ListRequest(f"{endpoint}?{urlencode(window)}", "POST", body, headers)


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
    return html.unescape(next(group for group in match.groups() if group is not None)) if match else None


def _query(url: str) -> dict[str, str]:
    return _pairs(urlsplit(url).query)


def _pairs(encoded: str) -> dict[str, str]:
    """An url-encoded query or form, first value wins (``appid=1&appid=1``); escapes are UTF-8, or GBK on
    older sites."""
    found: dict[str, str] = {}
    for part in encoded.split("&"):
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

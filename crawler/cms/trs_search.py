"""TRS 「动静结合」 lists: static first pages, the rest from a search API (portal-patterns.md, section D).

Fujian's provincial platform and its cities and bureaus publish columns this way. The column page
(``index.htm``, ``nlist.htm``, or the bare directory ``./``) is a TRS static page that holds only the first
``maxStaticIndex`` pages of the list; a script call configures the rest, a JS object literal (unquoted
keys, single or double quotes)::

    require(['list2.trsapi'], function () {
        listModel({quickMode: "动静结合", maxStaticIndex: 1,
                   listArgs: {channelid: "200210", classsql: "chnlid=1813", sortfield: "-docorderpri,-docreltime"},
                   pagebar: {prepage: 10, recordCount: '45'}});
    });

Later pages come from ``POST /fjdzapp/search`` (a GET is refused with 405): the listArgs as an url-encoded
form plus ``page`` and ``prepage``, answered by ``{"pageCount": N, "data": [{"doctitle", "docpuburl" or
"chnldocurl", "docreltime", "pubdate", "chnlid", "doctype", …}]}``. The pager is an avalon template
include (``ms-include-src``, ``ms-repeat``): the HTML has no 下一页 link and no createPageHTML.

Page numbering. The static pages are TRS pages: ``index.htm`` is index 0, then ``index_1.htm`` …
``index_{M-1}.htm`` for ``maxStaticIndex`` M (``nlist.htm`` → ``nlist_1.htm``; a bare directory is taken
as ``index.htm``). The API's ``page`` is 1-based over the whole list — page p holds items (p-1)*prepage …
p*prepage-1, which is why crawlers of the real sites get the newest items from ``page=1`` — so static
index i is page i+1, and the first request after the static pages asks for page M+1. ``maxStaticIndex: 0``
(or a listModel without it whose quickMode is not 动静结合) means the API serves every page, from 1.
When the page size is not stated the API is asked from page 1: a repeated item costs nothing, a skipped
one is lost.

State: the first POST carries the column's URL and the form (``ListRequest.carry``). A reply reads the
page it answers from the form sent (``ListResponse.request_body``, else the carried form), resolves
relative ``docpuburl`` against the column, and asks the next page with the column as Referer, as the
list script does, until ``page >= pageCount``.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from math import ceil
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.cms import ListedLink, ListPage, ListRequest, ListResponse
from crawler.cms.html_lists import announced_total, iso_date, listed_links

name = "trs-search"

SEARCH_PATH = "/fjdzapp/search"
DEFAULT_PREPAGE = 10  # asked for when the page states no page size
QUICK_MODE = "动静结合"
# The form fields without which the endpoint answers for no column (or for the whole site).
REQUIRED_ARGS = ("channelid", "classsql")
UNREADABLE_ARGS = "listModel without listArgs"
NO_FORM = "search reply without the form it answers"

_LIST_MODEL = re.compile(r"(?<![\w$.])listModel\s*\(")
_SEARCH_MARKERS = re.compile(r"动静结合|maxStaticIndex|fjdzapp|trsapi")
_SEARCH_URL = re.compile(r"""['"]([^'"\s]*/fjdzapp/search)['"]""")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
# One key: value pair of a flat JS object literal; the value a quoted string or a bare literal.
_PAIR = re.compile(
    r"""(?:^|[{,\s])['"]?([A-Za-z_$][\w$]*)['"]?\s*:\s*"""
    r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?[\w.]+))""",
    re.DOTALL,
)
_JS_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_INDEXED_STEM = re.compile(r"^(.+?)_(\d+)$")
# Record fields, most telling first: docpuburl is the published page, chnldocurl its address in the channel.
_URL_FIELDS = ("docpuburl", "chnldocurl", "url")
_TITLE_FIELDS = ("doctitle", "title")
_DATE_FIELDS = ("docreltime", "pubdate", "docpubtime", "pubtime", "time")
# How replies state the list's size (an item count; pageCount is a page count).
_TOTAL_FIELDS = ("total", "recordCount", "totalCount", "count")
_RECORD_LISTS = ("data", "docs")


@dataclass(frozen=True)
class ListConfig:
    """What a listModel call says about its list."""

    form: dict[str, str] | None  # the listArgs, when readable and naming the column
    max_static: int  # how many pages the site keeps static
    prepage: int | None  # the page size, when stated
    record_count: int | None  # pagebar.recordCount
    endpoint: str | None  # a search URL the page names


def detect(response: ListResponse) -> bool:
    if _is_search_url(response.url):
        return True
    if _looks_like_json(response.text):
        payload = _payload(response.text)
        return payload is not None and _looks_like_search_records(payload)
    # A listModel call on a page that configures the search list (its call may name a variable).
    return bool(_list_model_calls(response.text)) and bool(_SEARCH_MARKERS.search(response.text))


def parse(response: ListResponse) -> ListPage:
    if _is_search_url(response.url) or _looks_like_json(response.text):
        return parse_reply(response)
    return parse_column(response)


# --- the column page (a static page of the list) -------------------------------------------------------


def parse_column(response: ListResponse) -> ListPage:
    links = listed_links(response.text, response.url)
    config = list_config(response.text)
    if config is None:  # no listModel call: a plain static page
        return ListPage(links, announced=announced_total(response.text))
    announced = config.record_count if config.record_count is not None else announced_total(response.text)
    if config.form is None:
        return ListPage(links, announced=announced, unfollowed=UNREADABLE_ARGS)
    stem, index, extension = static_position(response.url)
    # The list's page (1-based) after this one: static index i is page i+1, and no static page lies
    # beyond maxStaticIndex-1 (a column page that claims to is read as the last static one).
    following = min(index + 1, config.max_static) + 1
    if config.prepage and config.record_count is not None:
        if following > ceil(config.record_count / config.prepage):
            return ListPage(links, announced=announced)  # the pages seen hold the whole list
    if following <= config.max_static:
        return ListPage(
            links, ListRequest(urljoin(response.url, f"{stem}_{following - 1}.{extension}")), announced
        )
    endpoint = urljoin(response.url, config.endpoint or SEARCH_PATH)
    # Without a stated page size the pages cannot be lined up with the static ones: start from page 1.
    page = following if config.prepage else 1
    form = {**config.form, "page": str(page), "prepage": str(config.prepage or DEFAULT_PREPAGE)}
    return ListPage(links, search_request(endpoint, form, column=response.url), announced)


def list_config(page: str) -> ListConfig | None:
    """The page's listModel configuration: the first call with readable listArgs, else the first call."""
    configs = [_config_of(call, page) for call in _list_model_calls(page)]
    if not configs:
        return None
    return next((config for config in configs if config.form is not None), configs[0])


def _list_model_calls(page: str) -> list[str]:
    """The object each listModel(…) call is given, as JS source (a variable's literal when it names one);
    when it cannot be read, the rest of the call's script, so that the call is still seen."""
    calls = []
    for match in _LIST_MODEL.finditer(page):
        if page[: match.start()].rstrip().endswith("function"):
            continue  # the list script's own definition, not a call
        argument = _object_at(page, match.end(), page)
        if argument is None:
            argument = page[match.end() :].split("</script>", 1)[0][:2000]
        calls.append(argument)
    return calls


def _config_of(call: str, page: str) -> ListConfig:
    pagebar = _object_value(call, "pagebar", page) or ""
    args_source = _object_value(call, "listArgs", page)
    args = _scalars(args_source) if args_source is not None else {}
    form = args if all(args.get(key) for key in REQUIRED_ARGS) else None
    quick_mode = _scalar(call, "quickMode")
    max_static = _number(_scalar(call, "maxStaticIndex"))
    if max_static is None:
        max_static = 1 if quick_mode == QUICK_MODE else 0
    prepage = (
        _number(_scalar(pagebar, "prepage"))
        or _number(args.get("prepage"))
        or _number(_scalar(call, "prepage"))
    )
    record_count = _number(_scalar(pagebar, "recordCount"))
    if record_count is None:
        record_count = _number(_scalar(call, "recordCount"))
    endpoint = _SEARCH_URL.search(call) or _SEARCH_URL.search(page)
    return ListConfig(form, max_static, prepage, record_count, endpoint[1] if endpoint else None)


def static_position(url: str) -> tuple[str, int, str]:
    """The static page's name, index and extension: index.htm → (index, 0, htm), nlist_2.htm → (nlist, 2, htm).

    A bare directory (``…/zfxxgknb/``) is the site's ``index.htm``, as Fujian's sites name it.
    """
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    if "." not in last:
        return "index", 0, "htm"
    stem, extension = last.rsplit(".", 1)
    if indexed := _INDEXED_STEM.match(stem):
        return indexed[1], int(indexed[2]), extension
    return stem, 0, extension


def search_request(endpoint: str, form: dict[str, str], column: str | None) -> ListRequest:
    """The list script's POST: the form url-encoded as jQuery sends it, the column as Referer."""
    headers = {
        "Accept": "application/json, text/javascript, */*; q=0.01",
        "X-Requested-With": "XMLHttpRequest",
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    }
    body = urlencode(form)
    carry = {"form": body}
    if column:
        headers["Referer"] = column
        carry["column"] = column
    return ListRequest(endpoint, "POST", body, headers, carry)


# --- reading JS object literals, tolerantly ------------------------------------------------------------


def _object_at(text: str, position: int, page: str) -> str | None:
    """The object literal starting at ``position`` (after blanks), or the one a variable there names."""
    rest = text[position:].lstrip()
    start = len(text) - len(rest)
    if rest.startswith("{"):
        return _balanced(text, start)
    identifier = _IDENTIFIER.match(rest)
    if identifier and identifier[0] not in ("true", "false", "null", "undefined"):
        # listModel(config) / listArgs: args, with ``var config = {…}`` elsewhere on the page.
        assigned = re.search(rf"(?<![\w$.]){re.escape(identifier[0])}\s*=\s*(?=\{{)", page)
        if assigned:
            return _balanced(page, assigned.end())
    return None


def _balanced(text: str, start: int) -> str | None:
    """The braces opening at ``text[start]`` through the one closing them (strings skipped), or None."""
    depth, quote, position = 0, "", start
    while position < len(text):
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start : position + 1]
        position += 1
    return None


def _object_value(source: str, key: str, page: str) -> str | None:
    match = re.search(rf"""(?<![\w$])['"]?{key}['"]?\s*:\s*""", source)
    return _object_at(source, match.end(), page) if match else None


def _scalars(source: str) -> dict[str, str]:
    """The string and number values of a flat object literal, in their order (nested objects skipped)."""
    inner = source.strip()[1:-1] if source.strip().startswith("{") else source
    found: dict[str, str] = {}
    for match in _PAIR.finditer(inner):
        key, double, single, bare = match.groups()
        value = double if double is not None else single if single is not None else bare
        found.setdefault(key, _js_string(value) if bare is None else value)
    return found


def _scalar(source: str, key: str) -> str | None:
    match = re.search(
        rf"""(?<![\w$])['"]?{key}['"]?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?[\w.]+))""", source
    )
    if not match:
        return None
    double, single, bare = match.groups()
    return bare if bare is not None else _js_string(double if double is not None else single)


def _js_string(value: str) -> str:
    def unescape(match: re.Match) -> str:
        code = match[1] or match[2]
        return chr(int(code, 16)) if code else {"n": "\n", "t": "\t", "r": "\r"}.get(match[3], match[3])

    return _JS_ESCAPE.sub(unescape, value)


# --- the search API's reply ----------------------------------------------------------------------------


def parse_reply(response: ListResponse) -> ListPage:
    payload = _payload(response.text)
    if payload is None:
        return ListPage()  # an error page, a refusal or a half-sent reply: nothing to list, nowhere to go
    records = [record for record in _records(payload) if isinstance(record, dict)]
    column = response.carry.get("column")
    base = column or response.url
    links = [link for record in records if (link := _record_link(record, base))]
    announced = _total(payload)
    form = _sent_form(response)
    if form is None or _number(form.get("page")) is None:
        # The spider did not hand back what was asked: the list may go on, but not from here.
        unfollowed = NO_FORM if records else None
        return ListPage(links, announced=announced, links_are_items=True, unfollowed=unfollowed)
    page = _number(form["page"]) or 1
    prepage = _number(form.get("prepage")) or len(records)
    page_count = _number(payload.get("pageCount"))
    if page_count is None and announced is not None and prepage:
        page_count = ceil(announced / prepage)
    last = (
        not records
        or (page_count is not None and page >= page_count)
        or (page_count is None and len(records) < prepage)
    )
    if last:
        return ListPage(links, announced=announced, links_are_items=True)
    parts = urlsplit(response.url)
    endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    following = search_request(endpoint, {**form, "page": str(page + 1)}, column)
    return ListPage(links, following, announced, links_are_items=True)


def _sent_form(response: ListResponse) -> dict[str, str] | None:
    """The form the reply answers: the POST body sent, else the form the adapter carried."""
    body = response.request_body or response.carry.get("form")
    if not body:
        return None
    return dict(parse_qsl(body, keep_blank_values=True))


def _looks_like_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def _is_search_url(url: str) -> bool:
    return urlsplit(url).path.rstrip("/").endswith(SEARCH_PATH)


def _payload(text: str) -> dict | None:
    """The object holding the reply's records: the reply itself, or its ``data`` object when nested."""
    try:
        reply = json.loads(text.lstrip("\ufeff \t\r\n"))
    except ValueError:
        return None
    if not isinstance(reply, dict):
        return None
    if any(isinstance(reply.get(key), list) for key in _RECORD_LISTS):
        return reply
    nested = reply.get("data")
    if isinstance(nested, dict) and any(isinstance(nested.get(key), list) for key in _RECORD_LISTS):
        return nested
    return None


def _records(payload: dict) -> list:
    return next(payload[key] for key in _RECORD_LISTS if isinstance(payload.get(key), list))


def _looks_like_search_records(payload: dict) -> bool:
    records = [record for record in _records(payload) if isinstance(record, dict)]
    if not records:
        return "pageCount" in payload
    return any(field in record for record in records for field in ("doctitle", "docpuburl", "chnldocurl"))


def _record_link(record: dict, base_url: str) -> ListedLink | None:
    url = next(
        (
            value.strip()
            for field in _URL_FIELDS
            if isinstance(value := record.get(field), str) and value.strip()
        ),
        None,
    )
    if url is None:
        return None
    title = next((str(record[field]) for field in _TITLE_FIELDS if record.get(field)), "")
    # Titles may carry highlighting markup (<font color=red>…</font>) and entities.
    title = " ".join(html.unescape(_TAGS.sub("", title)).split())
    published = next((day for field in _DATE_FIELDS if (day := iso_date(record.get(field)))), None)
    return ListedLink(urljoin(base_url, url), title, published)


def _total(payload: dict) -> int | None:
    return next(
        (count for field in _TOTAL_FIELDS if (count := _number(payload.get(field))) is not None), None
    )


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None

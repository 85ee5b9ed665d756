"""A Hanweb 大汉 JCMS county portal for tests (portal-patterns.md, sections B and G), with its ground truth.

``build_hanweb_portal(root)`` writes the static site under ``root`` and returns the routes to serve
beside it (``PortalServer(root, routes=portal["routes"])``) and the truth a crawl is checked against:

- ``/`` home page → ``/col/col{COLUMNID}/index.html`` 「政府信息公开年报」. The column page embeds the
  newest 15 records in ``<div id="{UNITID}"><script type="text/xml"><datastore>…`` with a nextgroup
  link, and a ``$('#{UNITID}').jpage({…})`` call carrying perPage, totalRecord, proxyUrl and ajaxParam.
- POST ``/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` answers windows of
  records as ``<datastore>`` XML; a request without the column's form (columnid, unitid, and webname
  when sent) gets 400, a GET gets 405. Every request is appended to ``portal["list_requests"]``.
- 62 items, newest first: annual reports 2008–2024 of the county government and 2012–2024 of its
  发展和改革局, mixed with 通知, 工作要点 and 年报发布解读 notices. Articles are
  ``/art/Y/M/D/art_{COLUMNID}_{id}.html``; three reports also link a PDF 「全真版」 and a DOC 「文字版」.
- Two article pages are GBK (declared gb2312); ``robots.txt`` disallows ``/search/``.

Two variants copy what real sites send (section G); both show 8 records a page, so after the column page
the list takes three windows of 24:

- ``nextgroup=False``: neither the column page nor any reply has a ``<nextgroup>`` link; replies carry only
  ``<totalrecord>``, ``<totalpage>`` and ``<recordset>``. The column's form is in its jpage ``ajaxParam``
  alone (its datastore gives ``<totalrecord>``, the call no totalRecord), and the endpoint answers 400 to a
  window whose form is not the column's, field for field (all nine).
- ``legacy_jquery=True``: the old jQuery jpage. The endpoint is ``/module/jslib/jquery/jpage/dataproxy.jsp``;
  the column page is GBK; its jpage call gives the form as a query string with quoted values and a doubled
  ``appid`` (``appid=1&appid=1&…&path='/'&…&webname='清溪县人民政府'``), as do the nextgroup links (the
  shape observed on a Nantong site); records are table rows, and every ``<recordset>`` starts with a stray
  ``<table … align=center>`` that makes the datastore ill-formed XML. The endpoint answers only the
  column's values: a quoted ``'/'`` is another path (400).

Deterministic: no clock, no randomness.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from math import ceil
from pathlib import Path
from urllib.parse import quote

from govreports.portal import PortalRequest, PortalResponse
from tests.portals.common import (
    ColumnItem,
    article_meta,
    list_truth,
    newest_first,
    report_opening,
    write,
    write_articles,
)

SITE_NAME = "清溪县人民政府"
COUNTY = "清溪县"
AGENCIES = (SITE_NAME, "清溪县发展和改革局")
WEBID = "3317"
COLUMNID = "1229563412"
UNITID = "7731562"
PERPAGE = 15
VARIANT_PERPAGE = 8  # the variants' narrower list: three windows after the column page
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
LEGACY_PROXY_PATH = "/module/jslib/jquery/jpage/dataproxy.jsp"
# The form the column's jpage script posts with every window (the legacy script leaves out col and
# sourceContentType, and doubles appid).
COLUMN_FORM = {
    "col": "1",
    "appid": "1",
    "webid": WEBID,
    "path": "/",
    "columnid": COLUMNID,
    "sourceContentType": "1",
    "unitid": UNITID,
    "webname": SITE_NAME,
    "permissiontype": "0",
}
LEGACY_FORM_KEYS = ("appid", "appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")
COLUMN_PATH = f"/col/col{COLUMNID}/index.html"
COLUMN_NAME = "政府信息公开年报"
# Pages served as GBK bytes (declared gb2312): one report and one notice.
GBK_TITLES = {f"{SITE_NAME}2010年政府信息公开工作年度报告", f"{COUNTY}2015年政务公开工作要点"}
ATTACHMENT_REPORTS = {(SITE_NAME, 2021), (SITE_NAME, 2022), (AGENCIES[1], 2023)}
_TITLE_CUT = 24  # lists cut longer titles with 「…」 and keep the full title in @title


@dataclass(frozen=True)
class Item(ColumnItem):
    artid: int = 0

    @property
    def url_path(self) -> str:
        day = self.published
        return f"/art/{day.year}/{day.month}/{day.day}/art_{COLUMNID}_{self.artid}.html"

    @property
    def encoding(self) -> str:
        return "gbk" if self.title in GBK_TITLES else "utf-8"

    @property
    def attachments(self) -> list[str]:
        if self.kind != "report" or (self.agency, self.year) not in ATTACHMENT_REPORTS:
            return []
        stem = hashlib.sha1(self.title.encode("utf-8")).hexdigest()[:24]
        return [f"/attach/0/{stem}.pdf", f"/attach/0/{stem}.doc"]


# --- the column's items --------------------------------------------------------------------------------


def column_items() -> list[Item]:
    """Every item of the column, newest first, with article ids rising with the publication date."""
    return newest_first(_reports() + _notices(), lambda n, item: replace(item, artid=3_104_000 + 1_379 * n))


def _reports() -> list[Item]:
    county = [
        Item(
            f"{SITE_NAME}{year}年政府信息公开工作年度报告",
            date(year + 1, 3, 10 + year % 17),
            "report",
            SITE_NAME,
            year,
        )
        for year in range(2008, 2025)
    ]
    bureau = [
        Item(
            f"{AGENCIES[1]}{year}年度政府信息公开工作年度报告",
            date(year + 1, 1, 12 + year % 13),
            "report",
            AGENCIES[1],
            year,
        )
        for year in range(2012, 2025)
    ]
    return county + bureau


def _notices() -> list[Item]:
    notices = [
        Item(
            f"关于做好{COUNTY}{year}年政府信息公开工作年度报告编制和发布工作的通知",
            date(year, 12, 1 + year % 20),
            "notice",
            SITE_NAME,
            year,
        )
        for year in range(2012, 2025)
    ]
    notices += [
        Item(f"{COUNTY}{year}年政务公开工作要点", date(year, 4, 2 + year % 25), "notice", SITE_NAME, year)
        for year in range(2013, 2025)
    ]
    notices += [
        Item(
            f"{COUNTY}{year}年政府信息公开工作年报发布解读",
            date(year + 1, 3, 10 + year % 17),
            "notice",
            SITE_NAME,
            year,
        )
        for year in range(2018, 2025)
    ]
    return notices


# --- record markup, as the column's jpage template draws one item ---------------------------------------


def _shown(title: str) -> str:
    return title if len(title) <= _TITLE_CUT else title[: _TITLE_CUT - 2] + "…"


def record_li(item: Item, prefix: str = "") -> str:
    return (
        f'<li><a href="{prefix}{item.url_path}" target="_blank" title="{html.escape(item.title)}">'
        f"{html.escape(_shown(item.title))}</a><span>{item.published.isoformat()}</span></li>"
    )


def record_li_i(item: Item, prefix: str = "") -> str:
    return (
        f'<li><a href="{prefix}{item.url_path}" target="_blank" title="{html.escape(item.title)}">'
        f"<span>{html.escape(_shown(item.title))}</span><i>{item.published.isoformat()}</i></a></li>"
    )


def record_table(item: Item, prefix: str = "") -> str:
    return (
        '<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>'
        f'<td class="bt_link" align="left"><a href="{prefix}{item.url_path}" target="_blank" '
        f'title="{html.escape(item.title)}">{html.escape(_shown(item.title))}</a></td>'
        f'<td class="bt_time" width="90">{item.published.isoformat()}</td></tr></table>'
    )


def record_tr(item: Item, prefix: str = "") -> str:
    # The old template: a table row, single-quoted attributes, a bullet image and a bracketed date.
    return (
        '\n<tr><td width=15 valign="middle"><img src="/images/dot.gif" align=absMiddle></td>'
        f"<td class='bt_link'><a href='{prefix}{item.url_path}' title='{html.escape(item.title)}' "
        f"target='_blank'>{html.escape(_shown(item.title))}</a></td>"
        f"<td width='100' align='right' style='color:#999999'>[{item.published.isoformat()}]</td></tr>"
    )


def record_div(item: Item, prefix: str = "") -> str:
    return (
        f'<div class="default_pgContainer_item"><a href="{prefix}{item.url_path}" target="_blank" '
        f'title="{html.escape(item.title)}">{html.escape(_shown(item.title))}</a>'
        f'<span class="date">[{item.published.isoformat()}]</span></div>'
    )


MARKUPS: dict[str, Callable[..., str]] = {
    "li": record_li,
    "li_i": record_li_i,
    "table": record_table,
    "tr": record_tr,
    "div": record_div,
}


# --- the site ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flavour:
    """What a variant of the portal changes (see the module docstring)."""

    record: Callable[..., str]
    nextgroup: bool = True  # replies (and the column's datastore) carry a <nextgroup> link
    legacy: bool = False  # the old jQuery jpage: quoted query-string form, ill-formed datastores, GBK page
    perpage: int = PERPAGE

    @property
    def proxy_path(self) -> str:
        return LEGACY_PROXY_PATH if self.legacy else PROXY_PATH

    @property
    def required_form(self) -> dict[str, str]:
        """The form fields the endpoint checks; the variants check every field the column's script posts."""
        if self.legacy:
            return {key: COLUMN_FORM[key] for key in LEGACY_FORM_KEYS}
        if not self.nextgroup:
            return dict(COLUMN_FORM)
        return {"columnid": COLUMNID, "unitid": UNITID}


def build_hanweb_portal(
    root: Path,
    markup: str | None = None,
    nextgroup: bool = True,
    legacy_jquery: bool = False,
    items: list[Item] | None = None,
) -> dict:
    """Write the site under ``root``; return its routes and ground truth (see the module docstring).

    ``markup`` picks the record template (default ``li``, ``tr`` for the legacy variant); ``items`` (newest
    first) replaces the column's own (tests/portals/fleet.py lists other agencies)."""
    items = column_items() if items is None else items
    record = MARKUPS[markup or ("tr" if legacy_jquery else "li")]
    variant = nextgroup is False or legacy_jquery
    flavour = Flavour(record, nextgroup, legacy_jquery, VARIANT_PERPAGE if variant else PERPAGE)
    write(root / "robots.txt", "User-agent: *\nDisallow: /search/\n")
    write(root / "index.html", _home_page(items))
    write(root / "search" / "index.html", _page("站内搜索", "<p>请输入关键词。</p>"))
    charset = "gbk" if legacy_jquery else "utf-8"
    write(root / COLUMN_PATH.lstrip("/"), _column_page(items, flavour, charset), charset)
    write_articles(root, items, _article_page, lambda item: item.encoding)
    log: list[PortalRequest] = []
    return {
        "routes": {flavour.proxy_path: dataproxy_route(items, flavour, log)},
        "column_path": COLUMN_PATH,
        "home_path": "/",
        **list_truth(items, "encoding"),
        "announced": len(items),  # the column's totalRecord / totalrecord
        "robots_disallow": ["/search/"],
        "form": flavour.required_form,  # what the endpoint insists on
        "proxy_path": flavour.proxy_path,
        "perpage": flavour.perpage,
        "list_requests": log,
    }


def _page(title: str, body: str, charset: str = "utf-8", meta: str = "") -> str:
    declared = (
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        if charset == "gbk"
        else '<meta charset="utf-8">'
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>{declared}
<title>{html.escape(title)}</title>
<meta name="SiteName" content="{SITE_NAME}">{meta}
</head><body>
<div class="header"><a href="/"><img src="/images/logo.png" alt="{SITE_NAME}"></a>
<form action="/search/index.html"><input name="q"><button>搜索</button></form></div>
<div class="nav"><a href="/">首页</a> <a href="{COLUMN_PATH}">{COLUMN_NAME}</a></div>
{body}
<div class="footer">主办：{SITE_NAME}办公室 <a href="/search/index.html">站内搜索</a></div>
</body></html>
"""


def _home_page(items: list[Item]) -> str:
    latest = "\n".join(
        f'<li><a href="{item.url_path}" title="{html.escape(item.title)}">{html.escape(_shown(item.title))}</a></li>'
        for item in items[:3]
    )
    body = f"""<div class="gk"><h2>政府信息公开</h2><ul>
<li><a href="{COLUMN_PATH}" target="_blank">{COLUMN_NAME}</a></li></ul></div>
<div class="news"><h2>最新信息</h2><ul>{latest}</ul></div>"""
    return _page(SITE_NAME, body)


def _nextgroup(page: int, flavour: Flavour, proxy: str | None = None) -> str:
    """The nextgroup CDATA link; the legacy script writes its form with quotes and a doubled appid."""
    proxy = proxy or flavour.proxy_path
    if flavour.legacy:
        query = (
            f"appid=1&appid=1&webid={WEBID}&path='/'&columnid={COLUMNID}&unitid={UNITID}"
            f"&webname='{SITE_NAME}'&permissiontype=0"
        )
    else:
        query = (
            f"appid=1&webid={WEBID}&path=/&columnid={COLUMNID}&unitid={UNITID}"
            f"&webname={SITE_NAME}&permissiontype=0"
        )
    return f'<nextgroup><![CDATA[<a href="{proxy}?page={page}&{query}"></a>]]></nextgroup>\n'


# Old jpage templates open the record set with an empty table whose unquoted attribute breaks the XML.
_STRAY_TABLE = (
    "<table cellpadding='0' cellspacing='0' border='0' width='95%' align=center "
    'style="vertical-align:middle"></table>'
)


def _recordset(window: list[Item], flavour: Flavour, prefix: str = "") -> str:
    records = "\n".join(f"<record><![CDATA[{flavour.record(item, prefix)}]]></record>" for item in window)
    return f"<recordset>\n{_STRAY_TABLE if flavour.legacy else ''}{records}\n</recordset>"


def _column_page(items: list[Item], flavour: Flavour, charset: str) -> str:
    perpage = flavour.perpage
    head = _nextgroup(1, flavour) if flavour.nextgroup else ""
    total_record = f"\n        totalRecord: {len(items)},"
    if not flavour.nextgroup:  # the datastore states the size; the call does not repeat it
        head = f"<totalrecord>{len(items)}</totalrecord><totalpage>{ceil(len(items) / perpage)}</totalpage>\n"
        total_record = ""
    if flavour.legacy:
        param = (
            f"\"appid=1&appid=1&webid={WEBID}&path='/'&columnid={COLUMNID}&unitid={UNITID}"
            f"&webname='{SITE_NAME}'&permissiontype=0\""
        )
        script = "/module/jslib/jquery/jpage/jquery.page.js"
        wrap = ('<table width="100%" border="0" cellspacing="0" cellpadding="0">', "</table>")
    else:
        param = (
            f"{{col: 1, appid: 1, webid: {WEBID}, path: '/', columnid: {COLUMNID},\n"
            f"            sourceContentType: 1, unitid: '{UNITID}', webname: '{SITE_NAME}', permissiontype: 0}}"
        )
        script = "/module/jslib/jquery/jpage/jquery.page.min.js"
        wrap = ('<ul class="list">', "</ul>")
    body = f"""<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <span>{COLUMN_NAME}</span></div>
<div class="list-box"><h2>{COLUMN_NAME}</h2>
<div id="{UNITID}"><script type="text/xml"><datastore>
{head}{_recordset(items[:perpage], flavour)}</datastore></script></div>
</div>
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="{script}"></script>
<script type="text/javascript">
$(document).ready(function () {{
    $('#{UNITID}').jpage({{
        dataStore: $('#{UNITID} script[type="text/xml"]').text(),
        proxyUrl: '{flavour.proxy_path}',
        perPage: {perpage},
        groupSize: 3,{total_record}
        barPosition: 'bottom',
        dataBefore: '{wrap[0]}',
        dataAfter: '{wrap[1]}',
        ajaxParam: {param}
    }});
}});
</script>"""
    meta = f'\n<meta name="ColumnName" content="{COLUMN_NAME}">'
    return _page(f"{COLUMN_NAME} {SITE_NAME}", body, charset, meta)


def _article_page(item: Item) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(text)}</p>" for text in _article_text(item))
    files = ""
    if item.attachments:
        pdf, doc = item.attachments
        files = (
            f'<p>附件：<a href="{pdf}" target="_blank">{html.escape(item.title)}（全真版）.pdf</a></p>\n'
            f'<p>附件：<a href="{doc}" target="_blank">{html.escape(item.title)}（文字版）.doc</a></p>'
        )
    published = item.published.isoformat()
    body = f"""<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="{COLUMN_PATH}">{COLUMN_NAME}</a></div>
<div class="article"><h1 class="title">{html.escape(item.title)}</h1>
<div class="info">发布日期：{published} 来源：{item.agency} 字号：[ 大 中 小 ]</div>
<div id="zoom">
{paragraphs}
{files}
</div></div>"""
    meta = article_meta(COLUMN_NAME, item.title, f"{published} 09:30", item.agency)
    return _page(item.title, body, item.encoding, meta)


def _article_text(item: Item) -> list[str]:
    if item.kind == "notice":
        return [
            "各乡镇人民政府，县政府各部门：",
            f"为做好{item.year}年政务公开相关工作，现将有关事项通知如下。",
            "请各单位结合实际认真抓好落实。",
            f"{SITE_NAME}办公室",
        ]
    return [
        *report_opening(item.agency, item.year),
        f"一、总体情况。{item.year}年，{item.agency}认真贯彻落实政府信息公开工作要求，"
        "主动公开政府信息，依法办理政府信息公开申请。",
        "二、存在的主要问题及改进情况。公开内容的针对性有待加强，下一步将进一步规范公开工作。",
    ]


# --- the list API --------------------------------------------------------------------------------------


def dataproxy_route(
    items: list[Item], flavour: Flavour, log: list[PortalRequest]
) -> Callable[[PortalRequest], PortalResponse]:
    """POST …/dataproxy.jsp: a window of records as the column's jpage script asks."""

    def route(request: PortalRequest) -> PortalResponse:
        log.append(request)
        if request.method != "POST":
            return _refusal(405, "dataproxy.jsp answers POST")
        if problem := _form_problem(request.form, flavour.required_form):
            return _refusal(400, problem)
        window = _window(request.query)
        if window is None:
            return _refusal(400, "startrecord, endrecord and perpage must be numbers, start <= end")
        start, end, perpage = window
        host = request.headers.get("host")
        prefix = f"http://{host}" if host else ""  # replies list absolute article URLs, as real ones do
        xml = datastore_xml(items[start - 1 : end], len(items), perpage, end, flavour.record, prefix, flavour)
        return PortalResponse(xml.encode("utf-8"), "text/xml;charset=UTF-8")

    return route


def _form_problem(form: dict[str, list[str]], required: dict[str, str]) -> str | None:
    for key, value in required.items():
        if not form.get(key) or set(form[key]) != {value}:  # the same field twice is fine (appid=1&appid=1)
            return f"form field {key} is {form.get(key)!r}, not {value}"
    if "webname" in form and form["webname"] != [SITE_NAME]:
        return f"form field webname is {form['webname']!r}: not URL-encoded UTF-8?"
    return None


def _window(query: dict[str, list[str]]) -> tuple[int, int, int] | None:
    try:
        start, end, perpage = (int(query[key][0]) for key in ("startrecord", "endrecord", "perpage"))
    except (KeyError, ValueError):
        return None
    return (start, end, perpage) if 1 <= start <= end and perpage >= 1 else None


def datastore_xml(
    window: list[Item],
    total: int,
    perpage: int,
    end: int,
    record: Callable[..., str],
    prefix: str = "",
    flavour: Flavour | None = None,
) -> str:
    """A dataproxy.jsp reply (the default portal's, unless ``flavour`` says otherwise)."""
    flavour = replace(flavour or Flavour(record), record=record)
    nextgroup = ""
    if flavour.nextgroup:  # relative to the endpoint, the webname percent-encoded (legacy: as the page)
        nextgroup = _nextgroup(end // perpage + 1, flavour, "./dataproxy.jsp")
        if not flavour.legacy:
            nextgroup = nextgroup.replace(f"webname={SITE_NAME}", f"webname={quote(SITE_NAME)}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<datastore><totalrecord>{total}</totalrecord><totalpage>{ceil(total / perpage)}</totalpage>\n"
        f"{nextgroup}{_recordset(window, flavour, prefix)}</datastore>"
    )


def _refusal(status: int, reason: str) -> PortalResponse:
    return PortalResponse(reason.encode("utf-8"), "text/plain; charset=utf-8", status)

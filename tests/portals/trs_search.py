"""A Fujian-style city bureau portal on TRS 「动静结合」 lists (portal-patterns.md, section D), with its truth.

``build_trs_search_portal(root)`` writes the static site under ``root`` and returns the routes to serve
beside it (``PortalServer(root, routes=portal["routes"])``) and the truth a crawl is checked against:

- ``/`` (``index.htm``) → 「政府信息公开」 ``/zfxxgk/`` → 「政府信息公开年报」 ``./zfxxgknb/``, linked as a
  directory as Fujian's sites do (served from its ``index.htm``).
- The column page holds the first ``max_static_index`` pages statically (``index.htm``, then ``index_1.htm``
  …), 10 items each, as TRS ``<li><a href="./YYYYMM/tYYYYMMDD_id.htm">``. The rest is configured by
  ``require(['list2.trsapi'], …listModel({quickMode: "动静结合", maxStaticIndex, listArgs: {channelid,
  classsql, sortfield, classcol, …}, pagebar: {prepage: 10, recordCount: '45'}}))``; the pager is an avalon
  ``ms-include-src`` template and the list's template row an ``ms-repeat`` without href: no 下一页 link,
  no createPageHTML.
- POST ``/fjdzapp/search`` (form ``channelid, classsql, sortfield, …, page, prepage``; ``page`` 1-based
  over the whole list, so the first page after one static page is page 2) answers ``{"pageCount",
  "page", "prepage", "total", "data": [{"doctitle", "docpuburl", "chnldocurl", "docreltime", "pubdate",
  "chnlid", "doctype", "docid"}]}``. Most records give an absolute ``docpuburl``; some only a
  ``chnldocurl`` (empty ``docpuburl``), some a ``docpuburl`` relative to the column; some give
  ``docreltime`` as epoch milliseconds. A wrong channelid or classsql, or a page that is not a number,
  gets 400 JSON; a GET gets 405. Every request is appended to ``portal["list_requests"]``.
- 45 items, newest first: reports 2008–2024 of 泉安市生态环境局 (泉安市环境保护局 before 2019) and
  2014–2024 of its 清源分局, mixed with 通知 about compiling the report, 工作要点, 解读, 图解 and 一图读懂
  of reports. Three reports link a PDF (one also a DOC) in TRS's ``./P0….pdf`` naming.

Deterministic: no clock, no randomness.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from math import ceil
from pathlib import Path

from govreports.portal import PortalRequest, PortalResponse
from tests.portals.common import (
    ColumnItem,
    article_meta,
    json_response,
    list_truth,
    newest_first,
    report_opening,
    write,
    write_articles,
)

CITY = "泉安市"
SITE_NAME = "泉安市生态环境局"
BRANCH = "泉安市生态环境局清源分局"
# The bureau was 环境保护局 until the 2019 institutional reform.
OLD_NAMES = {SITE_NAME: "泉安市环境保护局", BRANCH: "泉安市环境保护局清源分局"}
RENAMED_IN = 2019
CHANNELID = "200210"
CHNLID = "1813"
CLASSSQL = f"chnlid={CHNLID}"
SORTFIELD = "-docorderpri,-docreltime"
PREPAGE = 10
SEARCH_PATH = "/fjdzapp/search"
SECTION_PATH = "/zfxxgk/"
COLUMN_PATH = "/zfxxgk/zfxxgknb/"
COLUMN_NAME = "政府信息公开年报"
CHINA = timezone(timedelta(hours=8))
# The listArgs as the column's script gives them (the form the API wants, with page and prepage).
LIST_ARGS = {
    "channelid": CHANNELID,
    "classsql": CLASSSQL,
    "sortfield": SORTFIELD,
    "classcol": "publishyear",
    "classnum": "100",
    "classsort": "0",
    "cache": "true",
}
ATTACHMENTS = {(SITE_NAME, 2023): ("pdf", "doc"), (SITE_NAME, 2016): ("pdf",), (BRANCH, 2021): ("pdf",)}
SECTIONS = (
    ("政府信息公开指南", "./zfxxgkzn/"),
    ("政府信息公开制度", "./zfxxgkzd/"),
    ("法定主动公开内容", "./fdzdgknr/"),
    (COLUMN_NAME, "./zfxxgknb/"),
    ("依申请公开", "./ysqgk/"),
)
NEWS = (
    ("市生态环境局召开2024年全市生态环境保护工作会议", date(2024, 2, 20), 6_401_101),
    ("我市开展春季大气污染防治专项执法检查", date(2024, 3, 12), 6_412_733),
    ("市生态环境局党组理论学习中心组开展专题学习", date(2024, 4, 2), 6_420_518),
)


@dataclass(frozen=True)
class Item(ColumnItem):
    docid: int = 0
    hour: int = 9

    @property
    def href(self) -> str:
        """The link as TRS writes it in the column: relative to the column's directory."""
        day = self.published
        return f"./{day:%Y%m}/t{day:%Y%m%d}_{self.docid}.htm"

    @property
    def url_path(self) -> str:
        return COLUMN_PATH + self.href.removeprefix("./")

    @property
    def released(self) -> datetime:
        return datetime(
            self.published.year, self.published.month, self.published.day, self.hour, 30, 0, 0, CHINA
        )

    @property
    def attachments(self) -> list[str]:
        if self.kind != "report":
            return []
        day = self.published
        return [
            f"{COLUMN_PATH}{day:%Y%m}/P0{day:%Y%m%d}{self.docid:07d}{number:05d}.{extension}"
            for number, extension in enumerate(ATTACHMENTS.get((self.agency, self.year), ()), start=1)
        ]


# --- the column's items --------------------------------------------------------------------------------


def column_items() -> list[Item]:
    """Every item of the column, newest first, with document ids rising with the release date."""
    return newest_first(
        _reports() + _notices(), lambda n, item: replace(item, docid=5_981_203 + 1_237 * n, hour=8 + n % 9)
    )


def agency_name(agency: str, year: int) -> str:
    """The name the agency reported under for ``year`` (reports are published the following year)."""
    return agency if year + 1 >= RENAMED_IN else OLD_NAMES[agency]


def _reports() -> list[Item]:
    # Before the 2019 regulation reports were due by the end of March, since then by 31 January.
    bureau = [
        Item(
            f"{agency_name(SITE_NAME, year)}{year}年政府信息公开工作年度报告",
            date(year + 1, 3, 10 + year % 15) if year < 2019 else date(year + 1, 1, 10 + year % 12),
            "report",
            SITE_NAME,
            year,
        )
        for year in range(2008, 2025)
    ]
    branch = [
        Item(
            f"{agency_name(BRANCH, year)}{year}年度政府信息公开工作年度报告",
            date(year + 1, 3, 2 + year % 7) if year < 2019 else date(year + 1, 1, 23 + year % 6),
            "report",
            BRANCH,
            year,
        )
        for year in range(2014, 2025)
    ]
    return bureau + branch


def _notices() -> list[Item]:
    notices = [
        Item(
            f"关于做好{year}年度政府信息公开工作年度报告编制和发布工作的通知",
            date(year, 12, 5 + year % 10),
            "notice",
            SITE_NAME,
            year,
        )
        for year in range(2019, 2024)
    ]
    notices += [
        Item(f"{SITE_NAME}{year}年政务公开工作要点", date(year, 4, 8 + year % 12), "notice", SITE_NAME, year)
        for year in range(2020, 2025)
    ]
    notices += [
        Item(
            f"{SITE_NAME}{year}年政府信息公开工作年度报告解读",
            date(year + 1, 2, 1 + year % 5),
            "notice",
            SITE_NAME,
            year,
        )
        for year in range(2020, 2024)
    ]
    notices += [
        Item(
            f"图解：{SITE_NAME}{year}年政府信息公开工作年度报告",
            date(year + 1, 2, 10),
            "notice",
            SITE_NAME,
            year,
        )
        for year in (2022, 2023)
    ]
    notices.append(
        Item(
            f"一图读懂{SITE_NAME}2024年政府信息公开工作年度报告", date(2025, 2, 12), "notice", SITE_NAME, 2024
        )
    )
    return notices


# --- the site ------------------------------------------------------------------------------------------


def build_trs_search_portal(root: Path, max_static_index: int = 1) -> dict:
    """Write the site under ``root``; return its routes and ground truth (see the module docstring)."""
    items = column_items()
    write(root / "robots.txt", "User-agent: *\nDisallow: /search/\n")
    write(root / "index.htm", _home_page())
    write(root / SECTION_PATH.lstrip("/") / "index.htm", _section_page())
    write(root / "zfxxgk" / "zfxxgkzn" / "index.htm", _page("政府信息公开指南", "<p>（指南正文略）</p>"))
    for title, day, docid in NEWS:
        path = f"xwdt/gzdt/{day:%Y%m}/t{day:%Y%m%d}_{docid}.htm"
        write(root / path, _page(title, f"<h3>{html.escape(title)}</h3><p>（正文略）</p>"))
    column = root / COLUMN_PATH.lstrip("/")
    for index in range(max(max_static_index, 1)):
        shown = items[index * PREPAGE : (index + 1) * PREPAGE] if index < max_static_index else []
        name = "index.htm" if index == 0 else f"index_{index}.htm"
        write(column / name, _column_page(shown, len(items), max_static_index))
    write_articles(root, items, _article_page)
    log: list[PortalRequest] = []
    return {
        "routes": {SEARCH_PATH: search_route(items, log)},
        "column_path": COLUMN_PATH,
        "home_path": "/",
        "search_path": SEARCH_PATH,
        "announced": len(items),
        **list_truth(items),
        "list_args": dict(LIST_ARGS),
        "prepage": PREPAGE,
        "max_static_index": max_static_index,
        "list_requests": log,
    }


def _page(title: str, body: str, meta: str = "", scripts: str = "") -> str:
    nav = "".join(
        f'<li><a href="{href}">{text}</a></li>'
        for text, href in (
            ("首页", "/"),
            ("机构概况", "/jggk/"),
            ("政府信息公开", SECTION_PATH),
            ("政务动态", "/xwdt/"),
            ("互动交流", "/hdjl/"),
        )
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{html.escape(title)}</title>
<meta name="SiteName" content="{SITE_NAME}">
<meta name="SiteDomain" content="sthjj.quanan.gov.cn">{meta}
<link rel="stylesheet" href="/images/common.css">
<script src="/images/jquery.min.js"></script>
<script src="/images/avalon.js"></script>{scripts}
</head>
<body>
<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{SITE_NAME}"></a></div>
<div class="search"><form action="/search/index.htm"><input name="searchWord"><button>搜索</button></form></div></div>
<div class="nav"><ul>{nav}</ul></div>
{body}
<div class="footer"><p>主办：{SITE_NAME} 地址：{CITY}滨江路88号 闽ICP备05012345号</p>
<p><a href="/wzdt/">网站地图</a> <a href="/lxwm/">联系我们</a></p></div>
</body>
</html>
"""


def _home_page() -> str:
    news = "\n".join(
        f'<li><a href="./xwdt/gzdt/{day:%Y%m}/t{day:%Y%m%d}_{docid}.htm" target="_blank" '
        f'title="{html.escape(title)}">{html.escape(title)}</a><span>{day:%m-%d}</span></li>'
        for title, day, docid in reversed(NEWS)
    )
    body = f"""<div class="main">
<div class="news"><h2>工作动态</h2><ul>
{news}
</ul></div>
<div class="gk"><h2>政务公开</h2><ul>
<li><a href="./zfxxgk/" target="_blank">政府信息公开</a></li>
<li><a href="./zfxxgk/zfxxgkzn/">政府信息公开指南</a></li>
<li><a href="./hdjl/">咨询投诉</a></li></ul></div>
</div>"""
    return _page(SITE_NAME, body)


def _sidebar() -> str:
    entries = "".join(f'<li><a href="{SECTION_PATH}{href[2:]}">{text}</a></li>' for text, href in SECTIONS)
    return f'<div class="xxgk_left"><h3>政府信息公开</h3><ul>{entries}</ul></div>'


def _section_page() -> str:
    entries = "\n".join(f'<li><a href="{href}">{text}</a></li>' for text, href in SECTIONS)
    body = f"""<div class="position">您当前的位置：<a href="/">首页</a> &gt; <span>政府信息公开</span></div>
<div class="xxgk_main"><h2>政府信息公开</h2><ul class="xxgk_menu">
{entries}
</ul></div>"""
    return _page(f"政府信息公开 - {SITE_NAME}", body, '\n<meta name="ColumnName" content="政府信息公开">')


def _column_page(shown: list[Item], total: int, max_static_index: int) -> str:
    rows = "\n".join(
        f'<li><a href="{item.href}" target="_blank" title="{html.escape(item.title)}">'
        f"{html.escape(item.title)}</a><span>{item.published.isoformat()}</span></li>"
        for item in shown
    )
    body = f"""<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="{SECTION_PATH}">政府信息公开</a>
&gt; <span>{COLUMN_NAME}</span></div>
<div class="xxgk_box">{_sidebar()}
<div class="xxgk_right" ms-controller="list">
<div class="xxgk_tit"><h3>{COLUMN_NAME}</h3></div>
<ul class="list_ul" ms-visible="!loaded">
{rows}
</ul>
<ul class="list_ul" ms-visible="loaded" style="display:none">
<li ms-repeat-el="datas"><a ms-attr-href="{{{{el.docpuburl || el.chnldocurl}}}}" ms-attr-title="{{{{el.doctitle}}}}"
target="_blank">{{{{el.doctitle | html}}}}</a><span>{{{{el.docreltime | date("yyyy-MM-dd")}}}}</span></li>
</ul>
<div class="pagebar" ms-controller="pagebar"><div ms-include-src="'/images/pagebar.html'"></div></div>
</div></div>"""
    script = f"""
<script src="/images/require.js" data-main="/images/main"></script>
<script type="text/javascript">
    require(['list2.trsapi'], function () {{
        listModel({{
            quickMode: "动静结合",
            maxStaticIndex: {max_static_index},
            listArgs: {{
                channelid: "{CHANNELID}",
                classsql: "{CLASSSQL}",
                sortfield: '{SORTFIELD}',
                classcol: 'publishyear', classnum: '100', classsort: '0', cache: 'true'
            }},
            pagebar: {{prepage: {PREPAGE}, recordCount: '{total}'}}
        }});
    }});
</script>"""
    meta = f'\n<meta name="ColumnName" content="{COLUMN_NAME}">\n<meta name="ColumnType" content="{COLUMN_NAME}">'
    return _page(f"{COLUMN_NAME} - {SITE_NAME}", body + script, meta)


def _article_page(item: Item) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(text)}</p>" for text in _article_text(item))
    files = "".join(
        f'<p><a href="./{path.rsplit("/", 1)[1]}" target="_blank">附件：{html.escape(item.title)}.{path.rsplit(".", 1)[1]}</a></p>'
        for path in item.attachments
    )
    released = f"{item.released:%Y-%m-%d %H:%M}"
    source = agency_name(item.agency, item.year)
    body = f"""<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="{SECTION_PATH}">政府信息公开</a>
&gt; <a href="{COLUMN_PATH}">{COLUMN_NAME}</a></div>
<div class="xl_main"><div class="xl_tit"><h3>{html.escape(item.title)}</h3></div>
<div class="xl_info">发布时间：{released} 来源：{source} 【字体：<a href="javascript:doZoom(18)">大</a>
<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</div>
<div class="TRS_Editor">
{paragraphs}
</div>
<div class="xl_file">{files}</div></div>"""
    return _page(item.title, body, article_meta(COLUMN_NAME, item.title, released, source))


def _article_text(item: Item) -> list[str]:
    if item.kind == "notice":
        return [
            item.title,
            f"为做好{item.year}年度政府信息公开相关工作，现将有关事项说明如下。",
            f"{SITE_NAME}办公室",
        ]
    agency = agency_name(item.agency, item.year)
    return [
        *report_opening(agency, item.year),
        f"一、总体情况。{item.year}年，{agency}认真贯彻落实政府信息公开工作要求。",
        "二、存在的主要问题及改进情况。公开内容的针对性有待加强，下一步将进一步规范公开工作。",
    ]


# --- the search API ------------------------------------------------------------------------------------


def search_route(items: list[Item], log: list[PortalRequest]) -> Callable[[PortalRequest], PortalResponse]:
    """POST /fjdzapp/search: one page of the column's documents, as the listModel script asks."""

    def route(request: PortalRequest) -> PortalResponse:
        log.append(request)
        if request.method != "POST":
            return PortalResponse(b"<html><body><h1>405 Method Not Allowed</h1></body></html>", status=405)
        form = {key: values[0] for key, values in request.form.items()}
        if form.get("channelid") != CHANNELID or form.get("classsql") != CLASSSQL:
            return json_response({"code": "400", "msg": "参数错误：channelid/classsql"}, 400)
        page, prepage = form.get("page", ""), form.get("prepage", "")
        if not (page.isdigit() and prepage.isdigit() and int(page) >= 1 and 1 <= int(prepage) <= 500):
            return json_response({"code": "400", "msg": "参数错误：page/prepage"}, 400)
        number, size = int(page), int(prepage)
        host = request.headers.get("host")
        origin = f"http://{host}" if host else ""  # replies give absolute URLs, as real ones do
        shown = items[(number - 1) * size : number * size]
        start = (number - 1) * size
        return json_response(
            {
                "pageCount": ceil(len(items) / size),
                "page": number,
                "prepage": size,
                "total": len(items),
                "data": [search_record(item, start + offset, origin) for offset, item in enumerate(shown)],
            }
        )

    return route


def search_record(item: Item, position: int, origin: str) -> dict:
    """One record as the search API gives it; the URL and time fields vary with the record's position."""
    absolute = origin + item.url_path
    record: dict = {
        "docid": str(item.docid),
        "doctitle": item.title,
        "docpuburl": absolute,
        "chnldocurl": absolute,
        "docreltime": f"{item.released:%Y-%m-%d %H:%M:%S}",
        "pubdate": item.published.isoformat(),
        "chnlid": CHNLID,
        "doctype": "20",
    }
    if position % 9 == 4:
        record["docpuburl"] = ""  # only the channel address
    elif position % 7 == 3:
        record["docpuburl"] = item.href  # relative to the column
    if position % 8 == 5:
        record["docreltime"] = int(item.released.timestamp() * 1000)
    return record

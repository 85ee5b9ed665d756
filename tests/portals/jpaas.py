"""A ministry portal on JPaaS (jpaas-publish-server) for tests, with its ground truth.

Shapes copied from real JPaaS sites (shared/docs/portal-patterns.md, sections C "jpaas" and F; 住建部
keeps its disclosure pages under ``/gongkai/``, as 工信部 and 市场监管总局 use the same platform):

- ``/`` home page → 「政务公开」 ``/gongkai/`` (a static 公开 page whose links include the column)
  → 「政府信息公开年报」 ``/gongkai/zfxxgkndbg/index.html``. The column page is a shell: it lists
  nothing; a side-menu unit and the list unit are ``<script src="/AuthorizedRead/unitbuild.js"
  url="/api-gateway/jpaas-publish-server/front/page/build/unit" queryData="{'webId':'…', …}">`` tags.
- ``GET /api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic&webId=…&tplSetId=…
  &pageType=column&tagId=当前栏目_list&editType=null&pageId=…&paramJson={"pageNo":N,"pageSize":M}``
  answers ``{"code":"200","success":true,"data":{"html":"<div class=\\"page-content\\"><ul …><li …>
  <div class=\\"doctitle\\"><a …></a></div><div class=\\"doctime tim\\">…</div></li>…</ul>
  <div class=\\"pagination\\" count=… rows=… pageNo=… …></div></div>"}}``. It pages only through
  paramJson: a bare ``pageNo`` parameter is ignored (page 1 again), as on the real server. A wrong or
  missing webId, pageId, tagId or tplSetId, an unknown parseType, or a paramJson that is not JSON gets
  400 with an error JSON. Every request is appended to ``portal["list_requests"]``.
- 40 items, newest first, 15 a page (3 pages): annual reports 2008–2024 of 城乡建设部 and 2014–2024 of
  its 国家城乡测绘局, mixed with 通知 about compiling the report, 政务公开工作要点, 年报解读, and an
  图解 and a 一图读懂 of a report. Articles are ``/gongkai/zfxxgkndbg/{YYYYMM}/{YYYYMMDD}_{id}.html``;
  three reports link a PDF and a DOC.

Deterministic: no clock, no randomness.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from govreports.portal import PortalRequest, PortalResponse
from tests.portals.common import (
    JSON_MEDIA_TYPE,
    ColumnItem,
    article_meta,
    json_response,
    list_truth,
    newest_first,
    report_opening,
    write,
    write_articles,
)

MINISTRY = "城乡建设部"
SITE_NAME = f"中华人民共和国{MINISTRY}"
BUREAU = "国家城乡测绘局"
API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
HOME_PATH = "/"
DISCLOSURE_PATH = "/gongkai/"
COLUMN_PATH = "/gongkai/zfxxgkndbg/index.html"
COLUMN_NAME = "政府信息公开年报"
WEB_ID = "5f1e9c2a7b3d4e6f8a0b1c2d3e4f5a6b"
TPL_SET_ID = "c7e2b9a4f1d84a3e9b6c0d5e8f2a1b3c"
PAGE_ID = "aL9xKq3Zr7TmW2vB5nJ8c"
TAG_ID = "当前栏目_list"
MENU_TAG_ID = "左侧导航"
PARSE_TYPES = ("bulidstatic", "buildstatic")  # sic: the server takes the misspelling and the word
PAGE_SIZE = 15
MAX_PAGE_SIZE = 100
# The unit as the column page declares it; the API must be asked with these values.
QUERY = {
    "webId": WEB_ID,
    "tplSetId": TPL_SET_ID,
    "pageType": "column",
    "tagId": TAG_ID,
    "editType": None,
    "pageId": PAGE_ID,
}
ATTACHMENT_REPORTS = {(MINISTRY, 2022), (MINISTRY, 2023), (BUREAU, 2024)}
_TITLE_CUT = 26  # lists cut longer titles with 「…」 and keep the full title in @title


@dataclass(frozen=True)
class Item(ColumnItem):
    artid: int = 0

    @property
    def url_path(self) -> str:
        day = self.published
        return f"/gongkai/zfxxgkndbg/{day:%Y%m}/{day:%Y%m%d}_{self.artid}.html"

    @property
    def attachments(self) -> list[str]:
        if self.kind != "report" or (self.agency, self.year) not in ATTACHMENT_REPORTS:
            return []
        day = self.published
        stem = f"W0{day:%Y%m%d}{hashlib.sha1(self.title.encode('utf-8')).hexdigest()[:10]}"
        return [f"/file/{day:%Y}/{day:%Y%m%d}/{stem}.pdf", f"/file/{day:%Y}/{day:%Y%m%d}/{stem}.doc"]


# --- the column's items --------------------------------------------------------------------------------


def column_items() -> list[Item]:
    """Every item of the column, newest first, with article ids rising with the publication date."""
    return newest_first(_reports() + _notices(), lambda n, item: replace(item, artid=771_020 + 37 * n))


def _report_day(agency: str, year: int) -> date:
    # Since the 2019 regulations reports are due by 31 January; before, by 31 March.
    if agency == BUREAU:
        return date(year + 1, 1, 8 + year % 11)
    return date(year + 1, 1, 20 + year % 9) if year >= 2018 else date(year + 1, 3, 10 + year % 17)


def _reports() -> list[Item]:
    ministry = [
        Item(
            f"{MINISTRY}{year}年政府信息公开工作年度报告",
            _report_day(MINISTRY, year),
            "report",
            MINISTRY,
            year,
        )
        for year in range(2008, 2025)
    ]
    bureau = [
        Item(f"{BUREAU}{year}年政府信息公开工作年度报告", _report_day(BUREAU, year), "report", BUREAU, year)
        for year in range(2014, 2025)
    ]
    return ministry + bureau


def _notices() -> list[Item]:
    notices = [
        Item(
            f"{MINISTRY}办公厅关于做好{year}年政府信息公开工作年度报告编制和发布工作的通知",
            date(year, 12, 3 + year % 20),
            "notice",
            MINISTRY,
            year,
        )
        for year in range(2020, 2025)
    ]
    notices += [
        Item(f"{MINISTRY}{year}年政务公开工作要点", date(year, 4, 6 + year % 19), "notice", MINISTRY, year)
        for year in range(2022, 2025)
    ]
    notices += [
        Item(
            f"《{MINISTRY}{year}年政府信息公开工作年度报告》解读",
            date(year + 1, 1, 21 + year % 9),
            "notice",
            MINISTRY,
            year,
        )
        for year in (2022, 2023)
    ]
    notices += [
        Item(f"图解：{MINISTRY}2023年政府信息公开工作年度报告", date(2024, 1, 29), "notice", MINISTRY, 2023),
        Item(f"一图读懂{BUREAU}2024年政府信息公开工作年度报告", date(2025, 1, 20), "notice", BUREAU, 2024),
    ]
    return notices


# --- the site ------------------------------------------------------------------------------------------


def build_jpaas_portal(root: Path) -> dict:
    """Write the site under ``root``; return its routes and ground truth (see the module docstring)."""
    items = column_items()
    write(root / "index.html", _home_page())
    write(root / "gongkai" / "index.html", _disclosure_page())
    write(root / COLUMN_PATH.lstrip("/"), _column_page())
    write_articles(root, items, _article_page)
    log: list[PortalRequest] = []
    return {
        "routes": {API_PATH: unit_route(items, log)},
        "column_path": COLUMN_PATH,
        "home_path": HOME_PATH,
        "disclosure_path": DISCLOSURE_PATH,
        "api_path": API_PATH,
        **list_truth(items),
        "announced": len(items),  # the pagination div's count
        "page_size": PAGE_SIZE,
        "query": {key: ("null" if value is None else value) for key, value in QUERY.items()},
        "list_requests": log,
    }


def _page(title: str, body: str, meta: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{html.escape(title)}</title>
<meta name="SiteName" content="{SITE_NAME}">
<meta name="SiteDomain" content="www.cxjsb.gov.cn">{meta}
<link rel="stylesheet" href="/images/common.css">
</head><body>
<div class="header"><a href="/"><img src="/images/logo.png" alt="{SITE_NAME}"></a>
<div class="search"><input type="text" placeholder="请输入关键词"><a href="javascript:void(0)">搜索</a></div></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li>
<li><a href="/xinwen/">新闻中心</a></li>
<li><a href="{DISCLOSURE_PATH}">政务公开</a></li>
<li><a href="/fuwu/">政务服务</a></li>
<li><a href="/hudong/">互动交流</a></li>
</ul></div>
{body}
<div class="footer"><p>主办单位：{SITE_NAME}　地址：北京市海淀区三里河路9号</p>
<p><a href="/wzdt/">网站地图</a> <a href="/lxwm/">联系我们</a></p></div>
</body></html>
"""


def _home_page() -> str:
    news = "\n".join(
        f'<li><a href="/xinwen/{path}" target="_blank">{html.escape(title)}</a><span>{day}</span></li>'
        for path, title, day in (
            ("202501/20250120_771801.html", "全国城乡建设工作会议在京召开", "2025-01-20"),
            ("202501/20250116_771789.html", "城乡建设部召开2025年第一次部务会", "2025-01-16"),
            ("202501/20250110_771766.html", "城乡建设部部署开展城市体检工作", "2025-01-10"),
        )
    )
    body = f"""<div class="banner"><a href="{DISCLOSURE_PATH}"><img src="/images/gk.png" alt="政务公开"></a></div>
<div class="news"><h2><a href="/xinwen/">新闻中心</a></h2><ul>{news}</ul></div>
<div class="quick"><h2>政务公开</h2><ul>
<li><a href="{DISCLOSURE_PATH}">政务公开</a></li>
<li><a href="/fuwu/">政务服务</a></li></ul></div>"""
    return _page(SITE_NAME, body)


def _disclosure_page() -> str:
    body = f"""<div class="position">当前位置：<a href="/">首页</a> &gt; <span>政务公开</span></div>
<div class="gk-box"><h2>政府信息公开</h2><ul class="gk-menu">
<li><a href="/gongkai/zfxxgkzn/index.html">政府信息公开指南</a></li>
<li><a href="/gongkai/zfxxgkzd/index.html">政府信息公开制度</a></li>
<li><a href="/gongkai/fdzdgknr/index.html">法定主动公开内容</a></li>
<li><a href="{COLUMN_PATH}">{COLUMN_NAME}</a></li>
<li><a href="/gongkai/ysqgk/index.html">依申请公开</a></li>
</ul></div>
<div class="gk-box"><h2>政策</h2><ul>
<li><a href="/gongkai/zc/wjk/index.html">文件库</a></li>
<li><a href="/gongkai/zc/jd/index.html">政策解读</a></li></ul></div>"""
    return _page(f"政务公开 {SITE_NAME}", body)


def unit_script(tag_id: str, quoted: str = "'") -> str:
    """The unitbuild.js tag a JPaaS page draws a unit with; queryData single-quoted, as most sites."""
    query = {**QUERY, "tagId": tag_id}
    pairs = ",".join(
        f"{quoted}{key}{quoted}:" + ("null" if value is None else f"{quoted}{value}{quoted}")
        for key, value in query.items()
    )
    data = html.escape("{" + pairs + "}", quote=True) if quoted == '"' else "{" + pairs + "}"
    return (
        f'<script src="/AuthorizedRead/unitbuild.js" id="unit_{html.escape(tag_id)}" async="true" '
        f'type="text/javascript" url="{API_PATH}" queryData="{data}"></script>'
    )


def _column_page() -> str:
    body = f"""<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{DISCLOSURE_PATH}">政务公开</a>
&gt; <span>{COLUMN_NAME}</span></div>
<div class="main clearfix">
<div class="left-menu" id="{MENU_TAG_ID}">{unit_script(MENU_TAG_ID)}</div>
<div class="right-list"><h2 class="list-title">{COLUMN_NAME}</h2>
<div class="list-box" id="{TAG_ID}">{unit_script(TAG_ID)}</div>
</div></div>
<script src="/images/jquery.min.js"></script>"""
    meta = (
        f'\n<meta name="ColumnName" content="{COLUMN_NAME}">'
        f'\n<meta name="ColumnType" content="{COLUMN_NAME}">\n<meta name="pageId" content="{PAGE_ID}">'
    )
    return _page(f"{COLUMN_NAME} {SITE_NAME}", body, meta)


def _article_page(item: Item) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(text)}</p>" for text in _article_text(item))
    files = ""
    if item.attachments:
        pdf, doc = item.attachments
        files = (
            f'<p>附件：<a href="{pdf}" target="_blank">{html.escape(item.title)}.pdf</a></p>\n'
            f'<p>附件：<a href="{doc}" target="_blank">{html.escape(item.title)}.doc</a></p>'
        )
    published = item.published.isoformat()
    body = f"""<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{DISCLOSURE_PATH}">政务公开</a>
&gt; <a href="{COLUMN_PATH}">{COLUMN_NAME}</a></div>
<div class="article"><h1 class="title">{html.escape(item.title)}</h1>
<div class="info"><span>发布时间：{published}</span> <span>来源：{item.agency}</span></div>
<div class="editor-content" id="zoom">
{paragraphs}
{files}
</div></div>"""
    return _page(item.title, body, article_meta(COLUMN_NAME, item.title, f"{published} 10:00", item.agency))


def _article_text(item: Item) -> list[str]:
    if item.kind == "notice":
        return [
            f"{item.title}。",
            f"各有关单位：为做好{item.year}年政务公开相关工作，现将有关事项说明如下。",
            f"{item.agency}办公厅",
        ]
    return [
        *report_opening(item.agency, item.year),
        f"一、总体情况。{item.year}年，{item.agency}认真贯彻落实政府信息公开工作要求，"
        "主动公开政府信息，依法办理政府信息公开申请。",
        "五、存在的主要问题及改进情况。公开内容的针对性有待加强，下一步将进一步规范公开工作。",
    ]


# --- the unit API --------------------------------------------------------------------------------------


def _shown(title: str) -> str:
    return title if len(title) <= _TITLE_CUT else title[: _TITLE_CUT - 1] + "…"


def item_li(item: Item) -> str:
    """One item as the column's template draws it."""
    return (
        '<li class="clearfix"><div class="doctitle">'
        f'<a href="{item.url_path}" target="_blank" title="{html.escape(item.title)}">'
        f"{html.escape(_shown(item.title))}</a></div>"
        f'<div class="doctime tim">{item.published.isoformat()}</div></li>'
    )


def unit_html(items: list[Item], count: int, page_no: int, rows: int) -> str:
    """data.html of one page: its items, then the pagination div unitbuild.js turns into a pager."""
    query = json.dumps(QUERY, ensure_ascii=False).replace('"', "'")
    return (
        '<div class="page-content"><ul class="public_list_team">'
        + "".join(item_li(item) for item in items)
        + "</ul>"
        + f'<div class="pagination" count="{count}" rows="{rows}" pageNo="{page_no}" '
        f'unitUrl="{API_PATH}" queryData="{html.escape(query, quote=False)}"></div></div>'
    )


def unit_reply(items: list[Item], count: int, page_no: int, rows: int) -> bytes:
    reply = {"code": "200", "success": True, "data": {"html": unit_html(items, count, page_no, rows)}}
    return json.dumps(reply, ensure_ascii=False).encode("utf-8")


def unit_route(items: list[Item], log: list[PortalRequest]) -> Callable[[PortalRequest], PortalResponse]:
    """GET the unit API: one page of the list, paged by paramJson only (a bare pageNo is ignored)."""

    def route(request: PortalRequest) -> PortalResponse:
        log.append(request)
        if request.method not in ("GET", "HEAD"):
            return _error(405, "请求方式不支持")
        if problem := _query_problem(request.query):
            return _error(400, problem)
        paging = _paging(request.query)
        if paging is None:
            return _error(400, "paramJson 参数格式错误")
        page_no, rows = paging
        window = items[(page_no - 1) * rows : page_no * rows]
        return PortalResponse(unit_reply(window, len(items), page_no, rows), JSON_MEDIA_TYPE)

    return route


def _query_problem(query: dict[str, list[str]]) -> str | None:
    expected = {"webId": WEB_ID, "pageId": PAGE_ID, "tagId": TAG_ID, "tplSetId": TPL_SET_ID}
    for key, value in expected.items():
        if query.get(key) != [value]:
            return f"{key} 参数错误：{query.get(key)!r}"
    if query.get("parseType", [""])[0] not in PARSE_TYPES:
        return f"parseType 参数错误：{query.get('parseType')!r}"
    return None


def _paging(query: dict[str, list[str]]) -> tuple[int, int] | None:
    """(pageNo, pageSize) from paramJson; without it, page 1. A bare pageNo parameter is not read."""
    if "paramJson" not in query:
        return 1, PAGE_SIZE
    try:
        param = json.loads(query["paramJson"][0])
        page_no, rows = int(param.get("pageNo", 1)), int(param.get("pageSize", PAGE_SIZE))
    except (ValueError, TypeError, AttributeError):
        return None
    return (page_no, rows) if page_no >= 1 and 1 <= rows <= MAX_PAGE_SIZE else None


def _error(status: int, message: str) -> PortalResponse:
    return json_response({"code": str(status), "success": False, "message": message, "data": None}, status)

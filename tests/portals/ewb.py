"""An Epoint WebBuilder district platform for tests (portal-patterns.md, section E), with its ground truth.

``build_ewb_portal(root)`` writes the static site under ``root`` and returns the route to serve beside it
(``PortalServer(root, routes=portal["routes"])``) and the truth a crawl is checked against:

- ``/`` home page → ``/xxgk/index.html`` 「政府信息公开」 → ``/xxgk/zfxxgknb/index.html`` 「政府信息公开年报」,
  a shell whose list is a same-host ``<iframe src="/dynamic/zwgk/govInfoPub.html?deptcode=…&categorynum=…">``
  (Xuzhou's departments use this very path).
- The iframe page shows nothing itself: it loads ``/js/webBuilderCommon.js`` (``var siteInfo =
  {"siteGuid": …, "projectName": "/EWB-FRONT", …}``), sets ``pageSize = 10`` and asks the list API.
- ``POST /EWB-FRONT/rest/lightfrontaction/getgovinfolist`` with a JSON body ``{"deptcode", "categorynum",
  "siteGuid", "pageIndex", "pageSize"}`` answers ``{"custom": {"data": [...], "total": 35}, "status": …}``.
  pageIndex counts from 0, as Epoint's front end does; past the end the data list is empty. Another
  deptcode or categorynum gets an empty list (as a real one would); a GET, a body that is not JSON or lacks
  siteGuid or categorynum, a wrong siteGuid or a non-JSON Content-Type gets a 400 JSON error. Every request
  is appended to ``portal["list_requests"]``. The route reads the raw body as ``request.body``.
- 35 items, newest first: reports 2008–2024 of the district government and 2017–2024 of its 教育局, mixed
  with 通知 about compiling the report, 工作要点, 解读 and 图解/一图读懂 of reports. Records give the full
  title in ``realtitle`` and a cut one (「…」) in ``title``; ``infourl`` is ``/xxgk/{yyyymmdd}/{guid}.html``.
  Three reports link attachments (PDF and/or DOC).

Deterministic: no clock, no randomness.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from govreports.portal import PortalRequest, PortalResponse
from tests.portals.common import (
    ColumnItem,
    article_meta,
    json_response,
    list_truth,
    report_opening,
    write,
    write_articles,
)

CITY = "江州市"
DISTRICT = "云湖区"
SITE_NAME = f"{CITY}{DISTRICT}人民政府"
AGENCIES = (f"{DISTRICT}人民政府", f"{DISTRICT}教育局")
SITE_GUID = "3c5b2f0e-8d41-4a6b-9e27-51f0c8a4d7b3"
PROJECT_NAME = "/EWB-FRONT"
DEPTCODE = "320118013"
CATEGORYNUM = "001009003"
PAGE_SIZE = 10
HOME_PATH = "/"
DISCLOSURE_PATH = "/xxgk/index.html"
COLUMN_PATH = "/xxgk/zfxxgknb/index.html"
COLUMN_NAME = "政府信息公开年报"
# The other columns of the 政府信息公开 section, beside the 年报 in its navigation.
SIBLING_COLUMNS = (
    ("/xxgk/zfxxgkzn/index.html", "政府信息公开指南"),
    ("/xxgk/zfxxgkzd/index.html", "政府信息公开制度"),
    ("/xxgk/fdzdgknr/index.html", "法定主动公开内容"),
)
LIST_PAGE = "/dynamic/zwgk/govInfoPub.html"
LIST_PAGE_URL = f"{LIST_PAGE}?deptcode={DEPTCODE}&categorynum={CATEGORYNUM}"
SCRIPT_PATH = "/js/webBuilderCommon.js"
API_PATH = f"{PROJECT_NAME}/rest/lightfrontaction/getgovinfolist"
_TITLE_CUT = 22  # the API's title is cut to this many characters, 「…」 included; realtitle is whole
# (agency, year) → attachment extensions
ATTACHMENTS = {
    (AGENCIES[0], 2023): (".pdf", ".doc"),
    (AGENCIES[0], 2021): (".pdf",),
    (AGENCIES[1], 2024): (".doc",),
}


@dataclass(frozen=True)
class Item(ColumnItem):
    @property
    def guid(self) -> str:
        digest = hashlib.sha1(self.title.encode("utf-8")).hexdigest()
        return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{digest[20:32]}"

    @property
    def url_path(self) -> str:
        return f"/xxgk/{self.published:%Y%m%d}/{self.guid}.html"

    @property
    def attachments(self) -> list[str]:
        if self.kind != "report":
            return []
        extensions = ATTACHMENTS.get((self.agency, self.year), ())
        folder = f"/xxgk/{self.published:%Y%m%d}/{self.guid}"
        return [f"{folder}/{self.guid[:8]}_{n}{ext}" for n, ext in enumerate(extensions, 1)]


# --- the column's items --------------------------------------------------------------------------------


def column_items() -> list[Item]:
    """Every item of the column, newest first (as the API sorts by infodate)."""
    items = _reports() + _notices()
    return sorted(items, key=lambda item: (item.published, item.title), reverse=True)


def _reports() -> list[Item]:
    government = [
        Item(
            f"{SITE_NAME}{year}年政府信息公开工作年度报告"
            if year % 3
            else f"{DISTRICT}人民政府{year}年度政府信息公开工作报告",
            # Due by the end of March before the 2019 regulation, by 31 January since.
            date(year + 1, 3, 5 + year % 20) if year < 2019 else date(year + 1, 1, 8 + year % 20),
            "report",
            AGENCIES[0],
            year,
        )
        for year in range(2008, 2025)
    ]
    bureau = [
        Item(
            f"{CITY}{AGENCIES[1]}{year}年政府信息公开工作年度报告",
            date(year + 1, 3, 20) if year < 2019 else date(year + 1, 1, 20 + year % 8),
            "report",
            AGENCIES[1],
            year,
        )
        for year in range(2017, 2025)
    ]
    return government + bureau


def _notices() -> list[Item]:
    """Items titled like reports that are not: the spider must leave them."""
    government = AGENCIES[0]
    notices = [
        Item(
            f"关于做好{DISTRICT}{year}年政府信息公开工作年度报告编制和发布工作的通知",
            date(year, 12, 10 + year % 10),
            "notice",
            government,
            year,
        )
        for year in (2021, 2022, 2023)
    ]
    notices += [
        Item(f"{DISTRICT}{year}年政务公开工作要点", date(year, 4, 12), "notice", government, year)
        for year in (2022, 2023, 2024)
    ]
    notices += [
        Item(
            f"《{SITE_NAME}2023年政府信息公开工作年度报告》解读",
            date(2024, 1, 9),
            "notice",
            government,
            2023,
        ),
        Item(f"{DISTRICT}2022年政府信息公开工作年报解读", date(2023, 1, 11), "notice", government, 2022),
        Item(
            f"一图读懂{SITE_NAME}2023年政府信息公开工作年度报告",
            date(2024, 1, 10),
            "notice",
            government,
            2023,
        ),
        Item(
            f"图解：{DISTRICT}2022年政府信息公开工作年度报告", date(2023, 1, 12), "notice", government, 2022
        ),
    ]
    return notices


def shown_title(title: str) -> str:
    """The API's ``title``: cut with 「…」 when long; ``realtitle`` keeps it whole."""
    return title if len(title) <= _TITLE_CUT else title[: _TITLE_CUT - 1] + "…"


def record_json(item: Item) -> dict:
    """One record of the list API, with the fields Epoint's govInfoPub sends besides the four read."""
    return {
        "infoid": item.guid,
        "infourl": item.url_path,
        "realtitle": item.title,
        "title": shown_title(item.title),
        "infodate": item.published.isoformat(),
        "deptname": item.agency,
        "categorynum": CATEGORYNUM,
        "indexnum": f"{DEPTCODE}/{item.published:%Y}-{int(item.guid[:4], 16) % 10000:05d}",
    }


# --- the site ------------------------------------------------------------------------------------------


def build_ewb_portal(root: Path) -> dict:
    """Write the site under ``root``; return its routes and ground truth (see the module docstring)."""
    items = column_items()
    write(root / "robots.txt", "User-agent: *\nDisallow: /search/\n")
    write(root / "index.html", _home_page())
    write(root / DISCLOSURE_PATH.lstrip("/"), _disclosure_page())
    write(root / COLUMN_PATH.lstrip("/"), _column_page())
    write(root / LIST_PAGE.lstrip("/"), list_page())
    write(root / SCRIPT_PATH.lstrip("/"), common_script())
    write(root / "search" / "index.html", _page("站内搜索", "<p>请输入关键词。</p>"))
    for path, title in SIBLING_COLUMNS:
        write(root / path.lstrip("/"), _sibling_page(title))
    write_articles(root, items, _article_page)
    log: list[PortalRequest] = []
    return {
        "routes": {API_PATH: list_route(items, log)},
        "column_path": COLUMN_PATH,
        "home_path": HOME_PATH,
        "list_page_path": LIST_PAGE_URL,  # the iframe the column page shows, with its query
        "script_path": SCRIPT_PATH,
        "api_path": API_PATH,
        "site_guid": SITE_GUID,
        "deptcode": DEPTCODE,
        "categorynum": CATEGORYNUM,
        "page_size": PAGE_SIZE,
        "announced": len(items),
        **list_truth(items),
        "robots_disallow": ["/search/"],
        "list_requests": log,
    }


def _page(title: str, body: str, meta: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{html.escape(title)}</title>
<meta name="SiteName" content="{SITE_NAME}">{meta}
<link rel="stylesheet" href="/css/common.css">
</head><body>
<div class="ewb-header"><a href="/" class="ewb-logo"><img src="/images/logo.png" alt="{SITE_NAME}"></a>
<form action="/search/index.html" class="ewb-search"><input name="wd"><button type="submit">搜索</button></form></div>
<div class="ewb-nav"><ul>
<li><a href="/">首页</a></li>
<li><a href="/zwdt/index.html">政务动态</a></li>
<li><a href="{DISCLOSURE_PATH}">政府信息公开</a></li>
<li><a href="/hdjl/index.html">互动交流</a></li>
</ul></div>
{body}
<div class="ewb-footer">主办：{SITE_NAME}办公室 <a href="/search/index.html">站内搜索</a> 苏ICP备05001234号</div>
<script src="/js/lib/jquery.min.js"></script>
<script src="{SCRIPT_PATH}"></script>
</body></html>
"""


def _home_page() -> str:
    # The news box names no report: a person goes through 政府信息公开 to reach the column.
    body = f"""<div class="ewb-main">
<div class="ewb-news"><h3>{DISTRICT}要闻</h3><ul>
<li><a href="/zwdt/20240312/a1.html">{DISTRICT}召开2024年优化营商环境推进会</a><span>2024-03-12</span></li>
<li><a href="/zwdt/20240305/a2.html">{DISTRICT}开展春季植树造林活动</a><span>2024-03-05</span></li>
</ul></div>
<div class="ewb-gk"><h3><a href="{DISCLOSURE_PATH}">政府信息公开</a></h3>
<p>政府信息公开指南、政府信息公开制度、法定主动公开内容、政府信息公开年报</p></div>
</div>"""
    return _page(SITE_NAME, body)


def _disclosure_page() -> str:
    body = f"""<div class="ewb-location">当前位置：<a href="/">首页</a> &gt; <span>政府信息公开</span></div>
<div class="ewb-xxgk"><h2>政府信息公开</h2><ul class="ewb-xxgk-nav">
{_sibling_links()}
<li><a href="{COLUMN_PATH}">{COLUMN_NAME}</a></li>
<li><a href="/EWB-FRONT/frontPages/applyOpen/index.html">依申请公开</a></li>
</ul></div>"""
    return _page(f"政府信息公开 {SITE_NAME}", body)


def _sibling_links() -> str:
    return "\n".join(f'<li><a href="{path}">{title}</a></li>' for path, title in SIBLING_COLUMNS)


def _sibling_page(title: str) -> str:
    body = f"""<div class="ewb-location">当前位置：<a href="/">首页</a> &gt; <a href="{DISCLOSURE_PATH}">政府信息公开</a>
&gt; <span>{title}</span></div>
<div class="ewb-container"><h3 class="ewb-right-tt">{title}</h3><p>本栏目信息正在整理中。</p></div>"""
    return _page(f"{title} {SITE_NAME}", body)


def _column_page() -> str:
    # The column is a shell: its list is the govInfoPub page in an iframe, sized by the script around it.
    body = f"""<div class="ewb-location">当前位置：<a href="/">首页</a> &gt; <a href="{DISCLOSURE_PATH}">政府信息公开</a>
&gt; <span>{COLUMN_NAME}</span></div>
<div class="ewb-container clearfix">
<div class="ewb-left"><h3>政府信息公开</h3><ul>
{_sibling_links()}
<li class="active"><a href="{COLUMN_PATH}">{COLUMN_NAME}</a></li>
</ul></div>
<div class="ewb-right"><h3 class="ewb-right-tt">{COLUMN_NAME}</h3>
<iframe id="govInfoPubFrame" name="govInfoPubFrame" src="{html.escape(LIST_PAGE_URL)}" frameborder="0"
 scrolling="no" width="100%" height="860" onload="this.height=this.contentWindow.document.body.scrollHeight"></iframe>
</div></div>"""
    meta = f'\n<meta name="ColumnName" content="{COLUMN_NAME}">'
    return _page(f"{COLUMN_NAME} {SITE_NAME}", body, meta)


def list_page() -> str:
    """The iframe's page: a template the script fills from the list API, pageIndex counting from 0."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="UTF-8">
<title>政府信息公开</title>
<link rel="stylesheet" href="/css/xxgkcommon.css">
<link rel="stylesheet" href="/css/publicinfo-list.css">
<link rel="stylesheet" href="/js/lib/pager/pager.css">
<script src="/js/lib/jquery.min.js"></script>
<script src="/js/lib/mustache.min.js"></script>
<script src="/js/lib/pager/pager.js"></script>
<script src="{SCRIPT_PATH}"></script>
</head>
<body>
<div id="container" class="ewb-govinfo">
  <div class="ewb-catalog-table">
    <table><thead><tr><th class="ewb-syh">索引号</th><th class="ewb-xxname">信息名称</th><th class="ewb-scrq">生成日期</th></tr></thead>
    <tbody id="infolist"></tbody></table>
  </div>
  <div id="pager" class="ewb-page"></div>
  <p class="ewb-apply">如需获取其他政府信息，请通过<a href="/EWB-FRONT/frontPages/applyOpen/index.html" target="_blank">依申请公开</a>提出。</p>
</div>
<script id="infolist-tpl" type="text/template">
{{{{#data}}}}<tr><td>{{{{indexnum}}}}</td><td class="ewb-xxnr"><a href="{{{{infourl}}}}" target="_blank" title="{{{{realtitle}}}}">{{{{title}}}}</a></td><td class="ewb-rqnr">{{{{infodate}}}}</td></tr>{{{{/data}}}}
</script>
<script>
var deptcode = getQueryString("deptcode") || "";
var categorynum = getQueryString("categorynum");
var pageSize = 10;
function loadList(pageIndex) {{
    Util.ajax({{
        url: siteInfo.projectName + "/rest/lightfrontaction/getgovinfolist",
        data: {{"siteGuid": siteInfo.siteGuid, "deptcode": deptcode, "categorynum": categorynum,
                "pageIndex": pageIndex, "pageSize": pageSize}},
        success: function (msg) {{
            var custom = checkJson(msg.custom);
            $("#infolist").html(Mustache.render($("#infolist-tpl").html(), custom));
            // the pager counts pages from 0, as the API does
            $("#pager").pager({{total: custom.total, pageSize: pageSize, pageIndex: pageIndex, onChange: loadList}});
        }}
    }}, true);
}}
loadList(0);
</script>
</body></html>
"""


def common_script() -> str:
    """``/js/webBuilderCommon.js`` as Epoint sites ship it: siteInfo first, then the front-end helpers."""
    site_info = json.dumps(
        {
            "siteGuid": SITE_GUID,
            "projectName": PROJECT_NAME,
            "webVersion": "5.0",
            "vname": "/",
            "tempVersion": "20231208093015",
        },
        separators=(",", ":"),
    )
    return f"""var siteInfo = {site_info}
if (!window.webbuilder) {{
    window.webbuilder = {{}};
}}
function checkJson(custom) {{
    if (custom != "") {{
        if (typeof custom == 'string') {{
            backData = $.parseJSON(custom);
        }} else {{
            backData = custom;
        }}
    }}
    else
        backData = $.parseJSON("{{}}");
    return backData;
}}
function getQueryString(name) {{
    var reg = new RegExp("(^|&)" + name + "=([^&]*)(&|$)", "i");
    var r = window.location.search.substr(1).match(reg);
    if (r != null) return decodeURIComponent(r[2]);
    return null;
}}
var Util = {{
    ajax: function (options, json) {{
        return $.ajax($.extend({{
            type: "post",
            dataType: "json",
            contentType: "application/json;charset=UTF-8",
            data: json ? JSON.stringify(options.data || {{}}) : options.data
        }}, options, {{data: json ? JSON.stringify(options.data || {{}}) : options.data}}));
    }}
}};
jQuery.extend(webbuilder, (function (win, $) {{
    return {{
        // 更新访问量并返回当前访问量
        addPageView: function (viewGuid, callback) {{
            var str = {{"siteGuid": siteInfo.siteGuid, "viewGuid": viewGuid}};
            Util.ajax({{
                url: siteInfo.projectName + "/rest/frontAppNotNeedLoginAction/addPageView",
                data: str,
                success: function (msg) {{
                    callback(checkJson(msg.custom));
                }}
            }}, true);
        }}
    }};
}}(this, jQuery)));
"""


def _article_page(item: Item) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(text)}</p>" for text in _article_text(item))
    files = "\n".join(
        f'<p>附件：<a href="{html.escape(path)}" target="_blank">'
        f"{html.escape(item.title)}.{path.rsplit('.', 1)[1]}</a></p>"
        for path in item.attachments
    )
    published = item.published.isoformat()
    body = f"""<div class="ewb-location">当前位置：<a href="/">首页</a> &gt; <a href="{DISCLOSURE_PATH}">政府信息公开</a>
&gt; <a href="{COLUMN_PATH}">{COLUMN_NAME}</a></div>
<div class="ewb-article">
<table class="ewb-article-info"><tr><td>索引号：{DEPTCODE}/{item.published:%Y}</td><td>发布机构：{item.agency}</td></tr>
<tr><td>生成日期：{published}</td><td>信息分类：{COLUMN_NAME}</td></tr></table>
<h2 class="ewb-article-tt">{html.escape(item.title)}</h2>
<div class="ewb-article-sources">发布日期：{published} 来源：{item.agency} 【字体：大 中 小】</div>
<div class="ewb-article-content" id="infocontent">
{paragraphs}
{files}
</div></div>"""
    return _page(item.title, body, article_meta(COLUMN_NAME, item.title, f"{published} 10:00", item.agency))


def _article_text(item: Item) -> list[str]:
    if item.kind == "notice":
        return [
            "区各有关部门、各街道：",
            f"现将{item.year}年政务公开相关工作安排如下，请结合实际抓好落实。",
            f"{SITE_NAME}办公室",
        ]
    return [
        *report_opening(item.agency, item.year),
        f"一、总体情况。{item.year}年，{item.agency}认真贯彻落实政府信息公开工作要求，依法办理政府信息公开申请。",
        "二、存在的主要问题及改进情况。公开内容的针对性有待加强，下一步将进一步规范公开工作。",
    ]


# --- the list API --------------------------------------------------------------------------------------


def list_route(items: list[Item], log: list[PortalRequest]) -> Callable[[PortalRequest], PortalResponse]:
    """POST /EWB-FRONT/rest/lightfrontaction/getgovinfolist: one page of the list, pageIndex from 0."""

    def route(request: PortalRequest) -> PortalResponse:
        log.append(request)
        if request.method != "POST":
            return _error(400, "getgovinfolist answers POST")
        if not request.headers.get("content-type", "").lower().startswith("application/json"):
            return _error(400, "the body must be sent as application/json")
        try:
            body = json.loads(request.body)
        except ValueError:
            return _error(400, "the body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "the body is not a JSON object")
        if problem := _body_problem(body):
            return _error(400, problem)
        index, size = int(body["pageIndex"]), int(body["pageSize"])
        listed = (
            items if body.get("deptcode", "") in ("", DEPTCODE) and body["categorynum"] == CATEGORYNUM else []
        )
        page = listed[index * size : (index + 1) * size]
        return _json({"custom": {"data": [record_json(item) for item in page], "total": len(listed)}})

    return route


def _body_problem(body: dict) -> str | None:
    for key in ("siteGuid", "categorynum"):
        if not isinstance(body.get(key), str) or not body[key]:
            return f"{key} is missing"
    if body["siteGuid"] != SITE_GUID:
        return f"no site {body['siteGuid']!r}"
    for key in ("pageIndex", "pageSize"):
        value = body.get(key)
        if isinstance(value, bool) or not str(value).isdigit():
            return f"{key} must be a number, not {value!r}"
    if not 1 <= int(body["pageSize"]) <= 100:
        return "pageSize must be 1 to 100"
    return None


def _json(value: dict, status: int = 200, text: str = "") -> PortalResponse:
    """A reply as Epoint's REST actions give it: the payload, then a status of its own."""
    return json_response({**value, "status": {"code": status, "text": text}}, status)


def _error(status: int, reason: str) -> PortalResponse:
    return _json({"custom": ""}, status, reason)

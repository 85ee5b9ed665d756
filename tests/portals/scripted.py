"""Portals whose annual-report list only JavaScript draws: what a headless browser is for.

``build_scripted_portal(root)``: a county portal whose column page holds an empty ``<ul id="list">`` and
an inline script that ``fetch()``es the list from an API no adapter knows (portal-patterns.md, section H:
「lists drawn only by JavaScript from an API no adapter knows」) and builds the items with DOM calls, in
the TRS list shape (section A: ``<li><a href title>…</a><span>date</span></li>``, long titles cut with
「…」 and kept whole in ``@title``), with the 共N条 line many list pages print:

- ``/`` home → ``/zwgk/index.html`` 「政务公开」 → ``/zwgk/zfxxgknb/index.html`` 「政府信息公开年报」.
- ``GET /api/content/list?channel=nb&page=1&size=20`` → ``{"code": 0, "data": {"totalCount": 12,
  "rows": [{"docId", "docTitle", "linkUrl", "pubTime", "deptName"}]}}``: fields named unlike gkmlpt's,
  every item on one page; other channels or pages answer an empty list, a missing channel 400.
- 12 items, newest first: reports 2010–2024 of the county government and of its 财政局, with look-alikes
  (编制通知, 工作要点, 图解, 解读); three reports link a PDF and one a DOC too.
- Every request for the column page and the API is kept in ``truth["column_requests"]`` and
  ``truth["api_requests"]`` (what a browser sent, headers included).

``build_gkmlpt_app_portal(root)``: tests/portals/gkmlpt.py's Guangdong catalogue with the app its column
page loads (``/gkmlpt/static/js/manifest.js``, ``app.js``) written out: the app reads ``window._CONFIG``
and draws the list from the same ``/gkmlpt/api/all/0?page=1&sid=…`` the gkmlpt adapter reads. Real
gkmlpt sites serve 100 articles a page (section C), so the 37 documents come in one reply, and the same
column can be crawled by its adapter or by a browser.

Deterministic: no clock, no randomness.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from govreports.portal import PortalRequest, PortalResponse
from tests.portals import gkmlpt
from tests.portals.gkmlpt import tiny_pdf

SITE_NAME = "青岚县人民政府"
BUREAU = "青岚县财政局"
HOME_PATH = "/"
SECTION_PATH = "/zwgk/index.html"
COLUMN_PATH = "/zwgk/zfxxgknb/index.html"
API_PATH = "/api/content/list"
CHANNEL = "nb"


@dataclass(frozen=True)
class Item:
    doc_id: int
    title: str
    published: str  # ISO date, as the API prints it
    dept: str
    year: int | None  # the report's year; None for a look-alike
    attachments: tuple[str, ...] = ()  # extensions

    @property
    def url_path(self) -> str:
        return f"/zwgk/zfxxgknb/{self.published[:7].replace('-', '')}/t{self.published.replace('-', '')}_{self.doc_id}.html"

    @property
    def attachment_paths(self) -> list[str]:
        return [
            f"/uploadfiles/{self.published[:4]}/{self.doc_id}_{n}.{ext}"
            for n, ext in enumerate(self.attachments)
        ]


# Newest first, as the API sends them.
ITEMS = (
    Item(88412, "青岚县人民政府2024年政府信息公开工作年度报告", "2025-01-20", SITE_NAME, 2024, ("pdf",)),
    Item(88397, "青岚县财政局2024年度政府信息公开工作年度报告", "2025-01-16", BUREAU, 2024),
    Item(87950, "关于做好2024年政府信息公开工作年度报告编制和发布工作的通知", "2024-12-05", SITE_NAME, None),
    Item(86233, "青岚县2024年政务公开工作要点", "2024-04-18", SITE_NAME, None),
    Item(85120, "图解：青岚县人民政府2023年政府信息公开工作年度报告", "2024-01-26", SITE_NAME, None),
    Item(
        85104, "青岚县人民政府2023年政府信息公开工作年度报告", "2024-01-25", SITE_NAME, 2023, ("pdf", "doc")
    ),
    Item(82761, "《青岚县人民政府2022年政府信息公开工作年度报告》解读", "2023-02-02", SITE_NAME, None),
    Item(82740, "青岚县人民政府2022年政府信息公开工作年度报告", "2023-01-31", SITE_NAME, 2022),
    Item(80016, "2021年青岚县财政局政府信息公开工作年度报告", "2022-01-28", BUREAU, 2021),
    Item(77389, "青岚县人民政府2020年政府信息公开工作年度报告", "2021-01-29", SITE_NAME, 2020),
    Item(70512, "青岚县人民政府2015年政府信息公开工作年度报告", "2016-03-25", SITE_NAME, 2015),
    Item(61078, "青岚县人民政府2010年政府信息公开工作年度报告", "2011-03-30", SITE_NAME, 2010, ("pdf",)),
)

# The column page's own script: fetch the list, build the items with DOM calls (titles over 26
# characters cut with 「…」, whole in @title), print 共N条.
COLUMN_SCRIPT = """
(function () {
  var list = document.getElementById('list');
  var total = document.getElementById('total');
  var CUT = 26;
  function item(row) {
    var li = document.createElement('li');
    var a = document.createElement('a');
    a.setAttribute('href', row.linkUrl);
    a.setAttribute('target', '_blank');
    a.setAttribute('title', row.docTitle);
    a.textContent = row.docTitle.length > CUT ? row.docTitle.slice(0, CUT) + '…' : row.docTitle;
    var span = document.createElement('span');
    span.className = 'date';
    span.textContent = row.pubTime;
    li.appendChild(a);
    li.appendChild(span);
    return li;
  }
  fetch('/api/content/list?channel=nb&page=1&size=20', {headers: {'Accept': 'application/json'}})
    .then(function (reply) { return reply.json(); })
    .then(function (reply) {
      if (reply.code !== 0) { list.textContent = '数据加载失败'; return; }
      reply.data.rows.forEach(function (row) { list.appendChild(item(row)); });
      total.textContent = '共' + reply.data.totalCount + '条';
    })
    .catch(function () { list.textContent = '数据加载失败，请稍后重试'; });
})();
"""


def build_scripted_portal(root: Path) -> dict:
    """Write the static site under ``root``; return its routes and the crawl's ground truth."""
    column_requests: list[PortalRequest] = []
    api_requests: list[PortalRequest] = []
    _write(root / "robots.txt", "User-agent: *\nDisallow: /search/\n")
    _write(root / "index.html", _home_page())
    _write(root / SECTION_PATH.lstrip("/"), _section_page())
    for item in ITEMS:
        _write(root / item.url_path.lstrip("/"), _article_page(item))
        for path in item.attachment_paths:
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_attachment(item, path))
    column = _column_page().encode("utf-8")

    def column_route(request: PortalRequest) -> PortalResponse:
        column_requests.append(request)
        return PortalResponse(column)

    def api_route(request: PortalRequest) -> PortalResponse:
        api_requests.append(request)
        channel = request.query.get("channel", [""])[0]
        page = request.query.get("page", ["1"])[0]
        if not channel or not page.isdigit():
            return _json({"code": 400, "msg": "参数错误"}, status=400)
        rows = [_row(item) for item in ITEMS] if channel == CHANNEL and int(page) == 1 else []
        total = len(ITEMS) if channel == CHANNEL else 0
        return _json(
            {"code": 0, "msg": "success", "data": {"totalCount": total, "page": int(page), "rows": rows}}
        )

    return {
        "routes": {COLUMN_PATH: column_route, API_PATH: api_route},
        "column_path": COLUMN_PATH,
        "home_path": HOME_PATH,
        "section_path": SECTION_PATH,
        "api_path": API_PATH,
        "reports": [
            {
                "url_path": item.url_path,
                "title": item.title,
                "year": item.year,
                "attachments": item.attachment_paths,
                "published": item.published,
            }
            for item in ITEMS
            if item.year
        ],
        "non_reports": [item.url_path for item in ITEMS if not item.year],
        "announced": len(ITEMS),
        "column_requests": column_requests,
        "api_requests": api_requests,
    }


def _row(item: Item) -> dict:
    return {
        "docId": str(item.doc_id),
        "docTitle": item.title,
        "linkUrl": item.url_path,
        "pubTime": item.published,
        "deptName": item.dept,
    }


def _json(value: dict, status: int = 200) -> PortalResponse:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return PortalResponse(body, media_type="application/json;charset=UTF-8", status=status)


# --- pages ------------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _page(title: str, body: str, metas: str = "") -> str:
    nav = (
        f'<div class="top"><a href="/">{SITE_NAME}</a></div>'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwdt/index.html">政务动态</a></li>'
        f'<li><a href="{SECTION_PATH}">政务公开</a></li><li><a href="/hdjl/index.html">互动交流</a></li></ul>\n'
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title)}</title>\n{metas}</head>\n<body>\n{nav}{body}\n"
        f'<div class="footer">主办：{SITE_NAME}办公室 <a href="/lxwm.html">联系我们</a></div>\n</body>\n</html>\n'
    )


def _home_page() -> str:
    body = (
        '<div class="main"><div class="box"><h3>政务公开</h3><ul>'
        f'<li><a href="{SECTION_PATH}">政府信息公开</a></li>'
        '<li><a href="/zwdt/index.html">政务动态</a></li>'
        '<li><a href="/zwgk/zcwj/index.html">政策文件</a></li></ul></div></div>'
    )
    return _page(SITE_NAME, body)


def _section_page() -> str:
    body = (
        '<div class="main"><h2>政府信息公开</h2><ul class="columns">'
        '<li><a href="/zwgk/zfxxgkzn/index.html">政府信息公开指南</a></li>'
        '<li><a href="/zwgk/zfxxgkzd/index.html">政府信息公开制度</a></li>'
        '<li><a href="/zwgk/fdzdgknr/index.html">法定主动公开内容</a></li>'
        f'<li><a href="{COLUMN_PATH}">政府信息公开年报</a></li></ul></div>'
    )
    return _page(f"政府信息公开_{SITE_NAME}", body)


def _column_page() -> str:
    body = (
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/index.html">政务公开</a>'
        " &gt; 政府信息公开年报</div>\n"
        '<div class="list-box"><h2>政府信息公开年报</h2>\n<ul id="list" class="list"></ul>\n'
        '<div class="page" id="total"></div></div>\n'
        f"<script>{COLUMN_SCRIPT}</script>"
    )
    return _page(f"政府信息公开年报_{SITE_NAME}", body)


def _article_page(item: Item) -> str:
    metas = (
        f'<meta name="ArticleTitle" content="{_esc(item.title)}">\n'
        f'<meta name="PubDate" content="{item.published} 09:30">\n'
        f'<meta name="ContentSource" content="{_esc(item.dept)}">\n'
    )
    files = "".join(
        f'<p><a href="{path}">附件：{_esc(item.title)}.{path.rsplit(".", 1)[1]}</a></p>'
        for path in item.attachment_paths
    )
    text = (
        (
            f"<p>根据《中华人民共和国政府信息公开条例》，现公布{_esc(item.dept)}{item.year}年政府信息公开工作年度报告。"
            f"本报告所列数据统计期限自{item.year}年1月1日起至{item.year}年12月31日止。</p>"
            "<p>一、总体情况</p><p>二、主动公开政府信息情况</p>"
        )
        if item.year
        else f"<p>{_esc(item.title)}全文如下。</p><p>（正文略）</p>"
    )
    body = (
        f'<div class="article"><h1>{_esc(item.title)}</h1><div class="TRS_Editor">{text}</div>{files}</div>'
    )
    return _page(item.title, body, metas)


def _attachment(item: Item, path: str) -> bytes:
    if path.endswith(".pdf"):
        return tiny_pdf(f"Annual report {item.year} of document {item.doc_id}")
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + f"DOC {item.doc_id}".encode("ascii")  # OLE2 magic


# --- gkmlpt, with the app that draws its column ------------------------------------------------------

GKMLPT_PER_PAGE = 100  # what real gkmlpt sites serve (portal-patterns.md, section C)
# The catalogue app, reduced to what it does with the list: read the config, ask the API, draw items
# (title link and date), a pager of buttons (no links) and the count.
GKMLPT_APP = """
(function () {
  var config = window._CONFIG;
  var app;
  function day(article) {
    var epoch = article.display_publish_time || article.first_publish_time;
    if (epoch) {
      var d = new Date((epoch + 8 * 3600) * 1000);
      return d.toISOString().slice(0, 10);
    }
    return String(article.created_at || '').slice(0, 10);
  }
  function draw(page, reply) {
    var ul = document.createElement('ul');
    ul.className = 'gkmlpt-list';
    reply.articles.forEach(function (article) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = article.url;
      a.title = article.title;
      a.target = '_blank';
      a.textContent = article.title;
      var span = document.createElement('span');
      span.textContent = day(article);
      li.appendChild(a);
      li.appendChild(span);
      ul.appendChild(li);
    });
    var pager = document.createElement('div');
    pager.className = 'pagination';
    var pages = Math.ceil(reply.total / config.PAGE_SIZE);
    for (var n = 1; n <= pages; n++) {
      var button = document.createElement('button');
      button.textContent = n;
      button.setAttribute('data-page', n);
      if (n === page) button.className = 'active';
      button.onclick = function () { load(Number(this.getAttribute('data-page'))); };
      pager.appendChild(button);
    }
    var count = document.createElement('span');
    count.textContent = '共' + reply.total + '条';
    pager.appendChild(count);
    app.innerHTML = '';
    app.appendChild(ul);
    app.appendChild(pager);
  }
  function load(page) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', config.API_BASE + '/all/0?page=' + page + '&sid=' + config.SID);
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    xhr.onload = function () { if (xhr.status === 200) draw(page, JSON.parse(xhr.responseText)); };
    xhr.send();
  }
  // Loaded from <head>: mount once the document is parsed, as the real app does.
  function mount() { app = document.getElementById('app'); load(1); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
  else mount();
})();
"""


def build_gkmlpt_app_portal(root: Path) -> dict:
    """tests/portals/gkmlpt.py's portal, its column app written out, its API serving 100 a page."""
    truth = gkmlpt.build_gkmlpt_portal(root)
    documents = gkmlpt._documents()
    _write(root / "gkmlpt" / "static" / "js" / "manifest.js", "/* webpack runtime */\n")
    _write(root / "gkmlpt" / "static" / "js" / "app.js", GKMLPT_APP)
    api_requests: list[PortalRequest] = []

    def api_route(request: PortalRequest) -> PortalResponse:
        api_requests.append(request)
        sid = request.query.get("sid", [""])[0]
        page = request.query.get("page", ["1"])[0]
        if sid != gkmlpt.SID or not page.isdigit():
            return _json({"code": 400, "msg": "参数错误"}, status=400)
        start = (max(int(page), 1) - 1) * GKMLPT_PER_PAGE
        host = request.headers.get("host")
        origin = f"http://{host}" if host else ""
        articles = [gkmlpt._article_json(doc, origin) for doc in documents[start : start + GKMLPT_PER_PAGE]]
        return _json({"total": len(documents), "articles": articles})

    routes = {**truth["routes"], gkmlpt.API_PATH: api_route}
    return {
        **truth,
        "routes": routes,
        "per_page": GKMLPT_PER_PAGE,
        "announced": len(documents),
        "api_requests": api_requests,
    }

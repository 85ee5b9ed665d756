"""A Guangdong-style portal on the 政府信息公开目录平台 (gkmlpt), for crawl tests.

Shapes copied from real gkmlpt sites (shared/docs/portal-patterns.md, section C): the column page
``/gkmlpt/index`` lists nothing in its HTML and carries ``SID: '…'`` in a config script; the list comes
from ``GET /gkmlpt/api/all/0?page=N&sid=…`` as ``{"total", "articles": [...]}`` with absolute article
URLs and epoch times; articles live at ``/gkmlpt/content/1/{id//1000}/post_{id}.html`` and attachments
at ``/attachment/0/…``. Real sites serve 100 articles a page; this one serves 10 so that the list has
several pages. The API answers 400 without the right ``sid``, as the real one refuses unknown sites.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import docx

from govreports.portal import PortalRequest, PortalResponse
from tests.portals.common import json_response, tiny_pdf, write

SID = "755099"
CATEGORY = 0  # the API's "every category"
PER_PAGE = 10
COLUMN_PATH = "/gkmlpt/index"
API_PATH = f"/gkmlpt/api/all/{CATEGORY}"
SITE_NAME = "示例市人民政府门户网站"
CHINA = timezone(timedelta(hours=8))
AGENCIES = ("示例市人民政府办公室", "示例市教育局")
REPORT_YEARS = range(2015, 2025)
# Documents that share the catalogue with the reports; several name a year, 年度报告 or 工作报告.
OTHER_DOCUMENTS = (
    ("示例市教育局关于做好2023年政府信息公开工作年度报告编制工作的通知", date(2023, 12, 12)),
    ("示例市政府信息公开指南（2022年修订）", date(2022, 8, 3)),
    ("示例市2023年政务公开工作要点", date(2023, 4, 20)),
    ("示例市2020年政府工作报告", date(2020, 1, 21)),
    ("示例市2022年国民经济和社会发展统计公报", date(2023, 3, 28)),
    ("示例市教育局2021年部门决算", date(2022, 9, 15)),
    ("示例市人民政府办公室2024年部门预算", date(2024, 2, 6)),
    ("关于示例市2022年政府信息公开工作年度报告的解读", date(2023, 1, 30)),
    ("示例市人民政府关于调整部分行政区划的公告", date(2017, 6, 1)),
    ("示例市人民政府办公室关于印发示例市数字政府建设实施方案的通知", date(2021, 11, 9)),
    ("示例市教育局政府信息公开申请表", date(2019, 5, 14)),
    ("示例市2019年重点民生实事项目完成情况", date(2020, 2, 25)),
    ("示例市人民政府关于表彰2021年度优秀基层单位的决定", date(2022, 4, 7)),
    ("示例市生态环境保护“十四五”规划", date(2021, 12, 22)),
    ("示例市2018年度审计工作报告", date(2019, 8, 27)),
    ("示例市人民政府办公室关于开展2024年政务公开第三方评估的函", date(2024, 6, 17)),
    ("示例市政府信息公开目录（2023年版）", date(2023, 2, 14)),
)
# Which time field each article's JSON carries, in turn: most give display_publish_time (and an
# older create_time); some only first_publish_time; some only a printed created_at.
TIME_STYLES = ("display", "display", "display", "first", "display", "created_at")
# Local publication hours: 07:15 in China is the previous day in UTC.
HOURS = ((7, 15), (10, 30), (16, 5), (23, 40))


@dataclass(frozen=True)
class Document:
    doc_id: int
    title: str
    publisher: str
    published: datetime  # China time
    report_year: int | None
    attachments: tuple[str, ...] = ()  # attachment extensions
    time_style: str = "display"

    @property
    def path(self) -> str:
        return f"/gkmlpt/content/{self.doc_id // 1_000_000}/{self.doc_id // 1000}/post_{self.doc_id}.html"

    def attachment_path(self, extension: str) -> str:
        return f"/attachment/0/{self.doc_id // 1000}/{self.doc_id}/{self.doc_id + 7}.{extension}"

    @property
    def attachment_paths(self) -> list[str]:
        return [self.attachment_path(extension) for extension in self.attachments]


def build_gkmlpt_portal(root: Path, documents: list[Document] | None = None) -> dict:
    """Write the portal's static files under ``root``; return its routes and the crawl's ground truth.
    ``documents`` (newest first) replaces the site's own 37 (tests/portals/fleet.py lists others)."""
    documents = _documents() if documents is None else documents
    write(root / "robots.txt", "User-agent: *\nDisallow: /search/\n")
    write(root / "index.html", _home_page())
    write(root / "search" / "index.html", _page("站内搜索", "<p>请输入关键字</p>"))
    for document in documents:
        write(root / document.path.lstrip("/"), _article_page(document))
        for extension, path in zip(document.attachments, document.attachment_paths, strict=True):
            write(root / path.lstrip("/"), _attachment(document, extension))
    column = _column_page().encode("utf-8")
    return {
        "routes": {COLUMN_PATH: lambda _request: PortalResponse(column), API_PATH: list_api(documents)},
        "column_path": COLUMN_PATH,
        "home_path": "/",
        "api_path": API_PATH,
        "sid": SID,
        "per_page": PER_PAGE,
        "announced": len(documents),  # the API's total
        "reports": [
            {
                "url_path": document.path,
                "title": document.title,
                "year": document.report_year,
                "attachments": document.attachment_paths,
                "published": document.published.date().isoformat(),
            }
            for document in documents
            if document.report_year
        ],
        "non_reports": [document.path for document in documents if not document.report_year],
        "published": {document.path: document.published.date().isoformat() for document in documents},
    }


def list_api(documents: list[Document]):
    """The route of ``/gkmlpt/api/all/0``: pages from 1, newest first, an empty list past the end."""

    def answer(request: PortalRequest) -> PortalResponse:
        sid = request.query.get("sid", [""])[0]
        page = request.query.get("page", ["1"])[0]
        if sid != SID or not page.isdigit():
            return _json({"code": 400, "msg": "参数错误"}, status=400)
        start = (max(int(page), 1) - 1) * PER_PAGE
        host = request.headers.get("host")
        origin = f"http://{host}" if host else ""
        articles = [_article_json(document, origin) for document in documents[start : start + PER_PAGE]]
        return _json({"total": len(documents), "articles": articles})

    return answer


def _json(value: dict, status: int = 200) -> PortalResponse:
    return json_response(value, status, "application/json; charset=utf-8")


def _article_json(document: Document, origin: str) -> dict:
    url = origin + document.path
    article = {
        "id": document.doc_id,
        "title": document.title,
        "url": url,
        "post_url": url,
        "publisher": document.publisher,
        "document_number": "",
    }
    epoch = int(document.published.timestamp())
    if document.time_style == "display":
        article["display_publish_time"] = epoch
        article["create_time"] = epoch - 2 * 86400  # drafted two days earlier
    elif document.time_style == "first":
        article["first_publish_time"] = epoch
    else:
        article["created_at"] = f"{document.published:%Y-%m-%d %H:%M:%S}"
    return article


def _documents() -> list[Document]:
    """37 documents, newest first: 20 reports (two agencies, 2015–2024) and 17 others."""
    drafts = []
    for number, (agency, year) in enumerate((a, y) for a in AGENCIES for y in REPORT_YEARS):
        # Before the 2019 regulation reports were due by the end of March, since then by 31 January.
        day = date(year + 1, 3, 10 + number % 15) if year < 2019 else date(year + 1, 1, 10 + number % 18)
        drafts.append(
            (_report_title(agency, year, number), agency, day, year, _report_attachments(agency, year))
        )
    for number, (title, day) in enumerate(OTHER_DOCUMENTS):
        attachments = ("docx",) if "申请表" in title else ()
        drafts.append((title, AGENCIES[number % 2], day, None, attachments))
    drafts.sort(key=lambda draft: draft[2], reverse=True)
    documents = []
    for number, (title, agency, day, year, attachments) in enumerate(drafts):
        hour, minute = HOURS[number % len(HOURS)]
        published = datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)
        style = TIME_STYLES[number % len(TIME_STYLES)]
        documents.append(
            Document(1_023_456 + 317 * number, title, agency, published, year, attachments, style)
        )
    return documents


def _report_title(agency: str, year: int, number: int) -> str:
    forms = (
        f"{agency}{year}年政府信息公开工作年度报告",
        f"{agency}{year}年度政府信息公开工作报告",
        f"{year}年{agency}政府信息公开工作年度报告",
    )
    return forms[number % len(forms)]


def _report_attachments(agency: str, year: int) -> tuple[str, ...]:
    # A few reports also come as files: a PDF, a DOCX, or both.
    return {
        (AGENCIES[1], 2024): ("pdf", "docx"),
        (AGENCIES[1], 2022): ("pdf",),
        (AGENCIES[0], 2021): ("docx",),
        (AGENCIES[0], 2016): ("pdf",),
    }.get((agency, year), ())


# --- pages ------------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _chrome() -> str:
    return (
        f'<div class="header"><a href="/index.html">{SITE_NAME}</a>'
        '<ul class="nav"><li><a href="/index.html">首页</a></li>'
        f'<li><a href="{COLUMN_PATH}">政府信息公开</a></li>'
        '<li><a href="/gkmlpt/guide">政府信息公开指南</a></li>'
        '<li><a href="/search/index.html">站内搜索</a></li></ul></div>\n'
    )


def _page(title: str, body: str, metas: str = "", scripts: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title)}</title>\n{metas}{scripts}</head>\n<body>\n{_chrome()}{body}\n"
        '<div class="footer">主办：示例市人民政府办公室 <a href="/lxwm.html">联系我们</a></div>\n</body>\n</html>\n'
    )


def _home_page() -> str:
    body = (
        '<div class="main"><h2>政务公开</h2><ul>'
        f'<li><a href="{COLUMN_PATH}">政府信息公开</a></li>'
        '<li><a href="/zwdt/index.html">政务动态</a></li></ul></div>'
    )
    return _page(SITE_NAME, body)


def _column_page() -> str:
    # The catalogue is a single-page app: the config script and an empty mount point, no list.
    config = (
        "<script>\n  window._CONFIG = {\n"
        f"    SID: '{SID}',\n"
        f"    SITE_NAME: '{SITE_NAME}',\n"
        "    API_BASE: '/gkmlpt/api',\n"
        "    PAGE_SIZE: 100\n  };\n</script>\n"
        '<script src="/gkmlpt/static/js/manifest.js"></script>\n'
        '<script src="/gkmlpt/static/js/app.js"></script>\n'
    )
    body = '<div id="app"><noscript>请开启浏览器的 JavaScript 功能后访问政府信息公开目录。</noscript></div>'
    return _page(f"{SITE_NAME} 政府信息公开", body, scripts=config)


def _article_page(document: Document) -> str:
    day = document.published
    metas = (
        f'<meta name="ArticleTitle" content="{_esc(document.title)}">\n'
        f'<meta name="PubDate" content="{day:%Y-%m-%d %H:%M}">\n'
        f'<meta name="ContentSource" content="{_esc(document.publisher)}">\n'
    )
    classify = (
        '<div class="classify"><table>'
        f"<tr><td>索引号：</td><td>{document.doc_id}</td><td>分类：</td><td>政务公开</td></tr>"
        f"<tr><td>发布机构：</td><td>{_esc(document.publisher)}</td><td>发布日期：</td><td>{day:%Y-%m-%d}</td></tr>"
        f'<tr><td>名称：</td><td colspan="3">{_esc(document.title)}</td></tr></table></div>'
    )
    files = "".join(
        f'<p><a href="{path}">{_esc(document.title)}.{extension}</a></p>'
        for extension, path in zip(document.attachments, document.attachment_paths, strict=True)
    )
    attachments = f'<div class="attachment">附件：{files}</div>' if files else ""
    body = (
        f'<div class="content"><h1>{_esc(document.title)}</h1>{classify}'
        f'<div class="article-content">{_article_text(document)}</div>{attachments}</div>'
    )
    return _page(document.title, body, metas)


def _article_text(document: Document) -> str:
    if not document.report_year:
        return f"<p>{_esc(document.title)}全文如下。</p><p>（正文略）</p>"
    year = document.report_year
    return (
        f"<p>本报告根据《中华人民共和国政府信息公开条例》编制，内容包括总体情况、主动公开政府信息情况等。"
        f"本报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。</p>"
        "<p>一、总体情况</p><p>本机关坚持以公开为常态、不公开为例外，全面推进政务公开。</p>"
        "<p>二、主动公开政府信息情况</p><p>本年度主动公开政府信息若干条。</p>"
    )


# --- attachments ------------------------------------------------------------------------------------


def _attachment(document: Document, extension: str) -> bytes:
    text = f"Annual report {document.report_year} of document {document.doc_id}"
    return tiny_pdf(text) if extension == "pdf" else tiny_docx(document.title)


def tiny_docx(title: str) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph("一、总体情况")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

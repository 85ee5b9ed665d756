"""Build the sample portal in sample_portal/site/ and its ground truth in sample_portal/expected.json.

The site copies what a crawler meets on a TRS WCM government portal (portal-patterns.md, section A):
a home page and a 政府信息公开 page leading to the column /zfxxgk/zfxxgknb/ whose list pages index.html,
index_1.html … are only linked through a createPageHTML() script; relative article links
./YYYYMM/tYYYYMMDD_id.html with full titles in the title attribute and cut ones in the link text;
article pages with an 索引号 table, ArticleTitle/PubDate/ContentSource meta tags and the article in
div.TRS_Editor, div.trs_editor_view or #zoom; some pages in GBK declared as gb2312; reports published
only as a DOCX attachment (P0….docx); notices about reports mixed into the same list; a robots.txt
that forbids /search/. The reports follow the official templates (report-template.md) with the
deviations real documents show. Five reports carry the figures of the real seed reports; everything
else is generated from a fixed random seed, so rebuilding gives identical bytes.

Run from the repository root: .venv/bin/python sample_portal/generate.py
"""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import html_pages as pages
from catalog import Report, build_catalog
from docx_report import form_docx, report_docx
from figures import expected_rows
from html_pages import Article
from narrative import ReportText, report_text
from report_tables import Grid, applications_table, disclosure_table, reviews_table
from seed_figures import SEED_IDS

RANDOM_SEED = 20200115
HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
EXPECTED = HERE / "expected.json"
PAGE_SIZE = 10
GBK_LIST_PAGE = 2  # one list page of the column is served in GBK, as on older TRS sites
OFFICE = "示例区人民政府办公室"
OFFICE_CODE = "99990001"
FIRST_DOC_ID = 1284017


@dataclass
class Notice:
    """An item of the 年报 column that is not a report."""

    title: str
    published: date
    time: str
    doc_number: str
    paragraphs: tuple[str, ...]
    encoding: str = "utf-8"
    form_attachment: bool = False


NOTICES = (
    Notice(
        "政府信息公开申请表",
        date(2019, 6, 12),
        "14:20",
        "",
        (
            "为方便公民、法人和其他组织依法申请获取政府信息，现提供政府信息公开申请表。",
            "申请人可下载填写后，通过信函、当面提交或网上申请等方式向有关行政机关提出申请。",
        ),
        form_attachment=True,
    ),
    Notice(
        "示例区政府信息公开指南",
        date(2019, 11, 20),
        "10:00",
        "",
        (
            "本指南说明示例区人民政府主动公开和依申请公开政府信息的范围、方式和程序。",
            "主动公开的政府信息通过门户网站、政务新媒体和政府信息查阅场所公开。",
            "申请获取政府信息的，可填写政府信息公开申请表提出申请，行政机关在法定期限内予以答复。",
        ),
        encoding="gb18030",
    ),
    Notice(
        "关于开展政府网站年度报表工作的通知",
        date(2021, 1, 6),
        "09:10",
        "示政办函〔2021〕2号",
        (
            "各街道办事处、区政府各部门：",
            "请各单位按照政府网站管理有关要求，于1月15日前完成本单位政府网站工作年度报表的填报和发布。",
        ),
    ),
    Notice(
        "2022年政务公开工作要点",
        date(2022, 4, 15),
        "15:30",
        "示政办发〔2022〕9号",
        (
            "2022年，全区政务公开工作要围绕中心工作，加强政策解读和回应关切，提升政务公开质量。",
            "各单位要做好政府信息公开工作年度报告的编制和发布，确保格式规范、数据准确。",
        ),
    ),
    Notice(
        "示例区政府信息主动公开基本目录",
        date(2023, 5, 10),
        "11:05",
        "",
        (
            "本目录列出示例区人民政府及其工作部门主动公开的政府信息类别，包括机构职能、政策文件、"
            "规划计划、财政资金、政府信息公开工作年度报告等。",
        ),
    ),
    Notice(
        "关于报送2023年政府信息公开工作年度报告的通知",
        date(2024, 1, 8),
        "08:50",
        "示政办函〔2024〕1号",
        (
            "各街道办事处、区政府各部门：",
            "请各单位按照国家规定的格式编制本单位2023年政府信息公开工作年度报告，于1月31日前报区政务公开办公室，"
            "并在本单位网站政府信息公开专栏发布。",
            "年度报告中的统计表格须核对勾稽关系，确保数据准确。",
        ),
    ),
)


def main() -> None:
    rng = random.Random(RANDOM_SEED)
    reports = build_catalog(rng)
    texts = {r.key: report_text(rng, r.agency, r.year, r.figures, r.style) for r in reports}
    report_articles = {r.key: new_report_article(rng, r) for r in reports}
    notice_articles = [new_notice_article(n) for n in NOTICES]
    everything = [*report_articles.values(), *notice_articles]
    number_articles(everything)
    link_related(reports, report_articles)

    files: dict[str, bytes] = {}
    documents: dict[str, str] = {}
    for report in reports:
        article = report_articles[report.key]
        documents[report.key] = fill_report_body(rng, report, article, texts[report.key], files)
    for notice, article in zip(NOTICES, notice_articles, strict=True):
        fill_notice_body(rng, notice, article, files)
    for article in everything:
        files[article.path] = encode(pages.article_page(article), article.encoding)

    column = sorted(everything, key=lambda a: a.doc_id, reverse=True)
    list_paths = add_list_pages(column, files)
    add_site_pages(column, files)
    write_site(files)

    expected = expected_json(reports, report_articles, documents, texts, notice_articles, list_paths, files)
    EXPECTED.write_text(compact_json(expected), encoding="utf-8")


# --- articles ---------------------------------------------------------------------------------------


def new_report_article(rng: random.Random, report: Report) -> Article:
    written = report.published - timedelta(days=rng.randint(1, 12))
    return Article(
        0,
        report.published,
        report.time,
        report.title,
        report.agency.name,
        report.agency.code,
        written,
        encoding=report.style.encoding,
        container=report.style.container,
    )


def new_notice_article(notice: Notice) -> Article:
    return Article(
        0,
        notice.published,
        notice.time,
        notice.title,
        OFFICE,
        OFFICE_CODE,
        notice.published - timedelta(days=3),
        doc_number=notice.doc_number,
        encoding=notice.encoding,
    )


def number_articles(articles: list[Article]) -> None:
    """TRS doc ids grow with publication; the 索引号 is agency code, year, date and a running number."""
    doc_id = FIRST_DOC_ID
    per_day: dict[tuple[str, date], int] = {}
    for article in sorted(articles, key=lambda a: (a.published, a.time, a.title)):
        doc_id += 1 + (sum(map(ord, article.title)) % 2400)
        article.doc_id = doc_id
        code = article.index_code
        per_day[(code, article.published)] = per_day.get((code, article.published), 0) + 1
        article.index_code = (
            f"{code}-2/{article.published:%Y}-{article.published:%m%d}"
            f"{per_day[(code, article.published)]:03d}"
        )


def link_related(reports: list[Report], articles: dict[str, Article]) -> None:
    """相关链接: the agency's reports of the nearest other years."""
    for report in reports:
        siblings = [r for r in reports if r.agency == report.agency and r is not report]
        siblings.sort(key=lambda r: (abs(r.year - report.year), r.year))
        articles[report.key].related = [articles[r.key] for r in siblings[:3]]


def report_grids(report: Report) -> dict[str, Grid]:
    return {
        "proactive": disclosure_table(report.figures, report.style),
        "applications": applications_table(report.figures, report.style),
        "reviews": reviews_table(report.figures, report.style),
    }


def attachment_name(rng: random.Random, published: date) -> str:
    """TRS attachment naming: P0 + publication date + a 12-digit number."""
    return f"P0{published:%Y%m%d}{rng.randint(10**11, 10**12 - 1)}.docx"


def fill_report_body(
    rng: random.Random, report: Report, article: Article, text: ReportText, files: dict[str, bytes]
) -> str:
    """Write the report into its page, or into a DOCX the page links; return the document's path."""
    grids = report_grids(report)
    if report.style.fmt == "html":
        article.body = pages.report_body(report.title, text, grids, report.style)
        return article.path
    name = attachment_name(rng, report.published)
    document_path = f"{pages.COLUMN_DIR}{article.folder}/{name}"
    files[document_path] = report_docx(
        report.title, report.agency.name, article.written, text, grids, report.style.duplicate_overview
    )
    article.body = pages.attachment_body(report.title, f"./{name}", report.style)
    return document_path


def fill_notice_body(rng: random.Random, notice: Notice, article: Article, files: dict[str, bytes]) -> None:
    body = [f'<p style="text-indent:2em;">{pages.esc(p)}</p>' for p in notice.paragraphs]
    if notice.form_attachment:
        name = attachment_name(rng, notice.published)
        files[f"{pages.COLUMN_DIR}{article.folder}/{name}"] = form_docx(notice.title, OFFICE, article.written)
        body.append(f'<p>附件：<a href="./{name}">{pages.esc(notice.title)}.docx</a></p>')
    body.append(f'<p style="text-align:right;">{OFFICE}</p>')
    body.append(
        f'<p style="text-align:right;">{notice.published.year}年{notice.published.month}月'
        f"{notice.published.day}日</p>"
    )
    article.body = "\n".join(body)


# --- other pages ------------------------------------------------------------------------------------


def add_list_pages(column: list[Article], files: dict[str, bytes]) -> dict[str, str]:
    """index.html, index_1.html …, newest first; returns each list page's path and encoding."""
    count = (len(column) + PAGE_SIZE - 1) // PAGE_SIZE
    paths = {}
    for index in range(count):
        name = "index.html" if index == 0 else f"index_{index}.html"
        encoding = "gb18030" if index == GBK_LIST_PAGE else "utf-8"
        items = column[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
        path = f"{pages.COLUMN_DIR}{name}"
        files[path] = encode(pages.list_page(items, index, count, encoding, len(column)), encoding)
        paths[path] = encoding
    return paths


def add_site_pages(column: list[Article], files: dict[str, bytes]) -> None:
    home = '<a href="/index.html">首页</a>'
    xxgk_links = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in pages.XXGK_COLUMNS)
    simple = {
        "/zfxxgk/index.html": ("政府信息公开", f'<ul class="xxgk-columns">{xxgk_links}</ul>', home),
        "/zwdt/index.html": ("政务动态", "<p>暂无信息。</p>", home),
        "/bsfw/index.html": ("办事服务", "<p>暂无信息。</p>", home),
        "/zmhd/index.html": ("政民互动", "<p>暂无信息。</p>", home),
        "/zfxxgk/zfxxgkzn/index.html": ("政府信息公开指南", "<p>见政府信息公开年报栏目中的指南。</p>", home),
        "/zfxxgk/zfxxgkzd/index.html": ("政府信息公开制度", "<p>暂无信息。</p>", home),
        "/zfxxgk/fdzdgknr/index.html": ("法定主动公开内容", "<p>暂无信息。</p>", home),
        "/search/index.html": ("站内搜索", "<p>搜索服务页面，robots.txt 禁止抓取。</p>", home),
    }
    for path, (title, body, crumbs) in simple.items():
        files[path] = encode(pages.simple_page(title, body, crumbs), "utf-8")
    files["/index.html"] = encode(pages.home_page(column[:5]), "utf-8")
    files["/robots.txt"] = b"User-agent: *\nDisallow: /search/\n"
    files["/css/style.css"] = pages.STYLE_CSS.encode("utf-8")


def encode(text: str, encoding: str) -> bytes:
    """GB pages are written with the GBK codec so that every byte also decodes as gb18030."""
    return text.encode("gbk" if encoding == "gb18030" else "utf-8")


def write_site(files: dict[str, bytes]) -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    for path in sorted(files):
        target = SITE / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[path])


# --- expected.json ----------------------------------------------------------------------------------


def expected_report(
    report: Report, article: Article, document_path: str, text: ReportText
) -> dict[str, object]:
    figures = report.figures
    entry: dict[str, object] = {
        "path": article.path,
        "document_path": document_path,
        "format": report.style.fmt,
        "encoding": report.style.encoding,
        "title": report.title,
        "agency": report.agency.name,
        "region": report.agency.region,
        "level": report.agency.level,
        "year": report.year,
        "published": f"{report.published:%Y-%m-%d}",
        "template": figures.template,
        "seed": SEED_IDS[report.seed] if report.seed else None,
        "container": report.style.container,
        "markup": report.style.markup if report.style.fmt == "html" else None,
        "sections": [{"key": s.key, "heading": s.heading} for s in text.sections],
        "disclosure": figures.disclosure_rows(),
        "applications": {row: figures.applications[row] for row in expected_rows(figures.split_other)},
        "reviews": figures.reviews,
        "broken_identities": figures.broken,
        "quirks": report.style.quirks(),
    }
    if figures.note:
        entry["figures_note"] = figures.note
    return entry


def expected_json(
    reports: list[Report],
    articles: dict[str, Article],
    documents: dict[str, str],
    texts: dict[str, ReportText],
    notices: list[Article],
    list_paths: dict[str, str],
    files: dict[str, bytes],
) -> dict[str, object]:
    non_reports = []
    for article in notices:
        entry: dict[str, object] = {
            "path": article.path,
            "title": article.title,
            "published": f"{article.published:%Y-%m-%d}",
            "encoding": article.encoding,
        }
        attachments = [
            p
            for p in files
            if p.startswith(f"{pages.COLUMN_DIR}{article.folder}/P0")
            and article.body.count(p.rsplit("/", 1)[1])
        ]
        if attachments:
            entry["attachments"] = attachments
        non_reports.append(entry)
    return {
        "site_title": pages.SITE_TITLE,
        "home_path": "/index.html",
        "column_path": f"{pages.COLUMN_DIR}index.html",
        "list_pages": len(list_paths),
        "page_size": PAGE_SIZE,
        "list_page_encodings": list_paths,
        "robots_disallow": ["/search/"],
        "never_fetch": ["/search/index.html"],
        "reports": [expected_report(r, articles[r.key], documents[r.key], texts[r.key]) for r in reports],
        "non_reports": non_reports,
    }


def compact_json(data: object) -> str:
    """Indented JSON with innermost objects on one line, so a table row reads as one line."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    leaf = re.compile(r"\{[^{}\[\]]*\}")
    return leaf.sub(lambda m: re.sub(r"\s*\n\s*", " ", m.group(0)), text) + "\n"


if __name__ == "__main__":
    main()

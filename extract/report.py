"""One document's bytes → the report JSON of parse-contract.md."""

from __future__ import annotations

import hashlib
import re
import zipfile
from io import BytesIO
from pathlib import PurePath

from extract.agency import agency_from_body, year_from_opening
from extract.document import Document
from extract.findings import finding
from extract.metadata import date_from_url, iso_date, title_agency_year, title_from_lines, year_from_text
from extract.readers.docx import read_docx
from extract.readers.expansion import ZIP_ERRORS, oversized, too_large_finding
from extract.readers.html import read_html
from extract.readers.markdown import MARKDOWN, looks_like_markdown, read_markdown
from extract.readers.text import read_text
from extract.regions import level_of, region_of, region_parts
from extract.sections import split_sections
from extract.tables import (
    ApplicationsTable,
    DisclosureTable,
    ReviewsTable,
    StatisticsTable,
    read_applications,
    read_disclosure,
    read_reviews,
    read_statistics,
    read_stray_reviews,
    table_text,
)
from extract.template import APPLICATION_GROUPS, METRICS_2019, METRICS_2021
from extract.validate import check_applications, check_narrative, check_reviews

HTML = "text/html"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
DOC = "application/msword"
WPS = "application/vnd.ms-works"  # Kingsoft WPS 文字: an OLE file LibreOffice reads like DOC
XLS = "application/vnd.ms-excel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"
ZIP = "application/zip"

# OLE compound files name their main stream in UTF-16 with a closing NUL: it tells Word from Excel
# (without the NUL, Word's style 「Book Title」 looks like Excel's 「Book」 stream).
_OLE_WORD = "WordDocument\x00".encode("utf-16-le")
_OLE_WORKBOOK = ("Workbook\x00".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))


class UnreadableDocument(ValueError):
    """The bytes are not a document at all (empty, or binary of no known kind)."""


def sniff_media_type(data: bytes, declared: str | None = None, path: str | None = None) -> str:
    """The document's type from its bytes; the declared type, then the file's extension, only break ties.

    ``sniff_findings`` says so when the bytes overrule either."""
    head = data[:2048].lstrip()
    declared = (declared or "").split(";")[0].strip().lower()
    if data.startswith(b"%PDF"):
        return PDF
    if data.startswith(b"\x89PNG"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if _OLE_WORD not in data and (any(name in data for name in _OLE_WORKBOOK) or "excel" in declared):
            return XLS
        return WPS if "works" in declared or "wps" in declared else DOC
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except ZIP_ERRORS as error:
            raise UnreadableDocument(f"damaged ZIP container: {error}") from error
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        return ZIP
    lowered = head[:512].lower()
    if b"<html" in lowered or b"<body" in lowered or looks_like_html(data):
        return HTML
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("binary data of no known document type")
    # A .html file is HTML whatever its first bytes, unless a declared text type says otherwise.
    if declared == HTML or (not declared.startswith("text/") and extension_type(path) == HTML):
        return HTML
    # Converter markdown (pipe tables, 「#」 headings), or text the declared type or the extension calls so.
    if looks_like_markdown(data) or MARKDOWN in (_declared_type(declared), extension_type(path)):
        return MARKDOWN
    return TEXT


# What browsers sniff as HTML (WHATWG MIME Sniffing, 「text/html」 patterns) and the tags saved article
# bodies open with: 「<div class=TRS_Editor>」, 「<p style=…>」, 「<table …>」, 「<span>」 — no <html>, no <body>.
_HTML_OPENING_TAG = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|link|title|script|style|iframe|div|p|span|font|strong|b|i|u|em"
    rb"|a|br|hr|img|center|table|thead|tbody|tr|td|th|h[1-6]|section|article|header|footer|main|nav|ul|ol"
    rb"|li|blockquote|pre|form|o:p)(?=[\s>/])",
    re.IGNORECASE,
)
_HTML_COMMENT = re.compile(rb"<!--.*?-->\s*", re.DOTALL)
_TABLE_TAG = re.compile(rb"<table[\s>]", re.IGNORECASE)
_ROW_OR_CELL_TAG = re.compile(rb"<t[rd][\s>]", re.IGNORECASE)
_UTF8_BOM = b"\xef\xbb\xbf"


def looks_like_html(data: bytes) -> bool:
    """HTML by content: the first thing after spaces (and comments) is a known tag, or there is table markup.

    Browsers take a leading 「<!--」 alone as HTML; here what follows the comments decides, so Word's
    「<!--[if …]-->」 before a tag is HTML while a converter's markdown opening 「<!-- image -->」 is not.
    """
    head = data[:4096].removeprefix(_UTF8_BOM).lstrip()
    while head.startswith(b"<!--") and (comment := _HTML_COMMENT.match(head)):
        head = head[comment.end() :]
    if _HTML_OPENING_TAG.match(head):
        return True
    # Text before the table (a title line, then <table>…): the table markup still makes it HTML. A
    # document opening with a markdown heading is a converter's markdown with inline tables, not HTML.
    if head.startswith(b"#"):
        return False
    return bool(_TABLE_TAG.search(data) and _ROW_OR_CELL_TAG.search(data))


# The types file extensions name; text types (plain, markdown) are one kind for the purpose of a finding.
_EXTENSION_TYPES = {
    ".html": HTML,
    ".htm": HTML,
    ".shtml": HTML,
    ".xhtml": HTML,
    ".txt": TEXT,
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".pdf": PDF,
    ".doc": DOC,
    ".docx": DOCX,
    ".wps": WPS,
    ".xls": XLS,
    ".xlsx": XLSX,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".zip": ZIP,
}
# Declared types that name one of ours under another spelling; generic ones (application/octet-stream)
# name none and are never overruled.
_DECLARED_ALIASES = {
    "application/xhtml+xml": HTML,
    "text/htm": HTML,
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "application/x-pdf": PDF,
    "application/x-msword": DOC,
    "application/doc": DOC,
    "application/kswps": WPS,
    "application/wps-office.wps": WPS,
    "application/x-zip-compressed": ZIP,
    "text/x-markdown": "text/markdown",
}
_KNOWN_TYPES = {*_EXTENSION_TYPES.values()}


def extension_type(path: str | None) -> str | None:
    return _EXTENSION_TYPES.get(PurePath(path).suffix.lower()) if path else None


def _declared_type(declared: str | None) -> str | None:
    name = (declared or "").split(";")[0].strip().lower()
    name = _DECLARED_ALIASES.get(name, name)
    return name if name in _KNOWN_TYPES else None


def _same_kind(said: str, detected: str) -> bool:
    def kind(media_type: str) -> str:
        if media_type.startswith("text/") and media_type != HTML:
            return "text"  # plain text and markdown: one family, read by text readers
        return "word" if media_type in (DOC, WPS) else media_type  # WPS is told from DOC by the label only

    # DOCX and XLSX are ZIP containers: a server calling them application/zip is not wrong.
    return kind(said) == kind(detected) or (said == ZIP and detected in (DOCX, XLSX))


def sniff_findings(detected: str, declared: str | None, path: str | None) -> list[dict]:
    """A finding for each thing the container said (declared type, file extension) that the bytes overruled."""
    findings = []
    said = _declared_type(declared)
    if said and not _same_kind(said, detected):
        findings.append(
            finding(
                "document.sniffed",
                "media_type",
                f"声明的类型 {declared} 与内容不符，按内容读作 {detected}",
                "warning",
            )
        )
    by_extension = extension_type(path)
    if by_extension and not _same_kind(by_extension, detected):
        findings.append(
            finding(
                "document.sniffed",
                "path",
                f"文件扩展名 {PurePath(path or '').suffix} 与内容不符，按内容读作 {detected}",
                "warning",
            )
        )
    return findings


def read_document(data: bytes, media_type: str, declared: str | None = None) -> Document:
    """Bytes of a known type → Document. Heavy readers (PDF, OCR, LibreOffice) load only when needed.

    ``declared`` is the type the container gave (an HTTP header): its charset is one the HTML reader weighs."""
    if problem := oversized(data, media_type):
        document = Document(media_type=media_type)
        document.findings.append(too_large_finding(problem))
        return document
    try:
        if media_type == HTML:
            return read_html(data, declared or media_type)
        if media_type == TEXT:
            return read_text(data)
        if media_type == MARKDOWN:
            return read_markdown(data)
        if media_type == DOCX:
            return read_docx(data)
        if media_type == PDF:
            from extract.readers.pdf import read_pdf

            return read_pdf(data)
        if media_type in (DOC, WPS):
            from extract.readers.office import read_word_binary

            return read_word_binary(data, media_type)
        if media_type == XLSX:
            from extract.readers.spreadsheet import read_xlsx

            return read_xlsx(data)
        if media_type == XLS:
            from extract.readers.spreadsheet import read_xls

            return read_xls(data)
        if media_type in (PNG, JPEG):
            from extract.readers.ocr import read_image

            return read_image(data, media_type)
    except UnreadableDocument:
        raise
    except Exception as error:  # damaged files raise many types in the libraries underneath
        raise UnreadableDocument(f"damaged {media_type} document: {type(error).__name__}: {error}") from error
    document = Document(media_type=media_type)
    document.findings.append(
        finding(
            "document.unsupported",
            "document",
            f"{media_type} 不是可读取的报告格式，原始字节已保存",
            "warning",
        )
    )
    return document


def parse_document(
    data: bytes, *, path: str | None = None, url: str | None = None, media_type: str | None = None
) -> dict:
    """Extract one report. Raises UnreadableDocument only when the bytes are no document at all."""
    if not data.strip():
        raise UnreadableDocument("empty document")
    detected = sniff_media_type(data, media_type, path)
    document = read_document(data, detected, media_type)
    findings = [*sniff_findings(detected, media_type, path), *document.findings]

    tables = _read_tables(document)
    for table in filter(None, tables.values()):
        findings.extend(table.findings)
    applications = tables["applications"].rows if tables["applications"] else {}
    reviews = tables["reviews"].values if tables["reviews"] else {}
    disclosure = tables["disclosure"].cells if tables["disclosure"] else []
    statistics = tables["statistics"].entries if tables["statistics"] else []

    split = split_sections(document.text_lines)
    meta = report_metadata(document, split.preamble, url)
    template = detect_template(tables["disclosure"], applications, statistics, meta["year"])
    if template == "legacy":
        split = split_sections(document.text_lines, expect_standard=False)
    findings.extend(split.findings)
    if template != "legacy":
        findings.extend(_missing_tables(tables))
    findings.extend(check_applications(applications))
    findings.extend(check_reviews(reviews))
    overview = next((s["text"] for s in split.sections if s["key"] == "overview"), "")
    findings.extend(check_narrative(overview, applications))
    if meta["year"] is None:
        findings.append(finding("metadata.year", "year", "标题和正文均未给出报告年度"))
    if meta["agency"] is None:
        findings.append(finding("metadata.agency", "agency", "标题和页面均未给出发布机关", "warning"))

    report = {
        "source": {
            "path": path,
            "url": url,
            "media_type": detected,
            "sha256": hashlib.sha256(data).hexdigest(),
            "ocr": document.ocr,  # True: every number below was read by OCR from page images
        },
        **meta,
        "template": template,
        "sections": split.sections,
        "disclosure": disclosure,
        "applications": applications,
        "reviews": reviews,
        "findings": findings,
    }
    if statistics:
        report["statistics"] = statistics
    return report


def report_metadata(document: Document, preamble: list[str], url: str | None) -> dict:
    """Title, agency, region, level, year and date: from the title, page meta tags, the text and the URL."""
    title = (
        document.meta.get("ArticleTitle")
        or document.meta.get("标题")
        or _page_title(document.meta.get("page_title"))
        or title_from_lines(preamble)
    )
    agency, year = title_agency_year(title) if title else (None, None)
    # No title naming the agency (a saved article body): its signature or opening may.
    agency = (
        agency
        or document.meta.get("ContentSource")
        or document.meta.get("发布机构")
        or agency_from_body(document.text_lines)
    )
    text = "\n".join(document.text_lines)
    year = year or year_from_text(text) or year_from_opening(document.text_lines)
    published = (
        iso_date(document.meta.get("PubDate"))
        or iso_date(document.meta.get("发布日期"))
        or date_from_url(url)
    )
    # The document's own text settles names several places share (朝阳区 of 北京 or of 长春).
    region = region_of(agency, context=f"{title or ''}\n{text}")
    return {
        "title": title,
        "agency": agency,
        "region": region.name if region else None,
        "region_parts": region_parts(region),
        "level": level_of(agency, region),
        "year": year,
        "published": published,
    }


_TABLE_NAMES = {
    "applications": ("表三（收到和处理政府信息公开申请情况）", "error"),
    "reviews": ("表四（行政复议、行政诉讼情况）", "error"),
    "disclosure": ("表二（主动公开政府信息情况）", "warning"),
}


def _missing_tables(tables: dict) -> list[dict]:
    return [
        finding("table.missing", key, f"未找到{name}", severity)
        for key, (name, severity) in _TABLE_NAMES.items()
        if tables[key] is None
    ]


def _read_tables(document: Document) -> dict:
    """The first table of each kind, recognised by its content, not by its position."""
    found: dict = {"disclosure": None, "applications": None, "reviews": None, "statistics": None}
    for table in document.tables:
        text = table_text(table)
        if StatisticsTable.recognise(text):  # first: a 统计表 also names 行政复议 and 行政诉讼
            found["statistics"] = found["statistics"] or read_statistics(table)
        elif found["reviews"] is None and ReviewsTable.recognise(text):
            found["reviews"] = read_reviews(table)
        elif found["applications"] is None and ApplicationsTable.recognise(text):
            found["applications"] = read_applications(table)
        elif found["disclosure"] is None and DisclosureTable.recognise(text):
            found["disclosure"] = read_disclosure(table)
    if found["reviews"] is None:
        found["reviews"] = next(filter(None, map(read_stray_reviews, document.tables)), None)
    return found


# The national template applies from report year 2019 (2019 itself only encouraged).
_FIRST_TEMPLATE_YEAR = 2019


def detect_template(
    disclosure: DisclosureTable | None, applications: dict, statistics: list[dict], year: int | None
) -> str:
    """From the tables themselves: table 二's column headers first, then table 三's （六） sub-rows;
    a 统计表 without the standard tables, or a year before the template, is legacy."""
    metrics = disclosure.metrics if disclosure else set()
    if metrics & METRICS_2021:
        return "2021"
    if metrics & METRICS_2019:
        return "2019"
    if any(key in applications for key in APPLICATION_GROUPS["other"]):
        return "2021"
    if applications:
        return "2019"
    if statistics or (year is not None and year < _FIRST_TEMPLATE_YEAR):
        return "legacy"
    return "unknown"


def _page_title(page_title: str | None) -> str | None:
    # 「标题_站点名」: the part that names the report.
    if not page_title:
        return None
    for separator in ("_", "—", " - ", "|"):
        for part in page_title.split(separator):
            if "报告" in part:
                return part.strip()
    return None

"""DOCX attachments: a report as Word writes it (plain paragraphs as headings, real merged-cell tables)
and a small application form. Zip entries get fixed timestamps so rebuilding gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from narrative import ReportText
from report_tables import SPAN, Grid, place


def new_document(title: str, author: str, written: date) -> Document:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "仿宋_GB2312"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")  # CJK text ignores font.name
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = datetime(written.year, written.month, written.day, 9, 0)
    props.revision = 1
    return document


def add_text(paragraph: Paragraph, text: str, bold: bool = False, size: int | None = None) -> None:
    """Text with line breaks; span boundaries only matter in HTML, so they are dropped here."""
    lines = text.replace(SPAN, "").split("\n")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    run.bold = bold
    if size:
        run.font.size = Pt(size)


def add_table(document: Document, grid: Grid) -> None:
    """Write a grid as a Word table, merging cells exactly where the grid spans them."""
    placed, width = place(grid)
    height = len(grid)
    table = document.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    for r, c, cell in placed:
        target: _Cell = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        paragraph = target.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if not cell.blank:
            add_text(paragraph, cell.text, size=10)


def report_docx(
    title: str,
    author: str,
    written: date,
    text: ReportText,
    tables: dict[str, Grid],
    duplicate_overview: bool = False,
) -> bytes:
    document = new_document(title, author, written)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(heading, title, bold=True, size=18)
    add_text(document.add_paragraph(), text.preface)
    for section in text.sections:
        add_text(document.add_paragraph(), section.heading, bold=True)
        if section.key == "overview" and duplicate_overview:
            add_text(document.add_paragraph(), section.heading, bold=True)
        if section.key in tables:
            add_table(document, tables[section.key])
        for body in section.paragraphs:
            add_text(document.add_paragraph(), body)
    return frozen_zip(document, written)


FORM_ROWS = (
    ("申请人信息", "公民", "姓名", "证件号码"),
    ("申请人信息", "法人或其他组织", "名称", "统一社会信用代码"),
    ("申请人信息", "联系方式", "联系电话", "通信地址"),
    ("所需信息情况", "所需信息的内容描述", "", ""),
    ("所需信息情况", "获取信息的方式", "邮寄 / 电子邮件 / 当面领取", ""),
)


def form_docx(title: str, author: str, written: date) -> bytes:
    """The 政府信息公开申请表 attachment: a form, not a report, with a merged label column."""
    document = new_document(title, author, written)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(heading, title, bold=True, size=16)
    table = document.add_table(rows=len(FORM_ROWS), cols=4)
    table.style = "Table Grid"
    for r, row in enumerate(FORM_ROWS):
        for c, text in enumerate(row[1:], start=1):
            table.cell(r, c).text = text
    table.cell(0, 0).merge(table.cell(2, 0)).text = FORM_ROWS[0][0]
    table.cell(3, 0).merge(table.cell(4, 0)).text = FORM_ROWS[3][0]
    add_text(document.add_paragraph(), "申请人签名（盖章）：　　　　　　申请日期：")
    return frozen_zip(document, written)


def frozen_zip(document: Document, written: date) -> bytes:
    """Re-pack the saved package with one fixed timestamp per entry (python-docx stamps 'now')."""
    raw = io.BytesIO()
    document.save(raw)
    stamp = (written.year, written.month, written.day, 9, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()

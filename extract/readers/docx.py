"""DOCX attachments with python-docx: body paragraphs and tables in document order."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

import docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from extract.document import Cell, Document, Paragraph, Table


def table_grid(table: DocxTable) -> Table:
    # python-docx repeats a merged cell at every grid position it covers; mark all but the first.
    seen: dict[int, object] = {}
    rows: list[list[Cell]] = []
    for row in table.rows:
        cells: list[Cell] = []
        for cell in row.cells:
            key = id(cell._tc)
            cells.append(Cell(" ".join(cell.text.split()), spanned=key in seen))
            seen[key] = cell._tc  # keeps the element alive so its id is not reused
        rows.append(cells)
    return Table(rows)


def read_docx(data: bytes) -> Document:
    word = docx.Document(io.BytesIO(data))
    document = Document(media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    for block in word.iter_inner_content():
        if isinstance(block, DocxParagraph):
            text = block.text.strip()
            if text:
                document.blocks.append(Paragraph(text))
                document.text_lines.append(text)
        elif isinstance(block, DocxTable):
            document.blocks.append(table_grid(block))
    title = core_title(data)
    # A title property is often stale (copied from a template): trust only a report's title.
    if title and "报告" in title:
        document.meta["ArticleTitle"] = title
    return document


_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def core_title(data: bytes) -> str | None:
    """dc:title from docProps/core.xml itself: python-docx misses the core properties LibreOffice
    writes (another relationship URI) and then reports its default title 「Word Document」."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        try:
            xml = package.read("docProps/core.xml")
        except KeyError:
            return None
    element = ElementTree.fromstring(xml).find(_DC_TITLE)
    title = " ".join((element.text or "").split()) if element is not None else ""
    return title or None

"""Plain text, including tables flattened from DOCX as the seeds show them.

Two flattenings occur:
- one cell per line: each cell line starts with a tab, a blank line ends a row, and a line without the
  leading tab right after a cell continues that cell (a header wrapped inside its cell);
- one row per line: cells separated by tabs.

A page's text rendering (a web archiver's page.txt) adds a header of 「标题: …」/「发布时间: …」 lines above a
「==== 正文 ====」 line, which become the document's meta, and may run a legacy 统计表 into one line of text
(「指标名称计量单位2016年度历年累计主动公开文件数条346085376…」), which extract/flattened.py reads back
into a grid.
"""

from __future__ import annotations

import re

from extract.document import Cell, Document, Paragraph, Table
from extract.flattened import find_flattened_statistics, has_statistics_header

_CELL_PER_LINE = re.compile(r"^\t[^\t]*$")
# A line this short between cell lines is a cell's second paragraph, not body text.
_MAX_CELL_PARAGRAPH = 12
# An archiver's page.txt: 「key: value」 lines, then this line, then the page's text.
_ARCHIVE_BODY = re.compile(r"^=+\s*正文\s*=+\s*$")
_ARCHIVE_FIELD = re.compile(r"^([^\s:：]{2,8})\s*[:：]\s*(.*)$")
_ARCHIVE_HEADER_LINES = 30
# The archiver's labels under the names report_metadata reads (the HTML 索引号 table's).
_ARCHIVE_META_NAMES = {"发布时间": "发布日期"}


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def read_text(data: bytes) -> Document:
    lines = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, lines = _archive_header(lines)
    cell_lines = sum(1 for line in lines if _CELL_PER_LINE.match(line))
    row_lines = sum(1 for line in lines if line.strip("\t").count("\t") >= 1)
    if cell_lines > row_lines:
        blocks = _read_cell_per_line(lines)
    else:
        blocks = _read_row_per_line(lines)
    document = Document(media_type="text/plain", meta=meta)
    document.blocks = _unflatten_statistics(blocks, document.findings)
    document.text_lines = [block.text for block in document.blocks if isinstance(block, Paragraph)]
    return document


def _archive_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The archiver's 「标题: …」 lines as meta, and the page's own lines after 「==== 正文 ====」."""
    body = next(
        (index for index, line in enumerate(lines[:_ARCHIVE_HEADER_LINES]) if _ARCHIVE_BODY.match(line)), None
    )
    if body is None:
        return {}, lines
    meta: dict[str, str] = {}
    for line in lines[:body]:
        if (field := _ARCHIVE_FIELD.match(line.strip())) and field[2].strip():
            name, value = field[1], field[2].strip()
            meta[name] = value
            meta.setdefault(_ARCHIVE_META_NAMES.get(name, name), value)
    return meta, lines[body + 1 :]


def _unflatten_statistics(blocks: list[Paragraph | Table], findings: list[dict]) -> list[Paragraph | Table]:
    """A 统计表 run into a paragraph becomes the grid it was; the text around it stays paragraphs."""
    for index, block in enumerate(blocks):
        if not isinstance(block, Paragraph) or not has_statistics_header(block.text):
            continue
        context = "\n".join(
            other.text for other in blocks if isinstance(other, Paragraph) and other is not block
        )
        flattened = find_flattened_statistics(block.text, context)
        if flattened is None:
            continue
        findings.extend(flattened.findings)
        around = [
            _paragraph(block.text[: flattened.start]),
            flattened.table,
            _paragraph(block.text[flattened.end :]),
        ]
        return [*blocks[:index], *filter(None, around), *blocks[index + 1 :]]
    return blocks


def _paragraph(line: str) -> Paragraph | None:
    text = line.strip().strip("\u3000").strip()
    return Paragraph(text) if text else None


def _read_cell_per_line(lines: list[str]) -> list[Paragraph | Table]:
    blocks: list[Paragraph | Table] = []
    rows: list[list[Cell]] = []
    row: list[Cell] = []

    def end_row() -> None:
        nonlocal row
        if row:
            rows.append(row)
            row = []

    def end_table() -> None:
        nonlocal rows
        end_row()
        if rows:
            blocks.append(Table(rows))
            rows = []

    for index, line in enumerate(lines):
        next_line = lines[index + 1] if index + 1 < len(lines) else ""
        if line.startswith("\t"):
            row.append(Cell(line[1:].strip()))
        elif not line.strip():
            end_row()
        elif row:
            # A wrapped cell: the line continues the cell above it.
            row[-1].text += line.strip()
        elif rows and next_line.startswith("\t") and len(line.strip()) <= _MAX_CELL_PARAGRAPH:
            # A second paragraph inside a cell (「（三）不予」, blank line, 「公开」): reopen the row.
            row = rows.pop()
            row[-1].text += line.strip()
        else:
            end_table()
            paragraph = _paragraph(line)
            if paragraph:
                blocks.append(paragraph)
    end_table()
    return blocks


def _read_row_per_line(lines: list[str]) -> list[Paragraph | Table]:
    blocks: list[Paragraph | Table] = []
    rows: list[list[Cell]] = []
    for line in lines:
        if "\t" in line.strip(" "):
            rows.append([Cell(text.strip()) for text in line.split("\t")])
        elif not line.strip():
            continue  # blank lines occur inside flattened tables too
        else:
            if rows:
                blocks.append(Table(rows))
                rows = []
            paragraph = _paragraph(line)
            if paragraph:
                blocks.append(paragraph)
    if rows:
        blocks.append(Table(rows))
    return blocks

"""Plain text, including tables flattened from DOCX as the seeds show them.

Two flattenings occur:
- one cell per line: each cell line starts with a tab, a blank line ends a row, and a line without the
  leading tab right after a cell continues that cell (a header wrapped inside its cell);
- one row per line: cells separated by tabs.
"""

from __future__ import annotations

import re

from extract.document import Cell, Document, Paragraph, Table

_CELL_PER_LINE = re.compile(r"^\t[^\t]*$")
# A line this short between cell lines is a cell's second paragraph, not body text.
_MAX_CELL_PARAGRAPH = 12


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def read_text(data: bytes) -> Document:
    lines = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cell_lines = sum(1 for line in lines if _CELL_PER_LINE.match(line))
    row_lines = sum(1 for line in lines if line.strip("\t").count("\t") >= 1)
    if cell_lines > row_lines:
        blocks = _read_cell_per_line(lines)
    else:
        blocks = _read_row_per_line(lines)
    document = Document(media_type="text/plain", blocks=blocks)
    document.text_lines = [block.text for block in blocks if isinstance(block, Paragraph)]
    return document


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

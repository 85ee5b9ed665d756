"""XLSX (openpyxl) and XLS (xlrd) attachments: each sheet's tables as grids, its title lines as text.

Report spreadsheets hold tables 二/三/四, one sheet each or stacked in one sheet, under a title or a
heading written in one cell merged across the table's width. Such single-cell rows become paragraphs
when they stand before a table, after it, or between two tables as a numbered heading (「四、…」);
inside a table (table 二's 「第二十条第（五）项」 rows) they stay rows of the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

import openpyxl
import xlrd

from extract.document import Block, Cell, Document, Paragraph, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"

# A line between two table rows that starts a new table rather than continuing this one.
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|表[一二三四五六七八九十\d])")


@dataclass
class Sheet:
    """One sheet's non-empty cell texts and merged ranges, 0-based; merges as (row, col, last_row, last_col)."""

    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def read_xlsx(data: bytes) -> Document:
    # read_only=False: read-only worksheets do not know their merged ranges.
    workbook = openpyxl.load_workbook(BytesIO(data), read_only=False, data_only=True)
    return sheets_document(XLSX, [_xlsx_sheet(worksheet) for worksheet in workbook.worksheets])


def read_xls(data: bytes) -> Document:
    # formatting_info=True: without it xlrd leaves merged_cells empty.
    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    return sheets_document(XLS, [_xls_sheet(book, sheet) for sheet in book.sheets()])


def _xlsx_sheet(worksheet) -> Sheet:
    sheet = Sheet()
    # The stored cells only: iter_rows() creates every cell of the used rectangle, which one stray cell
    # far down a sheet makes huge.
    for (row, column), cell in worksheet._cells.items():
        text = cell_text(cell.value)
        if text:
            sheet.texts[(row - 1, column - 1)] = text
    for merged in worksheet.merged_cells.ranges:
        sheet.merges.append((merged.min_row - 1, merged.min_col - 1, merged.max_row - 1, merged.max_col - 1))
    return sheet


def _xls_sheet(book: xlrd.book.Book, xls_sheet: xlrd.sheet.Sheet) -> Sheet:
    sheet = Sheet()
    for r in range(xls_sheet.nrows):
        for c, cell in enumerate(xls_sheet.row(r)):
            text = _xls_cell_text(book, cell)
            if text:
                sheet.texts[(r, c)] = text
    # xlrd's ranges are half-open: (first_row, row_after, first_col, col_after).
    for first_row, row_after, first_col, col_after in xls_sheet.merged_cells:
        sheet.merges.append((first_row, first_col, row_after - 1, col_after - 1))
    return sheet


def _xls_cell_text(book: xlrd.book.Book, cell: xlrd.sheet.Cell) -> str:
    if cell.ctype == xlrd.XL_CELL_DATE:
        return cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell_text(cell.value)


def cell_text(value: object) -> str:
    """A cell's value as the spreadsheet shows it: 28.0 → 「28」, 18.5277 → 「18.5277」, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    return " ".join(str(value).split())


def _number_text(value: float) -> str:
    # Excel shows at most 15 significant digits; the rest are binary artefacts (0.30000000000000004).
    if value == 0:
        return "0"
    text = format(Decimal(f"{value:.15g}"), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------------------------------------- grid


@dataclass
class _Grid:
    """A sheet with merges resolved: each position's Cell, and the merged cell (origin) it belongs to."""

    cells: dict[tuple[int, int], Cell]
    origin: dict[tuple[int, int], tuple[int, int]]
    last_col: dict[tuple[int, int], int]  # origin → the last column it covers

    @classmethod
    def of(cls, sheet: Sheet) -> _Grid:
        grid = cls({pos: Cell(text) for pos, text in sheet.texts.items()}, {}, {})
        for r0, c0, r1, c1 in sheet.merges:
            text = sheet.texts.get((r0, c0), "")  # Excel hides text under a merge: only the first counts
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    grid.cells[(r, c)] = Cell(text, spanned=(r, c) != (r0, c0))
                    grid.origin[(r, c)] = (r0, c0)
            grid.last_col[(r0, c0)] = c1
        return grid

    def source(self, position: tuple[int, int]) -> tuple[int, int]:
        return self.origin.get(position, position)

    def rows(self) -> list[list[tuple[int, Cell]]]:
        """Every row from the first to the last used one, each as its used (column, cell) pairs."""
        if not self.cells:
            return []
        height = max(r for r, _ in self.cells) + 1
        rows: list[list[tuple[int, Cell]]] = [[] for _ in range(height)]
        for (r, c), cell in sorted(self.cells.items()):
            rows[r].append((c, cell))
        return rows


@dataclass
class _Line:
    """A row whose only text is one cell starting in that row: a title, a heading, a note."""

    text: str
    first_col: int
    last_col: int


@dataclass
class _Row:
    cells: list[tuple[int, Cell]]  # (column, cell) of the used positions
    line: _Line | None


def sheet_blocks(sheet: Sheet) -> list[Block]:
    grid = _Grid.of(sheet)
    blocks: list[Block] = []
    lines: list[_Row] = []  # single-cell rows waiting above a possible table
    table: list[_Row] = []  # the rows of the table being collected
    line_origins: set[tuple[int, int]] = set()
    for r, cells in enumerate(grid.rows()):
        sources = {grid.source((r, c)) for c, cell in cells if cell.text}
        if not sources:
            blocks += _paragraphs(lines) + _close_table(table)
            continue
        if len(sources) == 1 and sources <= line_origins:
            continue  # the lower rows of a title merged over several rows
        row = _Row(cells, _line_of(grid, r, cells, sources))
        if row.line is not None and (not table or _starts_new_table(row.line, table)):
            blocks += _close_table(table)
            lines.append(row)
            line_origins |= sources
        elif not table:
            # The line right above a table is its first row unless it reads as a title or heading:
            # table 二 opens with a full-width 「第二十条第（一）项」 row.
            if lines and not _is_heading(lines[-1].line.text):
                table.append(lines.pop())
            blocks += _paragraphs(lines)
            table.append(row)
        else:
            table.append(row)  # a table row, or a line inside or after a table (settled at its end)
    return blocks + _paragraphs(lines) + _close_table(table)


def _paragraphs(lines: list[_Row]) -> list[Block]:
    paragraphs: list[Block] = [Paragraph(row.line.text) for row in lines if row.line]
    lines.clear()
    return paragraphs


def _line_of(grid: _Grid, r: int, cells: list[tuple[int, Cell]], sources: set) -> _Line | None:
    if len(sources) != 1:
        return None
    origin = next(iter(sources))
    if origin[0] != r:
        return None  # a cell merged down from a row above: part of a table
    text = next(cell.text for _, cell in cells if cell.text)
    return _Line(text, origin[1], grid.last_col.get(origin, origin[1]))


def _covers(line: _Line, table: list[_Row]) -> bool:
    """The line's cell spans every column the table's text uses."""
    columns = [c for row in table for c, cell in row.cells if cell.text]
    return line.first_col <= min(columns) and line.last_col >= max(columns)


def _is_heading(text: str) -> bool:
    return bool(_HEADING.match(text)) or "报告" in text


def _starts_new_table(line: _Line, table: list[_Row]) -> bool:
    return _covers(line, table) and _is_heading(line.text)


def _close_table(table: list[_Row]) -> list[Block]:
    """The collected rows as one Table; full-width lines at its end (notes) become paragraphs."""
    trailing: list[Block] = []
    while len(table) > 1 and table[-1].line is not None and _covers(table[-1].line, table[:-1]):
        trailing.insert(0, Paragraph(table.pop().line.text))
    blocks: list[Block] = [_table(table)] if table else []
    table.clear()
    return blocks + trailing


def _table(rows: list[_Row]) -> Table:
    columns = [c for row in rows for c, _ in row.cells]
    first, last = min(columns), max(columns)
    grid_rows = []
    for row in rows:
        by_column = dict(row.cells)
        grid_rows.append([by_column.get(c, Cell("")) for c in range(first, last + 1)])
    return Table(grid_rows)


def sheets_document(media_type: str, sheets: list[Sheet]) -> Document:
    document = Document(media_type=media_type)
    for sheet in sheets:
        document.blocks += sheet_blocks(sheet)  # an empty sheet gives no blocks
    document.text_lines = [block.text for block in document.blocks if isinstance(block, Paragraph)]
    title = next((line for line in document.text_lines if "报告" in line), None)
    if title:
        document.meta["ArticleTitle"] = title
    return document

"""PDF attachments: tables read from their ruled cell geometry, body text in reading order.

Text order puts a table's values apart from their labels, so every table is rebuilt from its cells'
boxes. Each page is described as a ``PageLayout`` (text lines and table cells with their boxes):

- pages with a text layer are read with pdfium (pypdfium2): characters with their boxes and the ruling
  lines of the content stream, in C. pdfplumber (pdfminer, pure Python, several times slower) reads only
  the pages pdfium cannot place reliably (rotated or offset pages) and pages whose tables have no rules;
- pages without a text layer (a scan, or the scanned pages of a partly scanned PDF) are rendered and
  read by OCR (extract.readers.ocr), only those pages.

The assembly below is shared: page furniture dropped, every fragment of a table that a page break (or a
「续表」 line) cut off joined to it by its inner column lines or the header it repeats, rows and labels the
break cut in two made whole, wrapped lines joined into paragraphs.
"""

from __future__ import annotations

import ctypes
import io
import math
import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from statistics import median
from typing import TYPE_CHECKING

import pypdfium2
import pypdfium2.raw as pdfium_c

from extract.document import Cell, Document, Paragraph, Table
from extract.numbers import is_blank, read_number
from extract.readers.expansion import too_large_finding

if TYPE_CHECKING:
    from pdfplumber.page import Page
    from pdfplumber.table import Table as PlumberTable
    from PIL.Image import Image

PDF = "application/pdf"
SCAN_DPI = 200
# Two cell edges this close (in points) are the same ruling line.
_EDGE_TOLERANCE = 2.0
# How far the outer frame of a continued table may sit from the frame before: Word and WPS draw it 1–3 pt
# off on each side of the next page while the inner column lines stay where they were.
_FRAME_SLACK = 4.0
# Share of the page height at the top and bottom where page numbers and running headers live.
_MARGIN_BAND = 0.1
# Text lines a fragment of a table may sit after (「续表」, a unit line, a footnote) and still continue it.
_LINES_BETWEEN_FRAGMENTS = 3
# Two tables on one page with no text between and at most this gap (points) are one table Word split.
_ADJACENT_GAP = 24.0
# Upright characters a scanned page may carry over its image (a stamped page number) and still be a scan.
_STAMP_CHARS = 12
# pdfplumber's table settings (snap, join, intersection tolerances; shortest edge), used for pdfium's rules too.
_SNAP = 3.0
_MIN_EDGE = 3.0

# Characters written without spaces between them: CJK ideographs, kana, CJK and full-width punctuation.
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef“”‘’"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
# A line that starts one of these starts a paragraph: 「一、」「（一）」「1.」「第一章」.
_PARAGRAPH_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]"
    r"|\d{1,2}\s*[.．、](?!\d)"
    r"|第[一二三四五六七八九十]{1,3}[章节部分])"
)
# The first item of a list: 「1.」「一、」「（一）」「①」 — a group that starts here is a new group.
_FIRST_ITEM = re.compile(r"^\s*(?:[1一]\s*[、.．,，](?!\d)|[（(]\s*[1一]\s*[）)]|①)")
# Page numbers: 「- 3 -」, 「— 3 —」, 「·3·」, 「第 3 页」, 「第3页 共5页」, 「3/5」, a bare 「3」 in the page
# margin; OCR reads 「— 3 —」 as 「一 3 一」.
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－·•\s]*\d{1,4}[-—–－·•\s]*"
    r"|一\s*\d{1,4}\s*一"
    r"|第\s*\d{1,4}\s*页\s*(?:[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
# The line agencies put above the rest of a table they split by hand: 「续表」, 「（续表）」, 「表三（续）」.
_CONTINUED_MARK = re.compile(r"^[（(]?续上?表[）)]?[:：]?$|^表.{0,8}[（(]续[）)]$")
# pdfium is not thread-safe: one document at a time in a process (workers are processes).
_PDFIUM = threading.Lock()
_FILE_NAME_TITLE = re.compile(
    r"^(?:Microsoft\s+Word\s*-\s*)?(.*?)(?:\.(?:docx?|wps|pdf|rtf))?$", re.IGNORECASE
)


# ---------------------------------------------------------------------------------------------- layout


@dataclass
class Box:
    """A rectangle on a page (y grows downwards) with the text read inside it."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""
    # The text's last line fills the box's width: a page break below it may have cut the text.
    runs_on: bool = False


@dataclass
class TextLine(Box):
    size: float = 0.0  # character height: a change of size ends a paragraph


@dataclass
class TableRegion:
    """One ruled table on one page (or joined over several): its cells as boxes, merged cells whole."""

    cells: list[Box]

    @property
    def x0(self) -> float:
        return min(cell.x0 for cell in self.cells)

    @property
    def x1(self) -> float:
        return max(cell.x1 for cell in self.cells)

    @property
    def top(self) -> float:
        return min(cell.top for cell in self.cells)

    @property
    def bottom(self) -> float:
        return max(cell.bottom for cell in self.cells)


@dataclass
class PageLayout:
    height: float
    lines: list[TextLine] = field(default_factory=list)
    tables: list[TableRegion] = field(default_factory=list)
    tolerance: float = _EDGE_TOLERANCE  # cell edges closer than this are one ruling line


def join_lines(parts: list[str]) -> str:
    """Wrapped lines of one paragraph or cell: Chinese joins without a space, Latin words with one."""
    text = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if text and text[-1].isascii() and text[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            text += " "
        text += part
    return clean_text(text)


def clean_text(text: str) -> str:
    # Spaces next to Chinese characters are typesetting gaps (font changes around digits), not words.
    return _SPACE_BY_CJK.sub("", " ".join(text.split()))


# ---------------------------------------------------------------------------------------------- grid


def cluster_edges(values: list[float], tolerance: float) -> list[float]:
    """Positions closer than ``tolerance`` are one edge; each edge is the mean of its group."""
    edges: list[float] = []
    group: list[float] = []
    for value in sorted(values):
        if group and value - group[0] > tolerance:
            edges.append(sum(group) / len(group))
            group = []
        group.append(value)
    if group:
        edges.append(sum(group) / len(group))
    return edges


def _nearest(edges: list[float], value: float) -> int:
    index = bisect_left(edges, value)
    if index == 0:
        return 0
    if index == len(edges):
        return len(edges) - 1
    return index if edges[index] - value < value - edges[index - 1] else index - 1


def grid_from_cells(cells: list[Box], tolerance: float) -> Table:
    """Cell boxes → grid. A merged cell fills every position it covers; those after the first are spanned."""
    xs = cluster_edges([c.x0 for c in cells] + [c.x1 for c in cells], tolerance)
    ys = cluster_edges([c.top for c in cells] + [c.bottom for c in cells], tolerance)
    grid: dict[tuple[int, int], Cell] = {}
    for cell in sorted(cells, key=lambda c: (c.top, c.x0)):
        r0, c0 = _nearest(ys, cell.top), _nearest(xs, cell.x0)
        r1 = max(_nearest(ys, cell.bottom), r0 + 1)
        c1 = max(_nearest(xs, cell.x1), c0 + 1)
        for r in range(r0, r1):
            for c in range(c0, c1):
                grid.setdefault((r, c), Cell(cell.text, spanned=(r, c) != (r0, c0)))
    rows = []
    for r in range(len(ys) - 1):
        if any((r, c) in grid for c in range(len(xs) - 1)):
            rows.append([grid.get((r, c), Cell("")) for c in range(len(xs) - 1)])
    return Table(rows)


# ---------------------------------------------------------------------------------------------- continuation


def _is_numeric(text: str) -> bool:
    return not is_blank(text) and read_number(text) is not None


def _starts_item(text: str) -> bool:
    """「三、」「（四）」「2.」: the text begins an item of its own, it does not continue the one above."""
    return bool(_PARAGRAPH_START.match(text))


def _inner_lines(region: TableRegion, tolerance: float) -> list[float]:
    """The x of the table's vertical rules between its columns, without the outer frame."""
    edges = cluster_edges([c.x0 for c in region.cells] + [c.x1 for c in region.cells], tolerance)
    return edges[1:-1]


def _matches(lines: list[float], others: list[float], shift: float, tolerance: float) -> int:
    return sum(1 for x in lines if any(abs(x + shift - y) <= tolerance for y in others))


def column_shift(previous: TableRegion, table: TableRegion, tolerance: float) -> float | None:
    """The x shift that lays ``table``'s inner column lines on ``previous``'s; None when they differ.

    The outer frame is not trusted: Word and WPS draw a continued table's frame 1–3 pt further out on the
    next page while every inner column line keeps its x. Scans of two pages never sit exactly alike, so a
    small shift of the whole table is allowed. One table's lines may be a subset of the other's (a block
    whose merged cells cover some columns).
    """
    ours, theirs = _inner_lines(table, tolerance), _inner_lines(previous, tolerance)
    limit = 6 * tolerance
    slack = max(_FRAME_SLACK, 2 * tolerance)
    if not ours or not theirs:  # a one-column fragment: only its frame can say
        shift = ((previous.x0 - table.x0) + (previous.x1 - table.x1)) / 2
        width = abs((previous.x1 - previous.x0) - (table.x1 - table.x0))
        return shift if abs(shift) <= limit and width <= 2 * slack else None
    candidates = sorted({y - x for x in ours for y in theirs if abs(y - x) <= limit}, key=abs)
    best, best_count = None, 0
    for shift in candidates:
        count = _matches(ours, theirs, shift, tolerance)
        if count > best_count:
            best, best_count = shift, count
    if best is None or best_count < min(len(ours), len(theirs)):
        return None
    if _matches(theirs, ours, -best, tolerance) < min(len(ours), len(theirs)):
        return None
    if abs(previous.x0 - (table.x0 + best)) > slack or abs(previous.x1 - (table.x1 + best)) > slack:
        return None
    return best


def _row_band(cells: list[Box], y: float, tolerance: float) -> list[Box]:
    return sorted((c for c in cells if abs(c.top - y) <= tolerance), key=lambda c: c.x0)


def _header_depth(previous: TableRegion, table: TableRegion, tolerance: float) -> int:
    """How many leading rows of ``table`` repeat ``previous``'s header rows (Word's 「标题行重复」)."""
    ys_prev = cluster_edges([c.top for c in previous.cells], tolerance)
    ys_next = cluster_edges([c.top for c in table.cells], tolerance)
    depth = 0
    for y_prev, y_next in zip(ys_prev, ys_next, strict=False):
        band_prev = [c.text for c in _row_band(previous.cells, y_prev, tolerance)]
        band_next = [c.text for c in _row_band(table.cells, y_next, tolerance)]
        if band_prev != band_next or not any(band_next) or all(_is_numeric(t) or not t for t in band_next):
            break
        depth += 1
    return depth if depth < len(ys_next) else 0


def continues(previous: TableRegion, table: TableRegion, tolerance: float) -> bool:
    """Whether ``table`` is a fragment of ``previous``: the same inner column lines, or its header repeated."""
    if column_shift(previous, table, tolerance) is not None:
        return True
    if not _header_depth(previous, table, tolerance):
        return False
    slack = max(_FRAME_SLACK, 2 * tolerance) + 6 * tolerance
    return abs(previous.x0 - table.x0) <= slack and abs(previous.x1 - table.x1) <= slack


def _drop_repeated_header(previous: TableRegion, table: TableRegion, tolerance: float) -> None:
    depth = _header_depth(previous, table, tolerance)
    if depth:
        cut = cluster_edges([c.top for c in table.cells], tolerance)[depth] - tolerance
        table.cells = [c for c in table.cells if c.top >= cut]


def _x_map(previous: TableRegion, table: TableRegion, tolerance: float):
    """x on ``table``'s page → x on ``previous``'s: inner lines shifted, the outer frame onto the frame."""
    shift = column_shift(previous, table, tolerance)
    shift = previous.x0 - table.x0 if shift is None else shift
    left, right, frame_left, frame_right = table.x0, table.x1, previous.x0, previous.x1

    def move(x: float) -> float:
        if abs(x - left) <= tolerance:
            return frame_left
        if abs(x - right) <= tolerance:
            return frame_right
        return x + shift

    return move


def _pairs(above: list[Box], below: list[Box], tolerance: float) -> list[tuple[Box, Box]]:
    """Cells on the two sides of a page break that stand in the same columns."""
    pairs = []
    for cell in below:
        match = next(
            (a for a in above if abs(a.x0 - cell.x0) <= tolerance and abs(a.x1 - cell.x1) <= tolerance), None
        )
        if match is not None:
            pairs.append((match, cell))
    return pairs


def _row_cut(last_row: list[Box], first_row: list[Box], pairs: list[tuple[Box, Box]]) -> bool:
    """One row cut in two by the page break: its numbers on one side, what is left of its labels on the other.

    The side without numbers has empty cells under (or over) every number, and its labels continue the
    labels on the other side (no 「2.」「（五）」 of their own); a label that is continued ran to the end of
    its last line. With no numbers on either side (a header row cut), every cell must continue.
    """
    numbers_above = [c for c in last_row if _is_numeric(c.text)]
    numbers_below = [c for c in first_row if _is_numeric(c.text)]
    if numbers_above and numbers_below:
        return False
    numbers = numbers_above or numbers_below
    partner = {id(a): b for a, b in pairs} if numbers_above else {id(b): a for a, b in pairs}
    for number in numbers:
        other = partner.get(id(number))
        if other is None or other.text:
            return False
    continued = [(a, b) for a, b in pairs if a.text and b.text]
    for a, b in continued:
        if _is_numeric(a.text) or _is_numeric(b.text) or _starts_item(b.text) or not a.runs_on:
            return False
    if numbers:
        # Labels continued across the break, or all labels on one side and all numbers on the other.
        number_side = last_row if numbers_above else first_row
        return bool(continued) or all(not c.text or _is_numeric(c.text) for c in number_side)
    # A header row cut: every cell with text on one side has text on the other.
    one_sided = [(a, b) for a, b in pairs if bool(a.text) != bool(b.text)]
    return len(continued) >= 2 and not one_sided


def _deeper_label(row: list[Box], cell: Box) -> Box | None:
    """The label cell right of ``cell`` in its row (a sub-row label under a group label)."""
    right = [c for c in row if c.x0 >= cell.x1 - 1 and c.text and not _is_numeric(c.text)]
    return min(right, key=lambda c: c.x0) if right else None


def _label_cut(last_row: list[Box], first_row: list[Box], above: Box, below: Box) -> bool:
    """A group label merged over several rows that the page break cut: 「（四）无法提」 above, 「供」 below.

    Both rows are whole rows; the cut cell is an outer label (sub-row labels stand right of it on both
    sides), the sub-row below is not the first of a new group, and the text below does not begin an item.
    Where all the text went to one side, the other side is empty.
    """
    if _is_numeric(above.text) or _is_numeric(below.text):
        return False
    deeper_above, deeper_below = _deeper_label(last_row, above), _deeper_label(first_row, below)
    if deeper_above is None or deeper_below is None or _FIRST_ITEM.match(deeper_below.text):
        return False
    if above.text and below.text:
        return above.runs_on and not _starts_item(below.text)
    return not above.text and bool(below.text)  # the whole label went to the next page


def _row_span(cell: Box, edges: list[float], tolerance: float) -> int:
    return sum(1 for y in edges if cell.top + tolerance < y < cell.bottom - tolerance) + 1


def join_tables(previous: TableRegion, table: TableRegion, tolerance: float) -> None:
    """Append ``table`` to ``previous``: its cells move below, and cells the page break cut are made whole."""
    _drop_repeated_header(previous, table, tolerance)
    if not table.cells:
        return
    move_x = _x_map(previous, table, tolerance)
    dy = previous.bottom - table.top
    moved = [
        replace(c, x0=move_x(c.x0), x1=move_x(c.x1), top=c.top + dy, bottom=c.bottom + dy)
        for c in table.cells
    ]
    seam = previous.bottom
    last_row = sorted((c for c in previous.cells if abs(c.bottom - seam) <= tolerance), key=lambda c: c.x0)
    first_row = _row_band(moved, seam, tolerance)
    pairs = _pairs(last_row, first_row, tolerance)
    row_cut = _row_cut(last_row, first_row, pairs)
    edges_prev = cluster_edges(
        [c.top for c in previous.cells] + [c.bottom for c in previous.cells], tolerance
    )
    edges_next = cluster_edges([c.top for c in moved] + [c.bottom for c in moved], tolerance)
    absorbed: set[int] = set()
    for above, below in pairs:
        if row_cut or _label_cut(last_row, first_row, above, below):
            above.text = join_lines([above.text, below.text])
        elif below.text or not above.text or _is_numeric(above.text):
            continue
        elif _row_span(above, edges_prev, tolerance) == 1 and _row_span(below, edges_next, tolerance) == 1:
            continue  # a one-row label over an empty one-row cell: not evidently one merged cell
        above.bottom = below.bottom  # one cell across the break (a vertical merge, or the cut row)
        above.runs_on = below.runs_on
        absorbed.add(id(below))
    previous.cells.extend(c for c in moved if id(c) not in absorbed)


# ---------------------------------------------------------------------------------------------- text


def _digits_masked(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def drop_page_furniture(pages: list[PageLayout]) -> None:
    """Page numbers, and running headers or footers repeated in the page margins of several pages."""
    counts: dict[str, int] = {}
    for page in pages:
        for text in {_digits_masked(line.text) for line in page.lines if _in_margin(line, page)}:
            counts[text] = counts.get(text, 0) + 1
    repeated = {text for text, count in counts.items() if count >= 2 and count * 2 >= len(pages)}
    for page in pages:
        page.lines = [line for line in page.lines if not _is_furniture(line, page, repeated)]


def _is_furniture(line: TextLine, page: PageLayout, repeated: set[str]) -> bool:
    if _PAGE_NUMBER.match(line.text) and not line.text.isdigit():
        return True  # 「- 3 -」, 「第 3 页」: never body text, wherever they sit
    if not _in_margin(line, page):
        return False
    return bool(_PAGE_NUMBER.match(line.text)) or _digits_masked(line.text) in repeated


def _in_margin(line: TextLine, page: PageLayout) -> bool:
    return line.bottom < page.height * _MARGIN_BAND or line.top > page.height * (1 - _MARGIN_BAND)


@dataclass
class _TextStats:
    """What a body line looks like on one page: its left and right edges and its line pitch."""

    left: float
    right: float
    pitch: float | None  # usual distance between lines of one paragraph, in character heights


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _text_stats(lines: list[TextLine], fallback: _TextStats | None) -> _TextStats:
    if len(lines) < 4 and fallback is not None:
        return fallback
    pitches = [
        (b.top - a.top) / a.size
        for a, b in zip(lines, lines[1:], strict=False)
        if a.size and abs(a.size - b.size) <= 0.2 * a.size and 0.8 <= (b.top - a.top) / a.size <= 4
    ]
    return _TextStats(
        left=_percentile([line.x0 for line in lines], 0.2),
        right=_percentile([line.x1 for line in lines], 0.95),
        pitch=_percentile(pitches, 0.25) if pitches else None,
    )


def _starts_paragraph(previous: TextLine, line: TextLine, same_page: bool, stats: _TextStats) -> bool:
    size = max(line.size, previous.size, 1.0)
    if _PARAGRAPH_START.match(line.text):
        return True
    if abs(line.size - previous.size) > 0.2 * size:
        return True
    if previous.x1 < stats.right - 2.5 * size:  # the line before ended short
        return True
    if stats.left + 0.8 * size <= line.x0 <= stats.left + 4.5 * size:  # first-line indent
        return True
    if same_page and stats.pitch and previous.size:
        return (line.top - previous.top) / previous.size > 1.25 * stats.pitch
    return False


def _paragraphs(run: list[tuple[int, TextLine]], stats: dict[int, _TextStats]) -> list[str]:
    paragraphs: list[list[str]] = []
    previous: tuple[int, TextLine] | None = None
    for page, line in run:
        if previous is None or _starts_paragraph(previous[1], line, previous[0] == page, stats[page]):
            paragraphs.append([])
        paragraphs[-1].append(line.text)
        previous = (page, line)
    return [text for parts in paragraphs if (text := join_lines(parts))]


# ---------------------------------------------------------------------------------------------- assembly


@dataclass
class _Placed:
    """A table in reading order and the page of its last fragment, so a later fragment can join it."""

    region: TableRegion
    page: int


def _fragment_of(
    placed: _Placed,
    between: list[TextLine],
    page: int,
    first_on_page: bool,
    region: TableRegion,
    tolerance: float,
) -> bool:
    """Whether ``region`` is a header-less (or header-repeating) fragment of the table ``placed``.

    On the next page: the first table there (the earlier one is the last table of its page, or it would
    not be the latest), with at most a few lines between (「续表」, a unit line, a footnote), none of them
    a heading. On the same page: right below, with no text between (Word splits a table in two with an
    empty paragraph).
    """
    if page == placed.page:
        if between or region.top - placed.region.bottom > _ADJACENT_GAP:
            return False
    elif page != placed.page + 1 or not first_on_page:
        return False
    if len(between) > _LINES_BETWEEN_FRAGMENTS or any(_starts_item(line.text) for line in between):
        return False
    return continues(placed.region, region, tolerance)


def assemble(pages: list[PageLayout], document: Document) -> Document:
    """Pages → blocks in reading order: paragraphs between tables, the fragments of a table joined."""
    drop_page_furniture(pages)
    everything = [line for page in pages for line in page.lines]
    overall = _text_stats(everything, None) if everything else None
    stats = {index: _text_stats(page.lines, overall) for index, page in enumerate(pages) if page.lines}
    items: list[tuple[int, TextLine | _Placed]] = []
    last_table: _Placed | None = None
    between: list[TextLine] = []  # text lines since the last table
    for index, page in enumerate(pages):
        on_page = sorted([*page.lines, *page.tables], key=lambda item: (item.top, item.x0))
        first_table = True
        for item in on_page:
            if isinstance(item, TextLine):
                items.append((index, item))
                between.append(item)
                continue
            if last_table is not None and _fragment_of(
                last_table, between, index, first_table, item, page.tolerance
            ):
                join_tables(last_table.region, item, page.tolerance)
                last_table.page = index
                marks = {id(line) for line in between if _CONTINUED_MARK.match(line.text)}
                items = [entry for entry in items if id(entry[1]) not in marks]
            else:
                last_table = _Placed(item, index)
                items.append((index, last_table))
            first_table = False
            between = []
    run: list[tuple[int, TextLine]] = []

    def flush() -> None:
        for text in _paragraphs(run, stats):
            document.blocks.append(Paragraph(text))
            document.text_lines.append(text)
        run.clear()

    for index, item in items:
        if isinstance(item, TextLine):
            run.append((index, item))
            continue
        flush()
        table = grid_from_cells(item.region.cells, pages[index].tolerance)
        if table.rows:
            document.blocks.append(table)
    flush()
    return document


# ---------------------------------------------------------------------------------------------- characters


@dataclass
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    upright: bool = True


def _char_lines(chars: list[_Char]) -> list[list[_Char]]:
    """Characters → lines: a character joins the line its vertical centre falls in."""
    lines: list[list[_Char]] = []
    spans: list[tuple[float, float]] = []
    for char in sorted(chars, key=lambda c: (c.top, c.x0)):
        centre = (char.top + char.bottom) / 2
        for index, (top, bottom) in enumerate(spans):
            if top <= centre <= bottom:
                lines[index].append(char)
                break
        else:
            lines.append([char])
            spans.append((char.top, char.bottom))
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def _line_text(chars: list[_Char]) -> str:
    text = ""
    previous = None
    for char in chars:
        if previous is not None and char.x0 - previous.x1 > 0.2 * max(char.size, 1.0):
            text += " "
        text += char.text
        previous = char
    return clean_text(text)


def _text_line(chars: list[_Char]) -> TextLine:
    return TextLine(
        x0=min(c.x0 for c in chars),
        top=min(c.top for c in chars),
        x1=max(c.x1 for c in chars),
        bottom=max(c.bottom for c in chars),
        text=_line_text(chars),
        size=median(c.size for c in chars),
    )


def _cell(bbox: tuple[float, float, float, float], chars: list[_Char]) -> Box:
    """A table cell and its text; whether the text's last line runs to the cell's right edge."""
    lines = _char_lines(chars)
    cell = Box(bbox[0], bbox[1], bbox[2], bbox[3], join_lines([_line_text(line) for line in lines]))
    if lines and all(c.upright for c in lines[-1]):
        last = lines[-1]
        padding = min(min(c.x0 for c in line) for line in lines) - bbox[0]
        size = median(c.size for c in last)
        # A centred or left-aligned line that stops short of the edge ended its text there.
        cell.runs_on = bbox[2] - max(c.x1 for c in last) <= min(max(padding, 0.0), 6.0) + size
    return cell


class _CharIndex:
    """Characters sorted by their vertical centre, to find those inside a box without scanning them all."""

    def __init__(self, chars: list[_Char]):
        self.chars = sorted(chars, key=lambda c: c.top + c.bottom)
        self.keys = [c.top + c.bottom for c in self.chars]

    def inside(self, bbox: tuple[float, float, float, float]) -> list[_Char]:
        x0, top, x1, bottom = bbox
        start, end = bisect_left(self.keys, 2 * top), bisect_right(self.keys, 2 * bottom)
        return [c for c in self.chars[start:end] if x0 <= (c.x0 + c.x1) / 2 <= x1]


def layout_from(
    height: float, chars: list[_Char], tables: list[list[tuple[float, float, float, float]]]
) -> PageLayout:
    """Characters and table cell boxes of one page → its text lines outside tables and its table cells."""
    layout = PageLayout(height=height)
    index = _CharIndex(chars)
    in_tables: set[int] = set()
    for bboxes in tables:
        cells = []
        for bbox in bboxes:
            inside = index.inside(bbox)
            in_tables.update(id(c) for c in inside)
            cells.append(_cell(bbox, inside))
        if cells:
            layout.tables.append(TableRegion(cells))
    # Outside tables, turned characters are watermarks or stamps, not body text.
    outside = [c for c in chars if id(c) not in in_tables and c.upright]
    layout.lines = [_text_line(line) for line in _char_lines(outside)]
    return layout


def _numeric_lines(chars: list[_Char]) -> int:
    """Lines holding three or more separate numbers: rows of a table that may have no rules."""
    lines = _char_lines([c for c in chars if c.upright])
    return sum(1 for line in lines if sum(1 for word in _line_text(line).split() if _is_numeric(word)) >= 3)


# ---------------------------------------------------------------------------------------------- rules


def _edge(xa: float, ya: float, xb: float, yb: float, height: float) -> dict | None:
    """A horizontal or vertical rule segment (PDF coordinates) as a pdfplumber edge (y downwards)."""
    if abs(ya - yb) < 0.01:
        orientation = "h"
    elif abs(xa - xb) < 0.01:
        orientation = "v"
    else:
        return None
    x0, x1 = min(xa, xb), max(xa, xb)
    top, bottom = height - max(ya, yb), height - min(ya, yb)
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": "line",
    }


def ruled_tables(edges: list[dict]) -> list[list[tuple[float, float, float, float]]]:
    """Rule segments → tables of cell boxes, exactly as pdfplumber's default ``find_tables`` finds them."""
    from pdfplumber import table as plumber_table
    from pdfplumber.utils import filter_edges

    edges = filter_edges(edges, min_length=1)  # pdfplumber's prefilter
    merged = plumber_table.merge_edges(edges, _SNAP, _SNAP, _SNAP, _SNAP)
    merged = filter_edges(merged, min_length=_MIN_EDGE)
    intersections = plumber_table.edges_to_intersections(merged, _SNAP, _SNAP)
    cells = plumber_table.intersections_to_cells(intersections)
    tables = plumber_table.cells_to_tables(cells)
    return sorted(tables, key=lambda cells: (min(c[1] for c in cells), min(c[0] for c in cells)))


# ---------------------------------------------------------------------------------------------- pdfium


def _compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix applying ``inner`` then ``outer`` (PDF order a b c d e f)."""
    a1, b1, c1, d1, e1, f1 = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass
class _PageObjects:
    edges: list[dict] = field(default_factory=list)
    image_area: float = 0.0  # page area covered by images, in square points


def _object_matrix(obj) -> tuple:
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
        return _IDENTITY
    return (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)


def _path_edges(obj, matrix: tuple, height: float, edges: list[dict]) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) or (not fill.value and not stroke.value):
        return  # neither stroked nor filled: nothing is drawn
    a, b, c, d, e, f = _compose(_object_matrix(obj), matrix)
    x, y = ctypes.c_float(), ctypes.c_float()
    start = previous = None
    for index in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and previous is not None:
            if edge := _edge(*previous, *point, height):
                edges.append(edge)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        previous = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            if edge := _edge(*point, *start, height):
                edges.append(edge)
            previous = start


def _collect(
    container, count: int, get, matrix: tuple, height: float, found: _PageObjects, depth: int
) -> None:
    for index in range(count):
        obj = get(container, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            _path_edges(obj, matrix, height, found.edges)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = (ctypes.c_float() for _ in range(4))
            if pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                found.image_area += max(right.value - left.value, 0) * max(top.value - bottom.value, 0)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
            inner = _compose(_object_matrix(obj), matrix)
            count_inner = pdfium_c.FPDFFormObj_CountObjects(obj)
            _collect(obj, count_inner, pdfium_c.FPDFFormObj_GetObject, inner, height, found, depth + 1)


def _pdfium_objects(page: pypdfium2.PdfPage, height: float) -> _PageObjects:
    found = _PageObjects()
    raw = page.raw
    count = pdfium_c.FPDFPage_CountObjects(raw)
    _collect(raw, count, pdfium_c.FPDFPage_GetObject, _IDENTITY, height, found, 0)
    return found


def _pdfium_chars(page: pypdfium2.PdfPage, height: float) -> list[_Char]:
    """The page's characters from pdfium's text layer: the same characters pdfminer reads, in C.

    x comes from the character's advance box, as pdfminer's; the vertical box from the baseline and the
    font size, so that Latin digits and Chinese characters of one line share one box whatever their fonts.
    Duplicates drawn over each other (fake bold) are read once, as pdfplumber's ``dedupe_chars`` does.
    """
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        if count <= 0:
            return []
        buffer = ctypes.create_string_buffer((count + 1) * 2)
        written = pdfium_c.FPDFText_GetText(
            raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
        )
        units = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", errors="surrogatepass")
        rect = pdfium_c.FS_RECTF()
        x, y = ctypes.c_double(), ctypes.c_double()
        chars: list[_Char] = []
        seen: dict[tuple[str, int, int], list[_Char]] = {}
        for index, unit in enumerate(units):
            if not unit.strip() or "\ud800" <= unit <= "\udfff":
                continue
            pdfium_c.FPDFText_GetLooseCharBox(raw, index, rect)
            size = pdfium_c.FPDFText_GetFontSize(raw, index)
            angle = pdfium_c.FPDFText_GetCharAngle(raw, index)
            upright = angle < 0.01 or angle > 2 * math.pi - 0.01
            if upright:
                pdfium_c.FPDFText_GetCharOrigin(raw, index, x, y)
                baseline = height - y.value
                char = _Char(
                    unit, rect.left, baseline - 0.88 * size, rect.right, baseline + 0.12 * size, size
                )
            else:
                char = _Char(
                    unit, rect.left, height - rect.top, rect.right, height - rect.bottom, size, False
                )
            if not _is_duplicate(char, seen):
                chars.append(char)
        return chars
    finally:
        textpage.close()


def _is_duplicate(char: _Char, seen: dict[tuple[str, int, int], list[_Char]]) -> bool:
    """The same character drawn again within 1 pt (fake bold, a shadow): pdfplumber reads it once."""
    column, row = int(char.x0), int(char.top)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for other in seen.get((char.text, column + dx, row + dy), ()):
                if abs(other.x0 - char.x0) <= 1 and abs(other.top - char.top) <= 1:
                    return True
    seen.setdefault((char.text, column, row), []).append(char)
    return False


def _pdfium_reliable(page: pypdfium2.PdfPage) -> bool:
    """Coordinates pdfium gives are page coordinates only on an unrotated page whose box starts at 0, 0."""
    if page.get_rotation():
        return False
    left, bottom, _, _ = page.get_mediabox()
    crop = page.get_cropbox()
    return abs(left) < 0.01 and abs(bottom) < 0.01 and tuple(crop) == tuple(page.get_mediabox())


# ---------------------------------------------------------------------------------------------- pdfplumber


def _plumber_chars(page: Page) -> list[_Char]:
    return [
        _Char(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c["size"], c.get("upright", True))
        for c in page.dedupe_chars().chars
        if c["text"].strip()
    ]


def _is_data_table(table: PlumberTable) -> bool:
    # Text-strategy tables are guesses: keep one only when most of its rows carry several numbers.
    rows = table.extract()
    if len(rows) < 3 or max(len(row) for row in rows) < 3:
        return False
    numeric_rows = sum(1 for row in rows if sum(1 for text in row if text and _is_numeric(text)) >= 3)
    return numeric_rows * 2 >= len(rows)


def _plumber_tables(page: Page) -> list[list[tuple[float, float, float, float]]]:
    tables = page.find_tables()
    if not tables and page.chars:
        text_settings = {"vertical_strategy": "text", "horizontal_strategy": "text"}
        tables = [table for table in page.find_tables(text_settings) if _is_data_table(table)]
    return [list(table.cells) for table in tables]


def page_layout(page: Page) -> PageLayout:
    """One pdfplumber page → its text lines outside tables and its tables' cells with their text."""
    page = page.dedupe_chars()
    return layout_from(float(page.height), _plumber_chars(page), _plumber_tables(page))


class _Plumber:
    """pdfplumber opened only when a page needs it, once per document."""

    def __init__(self, data: bytes):
        self.data = data
        self.pdf = None

    def page(self, index: int) -> Page:
        if self.pdf is None:
            import pdfplumber

            self.pdf = pdfplumber.open(io.BytesIO(self.data))
        return self.pdf.pages[index]

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


# ---------------------------------------------------------------------------------------------- document


def report_title(metadata: dict) -> str | None:
    """The PDF's Title when it names a report (not 「Microsoft Word - 1.doc」 or an empty default)."""
    title = metadata.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-16" if title.startswith((b"\xfe\xff", b"\xff\xfe")) else "utf-8", "replace")
    if not isinstance(title, str):
        return None
    title = clean_text(_FILE_NAME_TITLE.match(" ".join(title.split())).group(1))
    if "报告" in title and re.search(r"[\u4e00-\u9fff]", title) and len(title) <= 80:
        return title
    return None


def _scan_pixels(size: tuple[float, float]) -> tuple[int, int]:
    width, height = size
    return round(width * SCAN_DPI / 72), round(height * SCAN_DPI / 72)


def render_pages(data: bytes, dpi: int = SCAN_DPI, pages: list[int] | None = None) -> list[Image]:
    """Page images for OCR (PIL images), as a scanner at ``dpi`` would give them."""
    with _PDFIUM:
        pdf = pypdfium2.PdfDocument(data)
        try:
            indexes = range(len(pdf)) if pages is None else pages
            return [pdf[index].render(scale=dpi / 72, grayscale=True).to_pil() for index in indexes]
        finally:
            pdf.close()


def _scaled(layout: PageLayout, factor: float) -> PageLayout:
    """An OCR page layout (pixels) in points, so its tables can join those of text pages."""

    def box(b: Box) -> Box:
        return replace(b, x0=b.x0 * factor, top=b.top * factor, x1=b.x1 * factor, bottom=b.bottom * factor)

    return PageLayout(
        height=layout.height * factor,
        lines=[replace(box(line), size=line.size * factor) for line in layout.lines],
        tables=[TableRegion([box(cell) for cell in region.cells]) for region in layout.tables],
        tolerance=layout.tolerance * factor,
    )


@dataclass
class _PdfPage:
    """What one page gives before assembly: its layout, or that it has to be read by OCR."""

    layout: PageLayout | None
    scanned: bool  # no text layer, an image on it: OCR reads it
    size: tuple[float, float] = (0.0, 0.0)  # points


def _is_scan(chars: list[_Char], objects: _PageObjects, width: float, height: float) -> bool:
    """A page without a text layer: an image, and no text but perhaps a stamped page number or watermark.

    Scanning software and portals stamp 「- 3 -」 or a turned watermark over scanned pages; a dozen
    upright characters do not make the page's text.
    """
    if not objects.image_area:
        return False
    upright = sum(1 for char in chars if char.upright)
    return upright == 0 or (upright <= _STAMP_CHARS and objects.image_area >= 0.5 * width * height)


def _read_page(pdf: pypdfium2.PdfDocument, index: int, plumber: _Plumber) -> _PdfPage:
    page = pdf[index]
    try:
        width, height = page.get_size()
        objects = _pdfium_objects(page, height)
        if not _pdfium_reliable(page):
            plumber_page = plumber.page(index)
            if _is_scan(_plumber_chars(plumber_page), objects, width, height):
                return _PdfPage(None, scanned=True, size=(width, height))
            return _PdfPage(page_layout(plumber_page), scanned=False)
        chars = _pdfium_chars(page, height)
        if _is_scan(chars, objects, width, height):
            return _PdfPage(None, scanned=True, size=(width, height))
        tables = ruled_tables(objects.edges)
        if not tables and _numeric_lines(chars) >= 3:
            # Numbers in rows but no rules: pdfplumber's text strategy may find the table.
            return _PdfPage(page_layout(plumber.page(index)), scanned=False)
        return _PdfPage(layout_from(height, chars, tables), scanned=False)
    finally:
        page.close()


def read_pdf(data: bytes) -> Document:
    from extract.report import UnreadableDocument

    with _PDFIUM:
        pdf = pypdfium2.PdfDocument(data)
        plumber = _Plumber(data)
        try:
            if len(pdf) == 0:
                raise UnreadableDocument("PDF without pages")
            title = report_title(pdf.get_metadata_dict())
            pages = [_read_page(pdf, index, plumber) for index in range(len(pdf))]
        finally:
            plumber.close()
            pdf.close()
    scanned = [index for index, page in enumerate(pages) if page.scanned]
    findings = []
    if scanned:
        from extract.readers import ocr

        # A page's size is checked before it is rendered: a page of 10 m² would render to gigabytes.
        too_large = {index: ocr.size_problem(*_scan_pixels(pages[index].size)) for index in scanned}
        findings = [
            too_large_finding(f"第{index + 1}页：{problem}")
            for index, problem in too_large.items()
            if problem
        ]
        scanned = [index for index in scanned if not too_large[index]]
        images = render_pages(data, SCAN_DPI, scanned)
        for index, image in zip(scanned, images, strict=True):
            pages[index].layout = _scaled(ocr.page_layout(image), 72 / SCAN_DPI)
    layouts = [page.layout or PageLayout(height=0.0) for page in pages]
    document = assemble(layouts, Document(PDF, findings=findings))
    if scanned:
        document.ocr = True
        whole = len(scanned) == len(pages)
        document.findings.append(ocr.ocr_finding(None if whole else [index + 1 for index in scanned]))
    if title:
        document.meta["ArticleTitle"] = title
    return document

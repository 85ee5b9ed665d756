"""PDF attachments: tables read from their ruled cell geometry, body text in reading order.

pdfplumber's text order puts a table's values apart from their labels, so every table is rebuilt from
its cells' boxes. A PDF without a text layer is a scan: its pages are rendered with pypdfium2 and read by
OCR (extract.readers.ocr). Both paths describe each page as a ``PageLayout`` (text lines and table cells
with their boxes) and share the assembly below: page numbers dropped, a table continued on the next page
joined into one, wrapped lines joined into paragraphs.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from statistics import median
from typing import TYPE_CHECKING

import pdfplumber
from pdfplumber.page import Page
from pdfplumber.table import Table as PlumberTable

from extract.document import Cell, Document, Paragraph, Table
from extract.numbers import is_blank, read_number

if TYPE_CHECKING:
    from PIL.Image import Image

PDF = "application/pdf"
SCAN_DPI = 200
# Two cell edges this close (in points) are the same ruling line.
_EDGE_TOLERANCE = 2.0
# Share of the page height at the top and bottom where page numbers and running headers live.
_MARGIN_BAND = 0.1

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
# Page numbers: 「- 3 -」, 「第 3 页」, 「第3页 共5页」, 「3/5」, a bare 「3」 in the page margin.
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*"
    r"|第\s*\d{1,4}\s*页\s*(?:[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
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


# ---------------------------------------------------------------------------------------------- page joins


def _is_numeric(text: str) -> bool:
    return not is_blank(text) and read_number(text) is not None


def _same_columns(a: list[float], b: list[float], tolerance: float) -> bool:
    """Equal column count, or one table's column edges all among the other's (a merged header row)."""
    if len(a) == len(b):
        return True
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return all(any(abs(x - y) <= tolerance for y in large) for x in small)


def continues(previous: TableRegion, table: TableRegion, tolerance: float) -> bool:
    """Whether ``table`` (first thing on its page) continues ``previous`` (last thing on the page before)."""
    if abs((previous.x1 - previous.x0) - (table.x1 - table.x0)) > 2 * tolerance:
        return False
    shift = previous.x0 - table.x0
    if abs(shift) > 6 * tolerance:  # scans of two pages never sit exactly alike; a little shift is normal
        return False
    ours = cluster_edges([c.x0 + shift for c in table.cells] + [c.x1 + shift for c in table.cells], tolerance)
    theirs = cluster_edges([c.x0 for c in previous.cells] + [c.x1 for c in previous.cells], tolerance)
    return _same_columns(ours, theirs, tolerance)


def _row_band(cells: list[Box], y: float, tolerance: float) -> list[Box]:
    return sorted((c for c in cells if abs(c.top - y) <= tolerance), key=lambda c: c.x0)


def _drop_repeated_header(previous: TableRegion, table: TableRegion, tolerance: float) -> None:
    """A header row the continuation repeats (Word's 「标题行重复」) is removed, row by row."""
    ys_prev = cluster_edges([c.top for c in previous.cells], tolerance)
    ys_next = cluster_edges([c.top for c in table.cells], tolerance)
    depth = 0
    for y_prev, y_next in zip(ys_prev, ys_next, strict=False):
        band_prev = [c.text for c in _row_band(previous.cells, y_prev, tolerance)]
        band_next = [c.text for c in _row_band(table.cells, y_next, tolerance)]
        if band_prev != band_next or not any(band_next) or all(_is_numeric(t) or not t for t in band_next):
            break
        depth += 1
    if depth and depth < len(ys_next):
        cut = ys_next[depth] - tolerance
        table.cells = [c for c in table.cells if c.top >= cut]


def _is_row_fragment(last_row: list[Box], first_row: list[Box]) -> bool:
    """The page break split one row: its numbers above the break, the rest of its label below."""
    if not any(_is_numeric(c.text) for c in last_row):
        return False
    if any(_is_numeric(c.text) for c in first_row) or not any(c.text for c in first_row):
        return False
    label = next(c.text for c in first_row if c.text)
    return not _PARAGRAPH_START.match(label)


def _row_span(cell: Box, edges: list[float], tolerance: float) -> int:
    return sum(1 for y in edges if cell.top + tolerance < y < cell.bottom - tolerance) + 1


def join_tables(previous: TableRegion, table: TableRegion, tolerance: float) -> None:
    """Append ``table`` to ``previous``: its cells move below, and cells the page break cut are made whole."""
    _drop_repeated_header(previous, table, tolerance)
    if not table.cells:
        return
    dx, dy = previous.x0 - table.x0, previous.bottom - table.top
    moved = [
        replace(c, x0=c.x0 + dx, x1=c.x1 + dx, top=c.top + dy, bottom=c.bottom + dy) for c in table.cells
    ]
    seam = previous.bottom
    last_row = sorted((c for c in previous.cells if abs(c.bottom - seam) <= tolerance), key=lambda c: c.x0)
    first_row = _row_band(moved, seam, tolerance)
    fragment = _is_row_fragment(last_row, first_row)
    edges_prev = cluster_edges(
        [c.top for c in previous.cells] + [c.bottom for c in previous.cells], tolerance
    )
    edges_next = cluster_edges([c.top for c in moved] + [c.bottom for c in moved], tolerance)
    absorbed: set[int] = set()
    for below in first_row:
        above = next(
            (c for c in last_row if abs(c.x0 - below.x0) <= tolerance and abs(c.x1 - below.x1) <= tolerance),
            None,
        )
        if above is None:
            continue
        if fragment:
            above.text = join_lines([above.text, below.text])
        elif below.text or not above.text or _is_numeric(above.text):
            continue
        elif _row_span(above, edges_prev, tolerance) == 1 and _row_span(below, edges_next, tolerance) == 1:
            continue  # a one-row label over an empty one-row cell: not evidently one merged cell
        above.bottom = below.bottom  # one cell across the break (a vertical merge, or the split row)
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


def assemble(pages: list[PageLayout], document: Document) -> Document:
    """Pages → blocks in reading order: paragraphs between tables, tables joined across page breaks."""
    drop_page_furniture(pages)
    everything = [line for page in pages for line in page.lines]
    overall = _text_stats(everything, None) if everything else None
    stats = {index: _text_stats(page.lines, overall) for index, page in enumerate(pages) if page.lines}
    items: list[tuple[int, TextLine | TableRegion]] = []
    for index, page in enumerate(pages):
        on_page = sorted([*page.lines, *page.tables], key=lambda item: (item.top, item.x0))
        for position, item in enumerate(on_page):
            if isinstance(item, TableRegion) and position == 0 and items:
                previous_page, previous = items[-1]
                if (
                    isinstance(previous, TableRegion)
                    and previous_page == index - 1
                    and continues(previous, item, page.tolerance)
                ):
                    join_tables(previous, item, page.tolerance)
                    items[-1] = (index, previous)
                    continue
            items.append((index, item))
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
        table = grid_from_cells(item.cells, pages[index].tolerance)
        if table.rows:
            document.blocks.append(table)
    flush()
    return document


# ---------------------------------------------------------------------------------------------- pdfplumber


def _char_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters → lines: a character joins the line its vertical centre falls in."""
    lines: list[list[dict]] = []
    spans: list[tuple[float, float]] = []
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        centre = (char["top"] + char["bottom"]) / 2
        for index, (top, bottom) in enumerate(spans):
            if top <= centre <= bottom:
                lines[index].append(char)
                break
        else:
            lines.append([char])
            spans.append((char["top"], char["bottom"]))
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _line_text(chars: list[dict]) -> str:
    text = ""
    previous = None
    for char in chars:
        if previous is not None and char["x0"] - previous["x1"] > 0.2 * max(char["size"], 1.0):
            text += " "
        text += char["text"]
        previous = char
    return clean_text(text)


def _text_line(chars: list[dict]) -> TextLine:
    return TextLine(
        x0=min(c["x0"] for c in chars),
        top=min(c["top"] for c in chars),
        x1=max(c["x1"] for c in chars),
        bottom=max(c["bottom"] for c in chars),
        text=_line_text(chars),
        size=median(c["size"] for c in chars),
    )


def _inside(char: dict, bbox: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _is_data_table(table: PlumberTable) -> bool:
    # Text-strategy tables are guesses: keep one only when most of its rows carry several numbers.
    rows = table.extract()
    if len(rows) < 3 or max(len(row) for row in rows) < 3:
        return False
    numeric_rows = sum(1 for row in rows if sum(1 for text in row if text and _is_numeric(text)) >= 3)
    return numeric_rows * 2 >= len(rows)


def _find_tables(page: Page) -> list[PlumberTable]:
    tables = page.find_tables()
    if tables or not page.chars:
        return tables
    text_settings = {"vertical_strategy": "text", "horizontal_strategy": "text"}
    return [table for table in page.find_tables(text_settings) if _is_data_table(table)]


def page_layout(page: Page) -> PageLayout:
    """One pdfplumber page → its text lines outside tables and its tables' cells with their text."""
    page = page.dedupe_chars()
    chars = [c for c in page.chars if c["text"].strip()]
    layout = PageLayout(height=float(page.height))
    in_tables: set[int] = set()
    for found in _find_tables(page):
        cells = []
        for bbox in found.cells:
            inside = [c for c in chars if _inside(c, bbox)]
            in_tables.update(id(c) for c in inside)
            text = join_lines([_line_text(line) for line in _char_lines(inside)])
            cells.append(Box(bbox[0], bbox[1], bbox[2], bbox[3], text))
        if cells:
            layout.tables.append(TableRegion(cells))
    # Outside tables, turned characters are watermarks or stamps, not body text.
    outside = [c for c in chars if id(c) not in in_tables and c.get("upright", True)]
    layout.lines = [_text_line(line) for line in _char_lines(outside)]
    return layout


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


def render_pages(data: bytes, dpi: int = SCAN_DPI) -> list[Image]:
    """Page images for OCR (PIL images), as a scanner at ``dpi`` would give them."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return [pdf[index].render(scale=dpi / 72, grayscale=True).to_pil() for index in range(len(pdf))]
    finally:
        pdf.close()


def read_pdf(data: bytes) -> Document:
    from extract.report import UnreadableDocument

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if not pdf.pages:
            raise UnreadableDocument("PDF without pages")
        title = report_title(pdf.metadata or {})
        scanned = not any(page.chars for page in pdf.pages)
        document = None if scanned else assemble([page_layout(p) for p in pdf.pages], Document(PDF))
    if document is None:  # no text layer on any page: a scan
        from extract.readers.ocr import read_page_images

        document = read_page_images(render_pages(data), PDF)
    if title:
        document.meta["ArticleTitle"] = title
    return document

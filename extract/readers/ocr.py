"""Scanned pages and report images, read by OCR (rapidocr-onnxruntime, models inside the wheel).

OCR gives text lines with boxes, not tables. Tables are rebuilt from the page image itself: the ruling
lines are found with OpenCV morphology, every region they enclose is a cell (a merged cell is one larger
region), and the OCR boxes are put into the cells they fall in. From there the page is a ``PageLayout``
like a PDF page, and the PDF reader's assembly joins tables across pages and lines into paragraphs.
"""

from __future__ import annotations

import ctypes
import io
import math
import re
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache
from statistics import median

import cv2
import numpy as np
from PIL import Image, ImageOps

from extract.document import Document
from extract.findings import finding
from extract.numbers import is_blank, read_number
from extract.readers.pdf import Box, PageLayout, TableRegion, TextLine, assemble, join_lines

_MIN_SCORE = 0.5
_MAX_SKEW = 4.0  # degrees a scanned page may be turned
_MAX_SIDE = 2000  # RapidOCR's own limit for a page's long side, in pixels
_READABLE_SIDE = 1500  # the short side of an image is never shrunk below this
# Checked from the image's header, before decoding: a 10 KB PNG can declare 100,000×100 pixels, and text
# detection on it takes gigabytes. An A1 sheet scanned at 200 dpi has 35 M pixels; a long screenshot of
# twenty screens is 1,080×20,000.
MAX_PIXELS = 50_000_000
_MAX_DETECTED_SIDE = 30_000  # the long side text detection sees, after scaling
# OCR reads 「、」 as the look-alike radical 「丶」 in Chinese text.
_LOOKALIKES = str.maketrans({"丶": "、"})
# Inside a cell that is otherwise a number, letters and marks OCR confuses with digits.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "〇": "0", "D": "0", "l": "1", "I": "1", "|": "1"})
_CHINESE = re.compile(r"[\u3400-\u9fff]")
_NUMERIC_WITH_LOOKALIKES = re.compile(r"^[+\-＋－]?[\dOo〇DlI|]+(?:[.．][\dOo〇DlI|]+)?$")


# OCR of one page peaks at about 0.7 GB (text detection on a 2000-px page). An extraction running several
# worker processes shares one gate among them (share_ocr_gate), so pages are read one at a time and two
# peaks never add up; alone, there is no gate.
_gate: AbstractContextManager = nullcontext()


def share_ocr_gate(gate: AbstractContextManager) -> None:
    """Read pages only while holding ``gate`` (a multiprocessing lock shared by a pool's workers)."""
    global _gate
    _gate = gate


def _give_memory_back() -> None:
    """Return the freed heap of a page's OCR to the system, so an idle worker does not keep its peak."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory is reused by the next page instead
        pass


@cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


@dataclass
class _Piece:
    """One OCR text box on the page image, in pixels."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2


def normalize_digits(text: str) -> str:
    """「1O」→「10」, 「l」→「1」, 「〇」→「0」, but only where the whole cell is a number apart from them."""
    compact = text.replace(" ", "")
    if not _NUMERIC_WITH_LOOKALIKES.match(compact):
        return text
    if not any(char.isdigit() for char in compact) and len(compact) > 1:
        return text  # 「Il」, 「Do」: letters, not a misread number
    return compact.translate(_DIGIT_LOOKALIKES)


# ---------------------------------------------------------------------------------------------- OCR


def _detected_side(width: int, height: int) -> int:
    # RapidOCR shrinks an image to 2000 px on its long side; a long screenshot of a whole report would
    # shrink to an unreadable width, so its short side is kept at a readable size instead.
    short, long = sorted((width, height))
    return max(_MAX_SIDE, math.ceil(long * min(1.0, _READABLE_SIDE / max(short, 1))))


def size_problem(width: int, height: int) -> str | None:
    """Why an image of this size is not read by OCR (too many pixels, or too long a strip), or None."""
    if width * height > MAX_PIXELS or _detected_side(width, height) > _MAX_DETECTED_SIDE:
        return f"图像为 {width}×{height} 像素，超出可识别的大小（{MAX_PIXELS:,} 像素，长边 {_MAX_DETECTED_SIDE:,}），未识别"
    return None


def _detect(rgb: np.ndarray) -> list[_Piece]:
    engine = _engine()
    engine.max_side_len = _detected_side(rgb.shape[1], rgb.shape[0])
    result, _ = engine(rgb)
    pieces = []
    for points, text, score in result or []:
        if float(score) < _MIN_SCORE or not text.strip():
            continue
        xs = [point[0] for point in points]
        ys = [point[1] for point in points]
        pieces.append(_Piece(min(xs), min(ys), max(xs), max(ys), text.strip().translate(_LOOKALIKES)))
    return pieces


def _recognise(gray: np.ndarray, box: tuple[int, int, int, int]) -> str:
    """Recognition alone on one crop: a box that straddles a ruling line, or ink nothing detected."""
    x0, y0, x1, y1 = box
    crop = gray[max(y0, 0) : y1, max(x0, 0) : x1]
    if crop.size == 0 or min(crop.shape) < 4:
        return ""
    crop = cv2.copyMakeBorder(crop, 6, 6, 6, 6, cv2.BORDER_CONSTANT, value=255)
    result, _ = _engine()(cv2.cvtColor(crop, cv2.COLOR_GRAY2RGB), use_det=False, use_cls=False)
    if not result:
        return ""
    text, score = result[0][0], float(result[0][1])
    return text.strip().translate(_LOOKALIKES) if score >= _MIN_SCORE else ""


# ---------------------------------------------------------------------------------------------- ruling


def _skew_score(ink: np.ndarray, angle: float) -> float:
    # Level lines of text and rules give a row profile with sharp steps; a tilted page blurs them.
    height, width = ink.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    rotated = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_LINEAR)
    return float(np.square(np.diff(rotated.sum(axis=1))).sum())


def _best_angle(gray: np.ndarray, scale: float, angles: np.ndarray) -> float:
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = ink.astype(np.float32)
    return float(max(angles, key=lambda angle: _skew_score(ink, float(angle))))


def deskew(gray: np.ndarray) -> np.ndarray:
    """A page scanned a little askew, turned level (tables need straight rules to become a grid)."""
    coarse = _best_angle(gray, 0.25, np.arange(-_MAX_SKEW, _MAX_SKEW + 0.01, 0.2))
    angle = _best_angle(gray, 0.5, np.arange(coarse - 0.2, coarse + 0.21, 0.05))
    if abs(angle) < 0.05:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)


def _ink(gray: np.ndarray, char_height: float) -> np.ndarray:
    block = int(char_height * 2) | 1
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def _open(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(width, 1), max(height, 1)))
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)


def _ruling(ink: np.ndarray, char_height: float) -> np.ndarray:
    """The table rules on the page: long horizontal and vertical strokes, joined into frames.

    A character's strokes are shorter than a text line. A vertical rule confined to one row (merged
    cells above and below interrupt it) is about as short: it counts when it runs from one horizontal
    rule to the next and lines up with a long vertical rule of the same frame.
    """
    horizontal = _open(ink, int(char_height * 1.6), 1)
    strokes = _open(ink, 1, int(char_height * 0.5))
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    thin = stats[:, cv2.CC_STAT_WIDTH] <= max(char_height * 0.25, 4)
    tall = stats[:, cv2.CC_STAT_HEIGHT] >= 1.25 * char_height
    rules = [i for i in range(1, count) if thin[i] and tall[i]]
    frame = _dilate(cv2.bitwise_or(horizontal, _components(labels, rules)))
    _, frames = cv2.connectedComponents(frame, connectivity=8)
    columns: dict[int, list[float]] = {}
    for i in rules:
        x, y = (int(v) for v in centroids[i])
        columns.setdefault(int(frames[y, x]), []).append(float(centroids[i][0]))
    near = max(char_height * 0.15, 3.0)
    for i in range(1, count):
        if not thin[i] or tall[i]:
            continue
        left, top, width, height = (int(v) for v in stats[i, :4])
        above = frames[max(top - 2, 0) : top, left : left + width]
        below = frames[top + height : top + height + 2, left : left + width]
        if not above.any() or not below.any() or above.max() != below.max():
            continue
        if any(abs(centroids[i][0] - x) <= near for x in columns.get(int(above.max()), [])):
            rules.append(i)
    return _dilate(cv2.bitwise_or(horizontal, _components(labels, rules)))


def _components(labels: np.ndarray, keep: list[int]) -> np.ndarray:
    return np.where(np.isin(labels, keep), 255, 0).astype(np.uint8)


def _dilate(mask: np.ndarray) -> np.ndarray:
    return cv2.dilate(mask, np.ones((3, 3), np.uint8))


def _table_cells(ruling: np.ndarray, char_height: float) -> list[list[Box]]:
    """Each connected frame of rules that encloses at least two regions is a table; the regions are cells."""
    tables = []
    count, _, stats, _ = cv2.connectedComponentsWithStats(ruling, connectivity=8)
    for i in range(1, count):
        left, top, width, height = (int(v) for v in stats[i, :4])
        if width < 4 * char_height or height < 1.5 * char_height:
            continue
        region = cv2.bitwise_not(ruling[top : top + height, left : left + width])
        n, _, cell_stats, _ = cv2.connectedComponentsWithStats(region, connectivity=4)
        cells = []
        for j in range(1, n):
            x, y, w, h = (int(v) for v in cell_stats[j, :4])
            if x == 0 or y == 0 or x + w >= width or y + h >= height:
                continue  # outside the frame
            if w < 0.4 * char_height or h < 0.4 * char_height:
                continue  # a speck between two rules
            # Grow the region over half the rule, so neighbouring cells share their edges.
            cells.append(Box(left + x - 2, top + y - 2, left + x + w + 2, top + y + h + 2))
        if len(cells) >= 2:
            tables.append(cells)
    return tables


# ---------------------------------------------------------------------------------------------- text


def _overlap(piece: _Piece, box: Box) -> float:
    width = min(piece.x1, box.x1) - max(piece.x0, box.x0)
    height = min(piece.bottom, box.bottom) - max(piece.top, box.top)
    return max(width, 0) * max(height, 0)


def _text_of(pieces: list[_Piece]) -> str:
    """Pieces of one cell or one line → text: rows by vertical overlap, each row left to right."""
    rows = _rows_by_overlap(pieces, min, max, 0.5)
    return join_lines([_row_text(row) for row in rows])


def _rows_by_overlap(pieces: list[_Piece], top_of, bottom_of, share: float) -> list[list[_Piece]]:
    """Pieces grouped into rows: a piece joins the first row it overlaps by ``share`` of the smaller height;
    ``top_of``/``bottom_of`` (min/max, or median) say where a row's edges are."""
    rows: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.top):
        for row in rows:
            top, bottom = top_of(p.top for p in row), bottom_of(p.bottom for p in row)
            overlap = min(bottom, piece.bottom) - max(top, piece.top)
            if overlap >= share * min(piece.height, bottom - top):
                row.append(piece)
                break
        else:
            rows.append([piece])
    return rows


def _row_text(row: list[_Piece]) -> str:
    # Far-apart pieces keep a gap (two numbers must not fuse into one); join_lines drops it beside Chinese.
    text, previous = "", None
    for piece in sorted(row, key=lambda p: p.x0):
        if previous is not None and piece.x0 - previous.x1 > 0.8 * max(piece.height, previous.height):
            text += " "
        text += piece.text
        previous = piece
    return text


def _fill_cells(
    cells: list[Box], pieces: list[_Piece], gray: np.ndarray, ink: np.ndarray, char_height: float
) -> None:
    """Put OCR pieces into cells; a piece across a rule is read again per cell, missed ink is read too."""
    found: dict[int, list[_Piece]] = {id(cell): [] for cell in cells}
    for piece in pieces:
        area = max((piece.x1 - piece.x0) * piece.height, 1.0)
        shares = [(cell, _overlap(piece, cell) / area) for cell in cells]
        shares = [(cell, share) for cell, share in shares if share > 0.15]
        if not shares:
            continue
        best, share = max(shares, key=lambda pair: pair[1])
        if share >= 0.85 or len(shares) == 1:
            found[id(best)].append(piece)
            continue
        for cell, _ in shares:  # OCR ran one text box over a rule: 「社会公」法律服」
            box = (
                int(max(piece.x0, cell.x0 + 3)),
                int(max(piece.top, cell.top + 3)),
                int(min(piece.x1, cell.x1 - 3)),
                int(min(piece.bottom, cell.bottom - 3)),
            )
            if text := _recognise(gray, box):
                found[id(cell)].append(_Piece(*box, text))
    for cell in cells:
        if not found[id(cell)]:
            found[id(cell)] = _missed_ink(cell, gray, ink, char_height)
        text = _text_of(found[id(cell)])
        if _misread_number(text):
            # A box that took in a rule reads 「1」 as 「L」: read the cell's own ink, rules removed.
            again = _text_of(_missed_ink(cell, gray, ink, char_height))
            text = again if read_number(normalize_digits(again)) is not None else text
        cell.text = normalize_digits(text)


def _misread_number(text: str) -> bool:
    """A short cell of Latin letters and marks, or one lone character, where a number would stand."""
    compact = text.replace(" ", "")
    short = len(compact) == 1 or (0 < len(compact) <= 4 and not _CHINESE.search(compact))
    return short and read_number(normalize_digits(compact)) is None and not is_blank(compact)


def _missed_ink(cell: Box, gray: np.ndarray, ink: np.ndarray, char_height: float) -> list[_Piece]:
    # Detection can miss a lone small character (a 「0」 in a wide cell): read what ink the cell holds.
    inset = 5
    x0, y0, x1, y1 = (
        int(cell.x0) + inset,
        int(cell.top) + inset,
        int(cell.x1) - inset,
        int(cell.bottom) - inset,
    )
    if x1 <= x0 or y1 <= y0:
        return []
    inside = ink[y0:y1, x0:x1]
    if np.count_nonzero(inside) < max(0.05 * char_height**2, 12):
        return []
    ys, xs = np.nonzero(inside)
    margin = 4
    box = (x0 + xs.min() - margin, y0 + ys.min() - margin, x0 + xs.max() + margin, y0 + ys.max() + margin)
    text = _recognise(gray, box)
    return [_Piece(*box, text)] if text else []


def _lines(pieces: list[_Piece]) -> list[TextLine]:
    """Pieces outside tables → text lines: pieces side by side at one height are one line."""
    rows = _rows_by_overlap(pieces, median, median, 0.6)
    lines = []
    for row in rows:
        row.sort(key=lambda p: p.x0)
        lines.append(
            TextLine(
                x0=row[0].x0,
                top=min(p.top for p in row),
                x1=max(p.x1 for p in row),
                bottom=max(p.bottom for p in row),
                text=join_lines([_row_text(row)]),
                size=median(p.height for p in row),
            )
        )
    return sorted(lines, key=lambda line: line.top)


# ---------------------------------------------------------------------------------------------- pages


def page_layout(image: Image.Image) -> PageLayout:
    """One page image → text lines outside tables and table cells holding the text OCR read in them."""
    with _gate:
        try:
            return _page_layout(image)
        finally:
            _give_memory_back()


def _page_layout(image: Image.Image) -> PageLayout:
    gray = deskew(np.asarray(image.convert("L")))
    pieces = _detect(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB))
    layout = PageLayout(height=float(gray.shape[0]))
    if not pieces:
        return layout
    # Heights of horizontal boxes: a column of characters set one under another is no text height.
    char_height = median(
        [p.height for p in pieces if p.height <= 2 * (p.x1 - p.x0)] or [p.height for p in pieces]
    )
    layout.tolerance = max(char_height * 0.35, 3.0)
    ink = _ink(gray, char_height)
    ruling = _ruling(ink, char_height)
    # What is left once rules and lone specks of scanner noise are removed: the writing.
    ink = _open(cv2.bitwise_and(ink, cv2.bitwise_not(ruling)), 2, 2)
    outside = list(pieces)
    for cells in _table_cells(ruling, char_height):
        region = TableRegion(cells)
        inside = [p for p in pieces if _within(p, region)]
        _fill_cells(cells, inside, gray, ink, char_height)
        layout.tables.append(region)
        outside = [p for p in outside if not _within(p, region)]
    layout.lines = _lines(outside)
    return layout


def _within(piece: _Piece, region: TableRegion) -> bool:
    x, y = piece.centre
    return region.x0 <= x <= region.x1 and region.top <= y <= region.bottom


def ocr_finding(pages: list[int] | None = None) -> dict:
    """The warning that numbers were read by OCR: of the whole document, or of some pages (1-based)."""
    if pages is None:
        return finding(
            "document.ocr", "document", "本文档为扫描件，文字和数字由 OCR 识别，可能有误", "warning"
        )
    numbers = "、".join(str(page) for page in pages)
    message = f"第{numbers}页为扫描件（无文字层），其文字和数字由 OCR 识别，可能有误"
    return finding("document.ocr", "document", message, "warning")


def read_page_images(images: list[Image.Image], media_type: str) -> Document:
    document = assemble([page_layout(image) for image in images], Document(media_type=media_type))
    document.ocr = True
    document.findings.append(ocr_finding())
    return document


def read_image(data: bytes, media_type: str) -> Document:
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    return read_page_images([image], media_type)

"""PDF-to-markdown converter output: pipe tables and 「#」 headings, read into paragraphs and table grids.

Converters (corpus 26; report-template.md, last section) print a report's tables as pipe tables, but:
- page furniture stays in the text (「— 4 —」); headings are pseudo-headings: 「## 表三：…」 captions
  repeated between the pieces of one table, group labels (「### （三）不予公开」) between pieces of table 三;
- one table comes as several pipe tables, each piece opening with a separator row 「|---|」, and with
  detached labels as loose lines between them (「（二）部分公开…」 above a row of bare numbers);
- cells are pulled out of the table as loose lines before it (table 二's 「22 / （其中修订 16 件）」), or lost:
  a row then has fewer cells than its header;
- applicant columns are renamed 数据1…数据6; table 四 may come as three 5-cell tables side by side.

The pieces of one table are joined into one grid. Detached labels are put back only where no other reading
is possible (the label right above a label-less row; the template's order between two known rows), each time
with a finding. A lost cell is never filled: a short row gives values only where their position is certain.

The grids go to extract/tables.py like any reader's; table 三's alignment uses its row recognition
(``application_row_key``) so that both agree on which rows are known.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extract.document import Cell, Document, Paragraph, Table
from extract.findings import finding
from extract.numbers import is_blank, read_number
from extract.readers.text import decode_text
from extract.sections import heading_key
from extract.tables import (
    ApplicationsTable,
    DisclosureTable,
    ReviewsTable,
    StatisticsTable,
    application_row_key,
    normalize_label,
    split_row,
    table_text,
)
from extract.template import (
    APPLICATION_GROUP_LABELS,
    APPLICATION_GROUP_WORDS,
    APPLICATION_GROUPS,
    APPLICATION_ROW_LABELS,
    APPLICATION_ROWS,
    APPLICATION_SUBROW_WORDS,
    DISCLOSURE_ITEM_WORDS,
    REVIEW_KEYS,
)

MARKDOWN = "text/markdown"

_PIPE_ROW = re.compile(r"^\|.*\|$")
_RULE_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
# Page furniture: 「— 4 —」, 「- 4 -」, 「第 4 页 共 9 页」.
_PAGE_MARKER = re.compile(
    r"^(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?)$"
)
# A caption pseudo-heading naming one of the report's tables: 「表二：主动公开政府信息情况」.
_CAPTION = re.compile(r"^(?:附)?表\s*([一二三四五六七八九十]|\d{1,2})(?![\d一二三四五六七八九十])")
# A line that starts a label (or a paragraph): 「一、」「（一）」「1.」.
_LABEL_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]|\d{1,2}\s*[.．、](?!\d))"
)
# A group label of table 三 on its own: 「（三）不予公开」.
_GROUP_LABEL = re.compile(
    r"^[（(]\s*[三四五六]\s*[）)]\s*(?P<group>" + "|".join(APPLICATION_GROUP_WORDS.values()) + r")\s*$"
)
# 「行政许可 0」, 「规章 22 0 235」: a table row the converter printed as a text line.
_LABELLED_NUMBERS = re.compile(
    r"^(?P<label>.*?[^\d\s.,+\-])\s+(?P<numbers>[+\-]?[\d.,]+(?:\s+[+\-]?[\d.,]+)*)$"
)
_PARENTHESIZED = re.compile(r"^[（(].*[）)]$")
_PLACEHOLDER_HEADER = re.compile(r"^数据\s*(\d)$")
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef“”‘’"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SENTENCE_END = ("。", "！", "？", "；", "：", ".", ";", ":")

# Table 二's column headers, for a header line printed run together: 「信息内容本年处理决定数量」.
_DISCLOSURE_HEADERS = re.compile(
    r"(?:本年制发件数|本年废止件数|现行有效件数|本年处理决定数量|处理决定数量|本年收费金额|本年新制作数量"
    r"|本年新公开数量|对外公开总数量|上一年项目数量|本年增\s*/\s*减|本年增减|采购项目数量|采购总金额)"
    r"(?:\s*[（(]\s*(?:单位\s*[:：])?\s*万?元\s*[）)])?"
)
_HEADER_LINE = re.compile(r"^信\s*息\s*内\s*容\s*(.*?)\s*$")
# The applicant columns that 数据1…数据6 stand for, in the template's order (report-template.md).
_APPLICANT_HEADERS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
# Official labels of table 三, used when a row's label is put back by the template's order.
_GROUP_LABELS = APPLICATION_GROUP_LABELS
_ROW_LABELS = APPLICATION_ROW_LABELS
_REVIEW_BLOCK = len(REVIEW_KEYS) // 3  # table 四's three blocks of five

# A line at least this share of the usual full line is a wrapped body line, not a table fragment.
_BODY_WIDTH_SHARE = 0.85
_MIN_LINES_FOR_WIDTH = 5
# Lines between two pieces of one table: a table's loose labels are a few lines, a section of text is more.
_MAX_LOOSE_LINES = 15
_MAX_LEADING_LINES = 40


def looks_like_markdown(data: bytes) -> bool:
    """Converter markdown: a pipe-table row followed by its 「|---|」 separator, or 「#」 headings (text with
    <table> markup and no heading is HTML, which ``sniff_media_type`` decides before this)."""
    lines = [line.strip() for line in data[:65536].splitlines()]
    headings = 0
    for line, following in zip(lines, [*lines[1:], b""], strict=True):
        if line.startswith(b"|") and line.endswith(b"|") and b"|" in following and b"---" in following:
            if re.fullmatch(rb"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?", following):
                return True
        if re.match(rb"#{1,6}\s+\S", line):
            headings += 1
    # One stray 「#」 line does not make a plain text markdown; one with a converter's inline HTML table does.
    return headings >= 2 or (headings == 1 and re.search(rb"<table[\s>]", data, re.IGNORECASE) is not None)


# ---------------------------------------------------------------------------------------------- lines


@dataclass
class _Line:
    number: int  # 1-based line number, for findings
    kind: str  # "text", "heading" or "blank"
    text: str
    width: int = 0  # display width: CJK characters count two


@dataclass
class _Piece:
    """One pipe table (or one inline HTML table) as the converter printed it."""

    number: int
    rows: list[list[Cell]]


_Item = _Line | _Piece


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _clean_cell(text: str) -> str:
    text = re.sub(r"<br\s*/?>", "", text, flags=re.IGNORECASE).replace("**", "").replace("\\|", "|")
    return text.strip()


def _pipe_cells(line: str) -> list[Cell]:
    inner = line.strip()[1:-1]
    return [Cell(_clean_cell(text)) for text in re.split(r"(?<!\\)\|", inner)]


def _html_pieces(number: int, markup: str) -> list[_Piece]:
    # Some converters print tables as inline HTML inside the markdown: read them as the HTML reader does.
    from extract.readers.html import load_html_fragment, table_grids

    tree = load_html_fragment(markup)
    if tree is None:
        return []
    return [_Piece(number, grid.rows) for _, grid in table_grids(tree) if grid.rows]


def _items(text: str) -> list[_Item]:
    """Lines → text lines, headings, blanks and pieces; page markers and separator rows dropped."""
    content = [
        (number, line.strip())
        for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1)
        if not _PAGE_MARKER.match(line.strip())
    ]
    items: list[_Item] = []
    piece: _Piece | None = None
    index = 0
    while index < len(content):
        number, line = content[index]
        index += 1
        if re.search(r"<table[\s>]", line, re.IGNORECASE):
            markup = [line]
            while "</table>" not in markup[-1].lower() and index < len(content):
                markup.append(content[index][1])
                index += 1
            items.extend(_html_pieces(number, "\n".join(markup)))
            piece = None
            continue
        if _RULE_ROW.match(line) and "-" in line:
            continue  # the separator under a piece's first row (or a rule between paragraphs)
        if _PIPE_ROW.match(line) and len(line) > 1:
            following = content[index][1] if index < len(content) else ""
            # A row followed by a separator opens a new pipe table: a new piece.
            if piece is None or (piece.rows and _RULE_ROW.match(following) and "|" in following):
                piece = _Piece(number, [])
                items.append(piece)
            piece.rows.append(_pipe_cells(line))
            continue
        piece = None
        if not line:
            items.append(_Line(number, "blank", ""))
        elif heading := _HEADING.match(line):
            items.append(_Line(number, "heading", heading.group(1).replace("**", "").strip()))
        else:
            items.append(_Line(number, "text", line, _display_width(line)))
    return items


class _Widths:
    """The usual width of a full body line: longer lines are wrapped paragraphs, not table fragments."""

    def __init__(self, items: list[_Item]) -> None:
        widths = sorted(item.width for item in items if isinstance(item, _Line) and item.kind == "text")
        self.full = widths[int(0.9 * (len(widths) - 1))] if len(widths) >= _MIN_LINES_FOR_WIDTH else None

    def is_body(self, line: _Line) -> bool:
        return line.kind == "text" and self.full is not None and line.width >= _BODY_WIDTH_SHARE * self.full


def _is_section_heading(line: _Line) -> bool:
    return line.kind != "blank" and heading_key(line.text) is not None


def _caption(line: _Line) -> str | None:
    match = _CAPTION.match(line.text) if line.kind == "heading" else None
    return match.group(1) if match else None


# ---------------------------------------------------------------------------------------------- groups


@dataclass
class _Group:
    """The pieces of one table, with the loose lines before each piece (those before the first: its head)."""

    start: int  # item index of its first line
    end: int  # item index of its last piece
    parts: list[tuple[list[_Line], _Piece]] = field(default_factory=list)
    name: str | None = None  # 二 of 「## 表二：…」


def _leading_lines(items: list[_Item], position: int, floor: int, widths: _Widths) -> tuple[int, list[_Line]]:
    """Loose lines right above a table (no blank line between): its header area as the converter left it."""
    start = position
    for index in range(position - 1, max(floor, position - _MAX_LEADING_LINES) - 1, -1):
        line = items[index]
        if isinstance(line, _Piece) or line.kind == "blank" or _is_section_heading(line):
            break
        if widths.is_body(line):
            # A wrapped paragraph: its last line, right below, belongs to it, not to the table.
            if not line.text.endswith(_SENTENCE_END) and start < position:
                start += 1
            break
        start = index
    return start, [item for item in items[start:position] if isinstance(item, _Line)]


def _continues(between: list[_Item], group: _Group, widths: _Widths) -> bool:
    """Whether a piece continues the table before it: only page furniture, captions and loose labels between."""
    loose = 0
    name = group.name
    for line in between:
        if not isinstance(line, _Line) or line.kind == "blank":
            continue
        if _is_section_heading(line) or widths.is_body(line):
            return False
        if caption := _caption(line):
            if name and caption != name:
                return False  # 「## 表三」 after pieces of 表二: a new table
            name = caption
            continue
        loose += 1
    if loose > _MAX_LOOSE_LINES:
        return False
    group.name = name
    return True


def _groups(items: list[_Item], widths: _Widths) -> list[_Group]:
    groups: list[_Group] = []
    for position, item in enumerate(items):
        if not isinstance(item, _Piece):
            continue
        if groups:
            group = groups[-1]
            between = items[group.end + 1 : position]
            if _continues(between, group, widths):
                group.parts.append(([line for line in between if isinstance(line, _Line)], item))
                group.end = position
                continue
        floor = groups[-1].end + 1 if groups else 0
        start, lead = _leading_lines(items, position, floor, widths)
        group = _Group(start, position, [(lead, item)])
        group.name = next((name for line in lead if (name := _caption(line))), None)
        groups.append(group)
    return groups


# ---------------------------------------------------------------------------------------------- grids


def _is_number(text: str) -> bool:
    return read_number(text) is not None


def _label_less(cells: list[Cell]) -> bool:
    """A row of bare numbers: its label was left elsewhere by the converter."""
    texts = [cell.text for cell in cells if not is_blank(cell.text)]
    return bool(texts) and all(_is_number(text) for text in texts)


def _header_cells(text: str) -> list[Cell] | None:
    """「信息内容本年处理决定数量」 → 信息内容 | 本年处理决定数量: table 二's header printed as one line."""
    match = _HEADER_LINE.match(text)
    if not match or not match.group(1):
        return None
    rest = match.group(1)
    parts = rest.split()
    if len(parts) == 1:
        headers = [found.group(0) for found in _DISCLOSURE_HEADERS.finditer(rest)]
        parts = headers if "".join(headers).replace(" ", "") == rest.replace(" ", "") else [rest]
    return [Cell("信息内容"), *(Cell(part) for part in parts)]


def _labelled_numbers(text: str) -> list[Cell] | None:
    match = _LABELLED_NUMBERS.match(text)
    if not match:
        return None
    numbers = match.group("numbers").split()
    if not all(_is_number(number) for number in numbers):
        return None
    return [Cell(match.group("label").strip()), *(Cell(number) for number in numbers)]


@dataclass
class _GroupMark:
    """A group label of table 三 standing alone (「### （三）不予公开」): the group of the rows below it."""

    words: str  # 不予公开, 无法提供, 不予处理 or 其他处理


@dataclass
class _Loose:
    """What the converter left above or between the pieces, in order, sorted by what it can still be:
    rows (header lines, 「行政许可 0」 lines, group labels) and plain fragments (str), and cells pulled out."""

    elements: list[list[Cell] | str | _GroupMark] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)


def _sort_loose(lines: list[_Line]) -> _Loose:
    loose = _Loose()
    after_number = False
    for line in lines:
        if _caption(line):
            continue
        text = line.text
        if cells := _header_cells(text) or _labelled_numbers(text):
            loose.elements.append(cells)
        elif group := _GROUP_LABEL.match(text):
            loose.elements.append(_GroupMark(group.group("group")))  # the rows below fall under it
        elif _is_number(text):
            loose.cells.append(text)
            after_number = True
            continue
        elif after_number and _PARENTHESIZED.match(text):
            loose.cells[-1] += text  # 「22」 then 「（其中修订 16 件）」: one cell's two lines
            continue
        else:
            loose.elements.append(text)
        after_number = False
    return loose


def _trailing_labels(elements: list[list[Cell] | str | _GroupMark]) -> list[tuple[int, str]]:
    """The plain fragments right above the next piece, cut into row labels, each with the element it starts at.

    A label starts 「（一）」「1.」「一、」; a line that does not continues the label above it (「（二）部分公开
    （…只计这一情」「形，…）」); lines before the first such start are header text (「行政复议」), no label."""
    start = len(elements)
    while start and isinstance(elements[start - 1], str):
        start -= 1
    labels: list[tuple[int, str]] = []
    for index in range(start, len(elements)):
        text = elements[index]
        if not isinstance(text, str):
            continue
        if _LABEL_START.match(text):
            labels.append((index, text))
        elif labels:
            labels[-1] = (labels[-1][0], labels[-1][1] + text)
    return labels


class _GridBuilder:
    def __init__(self, findings: list[dict]) -> None:
        self.rows: list[list[Cell]] = []
        # What each row is: "row"; "loose" for a label between pieces that no row took (header text to
        # tables 二 and 四; in table 三 only evidence for the template's order, where 「5.要求…重新出具」 alone
        # would read as a row without numbers); "group" for a group label standing alone.
        self.kinds: list[str] = []
        self.loose_cells: list[str] = []
        self.findings = findings

    def append(self, row: list[Cell], kind: str = "row") -> None:
        self.rows.append(row)
        self.kinds.append(kind)

    def add(self, lines: list[_Line], piece: _Piece, *, head: bool) -> None:
        """One piece with the loose lines above it; above the first piece they are the table's header area."""
        loose = _sort_loose(lines)
        self.loose_cells += loose.cells
        elements = loose.elements
        rows = [list(row) for row in piece.rows]
        bare = 0
        while bare < len(rows) and _label_less(rows[bare]):
            bare += 1
        labels = _trailing_labels(elements)
        if bare and len(labels) >= bare:
            # As many labels right above as label-less rows open the piece: each row takes its label.
            for offset, (_, label) in enumerate(labels[-bare:]):
                rows[offset] = [Cell(label), *rows[offset]]
                self.findings.append(
                    finding(
                        "markdown.label_attached",
                        f"line {piece.number + offset}",
                        f"一行只有数字、没有标签，其正上方游离的「{label}」作为该行标签",
                        "warning",
                    )
                )
            elements = elements[: labels[-bare][0]]
        for element in elements:
            if isinstance(element, _GroupMark):
                self.append([Cell(element.words)], "group")
            elif isinstance(element, str):
                self.append([Cell(element)], "row" if head else "loose")  # header text: 「申请人情况」
            else:
                self.append(element)
        for row in rows:
            self.append(row)

    def rows_of(self, *kinds: str) -> list[list[Cell]]:
        return [row for row, kind in zip(self.rows, self.kinds, strict=True) if kind in kinds]


def _build_grid(group: _Group) -> tuple[Table, list[dict]]:
    findings: list[dict] = []
    builder = _GridBuilder(findings)
    for index, (lines, piece) in enumerate(group.parts):
        builder.add(lines, piece, head=index == 0)
    first, last = group.parts[0][1].number, group.parts[-1][1].number
    if len(group.parts) > 1:
        findings.append(
            finding(
                "markdown.table_joined",
                f"line {first}",
                f"第 {first}–{last} 行的 {len(group.parts)} 个管道表之间只有页码、标题或游离标签，"
                "是同一张表的续片，已拼成一张表",
                "warning",
            )
        )
    builder.rows = _rename_placeholders(builder.rows, findings, first)
    rows = builder.rows_of("row", "loose")
    table = Table(rows)
    text = table_text(table)
    if StatisticsTable.recognise(text):
        pass
    elif ReviewsTable.recognise(text) or ("维持" in text and "纠正" in text):
        table = Table(_join_review_blocks(rows, findings, first))
    elif ApplicationsTable.recognise(text):
        table = Table(_read_application_rows(builder, findings))
    elif DisclosureTable.recognise(text):
        table = Table(_place_short_disclosure_rows(rows, findings))
    if builder.loose_cells:
        findings.append(
            finding(
                "markdown.loose_cells",
                f"line {first}",
                "表格中游离的"
                + "".join(f"「{text}」" for text in builder.loose_cells)
                + "是转换器从单元格中拉出的内容，无法确定所属的行和列，未采用",
                "warning",
            )
        )
    return table, findings


def _rename_placeholders(rows: list[list[Cell]], findings: list[dict], line: int) -> list[list[Cell]]:
    """数据1…数据6: the converter's names for the six applicant columns, in the template's order."""
    renamed = []
    for cells in rows:
        numbers = [
            int(match.group(1)) for cell in cells if (match := _PLACEHOLDER_HEADER.match(cell.text.strip()))
        ]
        if numbers != list(range(1, len(_APPLICANT_HEADERS) + 1)):
            renamed.append(cells)
            continue
        renamed.append(
            [
                Cell(_APPLICANT_HEADERS[int(match.group(1)) - 1], cell.spanned)
                if (match := _PLACEHOLDER_HEADER.match(cell.text.strip()))
                else cell
                for cell in cells
            ]
        )
        findings.append(
            finding(
                "markdown.placeholder_headers",
                f"line {line}",
                "表头「数据1」…「数据6」按模板顺序读作自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他",
                "warning",
            )
        )
    return renamed


def _read_application_rows(builder: _GridBuilder, findings: list[dict]) -> list[list[Cell]]:
    """Table 三's rows for the table reader: loose labels and group headings taken out, a group heading
    written into the rows that need it (「3.其他」 under 「### （六）其他处理」), lost labels put back."""
    rows: list[list[Cell]] = []
    groups: list[str | None] = []  # the group heading each row stands under
    loose: list[str] = []
    heading: str | None = None
    for row, kind in zip(builder.rows, builder.kinds, strict=True):
        if kind == "loose":
            loose.append(row[0].text)
        elif kind == "group":
            heading = next(name for name, words in APPLICATION_GROUP_WORDS.items() if words == row[0].text)
        else:
            rows.append(row)
            groups.append(heading)
            heading = None
    return _align_by_template(rows, groups, loose, findings)


def _align_by_template(
    rows: list[list[Cell]], headings: list[str | None], loose: list[str], findings: list[dict]
) -> list[list[Cell]]:
    """Rows of numbers whose label is lost or unreadable, between two known rows of table 三: when their count is
    exactly the number of the template's rows missing between those two, they take them in order."""
    rows = list(rows)
    keyed: list[tuple[int, str | None]] = []
    group: str | None = None
    for index, cells in enumerate(rows):
        group = headings[index] or group
        row = split_row(cells)
        own_key, _ = application_row_key(row, None)
        key, group = application_row_key(row, group)
        if own_key is None and key is not None and group:
            # Known only by the group heading above it: write the group in, as a merged label cell would.
            rows[index] = [Cell(_GROUP_LABELS[group]), *cells]
        key = own_key or key
        if any(_is_number(cell.text) for cell in row.values):
            keyed.append((index, key))
    found = {key for _, key in keyed if key}
    split_other = any(key in found for key in APPLICATION_GROUPS["other"])
    order = [
        key
        for key in APPLICATION_ROWS
        if (key != "other_handling" if split_other else key not in APPLICATION_GROUPS["other"])
    ]
    rows = list(rows)
    position = 0
    while position < len(keyed):
        if keyed[position][1] is not None:
            position += 1
            continue
        end = position
        while end < len(keyed) and keyed[end][1] is None:
            end += 1
        before = keyed[position - 1][1] if position else None
        after = keyed[end][1] if end < len(keyed) else None
        run = keyed[position:end]
        position = end
        if before not in order or after not in order or order.index(before) >= order.index(after):
            continue  # only between two known rows, in the template's order
        missing = [key for key in order[order.index(before) + 1 : order.index(after)] if key not in found]
        if len(missing) != len(run):
            continue
        for (index, _), key in zip(run, missing, strict=True):
            row = split_row(rows[index])
            labels = (
                [_GROUP_LABELS[name], _ROW_LABELS[key]] if (name := _group_of(key)) else [_ROW_LABELS[key]]
            )
            rows[index] = [Cell(label) for label in labels] + row.values
            printed = "".join(row.labels) or "（无标签）"
            words = APPLICATION_SUBROW_WORDS.get(key, ())
            support = next(
                (text for text in loose if any(word in normalize_label(text) for word in words)), None
            )
            findings.append(
                finding(
                    "applications.template_order",
                    key,
                    f"表三中「{printed}」一行的标签缺失或不全，位于「{_ROW_LABELS[before]}」与"
                    f"「{_ROW_LABELS[after]}」之间，按模板顺序认定为「{''.join(labels)}」"
                    + (f"（表中游离的「{support}」与之相符）" if support else ""),
                    "warning",
                )
            )
    return rows


def _group_of(key: str) -> str | None:
    return next((name for name, keys in APPLICATION_GROUPS.items() if key in keys), None)


def _place_short_disclosure_rows(rows: list[list[Cell]], findings: list[dict]) -> list[list[Cell]]:
    """A row of table 二 with fewer cells than its header: the converter lost some. The first value sits
    next to the label and the last at the table's edge; what lies between is not known, and stays empty.

    Such a row gets a header of its own (信息内容 | first metric | last metric), so the table reader takes
    exactly the two certain values; the full header is restated for the rows after it."""
    placed: list[list[Cell]] = []
    header: list[Cell] | None = None
    restate = False
    for cells in rows:
        row = split_row(cells)
        if "信息内容" in row.joined:
            header, restate = cells, False
            placed.append(cells)
            continue
        metrics = _header_metrics(header) if header else []
        values = list(row.values)
        while values and is_blank(values[-1].text):
            values.pop()
        is_item = any(words in row.joined for words, _ in DISCLOSURE_ITEM_WORDS)
        if restate and header:
            placed.append(header)
            restate = False
        if not (is_item and header and 2 <= len(values) < len(metrics)):
            placed.append(cells)
            continue
        label = row.labels[-1]
        placed.append([Cell("信息内容"), metrics[0], metrics[-1]])
        placed.append([Cell(label), values[0], values[-1]])
        restate = True
        middle = "、".join(f"「{metric.text}」" for metric in metrics[1:-1])
        unplaced = "、".join(f"「{value.text}」" for value in values[1:-1])
        lost = len(metrics) - len(values)
        findings.append(
            finding(
                "disclosure.cell_lost",
                label,
                f"表二「{label}」行只有 {len(values)} 个数值，表头有 {len(metrics)} 列：「{values[0].text}」按位置归"
                f"「{metrics[0].text}」，「{values[-1].text}」归「{metrics[-1].text}」；"
                + (
                    f"{middle}中有 {lost} 个单元格被转换器丢失，{unplaced}无法确定所属列，均未采用"
                    if unplaced
                    else f"{middle}的单元格被转换器丢失，留空（不作 0）"
                ),
                "warning",
            )
        )
    return placed


def _header_metrics(header: list[Cell]) -> list[Cell]:
    texts = [normalize_label(cell.text) for cell in header]
    start = next((index for index, text in enumerate(texts) if "信息内容" in text), -1)
    return [cell for cell in header[start + 1 :] if normalize_label(cell.text) and not cell.spanned]


def _join_review_blocks(rows: list[list[Cell]], findings: list[dict], line: int) -> list[list[Cell]]:
    """Table 四 as three 5-cell tables (行政复议, 未经复议直接起诉, 复议后起诉): their number rows side by side."""
    numbered = [
        (index, [cell for cell in cells if not is_blank(cell.text)])
        for index, cells in enumerate(rows)
        if _label_less(cells)
    ]
    if any(len(values) == len(REVIEW_KEYS) for _, values in numbered):
        return rows
    blocks = [(index, values) for index, values in numbered if len(values) == _REVIEW_BLOCK]
    if len(blocks) != len(REVIEW_KEYS) // _REVIEW_BLOCK:
        return rows
    joined = [cell for _, values in blocks for cell in values]
    findings.append(
        finding(
            "reviews.blocks_joined",
            "reviews",
            f"表四被拆成 {len(blocks)} 个各含 {_REVIEW_BLOCK} 个数字的表，按模板顺序（行政复议、未经复议直接起诉、"
            "复议后起诉）并成一行",
            "warning",
        )
    )
    drop = {index for index, _ in blocks}
    return [cells for index, cells in enumerate(rows) if index not in drop] + [joined]


# ---------------------------------------------------------------------------------------------- text


def _clean_paragraph(parts: list[str]) -> str:
    return _SPACE_BY_CJK.sub("", " ".join(" ".join(parts).split()))


def _paragraphs(lines: list[_Line], widths: _Widths) -> list[str]:
    """Text lines → paragraphs: a full-width line wraps into the next unless the next starts a label."""
    paragraphs: list[list[str]] = []
    previous: _Line | None = None
    for line in lines:
        if line.kind == "blank":
            previous = None
            continue
        wraps = (
            previous is not None
            and previous.kind == "text"
            and line.kind == "text"
            and widths.is_body(previous)
            and not _LABEL_START.match(line.text)
            and not _is_section_heading(previous)
        )
        if wraps:
            paragraphs[-1].append(line.text)
        else:
            paragraphs.append([line.text])
        previous = line
    return [text for parts in paragraphs if (text := _clean_paragraph(parts))]


def read_markdown(data: bytes) -> Document:
    items = _items(decode_text(data))
    # A lone 「正文」 above the title is the PDF's body label, not the report's text.
    first = next(
        (index for index, item in enumerate(items) if isinstance(item, _Line) and item.kind != "blank"), None
    )
    if first is not None and items[first].text == "正文":
        del items[first]
    widths = _Widths(items)
    document = Document(media_type=MARKDOWN)
    groups = {group.start: group for group in _groups(items, widths)}
    run: list[_Line] = []

    def flush() -> None:
        for text in _paragraphs(run, widths):
            document.blocks.append(Paragraph(text))
            document.text_lines.append(text)
        run.clear()

    index = 0
    while index < len(items):
        if group := groups.get(index):
            flush()
            table, findings = _build_grid(group)
            document.blocks.append(table)
            document.findings.extend(findings)
            index = group.end + 1
            continue
        item = items[index]
        if isinstance(item, _Line):
            run.append(item)
        index += 1
    flush()
    return document

"""Tables 二, 三 and 四 as grids of merged cells, laid out like the official templates.

A grid is a list of rows of Cells with rowspan/colspan, the same model HTML uses; the HTML and DOCX
writers both render it. Cell text uses "\\n" for a line break and SPAN for a boundary between two
<span>s (Word splits labels that way; the DOCX writer simply joins them).
"""

from __future__ import annotations

from dataclasses import dataclass

from figures import (
    COLUMNS,
    DENIED,
    OTHER_SPLIT,
    REJECTED,
    REVIEW_KEYS,
    UNAVAILABLE,
    DisclosureBlock,
    DisclosureLine,
    ReportFigures,
)
from report_style import ReportStyle

SPAN = "\x1f"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    blank: bool = False  # an empty cell, written as &nbsp; / <o:p></o:p> / nothing


Grid = list[list[Cell]]


def place(grid: Grid) -> tuple[list[tuple[int, int, Cell]], int]:
    """Absolute (row, column) of every cell, resolving spans as a browser does, and the table width."""
    taken: set[tuple[int, int]] = set()
    placed = []
    width = 0
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    return placed, width


# --- table 二 ---------------------------------------------------------------------------------------


def spread(texts: list[str], width: int) -> list[Cell]:
    """Value cells across the value area: the last one takes the columns the block leaves over."""
    cells = [Cell(t) for t in texts]
    cells[-1].colspan = width - len(texts) + 1
    return cells


def disclosure_table(figures: ReportFigures, style: ReportStyle) -> Grid:
    label_width = 2 if any(line.group for block in figures.disclosure for line in block.lines) else 1
    width = label_width + 3
    grid: Grid = []
    for block in figures.disclosure:
        ragged = (
            style.fees_block != "colspan" and block.heading.endswith("（八）项") and len(block.headers) == 3
        )
        grid.extend(disclosure_block(block, label_width, width, ragged, style.fees_block == "empty_cell"))
    return grid


def disclosure_block(block: DisclosureBlock, label_width: int, width: int, ragged: bool, pad: bool) -> Grid:
    """One 第二十条第（N）项 block: heading row, 信息内容 row, one row per item."""
    value_width = width - label_width
    heading_span = label_width + len(block.headers) - 1 if ragged and not pad else width
    rows: Grid = [[Cell(block.heading, colspan=heading_span)]]
    rows.append(
        [Cell(block.headers[0], colspan=label_width), *value_cells(block.headers[1:], value_width, ragged)]
    )
    if ragged and pad:
        rows[-1].append(Cell("", blank=True))
    seen_groups: set[str] = set()
    for line in block.lines:
        row = line_label_cells(line, block, label_width, seen_groups)
        row.extend(value_cells([f.text for f in line.figures], value_width, ragged))
        if ragged and pad:
            row.append(Cell("", blank=True))
        rows.append(row)
    return rows


def value_cells(texts: list[str], value_width: int, ragged: bool) -> list[Cell]:
    return [Cell(t) for t in texts] if ragged else spread(texts, value_width)


def line_label_cells(
    line: DisclosureLine, block: DisclosureBlock, label_width: int, seen_groups: set[str]
) -> list[Cell]:
    if line.group is None:
        return [Cell(line.label, colspan=label_width)]
    cells = []
    if line.group not in seen_groups:
        seen_groups.add(line.group)
        cells.append(Cell(line.group, rowspan=sum(1 for other in block.lines if other.group == line.group)))
    cells.append(Cell(line.label))
    return cells


# --- table 三 ---------------------------------------------------------------------------------------

GOUJI = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
HEADLINE_ROWS = ("new_received", "carried_over", "total_handled", "carried_forward")
DENIED_LABELS = (
    "属于国家秘密",
    "其他法律行政法规禁止公开",
    "危及{q}三安全一稳定{e}",
    "保护第三方合法权益",
    "属于三类内部事务信息",
    "属于四类过程性信息",
    "属于行政执法案卷",
    "属于行政查询事项",
)
UNAVAILABLE_LABELS = ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确")
REJECTED_LABELS = (
    "信访举报投诉类申请",
    "重复申请",
    "要求提供公开出版物",
    "无正当理由大量反复申请",
    "要求行政机关确认或重新出具已获取信息",
)
OTHER_LABELS = (
    "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "其他",
)
QUOTES = {"curly": ("“", "”"), "ascii": ('"', '"'), "single": ("‘", "’"), "corner": ("「", "」")}


def paren(number: str, style: ReportStyle) -> str:
    """（一） or, in some reports, the half-width (一) followed by a space."""
    return f"({number}) " if style.halfwidth_parens else f"（{number}）"


def numbered(labels: tuple[str, ...], style: ReportStyle) -> list[str]:
    mark = "、" if style.comma_numbering else "."
    return [f"{i}{mark}{label}" for i, label in enumerate(labels, start=1)]


def denied_labels(style: ReportStyle) -> list[str]:
    opening, closing = QUOTES[style.quote_style]
    labels = [label.format(q=opening, e=closing) for label in DENIED_LABELS]
    if style.typo_prohibited:
        labels[1] = "其他法律行政止公开"
    return numbered(tuple(labels), style)


def header_label(
    text: str, style: ReportStyle, split: tuple[str, ...] = (), lines: tuple[str, ...] = ()
) -> str:
    """A header label, split across spans or broken into lines when the report does that."""
    if style.split_labels and split:
        return SPAN.join(split)
    if style.br_headers and lines:
        return "\n".join(lines)
    return text


def applications_header(style: ReportStyle) -> Grid:
    social = "社会组织" if style.social_org_label else "社会公益组织"
    orgs = [
        header_label("商业企业", style, lines=("商业", "企业")),
        header_label("科研机构", style, lines=("科研", "机构")),
        social,
        header_label("法律服务机构", style, ("法律服", "务机构")),
        "其他",
    ]
    return [
        [Cell(GOUJI, rowspan=3, colspan=3), Cell("申请人情况", colspan=7)],
        [
            Cell(header_label("自然人", style, ("自然", "人")), rowspan=2),
            Cell("法人或其他组织", colspan=5),
            Cell("总计", rowspan=2),
        ],
        [Cell(label) for label in orgs],
    ]


def result_label_rows(figures: ReportFigures, style: ReportStyle) -> list[tuple[str, list[Cell]]]:
    """(row key, label cells) of every 三、本年度办理结果 row, with the official merges."""

    def group(
        number: str, name: str, keys: tuple[str, ...], labels: list[str]
    ) -> list[tuple[str, list[Cell]]]:
        # The merged label of a sub-group, e.g. 「（三）不予<br>公开」 when the report breaks it.
        head = header_label(
            f"{paren(number, style)}{name}", style, lines=(paren(number, style) + name[:2], name[2:])
        )
        rows = [(keys[0], [Cell(head, rowspan=len(keys)), Cell(labels[0])])]
        rows.extend((key, [Cell(label)]) for key, label in zip(keys[1:], labels[1:], strict=True))
        return rows

    partial = "部分公开（区分处理的，只计这一情形，不计其他情形）"
    rows = [
        ("granted", [Cell(f"{paren('一', style)}予以公开", colspan=2)]),
        ("partially_granted", [Cell(f"{paren('二', style)}{partial}", colspan=2)]),
    ]
    rows += group("三", "不予公开", DENIED, denied_labels(style))
    rows += group("四", "无法提供", UNAVAILABLE, numbered(UNAVAILABLE_LABELS, style))
    rows += group("五", "不予处理", REJECTED, numbered(REJECTED_LABELS, style))
    if figures.split_other:
        rows += group("六", "其他处理", OTHER_SPLIT, numbered(OTHER_LABELS, style))
    else:
        rows.append(("other_handling", [Cell(f"{paren('六', style)}其他处理", colspan=2)]))
    rows.append(("total_handled", [Cell(f"{paren('七', style)}总计", colspan=2)]))
    return rows


def applications_table(figures: ReportFigures, style: ReportStyle) -> Grid:
    apps = figures.applications
    blanks = blank_cells(figures, style)
    fullwidth = fullwidth_cells(figures, style)

    def values(row: str) -> list[Cell]:
        return [number_cell(apps[row][c], (row, c) in blanks, (row, c) in fullwidth) for c in COLUMNS]

    results = result_label_rows(figures, style)
    grid = applications_header(style)
    grid.append([Cell("一、本年新收政府信息公开申请数量", colspan=3), *values("new_received")])
    grid.append([Cell("二、上年结转政府信息公开申请数量", colspan=3), *values("carried_over")])
    outer = header_label(
        "三、本年度办理结果", style, ("三、本", "年度办", "理结果"), ("三、", "本年度办理", "结果")
    )
    for i, (key, labels) in enumerate(results):
        lead = [Cell(outer, rowspan=len(results))] if i == 0 else []
        grid.append([*lead, *labels, *values(key)])
    grid.append([Cell("四、结转下年度继续办理", colspan=3), *values("carried_forward")])
    return grid


def number_cell(value: int, blank: bool, fullwidth: bool) -> Cell:
    if blank:
        return Cell("", blank=True)
    text = str(value)
    return Cell(text.translate(FULLWIDTH) if fullwidth else text)


def blank_cells(figures: ReportFigures, style: ReportStyle) -> set[tuple[str, str]]:
    """Zero cells a report leaves empty: "sparse" keeps only the headline rows of 自然人/总计 and any
    non-zero cell; "blank_columns" empties every column that is zero all the way down."""
    apps = figures.applications
    rows = [r for r in apps if r != "other_handling" or not figures.split_other]
    blanks: set[tuple[str, str]] = set()
    if style.blank_mode == "sparse":
        for row in rows:
            for col in COLUMNS:
                kept = row in HEADLINE_ROWS and col in ("natural_person", "total")
                if apps[row][col] == 0 and not kept:
                    blanks.add((row, col))
    elif style.blank_mode == "blank_columns":
        for col in COLUMNS:
            if all(apps[row][col] == 0 for row in rows):
                blanks.update((row, col) for row in rows)
    return blanks


def fullwidth_cells(figures: ReportFigures, style: ReportStyle) -> set[tuple[str, str]]:
    """The few cells typed with full-width digits: the 自然人 and 总计 figures of 一 and （七）."""
    if not style.fullwidth_cells:
        return set()
    apps = figures.applications
    return {
        (row, col)
        for row in ("new_received", "total_handled")
        for col in ("natural_person", "total")
        if apps[row][col] >= 10
    }


# --- table 四 ---------------------------------------------------------------------------------------

OUTCOME_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def outcome_label(label: str, style: ReportStyle, first_group: bool) -> str:
    if label == "总计" and style.spaced_total and first_group:
        return "总 计"
    if label == "结果维持" and style.vertical_header and first_group:
        return "\n".join(label)
    if style.br_headers and len(label) == 4:
        return f"{label[:2]}\n{label[2:]}"
    return label


def reviews_table(figures: ReportFigures, style: ReportStyle) -> Grid:
    reviews = figures.reviews
    blank_zero = style.blank_mode in ("sparse", "blank_columns")
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [
            *(Cell(outcome_label(label, style, True), rowspan=2) for label in OUTCOME_LABELS),
            Cell("未经复议直接起诉", colspan=5),
            Cell("复议后起诉", colspan=5),
        ],
        [Cell(outcome_label(label, style, False)) for _ in range(2) for label in OUTCOME_LABELS],
        [number_cell(reviews[key], blank_zero and reviews[key] == 0, False) for key in REVIEW_KEYS],
    ]

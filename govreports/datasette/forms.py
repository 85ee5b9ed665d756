"""Tables 二, 三 and 四 of one report laid out as the official forms, findings beside what they concern.

Pure functions: report JSON (``govreports parse``) and its findings in, a grid of cells out — rows of
``Cell`` with Chinese labels, spans and the findings that concern each row, column or cell. The report
page's template draws any grid the same way, so the forms' shapes live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from extract.template import (
    APPLICANT_COLUMNS,
    APPLICATION_GROUPS,
    METRICS_2021,
    REVIEW_KEYS,
)
from extract.template import APPLICATION_GROUP_LABELS as GROUP_LABELS
from extract.template import APPLICATION_ROW_LABELS as APPLICATION_LABELS
from govreports.figures import FINDING_LABELS, SEVERITY_ZH, finding_anchor, split_review_key

# Table 三: the official labels (report-template.md), the group label each sub-row sits under.
APPLICANT_LABELS = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_org": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
RESULTS_LABEL = "三、本年度办理结果"
BALANCE_NOTE = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"

# Table 四.
REVIEW_RESULT_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
REVIEW_BLOCK_LABELS = {"review": "行政复议", "suit": "未经复议直接起诉", "suit_after_review": "复议后起诉"}

# Table 二: items and metrics, and the blocks (第二十条第…项) of each template, in the form's order.
DISCLOSURE_ITEM_LABELS = {
    "rules": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "inspection": "行政检查",
    "confirmation": "行政确认",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
DISCLOSURE_METRIC_LABELS = {
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "public_total": "对外公开总数量",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "prior_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "procurement_items": "采购项目数量",
    "procurement_amount": "采购总金额（万元）",
    "fee_amount": "本年收费金额（万元）",
}


@dataclass(frozen=True)
class DisclosureBlock:
    title: str
    metrics: tuple[str, ...]
    items: tuple[str, ...]  # always shown (blank when missing)
    optional_items: tuple[str, ...] = ()  # shown only when the report gives them


DISCLOSURE_BLOCKS_2019 = (
    DisclosureBlock(
        "第二十条第（一）项", ("made", "published", "public_total"), ("rules", "normative_documents")
    ),
    DisclosureBlock(
        "第二十条第（五）项",
        ("prior_items", "change", "decisions"),
        ("licensing", "other_services"),
        ("inspection", "confirmation"),  # Beijing splits 其他对外管理服务事项
    ),
    DisclosureBlock("第二十条第（六）项", ("prior_items", "change", "decisions"), ("penalty", "coercion")),
    DisclosureBlock("第二十条第（八）项", ("prior_items", "change"), ("fees",)),
    DisclosureBlock("第二十条第（九）项", ("procurement_items", "procurement_amount"), ("procurement",)),
)
DISCLOSURE_BLOCKS_2021 = (
    DisclosureBlock(
        "第二十条第（一）项", ("issued", "repealed", "in_force"), ("rules", "normative_documents")
    ),
    DisclosureBlock("第二十条第（五）项", ("decisions",), ("licensing",)),
    DisclosureBlock("第二十条第（六）项", ("decisions",), ("penalty", "coercion")),
    DisclosureBlock("第二十条第（八）项", ("fee_amount",), ("fees",)),
)


@dataclass
class Note:
    """One finding as the page shows it, with the table, row and column it concerns (None: not one)."""

    number: int
    check: str
    check_label: str
    severity: str
    severity_label: str
    location: str
    message: str
    table: str | None = None
    row: str | None = None
    column: str | None = None


@dataclass
class Cell:
    text: str = ""
    kind: str = "value"  # value | label | head | note
    colspan: int = 1
    rowspan: int = 1
    notes: list[Note] = field(default_factory=list)
    missing: bool = False  # a cell the report does not give (not a printed 0)


@dataclass
class Grid:
    """A table as rows of cells (spans as in the official form); notes of no particular row last."""

    key: str
    title: str
    rows: list[list[Cell]]
    notes: list[Note] = field(default_factory=list)
    unit: str = "件"


def notes_of(findings: Iterable[dict]) -> list[Note]:
    """Findings (rows of the ``findings`` table or the JSON's) numbered in order, in Chinese, each anchored
    to the cell, row or column it concerns (``figures.finding_anchor``, as the archive stores it)."""
    notes = []
    for number, item in enumerate(findings, 1):
        check = item.get("check_name") or item.get("check") or ""
        location = item.get("location") if item.get("location") is not None else item.get("where", "")
        severity = item.get("severity") or "error"
        table, row, column = finding_anchor(check, location)
        notes.append(
            Note(
                number=number,
                check=check,
                check_label=FINDING_LABELS.get(check, check),
                severity=severity,
                severity_label=SEVERITY_ZH.get(severity, severity),
                location=location or "",
                message=item.get("message") or "",
                table=table,
                row=row,
                column=column,
            )
        )
    return notes


def _at(table: str, row: str | None, column: str | None):
    """A test for notes anchored exactly here (row None: a whole column; column None: a whole row)."""
    return lambda n: n.table == table and n.row == row and n.column == column


def format_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return str(value)
    return str(value)


def _value_cell(value, notes: list[Note] | None = None) -> Cell:
    return Cell(format_number(value), "value", notes=list(notes or []), missing=value is None)


def _note_cell(notes: list[Note], colspan: int = 1) -> Cell:
    return Cell("", "note", colspan=colspan, notes=notes)


def _claim(notes: list[Note], claimed: set[int], test) -> list[Note]:
    found = [note for note in notes if note.number not in claimed and test(note)]
    claimed.update(note.number for note in found)
    return found


def _drop_empty_note_column(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Without a single row note, the 校验 column (last cell of rows that have one) goes."""
    if any(row and row[-1].kind == "note" and row[-1].notes for row in rows):
        return rows
    trimmed = []
    for row in rows:
        if row and (row[-1].kind == "note" or (row[-1].kind == "head" and row[-1].text == "校验")):
            row = row[:-1]
        trimmed.append(row)
    return trimmed


def applications_grid(rows: dict[str, dict], notes: list[Note]) -> Grid:
    """Table 三 as printed: three header rows, then 一、二、三（一）…（七）、四 with merged group labels.

    A finding anchored at a cell is marked in the cell and written in its row's 校验 column; at a row, in
    that column; at a column (一+二 ≠ 三（七）+四 of 自然人), in the 校验 row under the table. What has no
    place in the form (a missing row) is listed below it.
    """
    mine = [n for n in notes if n.table == "applications"]
    claimed: set[int] = set()
    columns = APPLICANT_COLUMNS
    header = [
        [
            Cell(BALANCE_NOTE, "head", colspan=3, rowspan=3),
            Cell("申请人情况", "head", colspan=len(columns)),
            Cell("校验", "head", rowspan=3),
        ],
        [
            Cell(APPLICANT_LABELS["natural_person"], "head", rowspan=2),
            Cell("法人或其他组织", "head", colspan=len(columns) - 2),
            Cell(APPLICANT_LABELS["total"], "head", rowspan=2),
        ],
        [Cell(APPLICANT_LABELS[c], "head") for c in columns[1:-1]],
    ]
    split_other = any(key in rows for key in APPLICATION_GROUPS["other"])

    def values(key: str) -> list[Cell]:
        row = rows.get(key) or {}
        cells = [
            _value_cell(row.get(column), _claim(mine, claimed, _at("applications", key, column)))
            for column in columns
        ]
        row_notes = _claim(mine, claimed, _at("applications", key, None))
        row_notes += [note for cell in cells for note in cell.notes]
        return [*cells, _note_cell(row_notes)]

    body: list[list[Cell]] = []
    for key in ("new_received", "carried_over"):
        body.append([Cell(APPLICATION_LABELS[key], "label", colspan=3), *values(key)])
    result_rows: list[tuple[list[Cell], list[Cell]]] = []  # (label cells after the 三、 cell, values)
    for key in ("granted", "partially_granted"):
        result_rows.append(([Cell(APPLICATION_LABELS[key], "label", colspan=2)], values(key)))
    for group in ("denied", "unavailable", "rejected", "other"):
        keys = APPLICATION_GROUPS[group]
        if group == "other" and not split_other:
            label = Cell(APPLICATION_LABELS["other_handling"], "label", colspan=2)
            result_rows.append(([label], values("other_handling")))
            continue
        for index, key in enumerate(keys):
            labels = [Cell(APPLICATION_LABELS[key], "label")]
            if index == 0:
                labels.insert(0, Cell(GROUP_LABELS[group], "label", rowspan=len(keys)))
            result_rows.append((labels, values(key)))
    total = Cell(APPLICATION_LABELS["total_handled"], "label", colspan=2)
    result_rows.append(([total], values("total_handled")))
    for index, (labels, cells) in enumerate(result_rows):
        head = [Cell(RESULTS_LABEL, "label", rowspan=len(result_rows))] if index == 0 else []
        body.append([*head, *labels, *cells])
    body.append([Cell(APPLICATION_LABELS["carried_forward"], "label", colspan=3), *values("carried_forward")])
    column_notes = [_claim(mine, claimed, _at("applications", None, column)) for column in columns]
    footer: list[list[Cell]] = []
    if any(column_notes):
        footer.append(
            [Cell("校验", "label", colspan=3), *(_note_cell(n) for n in column_notes), _note_cell([])]
        )
    rest = [n for n in mine if n.number not in claimed]
    grid_rows = _drop_empty_note_column(header + body + footer)
    return Grid("applications", "三、收到和处理政府信息公开申请情况", grid_rows, rest)


def reviews_grid(values: dict, notes: list[Note]) -> Grid:
    """Table 四: 行政复议 and 行政诉讼 (未经复议直接起诉, 复议后起诉), five results each, one row of numbers;
    a block's findings (维持+纠正+其他+尚未审结 ≠ 总计) in a row under that block."""
    mine = [n for n in notes if n.table == "reviews"]
    claimed: set[int] = set()
    results = tuple(REVIEW_RESULT_LABELS)
    header = [
        [Cell("行政复议", "head", colspan=5, rowspan=2), Cell("行政诉讼", "head", colspan=10)],
        [
            Cell(REVIEW_BLOCK_LABELS["suit"], "head", colspan=5),
            Cell(REVIEW_BLOCK_LABELS["suit_after_review"], "head", colspan=5),
        ],
        [Cell(REVIEW_RESULT_LABELS[r], "head") for _ in REVIEW_BLOCK_LABELS for r in results],
    ]
    numbers = []
    for key in REVIEW_KEYS:
        block, result = split_review_key(key)
        numbers.append(_value_cell(values.get(key), _claim(mine, claimed, _at("reviews", block, result))))
    rows = [*header, numbers]
    block_notes = []
    for index, block in enumerate(REVIEW_BLOCK_LABELS):
        in_cells = [note for cell in numbers[index * 5 : index * 5 + 5] for note in cell.notes]
        block_notes.append(_claim(mine, claimed, _at("reviews", block, None)) + in_cells)
    if any(block_notes):
        rows.append([_note_cell(n, colspan=5) for n in block_notes])
    rest = [n for n in mine if n.number not in claimed]
    return Grid("reviews", "四、政府信息公开行政复议、行政诉讼情况", rows, rest)


def disclosure_blocks(template: str | None, items: Iterable[dict]) -> tuple[DisclosureBlock, ...]:
    """The 2019 or 2021 form: by the report's template, else by the metrics it gives."""
    if template == "2021":
        return DISCLOSURE_BLOCKS_2021
    if template == "2019":
        return DISCLOSURE_BLOCKS_2019
    return (
        DISCLOSURE_BLOCKS_2021 if any(i["metric"] in METRICS_2021 for i in items) else DISCLOSURE_BLOCKS_2019
    )


def disclosure_grid(items: list[dict], template: str | None, notes: list[Note]) -> Grid:
    """Table 二: one block per 第二十条第…项, each with its own header row of metrics, as printed."""
    mine = [n for n in notes if n.table == "disclosure"]
    claimed: set[int] = set()
    by_cell = {(i["item"], i["metric"]): i for i in items}
    blocks = disclosure_blocks(template, items)
    width = max(len(b.metrics) for b in blocks)
    rows: list[list[Cell]] = []
    placed: set[tuple[str, str]] = set()
    in_2021 = blocks is DISCLOSURE_BLOCKS_2021
    for block in blocks:
        rows.append([Cell(block.title, "head", colspan=width + 2)])
        pad = width - len(block.metrics)  # the last column widens so that every block spans the table
        heads = [
            Cell(DISCLOSURE_METRIC_LABELS[m], "head", colspan=1 + (pad if i == len(block.metrics) - 1 else 0))
            for i, m in enumerate(block.metrics)
        ]
        rows.append([Cell("信息内容", "head"), *heads, Cell("校验", "head")])
        optional = [i for i in block.optional_items if any((i, m) in by_cell for m in block.metrics)]
        for item in (*block.items, *optional):
            label = (
                "行政规范性文件"
                if in_2021 and item == "normative_documents"
                else DISCLOSURE_ITEM_LABELS[item]
            )
            cells = []
            for index, metric in enumerate(block.metrics):
                entry = by_cell.get((item, metric))
                placed.add((item, metric))
                cell = _value_cell(
                    entry["value"] if entry else None, _claim(mine, claimed, _at("disclosure", item, metric))
                )
                cell.colspan = 1 + (pad if index == len(block.metrics) - 1 else 0)
                cells.append(cell)
            row_notes = _claim(mine, claimed, _at("disclosure", item, None))
            rows.append(
                [Cell(label, "label"), *cells, _note_cell(row_notes + [n for c in cells for n in c.notes])]
            )
    extra = [i for i in items if (i["item"], i["metric"]) not in placed]
    if extra:  # cells of the other template's form (a mixed table): kept, under their own labels
        rows.append([Cell("其他单元格", "head", colspan=width + 2)])
        for entry in extra:
            cell = _value_cell(entry["value"])
            cell.colspan = width
            label = entry.get("label") or f"{entry['item']} / {entry['metric']}"
            rows.append([Cell(label, "label"), cell, _note_cell([])])
    rest = [n for n in mine if n.number not in claimed]
    grid_rows = _drop_empty_note_column(rows)
    if len(grid_rows[0]) and grid_rows is not rows:  # block titles spanned the 校验 column too
        for row in grid_rows:
            if len(row) == 1 and row[0].kind == "head":
                row[0].colspan = width + 1
    return Grid("disclosure", "二、主动公开政府信息情况", grid_rows, rest)


def statistics_grid(entries: list[dict]) -> Grid:
    """A legacy 统计表 (指标名称 / 计量单位 / 本年度 / 累计) as read."""
    rows = [
        [Cell("指标名称", "head"), Cell("计量单位", "head"), Cell("本年度", "head"), Cell("累计", "head")]
    ]
    for entry in entries:
        rows.append(
            [
                Cell(entry.get("path") or entry.get("key") or "", "label"),
                Cell(entry.get("unit") or "", "label"),
                _value_cell(entry.get("value")),
                _value_cell(entry.get("cumulative")),
            ]
        )
    return Grid("statistics", "统计表", rows)


def report_grids(report: dict, notes: list[Note]) -> dict[str, Grid]:
    """Every table the report gives, by the section it belongs to (proactive, applications, reviews)."""
    grids: dict[str, Grid] = {}
    if report.get("disclosure"):
        grids["proactive"] = disclosure_grid(report["disclosure"], report.get("template"), notes)
    if report.get("applications"):
        grids["applications"] = applications_grid(report["applications"], notes)
    if report.get("reviews"):
        grids["reviews"] = reviews_grid(report["reviews"], notes)
    if report.get("statistics"):
        grids["statistics"] = statistics_grid(report["statistics"])
    return grids

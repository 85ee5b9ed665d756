"""Readers for the three standard tables: 二 (disclosure), 三 (applications) and 四 (reviews).

Rows are matched by their labels, never by position alone; a row that cannot be matched, or whose
numbers do not fit the columns, is left out and reported as a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extract.document import Cell, Table
from extract.findings import finding
from extract.flattened import UNDECIDED
from extract.numbers import CellNumber, is_blank, normalize_text, read_number, to_wan_yuan
from extract.template import (
    APPLICANT_COLUMNS,
    APPLICATION_GROUP_WORDS,
    APPLICATION_GROUPS,
    APPLICATION_SUBROW_WORDS,
    DISCLOSURE_ITEM_WORDS,
    DISCLOSURE_METRIC_WORDS,
    METRICS_2019,
    METRICS_2021,
    MONEY_METRICS,
    REVIEW_KEYS,
    STATISTIC_KEYS,
)

_SUBROW_NUMBER = re.compile(r"^(\d{1,3})[.、,，]")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")


@lru_cache(maxsize=65536)
def normalize_label(text: str) -> str:
    return normalize_text(text).translate(_QUOTES)


@dataclass
class Row:
    """One table row split into its labels (left) and its value cells (right of the last label)."""

    labels: list[str]
    values: list[Cell]

    @property
    def joined(self) -> str:
        return "".join(self.labels)


def split_row(cells: list[Cell]) -> Row:
    last_label = -1
    for index, cell in enumerate(cells):
        if not is_blank(cell.text) and read_number(cell.text) is None:
            last_label = index
    labels: list[str] = []
    for cell in cells[: last_label + 1]:
        label = normalize_label(cell.text)
        if label and label not in labels:
            labels.append(label)
    # A merged value counts once: only the first position of a span is a value.
    values = [cell for cell in cells[last_label + 1 :] if not cell.spanned]
    return Row(labels, values)


def fit_values(values: list[Cell], expected: int) -> list[Cell] | None:
    """Trim padding blanks (trailing first, then leading) down to the expected width; None if they don't fit."""
    values = list(values)
    while len(values) > expected and is_blank(values[-1].text):
        values.pop()
    while len(values) > expected and is_blank(values[0].text):
        values.pop(0)
    return values if len(values) == expected else None


def table_text(table: Table) -> str:
    return normalize_label("".join(cell.text for row in table.rows for cell in row))


# ---------------------------------------------------------------------------------------------- 三


@dataclass
class ApplicationsTable:
    """Table 三 as {row key: {column key: number}}, with the findings met while reading it."""

    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)

    @staticmethod
    def recognise(text: str) -> bool:
        """From the table's text (``table_text``), computed once per table by the caller."""
        return "本年新收" in text or ("自然人" in text and "申请" in text)


def _application_group(joined: str) -> str | None:
    for group, words in APPLICATION_GROUP_WORDS.items():
        if words in joined:
            return group
    return None


def _top_level_row(joined: str) -> str | None:
    if "本年新收" in joined:
        return "new_received"
    if "上年结转" in joined:
        return "carried_over"
    if "结转下年" in joined:
        return "carried_forward"
    if "(七)" in joined or joined.endswith("总计"):
        return "total_handled"
    if "部分公开" in joined:
        return "partially_granted"
    if "予以公开" in joined:
        return "granted"
    return None


def application_row_key(row: Row, group: str | None) -> tuple[str | None, str | None]:
    """The row key for one row of table 三, and the result group later unlabeled sub-rows fall under."""
    joined = row.joined
    own_group = _application_group(joined)
    top = None if own_group else _top_level_row(joined)
    if top:
        return top, None
    group = own_group or group
    number = None
    for label in row.labels:
        if match := _SUBROW_NUMBER.match(label):
            number = int(match.group(1))
    if group and number and 1 <= number <= len(APPLICATION_GROUPS[group]):
        return APPLICATION_GROUPS[group][number - 1], group
    for key, words in APPLICATION_SUBROW_WORDS.items():
        if any(word in joined for word in words):
            return key, group
    if own_group == "other":
        return "other_handling", group  # the 2019 template's single （六） row
    return None, group


def _is_applications_header(row: Row) -> bool:
    return any(word in row.joined for word in ("申请人情况", "自然人", "商业企业", "法人或其他组织"))


def row_integers(values: list[Cell], width: int) -> list[int] | None:
    """A row's value cells as exactly ``width`` integers (blanks are 0), or None when they do not fit."""
    fitted = fit_values(values, width)
    return _read_integers(fitted) if fitted is not None else None


def _read_integers(values: list[Cell]) -> list[int] | None:
    numbers: list[int] = []
    for cell in values:
        if is_blank(cell.text):
            numbers.append(0)
            continue
        number = read_number(cell.text)
        if number is None or not isinstance(number.value, int):
            return None
        numbers.append(number.value)
    return numbers


def read_applications(table: Table) -> ApplicationsTable:
    result = ApplicationsTable()
    group: str | None = None
    lost = _LostLabels()
    for index, cells in enumerate(table.rows):
        row = split_row(cells)
        if not row.labels and all(is_blank(cell.text) for cell in row.values):
            continue
        if _is_applications_header(row):
            continue
        if is_review_header_fragment(row):
            break  # table 四 begins here: its headings were flattened into this table
        previous_group = group
        key, group = application_row_key(row, group)
        if group != previous_group or key in _TOP_LEVEL_ROWS:
            lost.settle(result)
        where = f"row {index + 1}"
        if key is None:
            if row.values and any(read_number(c.text) for c in row.values):
                if group is not None:
                    lost.add(group, where, row)
                else:
                    result.findings.append(_unknown_row(where, row))
            continue
        _store_application_row(result, key, row.values, row.joined)
    lost.settle(result)
    _derive_other_handling(result)
    return result


_TOP_LEVEL_ROWS = {"new_received", "carried_over", "granted", "partially_granted", "total_handled"}


def _unknown_row(where: str, row: Row) -> dict:
    label = "".join(row.labels) or "（无标签）"
    return finding("applications.unknown_row", where, f"无法识别的行「{label}」，该行数字未采用")


def _store_application_row(result: ApplicationsTable, key: str, values: list[Cell], label: str) -> bool:
    numbers = row_integers(values, len(APPLICANT_COLUMNS))
    if numbers is None:
        result.findings.append(
            finding(
                "applications.row_width",
                key,
                f"「{label}」行有 {len(values)} 个数值单元格，应为 {len(APPLICANT_COLUMNS)} 个"
                "（或含非数字），该行未采用",
            )
        )
        return False
    if key in result.rows:
        result.findings.append(finding("applications.duplicate_row", key, f"「{label}」行重复，保留第一行"))
        return False
    result.rows[key] = _believable(
        dict(zip(APPLICANT_COLUMNS, numbers, strict=True)), "applications", result.findings, prefix=f"{key}."
    )
    return True


@dataclass
class _LostLabels:
    """Rows of one result group whose sub-row labels were lost (「（三）不予公开」 then bare numbers).

    They take the group's keys in the template's order, but only when their count is exactly the number of
    the group's rows still missing: then no other reading is possible. Otherwise they stay unknown rows.
    """

    group: str | None = None
    rows: list[tuple[str, Row]] = field(default_factory=list)

    def add(self, group: str, where: str, row: Row) -> None:
        if group != self.group:
            self.rows = []
        self.group = group
        self.rows.append((where, row))

    def settle(self, result: ApplicationsTable) -> None:
        group, rows = self.group, self.rows
        self.group, self.rows = None, []
        if not rows or group is None:
            return
        missing = [key for key in APPLICATION_GROUPS[group] if key not in result.rows]
        if len(rows) != len(missing):
            result.findings.extend(_unknown_row(where, row) for where, row in rows)
            return
        for key, (where, row) in zip(missing, rows, strict=True):
            values = list(row.values)
            while len(values) > len(APPLICANT_COLUMNS) and is_blank(values[0].text):
                values.pop(0)  # the empty cells of merged labels
            # The label column of a lost label often holds a stray number (「0」): one value too many.
            note = ""
            if len(values) == len(APPLICANT_COLUMNS) + 1:
                note = f"，标签列中的「{values[0].text}」未计入"
                values = values[1:]
            if _store_application_row(result, key, values, "".join(row.labels) or where):
                result.findings.append(
                    finding(
                        "applications.template_order",
                        key,
                        f"{where} 的行标签缺失，按模板顺序认定为「{key}」{note}",
                        "warning",
                    )
                )


def _derive_other_handling(table: ApplicationsTable) -> None:
    # The 2021 template splits （六） into three sub-rows; other_handling is defined as their sum.
    parts = APPLICATION_GROUPS["other"]
    if "other_handling" in table.rows or not all(key in table.rows for key in parts):
        return
    table.rows["other_handling"] = {
        column: sum(table.rows[key][column] for key in parts)
        for column in APPLICANT_COLUMNS
        if all(column in table.rows[key] for key in parts)  # an absurd cell left out stays out
    }


# ---------------------------------------------------------------------------------------------- 四


@dataclass
class ReviewsTable:
    values: dict[str, int] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)

    @staticmethod
    def recognise(text: str) -> bool:
        return "行政复议" in text and "行政诉讼" in text


def read_reviews(table: Table) -> ReviewsTable:
    result = ReviewsTable()
    for cells in table.rows:
        row = split_row(cells)
        if row.labels:
            continue
        numbers = row_integers(row.values, len(REVIEW_KEYS))
        if numbers is not None:
            result.values = _review_values(numbers, result.findings)
            return result
    result.findings.append(
        finding("reviews.unreadable", "reviews", f"表四中没有一行恰好给出 {len(REVIEW_KEYS)} 个数字")
    )
    return result


# Table 四's column headers written one character per line (「结/果/维/持」) flatten into rows of
# single characters; when its title row is lost too, such a row is all that announces table 四.
_REVIEW_HEADER_CHARACTERS = set("结果维持纠正其他尚未审总计")


def is_review_header_fragment(row: Row) -> bool:
    characters = [label for label in row.labels if label]
    return len(characters) >= 3 and all(
        len(label) == 1 and label in _REVIEW_HEADER_CHARACTERS for label in characters
    )


def read_stray_reviews(table: Table) -> ReviewsTable | None:
    """Table 四 whose headings were lost: a row of header fragments, then a label-less row of 15 numbers."""
    after_fragment = False
    for cells in table.rows:
        row = split_row(cells)
        if is_review_header_fragment(row):
            after_fragment = True
            continue
        if not after_fragment or row.labels:
            continue
        numbers = row_integers(row.values, len(REVIEW_KEYS))
        if numbers is not None:
            result = ReviewsTable()
            result.values = _review_values(numbers, result.findings)
            result.findings.append(
                finding(
                    "reviews.heading_lost",
                    "reviews",
                    "表四的标题和表头已丢失，仅剩表头残字与一行 15 个数字，按模板顺序读作表四",
                    "warning",
                )
            )
            return result
    return None


# ---------------------------------------------------------------------------------------------- 二


@dataclass
class DisclosureTable:
    cells: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)

    @staticmethod
    def recognise(text: str) -> bool:
        return "第二十条" in text or ("信息内容" in text and ("规章" in text or "行政许可" in text))

    @property
    def metrics(self) -> set[str]:
        return {cell["metric"] for cell in self.cells}


def _match_words(text: str, table: tuple[tuple[str, str], ...]) -> str | None:
    for words, key in table:
        if words in text:
            return key
    return None


@dataclass
class _Metric:
    key: str | None
    header: str
    unit: str | None


def _metric_columns(cells: list[Cell]) -> list[_Metric]:
    headers = [cell.text for cell in cells if not cell.spanned]
    start = next((i for i, text in enumerate(headers) if "信息内容" in normalize_label(text)), -1)
    metrics = []
    for text in headers[start + 1 :]:
        label = normalize_label(text)
        if not label:
            continue
        unit = "万元" if "万元" in label else ("元" if "元" in label else None)
        metrics.append(_Metric(_match_words(label, DISCLOSURE_METRIC_WORDS), label, unit))
    return metrics


def _disclosure_value(number: CellNumber, metric: _Metric) -> tuple[int | float, str]:
    if metric.key in MONEY_METRICS:
        unit = number.unit or metric.unit
        return to_wan_yuan(CellNumber(number.value, unit)), "万元"
    return number.value, "件"


def read_disclosure(table: Table) -> DisclosureTable:
    result = DisclosureTable()
    metrics: list[_Metric] = []
    seen_items: set[str] = set()  # rows the table gives, read or not: only the others are missing
    for cells in table.rows:
        row = split_row(cells)
        if "信息内容" in row.joined:
            metrics = _metric_columns(cells)
            continue
        item = _match_words(row.joined, DISCLOSURE_ITEM_WORDS)
        if item is None or not metrics:
            continue
        seen_items.add(item)
        fitted = fit_values(row.values, len(metrics))
        if fitted is None:
            result.findings.append(
                finding(
                    "disclosure.row_width",
                    item,
                    f"「{row.joined}」行有 {len(row.values)} 个数值单元格，表头有 {len(metrics)} 列，该行未采用",
                )
            )
            continue
        for cell, metric in zip(fitted, metrics, strict=True):
            if metric.key is None:
                continue
            number = CellNumber(0) if is_blank(cell.text) else read_number(cell.text)
            if number is None:
                result.findings.append(
                    finding(
                        "disclosure.not_a_number", f"{item}.{metric.key}", f"「{cell.text}」不是数字，未采用"
                    )
                )
                continue
            value, unit = _disclosure_value(number, metric)
            if absurd := absurd_value_finding("disclosure", f"{item}.{metric.key}", value, unit, cell.text):
                result.findings.append(absurd)
                continue
            if metric.key in MONEY_METRICS and (number.unit or metric.unit) == "元":
                result.findings.append(
                    finding(
                        "disclosure.unit_converted",
                        f"{item}.{metric.key}",
                        f"金额「{cell.text.strip()}」以元填报（模板要求万元），已换算为 {value} 万元",
                        "warning",
                    )
                )
            result.cells.append(
                {
                    "item": item,
                    "metric": metric.key,
                    "value": value,
                    "unit": unit,
                    "label": f"{row.labels[-1]} / {metric.header}",
                }
            )
    result.findings.extend(_missing_disclosure_rows(result.metrics, seen_items))
    return result


# The rows of table 二 in each template (report-template.md), in the table's order.
_DISCLOSURE_ITEMS_2019 = (
    "rules",
    "normative_documents",
    "licensing",
    "other_services",
    "penalty",
    "coercion",
    "fees",
    "procurement",
)
_DISCLOSURE_ITEMS_2021 = ("rules", "normative_documents", "licensing", "penalty", "coercion", "fees")
# Beijing splits 其他对外管理服务事项 into 行政检查 and 行政确认: either stands in for it.
_OTHER_SERVICES_SPLIT = {"inspection", "confirmation"}
_DISCLOSURE_ITEM_NAMES = {
    "rules": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}


def _missing_disclosure_rows(metrics: set[str], seen_items: set[str]) -> list[dict]:
    """Items the template has that a table giving the others lacks: a dropped row, not a zero."""
    if not seen_items:
        return []  # no row read at all: the table itself is the problem, reported elsewhere
    if metrics & METRICS_2021:
        template, expected = "2021", _DISCLOSURE_ITEMS_2021
    elif metrics & METRICS_2019:
        template, expected = "2019", _DISCLOSURE_ITEMS_2019
    else:
        return []
    return [
        finding(
            "disclosure.missing_row",
            item,
            f"表二缺少「{_DISCLOSURE_ITEM_NAMES[item]}」行（{template} 年模板有此行），其数字未给出",
            "warning",
        )
        for item in expected
        if item not in seen_items and not (item == "other_services" and seen_items & _OTHER_SERVICES_SPLIT)
    ]


# Beyond any real report: no agency handles a billion items in a year, and 10⁸ 万元 (a trillion yuan) is
# beyond any budget. Such a cell is a misread or digits run together, never a number to store.
ABSURD_COUNT = 10**9
ABSURD_WAN_YUAN = 10**8
# A legacy 统计表 also counts website visits (人次), which a province's portal may run into billions.
ABSURD_STATISTIC = 10**12
_SHOWN_DIGITS = 30  # of a number quoted in a finding: a 5,000-digit cell is not repeated whole


def absurd_value_finding(
    table: str, where: str, value: float, unit: str, text: str, bound: int | None = None
) -> dict | None:
    """A finding ``{table}.absurd_value`` when a count (件) or an amount (万元) is beyond belief, else None."""
    bound = bound or (ABSURD_WAN_YUAN if unit == "万元" else ABSURD_COUNT)
    if abs(value) <= bound:
        return None
    shown = text.strip() if len(text.strip()) <= _SHOWN_DIGITS else text.strip()[:_SHOWN_DIGITS] + "…"
    return finding(
        f"{table}.absurd_value",
        where,
        f"「{shown}」超出任何报告可能的数值（上限 {bound:,} {unit}），该单元格未采用",
    )


def _believable(counts: dict[str, int], table: str, findings: list[dict], prefix: str = "") -> dict[str, int]:
    """The counts of one row of table 三 or 四 without its absurd cells, each left out with a finding."""
    kept: dict[str, int] = {}
    for key, value in counts.items():
        if absurd := absurd_value_finding(table, f"{prefix}{key}", value, "件", str(value)):
            findings.append(absurd)
        else:
            kept[key] = value
    return kept


def _review_values(numbers: list[int], findings: list[dict]) -> dict[str, int]:
    return _believable(dict(zip(REVIEW_KEYS, numbers, strict=True)), "reviews", findings)


# ------------------------------------------------------------------------------------- legacy 统计表


@dataclass
class StatisticsTable:
    """A legacy report's 统计表 as labelled numbers: [{key, label, path, unit, value, cumulative}]."""

    entries: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)

    @staticmethod
    def recognise(text: str) -> bool:
        header = text[:_STATISTICS_HEADER_LENGTH]  # the header row opens the table's text
        return "指标" in header and "单位" in header


_STATISTICS_HEADER_LENGTH = 30


@dataclass
class _StatisticsColumns:
    label: int
    unit: int | None
    value: int
    cumulative: int | None


def _statistics_columns(header: list[Cell]) -> _StatisticsColumns | None:
    texts = [normalize_label(cell.text) for cell in header]

    def find(*words: str) -> int | None:
        return next((i for i, text in enumerate(texts) if any(word in text for word in words)), None)

    label, unit = find("指标"), find("单位")
    value = find("本年", "数量", "统计数", "数值", "数据")
    if value is None and unit is not None and unit + 1 < len(texts):
        value = unit + 1  # 「指标名称 | 单位 | 2015年」
    if label is None or value is None:
        return None
    return _StatisticsColumns(label, unit, value, find("累计"))


def _statistic_key(label: str) -> str | None:
    return _match_words(label, STATISTIC_KEYS)


def read_statistics(table: Table) -> StatisticsTable:
    result = StatisticsTable()
    columns = _statistics_columns(table.rows[0])
    if columns is None:
        result.findings.append(
            finding("statistics.header", "statistics", "统计表的表头无法识别（指标/单位/数量）")
        )
        return result
    groups: list[str] = []  # 「一、主动公开情况」 heading rows without numbers
    for index, cells in enumerate(table.rows[1:], start=2):
        texts = [cell.text for cell in cells]
        if max(columns.label, columns.value) >= len(texts):
            continue
        label = " ".join(texts[columns.label].split())
        if not label:
            continue
        unit = " ".join(texts[columns.unit].split()) if columns.unit is not None else ""
        value_text = texts[columns.value]
        if value_text == UNDECIDED:
            continue  # digits run together that the document does not split: its finding says why
        if _is_top_heading(label):
            groups = []
        if is_blank(value_text) and is_blank(unit):
            groups = [label] if _is_top_heading(label) else [*groups[:1], label]
            continue
        number = CellNumber(0) if is_blank(value_text) else read_number(value_text)
        if number is None:
            result.findings.append(
                finding(
                    "statistics.not_a_number",
                    f"row {index}",
                    f"「{label}」的数值「{value_text}」不是数字，未采用",
                )
            )
            continue
        entry = {
            "key": _statistic_key(normalize_label(label)),
            "label": label,
            "path": " / ".join([*groups, label]),
            "unit": number.unit or (None if is_blank(unit) else unit),
            "value": number.value,
        }
        if columns.cumulative is not None and columns.cumulative < len(texts):
            cumulative = read_number(texts[columns.cumulative])
            if cumulative is not None:
                entry["cumulative"] = cumulative.value
        if entry["unit"] == "元":
            entry["value"], entry["unit"] = to_wan_yuan(CellNumber(number.value, "元")), "万元"
            if "cumulative" in entry:  # both columns in the same unit
                entry["cumulative"] = to_wan_yuan(CellNumber(entry["cumulative"], "元"))
        if _believable_statistic(entry, f"row {index}", value_text, result.findings):
            result.entries.append(entry)
    return result


def _believable_statistic(entry: dict, where: str, text: str, findings: list[dict]) -> bool:
    """False, with a finding, when the row's value is beyond belief; an absurd cumulative alone is dropped."""
    unit = entry["unit"] or ""
    if absurd := absurd_value_finding("statistics", where, entry["value"], unit, text, ABSURD_STATISTIC):
        findings.append(absurd)
        return False
    cumulative = entry.get("cumulative", 0)
    if absurd := absurd_value_finding(
        "statistics", where, cumulative, unit, str(cumulative), ABSURD_STATISTIC
    ):
        findings.append(absurd)
        del entry["cumulative"]
    return True


def _is_top_heading(label: str) -> bool:
    return bool(re.match(r"^[一二三四五六七八九十]+[、.]", label))

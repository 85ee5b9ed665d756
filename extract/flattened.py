"""A legacy 统计表 flattened into one line of text, read back into the grid it was.

A page's text rendering runs the cells of the table together:

    指标名称计量单位2016年度历年累计主动公开文件数条346085376其中：1、政府网站公开数条3460853762、政府公报公开数条00…

Each item is its label, its unit, then the year's value and the cumulative value as one digit run, with the
next item's ordinal (「2、」) glued to the end of that run. The ordinal comes off first (it is the previous
sibling's ordinal + 1). The value/cumulative split is then chosen only by what the document itself says:

- certain: numbers are not printed with leading zeros, and 历年累计 includes the year (cumulative ≥ value);
- not certain, so each split they decide gets a finding naming them: sub-items (「其中：1、…2、…」) adding up
  to their parent in both columns, and numbers the report's own narrative states (「主动公开政府信息3460条」).

Where more than one split remains, a finding says so and the row's numbers are left out, never guessed.
Runs printed with spaces between the cells (「主动公开文件数 条 2543 78967」) need no split.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from extract.document import Cell, Table
from extract.findings import finding

# The value cell of a row whose split the document does not settle: read_statistics leaves its numbers out.
UNDECIDED = "？"

_UNITS = ("万元", "人次", "条", "件", "元", "个", "次", "项", "份", "篇", "人", "期", "场", "家")
_HEADER = re.compile(
    r"指\s*标\s*名\s*称\s*计\s*量\s*单\s*位\s*"
    r"(?P<value>(?:19|20)\d{2}\s*年\s*度?|本\s*年\s*度?|数\s*量|统\s*计\s*数)\s*"
    r"(?P<cumulative>(?:历\s*年\s*)?累\s*计(?:\s*数)?)?"
)
# One item: label (with 「其中：」 and its own ordinal when they stand apart from the digits), unit, digit run.
# A dot belongs to the run only before a digit: in 「…003.不予公开…」 the 「3.」 is the next ordinal.
_ITEM = re.compile(
    r"\s*(?P<label>(?:其中\s*[:：]\s*)?(?:\d{1,2}\s*[、.．]\s*)?[^\d。；;！!？?]{1,40}?)\s*"
    rf"(?P<unit>{'|'.join(_UNITS)})\s*(?P<run>\d(?:[\d \t\u3000]|\.(?=\d))*)"
)
_CHILD = re.compile(r"^(?:其中\s*[:：]\s*)?(\d{1,2})\s*[、.．]|^其中\s*[:：]")
_GLUED_ORDINAL = "、.．"
_NUMBER = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?$")  # as printed: no leading zeros
# Enumerating every combination of a parent and its sub-items stays cheap below this.
_MAX_COMBINATIONS = 50_000
_CLAUSE_END = re.compile(r"[。；;，,]")
_NARRATIVE_WINDOW = 24

Split = tuple[Decimal, ...]


@dataclass
class _Item:
    label: str  # as printed: 「其中：1、政府网站公开数」
    unit: str
    run: str  # the digits as printed, with the next item's ordinal taken off
    ordinal: int | None = None
    parent: int | None = None  # index of the item this one is a sub-item of (「其中：」)
    candidates: list[Split] = field(default_factory=list)
    choices: list[Split] = field(default_factory=list)  # the splits the certain rules allow, for messages
    decided_by: list[str] = field(default_factory=list)  # the uncertain constraints that narrowed it
    problem: str | None = None


@dataclass
class FlattenedStatistics:
    """The 统计表 as a grid read_statistics reads, where it sat in the text, and the findings of the split."""

    table: Table
    start: int
    end: int
    findings: list[dict] = field(default_factory=list)


def has_statistics_header(text: str) -> bool:
    """Cheap first look: 「指标名称…计量单位…」 is printed in the text."""
    return "指" in text and _HEADER.search(text) is not None


def find_flattened_statistics(text: str, context: str = "") -> FlattenedStatistics | None:
    """The first flattened 统计表 in ``text``. The narrative whose numbers may settle a split is ``text``
    without the table, and ``context``: the rest of the report's prose."""
    header = _HEADER.search(text)
    if header is None:
        return None
    columns = 2 if header["cumulative"] else 1
    items, end = _read_items(text, header.end())
    if not items:
        return None
    findings: list[dict] = []
    for item in items:
        _candidates(item, columns)
    _settle(items, f"{text[: header.start()]}\n{text[end:]}\n{context}")
    rows = [
        [Cell("指标名称"), Cell("计量单位"), Cell(_squeeze(header["value"]))]
        + ([Cell(_squeeze(header["cumulative"]))] if columns == 2 else [])
    ]
    for item in items:
        findings.extend(_findings(item))
        if item.problem is None and len(item.candidates) == 1:
            numbers = [str(number) for number in item.candidates[0]]
        else:
            numbers = [UNDECIDED] * columns
        rows.append([Cell(item.label), Cell(item.unit), *map(Cell, numbers)])
    return FlattenedStatistics(Table(rows), header.start(), end, findings)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _read_items(text: str, position: int) -> tuple[list[_Item], int]:
    items: list[_Item] = []
    parent: int | None = None
    last_ordinal: int | None = None
    end = position
    while match := _ITEM.match(text, position):
        label = _squeeze(match["label"])
        ordinal: int | None = None
        if label[0] in _GLUED_ORDINAL:
            # 「…853762、政府公报…」: the ordinal is the end of the previous item's run.
            ordinal = (last_ordinal or 0) + 1
            if not items:
                break
            previous = items[-1]
            digits = previous.run.rstrip()
            if digits.endswith(str(ordinal)):
                previous.run = digits[: -len(str(ordinal))]
            else:
                previous.problem = f"数字「{digits}」的末尾不是下一项的序号「{ordinal}{label[0]}」"
            label = f"{ordinal}{label}"
        elif child := _CHILD.match(label):
            ordinal = int(child[1]) if child[1] else None
        is_child = ordinal is not None or label.startswith("其中")
        if is_child and parent is not None:
            item_parent = parent
            last_ordinal = ordinal if ordinal is not None else last_ordinal
        else:  # a top-level item: the parent of the 「其中：」 items that follow
            item_parent, parent, last_ordinal = None, len(items), ordinal
        items.append(_Item(label, match["unit"], match["run"], ordinal, item_parent))
        end = match.start("run") + len(match["run"].rstrip())
        position = match.end()
    return items, end


def _number(text: str) -> Decimal | None:
    return Decimal(text) if _NUMBER.match(text) else None


def _candidates(item: _Item, columns: int) -> None:
    """The splits the digits allow: certain rules only (no leading zeros, cumulative ≥ value)."""
    if item.problem:
        return
    parts = item.run.split()
    if len(parts) == columns:  # the rendering kept the cells apart
        numbers = [_number(part) for part in parts]
        if None in numbers:
            item.problem = f"「{' '.join(parts)}」不是数字"
        else:
            item.candidates = item.choices = [tuple(numbers)]
        return
    if len(parts) != 1 or columns != 2:
        item.problem = f"「{item.run.strip()}」不是{columns}个数字"
        return
    digits = parts[0]
    splits = []
    for cut in range(1, len(digits)):
        value, cumulative = _number(digits[:cut]), _number(digits[cut:])
        if value is not None and cumulative is not None:
            splits.append((value, cumulative))
    item.candidates = item.choices = [split for split in splits if split[1] >= split[0]]
    if not item.candidates:
        item.problem = f"「{digits}」拆不出累计数不小于本年数的两个数"


def _settle(items: list[_Item], narrative: str) -> None:
    """Narrow every item's splits by the sums of sub-items, then by the narrative, until nothing changes."""
    groups: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        if item.parent is not None:
            groups.setdefault(item.parent, []).append(index)
    while _apply_sums(items, groups) or _apply_narrative(items, narrative):
        pass


def _apply_sums(items: list[_Item], groups: dict[int, list[int]]) -> bool:
    changed = False
    for parent, children in groups.items():
        members = [parent, *children]
        if any(items[index].problem or not items[index].candidates for index in members):
            continue
        sizes = [len(items[index].candidates) for index in members]
        if max(sizes) == 1 or math.prod(sizes) > _MAX_COMBINATIONS:
            continue
        consistent = [
            combination
            for combination in itertools.product(*(items[index].candidates for index in members))
            if all(
                combination[0][column] == sum(split[column] for split in combination[1:])
                for column in range(len(combination[0]))
            )
        ]
        if not consistent:
            continue  # the agency's sub-items need not add up: this group settles nothing
        for position, index in enumerate(members):
            kept = list(dict.fromkeys(combination[position] for combination in consistent))
            if len(kept) < len(items[index].candidates):
                items[index].candidates = kept
                items[index].decided_by.append(_sum_reason(items, parent, children))
                changed = True
    return changed


def _sum_reason(items: list[_Item], parent: int, children: list[int]) -> str:
    parts = " + ".join(f"「{items[index].label}」" for index in children)
    return f"分项之和（「{items[parent].label}」= {parts}，本年与累计两列）"


def _apply_narrative(items: list[_Item], narrative: str) -> bool:
    for item in items:
        if item.problem or len(item.candidates) < 2:
            continue
        stated = _stated_numbers(item, narrative)
        kept = [
            split
            for split in item.candidates
            if any(split[column] in numbers for column, (numbers, _) in enumerate(stated[: len(split)]))
        ]
        if kept and len(kept) < len(item.candidates):
            quotes = "、".join(
                f"「{quote}」"
                for column, (numbers, quotes_by_number) in enumerate(stated[: len(kept[0])])
                for number, quote in quotes_by_number.items()
                if any(split[column] == number for split in kept)
            )
            item.candidates = kept
            item.decided_by.append(f"正文所述 {quotes}")
            return True  # one at a time: the sums may settle the rest more surely
    return False


def _keyword(label: str) -> str:
    """What the narrative calls the item: 「1、政府网站公开数」 → 政府网站, 「主动公开文件数」 → 主动公开."""
    core = re.sub(r"^(?:其中\s*[:：]\s*)?(?:\d{1,2}\s*[、.．]\s*)?", "", label)
    core = re.sub(r"(?:文件|信息)?总?数$", "", core)
    return core[:4]


def _stated_numbers(item: _Item, narrative: str) -> list[tuple[set[Decimal], dict[Decimal, str]]]:
    """Numbers with the item's unit that the narrative states right after the item's name:
    [(year's values, quotes), (cumulative values, quotes)] — 「累计」 before the number marks the second."""
    stated: list[tuple[set[Decimal], dict[Decimal, str]]] = [(set(), {}), (set(), {})]
    keyword = _keyword(item.label)
    if len(keyword) < 2:
        return stated
    number = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*{re.escape(item.unit)}")
    for found in re.finditer(re.escape(keyword), narrative):
        window = narrative[found.start() : found.end() + _NARRATIVE_WINDOW]
        clause_end = _CLAUSE_END.search(window, len(keyword))
        window = window[: clause_end.start()] if clause_end else window
        for match in number.finditer(window):
            column = 1 if "累计" in window[: match.start()] else 0
            value = Decimal(match[1])
            stated[column][0].add(value)
            sentence_start = max(narrative.rfind(mark, 0, found.start()) for mark in "。；;，,\n ") + 1
            quote = narrative[max(sentence_start, found.start() - 12) : found.start() + match.end()]
            stated[column][1].setdefault(value, quote)
    return stated


def _findings(item: _Item) -> list[dict]:
    where = f"统计表「{item.label}」"
    choices = "、".join("/".join(map(str, split)) for split in item.choices)
    if item.problem:
        message = f"「{item.label}」：{item.problem}，本行数字未采用"
        return [finding("statistics.flattened", where, message)]
    if len(item.candidates) > 1:
        remaining = "、".join("/".join(map(str, split)) for split in item.candidates)
        message = (
            f"「{item.label}」的数字「{item.run.strip()}」可拆为 {remaining}（本年/累计），"
            "表内与正文均不能确定，本行数字未采用"
        )
        return [finding("statistics.split_undecided", where, message)]
    if item.decided_by:
        chosen = "/".join(map(str, item.candidates[0]))
        message = (
            f"「{item.label}」的数字「{item.run.strip()}」可拆为 {choices}，"
            f"按{'；'.join(item.decided_by)}，取 {chosen}（本年/累计）"
        )
        return [finding("statistics.split", where, message, "warning")]
    return []

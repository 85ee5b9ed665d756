"""Table 二 (主动公开政府信息情况) of the generated reports, in the 2019 and the 2021 layout.

A ledger per agency carries the running counts (现行有效件数, 上一年项目数量) from one year to the
next, so consecutive reports of an agency agree the way real ones mostly do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from agencies import Agency
from figures import DisclosureBlock, DisclosureLine, Figure
from report_style import ReportStyle

FULLWIDTH_PLUS = "＋"


@dataclass
class Ledger:
    """Running counts of one agency, updated by each generated year."""

    normative_in_force: int = 0
    licensing_items: int = 0
    services_items: int = 0
    penalty_items: int = 0
    coercion_items: int = 0
    fee_items: int = 0


def new_ledger(agency: Agency) -> Ledger:
    if agency.level == "county":
        return Ledger(
            normative_in_force=46,
            licensing_items=182,
            services_items=64,
            penalty_items=310,
            coercion_items=21,
            fee_items=6,
        )
    return Ledger()


# --- cell text --------------------------------------------------------------------------------------


def count(metric: str, value: int) -> Figure:
    return Figure(metric, value, str(value))


def change(value: int, style: ReportStyle) -> Figure:
    """本年增/减 with the sign habits of real tables: 14, +14, ＋14, -2."""
    if value > 0:
        prefix = {"plain": "", "ascii_plus": "+", "fullwidth_plus": FULLWIDTH_PLUS}[style.change_style]
        return Figure("change", value, f"{prefix}{value}")
    return Figure("change", value, str(value))


def money(metric: str, yuan: int, style: ReportStyle) -> Figure:
    """An amount stored in 万元; printed in 万元 with four decimals, or in 元 with the unit in the cell."""
    value = round(yuan / 10000, 4)
    if style.money_yuan and yuan:
        return Figure(metric, value, f"{yuan}元")
    return Figure(metric, value, f"{value:.4f}" if yuan else "0")


# --- 2019 layout ------------------------------------------------------------------------------------


def items_line(
    item: str,
    label: str,
    items: int,
    delta: int,
    decisions: int,
    style: ReportStyle,
    group: str | None = None,
) -> DisclosureLine:
    figures = [count("prior_items", items), change(delta, style), count("decisions", decisions)]
    return DisclosureLine(item, label, figures, group)


def drift(rng: random.Random, ledger_value: int, low: int, high: int) -> int:
    """A year's 本年增/减 that never takes the item count below zero."""
    return max(-ledger_value, rng.randint(low, high))


def disclosure_2019(
    rng: random.Random, agency: Agency, year: int, ledger: Ledger, style: ReportStyle
) -> list[DisclosureBlock]:
    county = agency.level == "county"
    made = rng.randint(3, 12) if county else (1 if rng.random() < 0.25 else 0)
    ledger.normative_in_force += made
    rules = DisclosureLine(
        "rules", "规章", [count("made", 0), count("published", 0), count("public_total", 0)]
    )
    normative = DisclosureLine(
        "normative_documents",
        "规范性文件",
        [count("made", made), count("published", made), count("public_total", ledger.normative_in_force)],
    )
    block_one = DisclosureBlock(
        "第二十条第（一）项",
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        [rules, normative],
    )
    block_five = DisclosureBlock(
        "第二十条第（五）项",
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        [
            licensing_line_2019(rng, agency, ledger, style),
            *services_lines_2019(rng, agency, year, ledger, style),
        ],
    )
    block_six = DisclosureBlock(
        "第二十条第（六）项",
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        enforcement_lines_2019(rng, agency, year, ledger, style),
    )
    fee_delta = drift(rng, ledger.fee_items, -1, 0) if county else 0
    fees = DisclosureLine(
        "fees", "行政事业性收费", [count("prior_items", ledger.fee_items), change(fee_delta, style)]
    )
    ledger.fee_items += fee_delta
    block_eight = DisclosureBlock("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"], [fees])
    block_nine = DisclosureBlock(
        "第二十条第（九）项",
        ["信息内容", "采购项目数量", style.procurement_header],
        [procurement_line(rng, agency, style)],
    )
    return [block_one, block_five, block_six, block_eight, block_nine]


def licensing_line_2019(
    rng: random.Random, agency: Agency, ledger: Ledger, style: ReportStyle
) -> DisclosureLine:
    if agency.level != "county":
        return items_line("licensing", "行政许可", 0, 0, 0, style)
    delta = drift(rng, ledger.licensing_items, -8, 12)
    line = items_line("licensing", "行政许可", ledger.licensing_items, delta, rng.randint(3000, 9000), style)
    ledger.licensing_items += delta
    return line


def services_lines_2019(
    rng: random.Random, agency: Agency, year: int, ledger: Ledger, style: ReportStyle
) -> list[DisclosureLine]:
    group = "其他对外管理服务事项"
    if agency.split_services:
        # Beijing streets report 行政检查 and 行政确认 separately under one merged label.
        confirm_delta = rng.randint(0, 12) if year >= 2020 else 0
        confirm = items_line(
            "confirmation",
            "行政确认",
            ledger.services_items,
            confirm_delta,
            rng.randint(200, 2500) if confirm_delta else 0,
            style,
            group,
        )
        ledger.services_items += confirm_delta
        return [items_line("inspection", "行政检查", 0, 0, 0, style, group), confirm]
    if agency.level != "county":
        return [items_line("other_services", group, 0, 0, 0, style)]
    delta = drift(rng, ledger.services_items, -5, 6)
    line = items_line("other_services", group, ledger.services_items, delta, rng.randint(800, 5000), style)
    ledger.services_items += delta
    return [line]


def enforcement_lines_2019(
    rng: random.Random, agency: Agency, year: int, ledger: Ledger, style: ReportStyle
) -> list[DisclosureLine]:
    if agency.level == "county":
        penalty_delta = drift(rng, ledger.penalty_items, -20, 30)
        coercion_delta = drift(rng, ledger.coercion_items, -3, 2)
        penalty_decisions, coercion_decisions = rng.randint(500, 3000), rng.randint(0, 60)
    elif agency.split_services and year >= 2020:
        # Beijing moved street-level law enforcement to the streets in 2020.
        penalty_delta, coercion_delta = rng.randint(150, 400), rng.randint(5, 25)
        penalty_decisions, coercion_decisions = rng.randint(100, 600), rng.randint(0, 10)
    else:
        penalty_delta = coercion_delta = penalty_decisions = coercion_decisions = 0
    lines = [
        items_line("penalty", "行政处罚", ledger.penalty_items, penalty_delta, penalty_decisions, style),
        items_line("coercion", "行政强制", ledger.coercion_items, coercion_delta, coercion_decisions, style),
    ]
    ledger.penalty_items += penalty_delta
    ledger.coercion_items += coercion_delta
    return lines


def procurement_line(rng: random.Random, agency: Agency, style: ReportStyle) -> DisclosureLine:
    if style.money_yuan:
        items, yuan = 3, 251000  # the round 元 amount seen printed this way in a real report
    elif agency.level == "county":
        items = rng.randint(20, 150)
        yuan = items * rng.randint(20000, 400000)
    else:
        items = rng.randint(0, 30)
        yuan = items * rng.randint(2000, 80000)
    return DisclosureLine(
        "procurement",
        "政府集中采购",
        [count("procurement_items", items), money("procurement_amount", yuan, style)],
    )


# --- 2021 layout ------------------------------------------------------------------------------------


def disclosure_2021(
    rng: random.Random, agency: Agency, year: int, ledger: Ledger, style: ReportStyle
) -> list[DisclosureBlock]:
    county = agency.level == "county"
    issued = rng.randint(2, 10) if county else (1 if rng.random() < 0.25 else 0)
    repealed = min(ledger.normative_in_force, rng.randint(0, 4) if county else 0)
    ledger.normative_in_force += issued - repealed
    normative_label = "规范性文件" if style.short_normative_label else "行政规范性文件"
    block_one = DisclosureBlock(
        "第二十条第（一）项",
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        [
            DisclosureLine("rules", "规章", [count("issued", 0), count("repealed", 0), count("in_force", 0)]),
            DisclosureLine(
                "normative_documents",
                normative_label,
                [
                    count("issued", issued),
                    count("repealed", repealed),
                    count("in_force", ledger.normative_in_force),
                ],
            ),
        ],
    )
    licensing = rng.randint(3000, 12000) if county else 0
    block_five = DisclosureBlock(
        "第二十条第（五）项",
        ["信息内容", "本年处理决定数量"],
        [DisclosureLine("licensing", "行政许可", [count("decisions", licensing)])],
    )
    if county:
        penalty, coercion = rng.randint(600, 3500), rng.randint(0, 80)
    elif agency.split_services:
        penalty, coercion = rng.randint(80, 700), rng.randint(0, 12)
    else:
        penalty = coercion = 0
    block_six = DisclosureBlock(
        "第二十条第（六）项",
        ["信息内容", "本年处理决定数量"],
        [
            DisclosureLine("penalty", "行政处罚", [count("decisions", penalty)]),
            DisclosureLine("coercion", "行政强制", [count("decisions", coercion)]),
        ],
    )
    fee_yuan = rng.randint(50, 900) * 1000 + rng.randint(0, 999) if county else 0
    block_eight = DisclosureBlock(
        "第二十条第（八）项",
        ["信息内容", "本年收费金额（单位：万元）"],
        [DisclosureLine("fees", "行政事业性收费", [money("fee_amount", fee_yuan, style)])],
    )
    return [block_one, block_five, block_six, block_eight]

"""The identities (勾稽关系) of report-template.md, each a check that yields findings.

A broken identity is recorded beside the numbers as printed; no number is ever changed here.
"""

from __future__ import annotations

import re

from extract.findings import finding
from extract.template import (
    APPLICANT_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    HANDLED_PARTS,
)

_NARRATIVE_RECEIVED = re.compile(r"收到[^。；;，,]{0,16}?申请\s*(\d{1,15})\s*[件条个]")
# 「没有收到依申请公开政府信息」, 「未收到政府信息公开申请」: the text says none.
_NARRATIVE_NONE = re.compile(r"(?:没有|未)收到[^。；;，,]{0,12}?申请")


def expected_application_rows(rows: dict[str, dict[str, int]]) -> list[str]:
    """The rows table 三 must give: the 2021 （六） sub-rows only where the table splits （六）."""
    split_other = any(key in rows for key in APPLICATION_GROUPS["other"])
    return [key for key in APPLICATION_ROWS if split_other or key not in APPLICATION_GROUPS["other"]]


def check_applications(rows: dict[str, dict[str, int]]) -> list[dict]:
    if not rows:
        return []
    findings: list[dict] = []
    missing = [key for key in expected_application_rows(rows) if key not in rows]
    if missing:
        findings.append(
            finding(
                "applications.missing_rows",
                "applications",
                "表三缺少以下行，相关勾稽关系未校验：" + "、".join(missing),
            )
        )
    balance_rows = ("new_received", "carried_over", "total_handled", "carried_forward")
    if all(key in rows for key in balance_rows):
        for column in _columns_given(rows, balance_rows):
            left = rows["new_received"][column] + rows["carried_over"][column]
            right = rows["total_handled"][column] + rows["carried_forward"][column]
            if left != right:
                findings.append(
                    finding(
                        "applications.balance",
                        column,
                        f"一+二 ({left}) ≠ 三(七)+四 ({rows['total_handled'][column]}+"
                        f"{rows['carried_forward'][column]}={right})",
                    )
                )
    if all(key in rows for key in (*HANDLED_PARTS, "total_handled")):
        for column in _columns_given(rows, (*HANDLED_PARTS, "total_handled")):
            parts = sum(rows[key][column] for key in HANDLED_PARTS)
            if parts != rows["total_handled"][column]:
                findings.append(
                    finding(
                        "applications.handled_sum",
                        column,
                        f"（一）至（六）之和 ({parts}) ≠ （七）总计 ({rows['total_handled'][column]})",
                    )
                )
    parts = APPLICATION_GROUPS["other"]
    if "other_handling" in rows and all(key in rows for key in parts):
        for column in _columns_given(rows, (*parts, "other_handling")):
            split = sum(rows[key][column] for key in parts)
            if split != rows["other_handling"][column]:
                findings.append(
                    finding(
                        "applications.other_sum",
                        column,
                        f"（六）1–3 之和 ({split}) ≠ （六）其他处理 ({rows['other_handling'][column]})",
                    )
                )
    for key, values in rows.items():
        if any(column not in values for column in APPLICANT_COLUMNS):
            continue  # a cell left out (absurd value) leaves the row's identity unchecked
        applicants = sum(values[column] for column in APPLICANT_COLUMNS[:-1])
        if applicants != values["total"]:
            findings.append(
                finding(
                    "applications.row_total", key, f"各类申请人之和 ({applicants}) ≠ 总计 ({values['total']})"
                )
            )
    return findings


def _columns_given(rows: dict[str, dict[str, int]], keys: tuple[str, ...]) -> list[str]:
    """The columns every one of these rows gives: a cell left out (absurd value) is not checked."""
    return [column for column in APPLICANT_COLUMNS if all(column in rows[key] for key in keys)]


def check_reviews(values: dict[str, int]) -> list[dict]:
    findings: list[dict] = []
    if not values:
        return findings
    for block in ("review", "suit", "suit_after_review"):
        keys = [f"{block}_{result}" for result in ("upheld", "corrected", "other", "pending", "total")]
        if any(key not in values for key in keys):
            continue  # a cell left out (absurd value) leaves the block unchecked
        parts = [values[f"{block}_{result}"] for result in ("upheld", "corrected", "other", "pending")]
        if sum(parts) != values[f"{block}_total"]:
            findings.append(
                finding(
                    "reviews.total",
                    block,
                    f"维持+纠正+其他+尚未审结 ({'+'.join(map(str, parts))}={sum(parts)}) ≠ 总计 ({values[f'{block}_total']})",
                )
            )
    return findings


def check_narrative(overview_text: str, rows: dict[str, dict[str, int]]) -> list[dict]:
    """Soft check: 「收到申请N件」 in the text against table 三's new applications."""
    if "total" not in rows.get("new_received", {}):
        return []
    if match := _NARRATIVE_RECEIVED.search(overview_text):
        said = int(match.group(1))
    elif _NARRATIVE_NONE.search(overview_text):
        said = 0
    else:
        return []
    table = rows["new_received"]["total"]
    if said == table:
        return []
    return [
        finding(
            "narrative.applications",
            "new_received",
            f"正文称收到申请 {said} 件，表三本年新收为 {table} 件",
            "warning",
        )
    ]


def check_cross_year(report: dict, previous: dict) -> list[dict]:
    """Soft checks against the same agency's report for the year before (identity 5 and its kin).

    Warnings only: agencies restate last year's figures, and a mismatch may be either year's error.
    """
    if not previous or previous.get("year") != (report.get("year") or 0) - 1:
        return []
    findings: list[dict] = []
    last_year = previous["year"]
    carried_over = report["applications"].get("carried_over")
    carried_forward = previous["applications"].get("carried_forward")
    if (
        carried_over
        and carried_forward
        and "total" in carried_over
        and "total" in carried_forward
        and carried_over["total"] != carried_forward["total"]
    ):
        findings.append(
            finding(
                "cross_year.carried_over",
                "total",
                f"上年结转 {carried_over['total']} 件 ≠ {last_year} 年报告的结转下年度 {carried_forward['total']} 件",
                "warning",
            )
        )
    now, before = _disclosure_cells(report), _disclosure_cells(previous)
    for item in sorted({item for item, _ in now}):
        # Only when the year's issued and repealed counts were both read: a lost cell is unknown, not 0.
        if (
            report["template"] == "2021"
            and all((item, metric) in now for metric in ("in_force", "issued", "repealed"))
            and (item, "in_force") in before
        ):
            issued, repealed = now[(item, "issued")], now[(item, "repealed")]
            expected = before[(item, "in_force")] + issued - repealed
            if now[(item, "in_force")] != expected:
                findings.append(
                    finding(
                        "cross_year.in_force",
                        item,
                        f"现行有效 {now[(item, 'in_force')]} ≠ {last_year} 年的 {before[(item, 'in_force')]}"
                        f" + 制发 {issued} − 废止 {repealed} = {expected}",
                        "warning",
                    )
                )
        if (item, "prior_items") in now and (item, "prior_items") in before and (item, "change") in before:
            expected = before[(item, "prior_items")] + before[(item, "change")]
            if now[(item, "prior_items")] != expected:
                findings.append(
                    finding(
                        "cross_year.prior_items",
                        item,
                        f"上一年项目数量 {now[(item, 'prior_items')]} ≠ {last_year} 年的"
                        f" {before[(item, 'prior_items')]} + 增减 {before[(item, 'change')]} = {expected}",
                        "warning",
                    )
                )
    return findings


def _disclosure_cells(report: dict) -> dict[tuple[str, str], int | float]:
    return {
        (cell["item"], cell["metric"]): cell["value"]
        for cell in report["disclosure"]
        if cell.get("value") is not None
    }

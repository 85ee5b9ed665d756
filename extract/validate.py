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

_NARRATIVE_RECEIVED = re.compile(r"收到[^。；;，,]{0,16}?申请\s*(\d+)\s*[件条个]")


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
    if all(key in rows for key in ("new_received", "carried_over", "total_handled", "carried_forward")):
        for column in APPLICANT_COLUMNS:
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
        for column in APPLICANT_COLUMNS:
            parts = sum(rows[key][column] for key in HANDLED_PARTS)
            if parts != rows["total_handled"][column]:
                findings.append(
                    finding(
                        "applications.handled_sum",
                        column,
                        f"（一）至（六）之和 ({parts}) ≠ （七）总计 ({rows['total_handled'][column]})",
                    )
                )
    for key, values in rows.items():
        applicants = sum(values[column] for column in APPLICANT_COLUMNS[:-1])
        if applicants != values["total"]:
            findings.append(
                finding(
                    "applications.row_total", key, f"各类申请人之和 ({applicants}) ≠ 总计 ({values['total']})"
                )
            )
    return findings


def check_reviews(values: dict[str, int]) -> list[dict]:
    findings: list[dict] = []
    if not values:
        return findings
    for block in ("review", "suit", "suit_after_review"):
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
    match = _NARRATIVE_RECEIVED.search(overview_text)
    if not match or "new_received" not in rows:
        return []
    said, table = int(match.group(1)), rows["new_received"]["total"]
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

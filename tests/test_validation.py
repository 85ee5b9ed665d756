"""The identities as findings: the numbers involved are in the message, and no number is ever changed."""

from __future__ import annotations

import copy

from extract.template import APPLICANT_COLUMNS, APPLICATION_ROWS
from extract.validate import check_applications, check_cross_year, check_narrative


def row(total: int) -> dict[str, int]:
    return {column: (total if column in ("natural_person", "total") else 0) for column in APPLICANT_COLUMNS}


def report(
    year: int, carried_over: int, carried_forward: int, disclosure: dict, template: str = "2021"
) -> dict:
    return {
        "year": year,
        "template": template,
        "applications": {"carried_over": row(carried_over), "carried_forward": row(carried_forward)},
        "disclosure": [{"item": i, "metric": m, "value": v} for (i, m), v in disclosure.items()],
    }


def test_consistent_years_give_no_finding():
    last = report(2021, 0, 3, {("rules", "in_force"): 10})
    this = report(2022, 3, 0, {("rules", "issued"): 2, ("rules", "repealed"): 1, ("rules", "in_force"): 11})
    assert check_cross_year(this, last) == []


def test_carried_over_and_in_force_against_last_year():
    last = report(2021, 0, 3, {("rules", "in_force"): 10})
    this = report(2022, 5, 0, {("rules", "issued"): 2, ("rules", "repealed"): 1, ("rules", "in_force"): 12})
    before = copy.deepcopy(this)
    findings = {f["check"]: f for f in check_cross_year(this, last)}
    assert set(findings) == {"cross_year.carried_over", "cross_year.in_force"}
    assert (
        "5" in findings["cross_year.carried_over"]["message"]
        and "3" in findings["cross_year.carried_over"]["message"]
    )
    assert "= 11" in findings["cross_year.in_force"]["message"]
    assert all(f["severity"] == "warning" for f in findings.values())
    assert this == before  # findings never change a number


def test_2019_prior_items_follow_last_years_change():
    last = report(2019, 0, 0, {("licensing", "prior_items"): 7, ("licensing", "change"): 3}, "2019")
    this = report(2020, 0, 0, {("licensing", "prior_items"): 9, ("licensing", "change"): 0}, "2019")
    (only,) = check_cross_year(this, last)
    assert only["check"] == "cross_year.prior_items" and "7 + 增减 3 = 10" in only["message"]


def test_no_cross_year_check_across_a_gap():
    last = report(2019, 0, 3, {})
    assert check_cross_year(report(2021, 9, 0, {}), last) == []


def test_other_handling_must_equal_its_three_parts():
    rows = {key: row(0) for key in APPLICATION_ROWS}
    rows["other_no_supplement"] = row(2)
    rows["other_handling"] = row(3)
    findings = [f for f in check_applications(rows) if f["check"] == "applications.other_sum"]
    assert [f["where"] for f in findings] == ["natural_person", "total"]
    assert "(2)" in findings[0]["message"] and "(3)" in findings[0]["message"]


def test_narrative_none_received_against_the_table():
    rows = {"new_received": row(4)}
    (finding,) = check_narrative("2020年，我处没有收到依申请公开政府信息。", rows)
    assert finding["check"] == "narrative.applications" and "0" in finding["message"]
    assert check_narrative("本年度共收到政府信息公开申请4件。", rows) == []

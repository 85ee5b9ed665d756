"""`govreports parse` on the five real seed reports (text flattened from DOCX), the broken ones included."""

from __future__ import annotations

import json
import subprocess

import pytest

from extract import parse_document
from tests.conftest import GOVREPORTS, seed_path
from tests.seed_truth import APPLICANT_COLUMNS
from tests.seed_truth import SEEDS as TRUTH

SEEDS = ["000", "001", "002", "003", "004"]


def parse_seed(name: str) -> dict:
    path = seed_path(name)
    return parse_document(path.read_bytes(), path=str(path))


def checks(report: dict) -> list[str]:
    return [finding["check"] for finding in report["findings"]]


@pytest.mark.parametrize("name", SEEDS)
def test_parse_cli_prints_the_contract(name):
    path = seed_path(name)
    result = subprocess.run([*GOVREPORTS, "parse", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in (
        "source",
        "title",
        "agency",
        "region",
        "level",
        "year",
        "published",
        "template",
        "sections",
        "disclosure",
        "applications",
        "reviews",
        "findings",
    ):
        assert key in report
    assert report["source"]["media_type"] == "text/plain" and len(report["source"]["sha256"]) == 64
    assert report["template"] == "2019"
    assert report["applications"]["new_received"]["total"] >= 0


@pytest.mark.parametrize("name", SEEDS)
def test_every_cell_of_every_table(name):
    """Each seed against a hand transcription (tests/seed_truth.py): all rows, all columns, no more."""
    report, truth = parse_seed(name), TRUTH[name]
    applications = {
        key: tuple(columns[column] for column in APPLICANT_COLUMNS)
        for key, columns in report["applications"].items()
    }
    assert applications == truth["applications"]
    assert report["reviews"] == truth["reviews"]
    disclosure = {(c["item"], c["metric"]): c["value"] for c in report["disclosure"]}
    assert disclosure == pytest.approx(truth["disclosure"])


@pytest.mark.parametrize("name", SEEDS)
def test_metadata_and_sections(name):
    report, truth = parse_seed(name), TRUTH[name]
    assert (report["title"], report["agency"], report["year"]) == (
        truth["title"],
        truth["agency"],
        truth["year"],
    )
    assert [section["key"] for section in report["sections"]] == truth["sections"]
    assert report["template"] == "2019"


@pytest.mark.parametrize("name", SEEDS)
def test_findings_match_what_the_document_shows(name):
    """No identity finding where the numbers hold; a finding wherever a row came from template order."""
    report, truth = parse_seed(name), TRUTH[name]
    broken = sorted(
        f"{f['check'].removeprefix('applications.')}:{f['where']}"
        for f in report["findings"]
        if f["check"]
        in ("applications.balance", "applications.handled_sum", "applications.row_total", "reviews.total")
    )
    assert broken == sorted(truth["broken_identities"])
    ordered = [f["where"] for f in report["findings"] if f["check"] == "applications.template_order"]
    assert ordered == truth["label_lost_rows"]
    assert ("reviews.heading_lost" in checks(report)) == truth["reviews_heading_lost"]
    assert "narrative.applications" not in checks(report)  # the text agrees with table 三 where it says


def test_seed_002_every_cell_of_table_three():
    report = parse_seed("002")
    assert (report["agency"], report["year"], report["level"]) == ("东城区永定门外街道办事处", 2020, "street")
    rows = report["applications"]
    natural = {key: columns["natural_person"] for key, columns in rows.items() if columns["natural_person"]}
    assert natural == {
        "new_received": 28,
        "granted": 1,
        "partially_granted": 2,
        "denied_process_info": 3,
        "unavailable_not_held": 17,
        "unavailable_needs_creation": 1,
        "total_handled": 24,
        "carried_forward": 4,
    }
    assert all(columns["total"] == columns["natural_person"] for columns in rows.values())
    assert len(rows) == 23  # every row of the 2019 template
    assert report["reviews"]["review_upheld"] == 4 and report["reviews"]["review_total"] == 4
    assert not [c for c in checks(report) if c.startswith(("applications.", "reviews."))]


def test_seed_002_disclosure_signed_changes():
    cells = {(c["item"], c["metric"]): c["value"] for c in parse_seed("002")["disclosure"]}
    assert cells[("confirmation", "change")] == 10  # printed 「＋10」
    assert cells[("confirmation", "decisions")] == 2205
    assert cells[("penalty", "decisions")] == 445
    assert cells[("procurement", "procurement_amount")] == pytest.approx(52.654)


@pytest.mark.parametrize(
    ("name", "region", "code"),
    [("002", "北京市东城区", "110101"), ("003", "河南省商丘市梁园区", "411402"), ("000", None, None)],
)
def test_region_from_the_agency_name(name, region, code):
    report = parse_seed(name)
    # 000 names only 果园街道: its district is left to the source registry, not guessed.
    assert (report["region"], report["region_parts"]["code"]) == (region, code)


def test_seed_001_amount_in_yuan_is_converted():
    report = parse_seed("001")
    cells = {(c["item"], c["metric"]): c for c in report["disclosure"]}
    amount = cells[("procurement", "procurement_amount")]
    assert amount["value"] == pytest.approx(18.527744) and amount["unit"] == "万元"
    (converted,) = [f for f in report["findings"] if f["check"] == "disclosure.unit_converted"]
    assert converted["where"] == "procurement.procurement_amount" and "185277.44元" in converted["message"]
    assert cells[("procurement", "procurement_items")]["value"] == 24
    assert [s["heading"] for s in report["sections"]][0] == "1、 总体情况"
    assert report["sections"][-1]["key"] == "other"


def test_seed_003_duplicated_section_one_is_reported():
    report = parse_seed("003")
    assert "section.duplicate_heading" in checks(report)
    assert "section.misplaced_heading" in checks(report)
    assert [s["key"] for s in report["sections"]] == [
        "overview",
        "proactive",
        "applications",
        "reviews",
        "problems",
        "other",
    ]
    problems = next(s for s in report["sections"] if s["key"] == "problems")
    assert "一、总体情况" in problems["text"]  # kept as text, where the agency pasted it


def test_seed_004_truncated_table_is_reported_not_guessed():
    report = parse_seed("004")
    assert report["year"] == 2019  # from 「统计期限自2019年1月1日起」: the report has no title
    assert report["title"] is None
    rows = report["applications"]
    assert rows["new_received"]["total"] == 10 and rows["carried_over"]["total"] == 1
    assert "total_handled" not in rows  # cut off in the document
    assert {"applications.missing_rows", "reviews.heading_lost", "section.missing"} <= set(checks(report))


def test_seed_000_lost_labels_follow_template_order_with_findings():
    report = parse_seed("000")
    ordered = [f["where"] for f in report["findings"] if f["check"] == "applications.template_order"]
    assert ordered[0] == "denied_state_secret" and ordered[-1] == "rejected_confirmation"
    assert len(ordered) == 16  # （三） 8 rows, （四） 3, （五） 5: every row whose label was lost
    assert "applications.unknown_row" not in checks(report)
    assert report["applications"]["total_handled"]["total"] == 0
    cells = {(c["item"], c["metric"]): c["value"] for c in report["disclosure"]}
    assert cells[("normative_documents", "made")] == 1
    assert cells[("procurement", "procurement_amount")] == pytest.approx(10.828)


def test_parse_exits_2_on_unreadable_input(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = subprocess.run([*GOVREPORTS, "parse", str(empty)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "not readable" in result.stderr and result.stdout == ""

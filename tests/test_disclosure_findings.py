"""Table 二's dropped rows and every table's absurd values are findings, not silence and not numbers.

A row the template has (行政强制, 行政事业性收费) missing from a table that gives the others is
``disclosure.missing_row``. A count over 10⁹ or an amount over 10⁸ 万元 is no report's figure (digits run
together, a misread): ``disclosure.absurd_value``, ``applications.absurd_value``, ``reviews.absurd_value``,
with the cell left out. The real shapes are corpus pages (../shared/corpus) with one row or cell changed.
"""

from __future__ import annotations

import pytest
from lxml import etree, html

from extract import parse_document
from extract.document import Cell, Table
from extract.tables import ABSURD_COUNT, read_disclosure
from extract.validate import check_applications, check_reviews
from tests.corpus_answers import CORPUS, read_cells


def _checks(report_or_findings, check: str) -> list[dict]:
    findings = report_or_findings["findings"] if isinstance(report_or_findings, dict) else report_or_findings
    return [f for f in findings if f["check"] == check]


# ------------------------------------------------------------------------------- grids in the template


def _grid(rows: list[list[str]]) -> Table:
    return Table([[Cell(text) for text in row] for row in rows])


TABLE_2021 = [
    ["第二十条第（一）项"],
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "0", "0", "0"],
    ["行政规范性文件", "7", "7", "132"],
    ["第二十条第（五）项"],
    ["信息内容", "本年处理决定数量"],
    ["行政许可", "2629"],
    ["第二十条第（六）项"],
    ["信息内容", "本年处理决定数量"],
    ["行政处罚", "1330"],
    ["行政强制", "54"],
    ["第二十条第（八）项"],
    ["信息内容", "本年收费金额（单位：万元）"],
    ["行政事业性收费", "0"],
]


def _without(rows: list[list[str]], label: str) -> list[list[str]]:
    return [row for row in rows if row[0] != label]


def test_a_complete_table_has_no_missing_row():
    assert _checks(read_disclosure(_grid(TABLE_2021)).findings, "disclosure.missing_row") == []


@pytest.mark.parametrize(("label", "item"), [("行政强制", "coercion"), ("行政事业性收费", "fees")])
def test_a_row_missing_from_table_two_is_a_finding(label, item):
    table = read_disclosure(_grid(_without(TABLE_2021, label)))
    (missing,) = _checks(table.findings, "disclosure.missing_row")
    assert missing["where"] == item and label in missing["message"] and "2021" in missing["message"]
    assert item not in {cell["item"] for cell in table.cells}  # absent, not zero
    assert len(table.cells) == 9  # the other rows are all read (10 cells in all)


def test_the_2021_template_does_not_expect_the_2019_rows():
    # 其他对外管理服务事项 and 政府集中采购 left the template in 2021.
    findings = read_disclosure(_grid(TABLE_2021)).findings
    assert not {f["where"] for f in findings} & {"other_services", "procurement"}


TABLE_2019_BEIJING = [
    ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
    ["规章", "0", "0", "0"],
    ["规范性文件", "0", "0", "0"],
    ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
    ["行政许可", "0", "0", "0"],
    ["行政检查", "2", "+1", "3"],  # Beijing splits 其他对外管理服务事项 into 行政检查 and 行政确认
    ["行政确认", "0", "0", "0"],
    ["行政处罚", "5", "－2", "445"],
    ["行政强制", "0", "0", "0"],
    ["信息内容", "上一年项目数量", "本年增/减"],
    ["行政事业性收费", "0", "0"],
    ["信息内容", "采购项目数量", "采购总金额"],
    ["政府集中采购", "3", "251000元"],
]


def test_beijing_s_split_rows_stand_for_other_services():
    assert _checks(read_disclosure(_grid(TABLE_2019_BEIJING)).findings, "disclosure.missing_row") == []
    (missing,) = _checks(
        read_disclosure(_grid(_without(TABLE_2019_BEIJING, "政府集中采购"))).findings,
        "disclosure.missing_row",
    )
    assert missing["where"] == "procurement" and "2019" in missing["message"]


def test_a_row_given_but_unreadable_is_not_reported_missing():
    # 行政强制 given with one number too many for its single column.
    rows = [row if row[0] != "行政强制" else ["行政强制", "5", "4"] for row in TABLE_2021]
    findings = read_disclosure(_grid(rows)).findings
    assert [f["where"] for f in _checks(findings, "disclosure.row_width")] == ["coercion"]
    assert _checks(findings, "disclosure.missing_row") == []


def test_absurd_counts_and_amounts_are_left_out_with_a_finding():
    rows = [list(row) for row in TABLE_2019_BEIJING]
    rows[7] = ["行政处罚", "5", "－2", "4450000000000"]  # digits run together
    rows[-1] = ["政府集中采购", "3", "2000000000000元"]  # 2×10⁸ 万元: no budget is that large
    table = read_disclosure(_grid(rows))
    absurd = _checks(table.findings, "disclosure.absurd_value")
    assert [f["where"] for f in absurd] == ["penalty.decisions", "procurement.procurement_amount"]
    assert "4450000000000" in absurd[0]["message"]
    read = {(cell["item"], cell["metric"]) for cell in table.cells}
    assert ("penalty", "decisions") not in read and ("procurement", "procurement_amount") not in read
    assert ("penalty", "change") in read and ("procurement", "procurement_items") in read
    assert _checks(table.findings, "disclosure.unit_converted") == []  # not converted: not taken at all


def test_the_bound_itself_is_believable():
    rows = [row if row[0] != "行政许可" else ["行政许可", str(ABSURD_COUNT)] for row in TABLE_2021]
    table = read_disclosure(_grid(rows))
    assert _checks(table.findings, "disclosure.absurd_value") == []
    assert {(c["item"], c["value"]) for c in table.cells} >= {("licensing", ABSURD_COUNT)}


# ------------------------------------------------------------------------------- real corpus pages


def _page(number: str):
    path = CORPUS / f"{number}.html"
    if not path.exists():
        pytest.skip(f"{path} not found (set GOVREPORTS_CORPUS to the corpus folder)")
    return html.fromstring(path.read_text(encoding="utf-8"))


def _parse(tree) -> dict:
    return parse_document(etree.tostring(tree, encoding="unicode", method="html").encode("utf-8"))


def _row(tree, label: str):
    return next(tr for tr in tree.iter("tr") if label in "".join(tr.text_content().split()))


def _set_value(tree, label: str, value: str, index: int = 0) -> None:
    """Print ``value`` in the ``index``-th number cell of the row labelled ``label``."""
    numbers = [td for td in _row(tree, label).iter("td") if "".join(td.text_content().split()).isdigit()]
    cell = numbers[index]
    for child in list(cell):
        cell.remove(child)
    cell.text = value


@pytest.mark.parametrize(
    ("number", "label", "item"),
    [("23", "行政强制", "coercion"), ("23", "行政事业性收费", "fees"), ("21", "行政强制", "coercion")],
)
def test_a_row_cut_from_a_corpus_table_two_is_a_finding(number, label, item):
    tree = _page(number)
    baseline = _parse(tree)
    assert _checks(baseline, "disclosure.missing_row") == []
    row = _row(tree, label)
    row.getparent().remove(row)
    report = _parse(tree)
    assert [f["where"] for f in _checks(report, "disclosure.missing_row")] == [item]
    before, after = read_cells(baseline), read_cells(report)
    assert {k: v for k, v in before.items() if not k.startswith(f"disclosure.{item}.")} == after


def test_an_absurd_count_in_corpus_table_three_is_left_out():
    tree = _page("23")
    baseline = _parse(tree)
    _set_value(tree, "本年新收", "80000000000")  # 自然人 of 一、本年新收: 8 with zeros run on
    report = _parse(tree)
    (absurd,) = _checks(report, "applications.absurd_value")
    assert absurd["where"] == "new_received.natural_person"
    row = report["applications"]["new_received"]
    assert "natural_person" not in row and row == {
        k: v for k, v in baseline["applications"]["new_received"].items() if k != "natural_person"
    }
    # The identities that need the cell are left unchecked, not failed and not crashed.
    assert _checks(report, "applications.row_total") == []
    assert "natural_person" not in {f["where"] for f in _checks(report, "applications.balance")}
    assert check_applications(report["applications"]) is not None


def test_an_absurd_count_in_corpus_table_four_is_left_out():
    tree = _page("23")
    reviews_row = next(tr for tr in tree.iter("tr") if len(tr.xpath("./td")) == 15)
    cell = reviews_row.xpath("./td")[0]
    for child in list(cell):
        cell.remove(child)
    cell.text = "1100240015"  # the row's first numbers run together
    report = _parse(tree)
    (absurd,) = _checks(report, "reviews.absurd_value")
    assert absurd["where"] == "review_upheld"
    assert "review_upheld" not in report["reviews"] and len(report["reviews"]) == 14
    assert "review" not in {f["where"] for f in check_reviews(report["reviews"])}

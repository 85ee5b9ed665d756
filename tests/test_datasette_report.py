"""The report page (/-/report/{id}) read as a report, and the original bytes downloaded as the portal served them."""

from __future__ import annotations

import sqlite3
import urllib.parse

import lxml.html
import pytest

from extract.template import APPLICANT_COLUMNS, APPLICATION_GROUPS, REVIEW_KEYS
from govreports.datasette import forms
from govreports.datasette.pages import original_filename
from tests.test_datasette import datasette, get, get_text  # noqa: F401  (datasette: the shared server)


def one(db, sql: str, params=()):
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchone()


def page(base: str, report_id: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(get_text(f"{base}/-/report/{report_id}"))


def grid_rows(table: lxml.html.HtmlElement) -> list[list[tuple[str, str]]]:
    """Each row as (class, text) of its cells."""
    return [
        [(cell.get("class") or cell.tag, cell.text_content().strip()) for cell in row.xpath("./th|./td")]
        for row in table.xpath(".//tr")
    ]


def expected_report(expected_portal, agency: str, year: int) -> dict:
    return next(r for r in expected_portal["reports"] if r["agency"] == agency and r["year"] == year)


@pytest.fixture(scope="module")
def flagged(crawled_archive):
    """A report with a broken identity per row of table 三 (各类申请人之和 ≠ 总计)."""
    return one(
        crawled_archive,
        "select r.* from reports r join findings f on f.report_id = r.id "
        "where f.check_name = 'applications.row_total' limit 1",
    )


def test_report_page_reads_as_the_report(datasette, flagged, expected_portal):  # noqa: F811
    doc = page(datasette, flagged["id"])
    assert doc.get_element_by_id("report-title").text_content() == flagged["title"]
    meta = doc.get_element_by_id("report-meta").text_content()
    for text in (
        flagged["agency"],
        str(flagged["year"]),
        flagged["published"],
        "街道",
        "2021 年模板",
        "首次抓取",
    ):
        assert text in meta
    headings = [h.text_content() for h in doc.xpath("//div[@class='gr-section']/h2")]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    # Tables sit in their sections.
    assert doc.xpath("//div[@id='section-proactive']//table[@id='table-disclosure']")
    assert doc.xpath("//div[@id='section-applications']//table[@id='table-applications']")
    assert doc.xpath("//div[@id='section-reviews']//table[@id='table-reviews']")


def test_table_three_is_the_official_form_with_chinese_labels(datasette, flagged, expected_portal):  # noqa: F811
    doc = page(datasette, flagged["id"])
    rows = grid_rows(doc.get_element_by_id("table-applications"))
    heads = [text for row in rows[:3] for kind, text in row if kind == "th" and text != "校验"]
    assert heads[1:] == [
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "总计",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    labels = [[text for kind, text in row if kind == "label"] for row in rows[3:]]
    leaf = [row[-1] for row in labels if row]
    split_other = [forms.APPLICATION_LABELS[k] for k in APPLICATION_GROUPS["other"]]
    expected_rows = [
        "new_received",
        "carried_over",
        "granted",
        "partially_granted",
        *APPLICATION_GROUPS["denied"],
        *APPLICATION_GROUPS["unavailable"],
        *APPLICATION_GROUPS["rejected"],
        *APPLICATION_GROUPS["other"],
        "total_handled",
        "carried_forward",
    ]
    assert leaf == [forms.APPLICATION_LABELS[k] for k in expected_rows]
    assert set(split_other) <= set(leaf)
    # Merged group labels, as printed: 三、本年度办理结果 spans the results, （三）不予公开 its eight rows.
    table = doc.get_element_by_id("table-applications")
    assert table.xpath("string(.//td[@rowspan='8'])") == "（三）不予公开"
    assert table.xpath(".//td[text()='三、本年度办理结果']/@rowspan") == [str(len(expected_rows) - 3)]
    expected = expected_report(expected_portal, flagged["agency"], flagged["year"])
    values = [text for kind, text in rows[3] if kind.startswith("value")]
    assert values == [str(expected["applications"]["new_received"][c]) for c in APPLICANT_COLUMNS]


def test_each_finding_sits_beside_its_cell(datasette, flagged, crawled_archive):  # noqa: F811
    finding = one(
        crawled_archive,
        "select * from findings where report_id = ? and check_name = 'applications.row_total' order by id",
        [flagged["id"]],
    )
    doc = page(datasette, flagged["id"])
    label = forms.APPLICATION_LABELS[finding["location"]]
    row = doc.xpath(f"//table[@id='table-applications']//tr[td[normalize-space(text())='{label}']]")[0]
    flagged_cells = row.xpath("./td[contains(@class, 'flagged')]")
    assert len(flagged_cells) == 1  # the 总计 cell of that row
    assert row.xpath("./td")[-2] is flagged_cells[0]
    note = row.xpath("./td[@class='note']")[0].text_content()
    assert "各类申请人之和" in note and finding["message"] in note


def test_provenance_copies_fetches_and_the_original(datasette, flagged, crawled_archive):  # noqa: F811
    doc = page(datasette, flagged["id"])
    provenance = doc.get_element_by_id("provenance").text_content()
    assert flagged["url"] in provenance
    copies = doc.get_element_by_id("copies").xpath(".//tbody/tr")
    fetches = doc.get_element_by_id("fetches").xpath(".//tbody/tr")
    assert len(copies) >= 1 and len(fetches) >= 1
    link = doc.xpath("//a[@class='download-original']")[0]
    status, headers, body = get(datasette + link.get("href"))
    assert status == 200
    document = one(crawled_archive, "select * from documents where sha256 = ?", [flagged["document_sha256"]])
    assert body == document["content"]
    assert headers["content-type"] == document["media_type"]
    filename = urllib.parse.urlsplit(flagged["document_url"]).path.rsplit("/", 1)[-1]
    assert f'filename="{filename}"' in headers["content-disposition"]
    assert link.get("download") == filename


def test_an_attachment_downloads_under_its_own_name(datasette, crawled_archive):  # noqa: F811
    copy = one(crawled_archive, "select * from report_copies where kind = 'attachment' limit 1")
    doc = page(datasette, copy["report_id"])
    name = copy["url"].rsplit("/", 1)[-1]
    assert name.endswith(".docx")
    link = doc.xpath(f"//a[@class='download-original'][@download='{name}']")[0]
    status, headers, body = get(datasette + link.get("href"))
    assert status == 200 and body[:2] == b"PK"
    assert (
        headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert f"filename*=UTF-8''{name}" in headers["content-disposition"]


def test_report_ids_link_to_the_report_page(datasette, flagged):  # noqa: F811
    html = get_text(f"{datasette}/archive/findings?report_id={flagged['id']}")
    assert f'href="/-/report/{flagged["id"]}"' in html
    html = get_text(f"{datasette}/archive/reports?id={flagged['id']}")
    assert f'<a href="/-/report/{flagged["id"]}">{flagged["title"]}</a>' in html


def test_an_unknown_report_is_not_found(datasette):  # noqa: F811
    assert get(datasette + "/-/report/nonexistent")[0] == 404
    assert get(datasette + "/-/original/" + "0" * 64)[0] == 404


# ------------------------------------------------------------------------------------------ forms, pure
def note(check: str, where: str, severity: str = "error") -> dict:
    return {"check": check, "where": where, "message": f"{check} at {where}", "severity": severity}


def test_a_column_finding_goes_under_its_column_and_a_block_finding_under_its_block():
    notes = forms.notes_of([note("applications.balance", "natural_person"), note("reviews.total", "suit")])
    rows = {key: dict.fromkeys(APPLICANT_COLUMNS, 0) for key in ("new_received", "total_handled")}
    grid = forms.applications_grid(rows, notes)
    footer = grid.rows[-1]
    assert footer[0].text == "校验" and footer[1].notes == [notes[0]]  # under 自然人
    reviews = forms.reviews_grid(dict.fromkeys(REVIEW_KEYS, 1), notes)
    block_notes = reviews.rows[-1]
    assert [cell.colspan for cell in block_notes] == [5, 5, 5]
    assert [len(cell.notes) for cell in block_notes] == [0, 1, 0]


def test_table_two_follows_its_template():
    items_2019 = [
        {"item": item, "metric": metric, "value": 1, "unit": "件"}
        for item in ("licensing", "inspection")
        for metric in ("prior_items", "change", "decisions")
    ]
    grid = forms.disclosure_grid(items_2019, "2019", forms.notes_of([note("disclosure.missing_row", "fees")]))
    labels = [row[0].text for row in grid.rows]
    assert "第二十条第（九）项" in labels and "行政检查" in labels  # Beijing's split row, shown when given
    assert "行政确认" not in labels
    assert grid.rows[-1][0].text == "政府集中采购"
    fees = next(row for row in grid.rows if row[0].text == "行政事业性收费")
    assert fees[-1].kind == "note" and fees[-1].notes  # a row finding in the row's 校验 cell
    grid_2021 = forms.disclosure_grid([], "2021", [])
    labels_2021 = [row[0].text for row in grid_2021.rows]
    assert "行政规范性文件" in labels_2021 and "第二十条第（九）项" not in labels_2021
    assert all(row[-1].text != "校验" for row in grid_2021.rows)  # no findings: no 校验 column


def test_original_file_names():
    assert original_filename("http://x.gov.cn/a/P0201.docx", "x", "ab" * 32) == "P0201.docx"
    assert (
        original_filename("http://x.gov.cn/down.jsp?filename=%E5%B9%B4%E6%8A%A5.pdf", "", "ab" * 32)
        == "年报.pdf"
    )
    assert original_filename("http://x.gov.cn/", "text/html; charset=gbk", "ab" * 32) == "ab" * 8 + ".html"

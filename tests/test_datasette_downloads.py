"""Downloads: every table and canned query as CSV of all its rows (streamed), an Excel-safe CSV with a BOM,
and .xlsx — with max_returned_rows set to 5, so that a download stopping at a page would show; the
.xlsx information sheet in Chinese; formula-like text guarded in the Excel downloads only."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import urllib.parse
import zipfile

import lxml.html
import openpyxl
import pytest

from govreports.datasette.downloads import ArchiveXlsxWriter, ExcelCsv
from govreports.datasette.metadata import LICENSE, LICENSE_URL, SOURCE
from tests.test_datasette import get, get_text, serving

PAGE = 5


@pytest.fixture(scope="module")
def small_pages(crawled_archive):
    with serving(crawled_archive, "--setting", "max_returned_rows", str(PAGE)) as base:
        yield base


def rows_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def count(db, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


def export_link(base: str, path: str, label: str) -> str:
    doc = lxml.html.fromstring(get_text(base + path))
    return next(a.get("href") for a in doc.xpath("//p[@class='export-links']/a") if a.text_content() == label)


def test_the_pages_own_csv_link_gives_every_row_of_a_table(small_pages, crawled_archive, expected_portal):
    href = export_link(small_pages, "/archive/report_figures", "CSV")
    status, headers, body = get(small_pages + href)
    assert status == 200 and "attachment" in headers["content-disposition"]
    rows = rows_of(body)
    assert len(rows) - 1 == count(crawled_archive, "report_figures") == len(expected_portal["reports"]) > PAGE
    header = rows[0]
    assert header[:3] == ["report_id", "title", "agency"] and "t3_new_received_total" in header
    by_key = {(r[header.index("agency")], int(r[header.index("year")])): r for r in rows[1:]}
    for report in expected_portal["reports"]:
        row = by_key[(report["agency"], report["year"])]
        assert row[header.index("t3_new_received_total")] == str(
            report["applications"]["new_received"]["total"]
        )


def test_a_canned_querys_csv_gives_every_row(small_pages, expected_portal):
    href = export_link(small_pages, "/archive/requests_per_agency_year", "CSV")
    status, _, body = get(small_pages + href)
    assert status == 200
    rows = rows_of(body)
    assert rows[0][:3] == ["report_id", "机关", "省份"]
    assert len(rows) - 1 == len(expected_portal["reports"]) > PAGE
    # With a parameter: only that agency's reports.
    agency = expected_portal["reports"][0]["agency"]
    status, _, body = get(
        f"{small_pages}/archive/requests_per_agency_year.csv?agency={urllib.parse.quote(agency)}"
    )
    assert {row[1] for row in rows_of(body)[1:]} == {agency}


def test_sql_csv_gives_every_row(small_pages, crawled_archive):
    sql = urllib.parse.quote("select report_id, table_key, row_key, column_key, value from cells")
    status, headers, body = get(f"{small_pages}/archive.csv?sql={sql}&_dl=1")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert len(rows_of(body)) - 1 == count(crawled_archive, "cells") > 1000
    status, _, body = get(
        f"{small_pages}/archive.csv?sql={urllib.parse.quote('select nonsense from nowhere')}"
    )
    assert status == 400 and b"no such table" in body


@pytest.mark.parametrize(
    "path", ["/archive/report_figures", "/archive/refusal_reasons?year=2023", "/archive/sections"]
)
def test_excel_csv_has_a_bom_and_every_row(small_pages, path):
    plain = (
        path.replace("?", ".csv?_stream=on&_size=max&", 1)
        if "?" in path
        else path + ".csv?_stream=on&_size=max"
    )
    href = export_link(small_pages, path, "CSV（Excel，UTF-8 BOM）")
    status, headers, body = get(small_pages + href)
    assert status == 200
    assert body.startswith("\ufeff".encode())
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in headers["content-disposition"]
    assert body[3:] == get(small_pages + plain)[2]  # the same CSV, a BOM in front


def test_xlsx_of_the_wide_table_and_of_a_query(small_pages, crawled_archive):
    status, headers, body = get(
        small_pages + export_link(small_pages, "/archive/report_figures", "Excel .xlsx")
    )
    assert status == 200 and headers["content-type"].endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("report_id", "title", "agency")
    assert len(rows) - 1 == count(crawled_archive, "report_figures")
    status, _, body = get(small_pages + "/archive/refusal_reasons.xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("序号", "类别", "原因") and len(rows) == 1 + 16


@pytest.mark.parametrize("suffix", [".csv?_stream=on&_size=max&", ".csvbom?", ".xlsx?"])
def test_a_sorted_tables_download_keeps_every_row(small_pages, crawled_archive, suffix):
    # Datasette 0.65 does not break ties on a sorted table's first page: downloads come in key order.
    status, _, body = get(f"{small_pages}/archive/report_figures{suffix}_sort_desc=year")
    assert status == 200
    if suffix.startswith(".xlsx"):
        rows = list(openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0].iter_rows())
    else:
        rows = rows_of(body)
    assert len(rows) - 1 == count(crawled_archive, "report_figures")


# ----------------------------------------------------------------------- the .xlsx information sheet
# datasette-xlsx's own words (whole words: "Databas" is in "Database").
SWEDISH = re.compile(r"[åäöÅÄÖ]|\b(?:Om uttaget|Antal|Databas|Tabell|Exporterad|Sparad|fraga|TRUNKERAT)\b")


def information(body: bytes) -> tuple[list[str], dict]:
    """The workbook's sheet names and its information sheet (label → value)."""
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    rows = workbook.worksheets[-1].iter_rows(values_only=True)
    return workbook.sheetnames, {label: value for label, value in rows}


def test_xlsx_information_sheet_is_in_chinese_with_the_archives_licence(small_pages, crawled_archive):
    status, _, body = get(f"{small_pages}/archive/report_figures.xlsx")
    assert status == 200
    sheets, info = information(body)
    assert sheets == ["report_figures", "关于本导出"]
    assert info["行数（Rows）"] == count(crawled_archive, "report_figures") > PAGE
    assert info["标题（Title）"] == "报告数字宽表 report_figures"
    assert info["表或视图（Table / view）"] == "report_figures" and info["数据库（Database）"] == "archive"
    assert (info["数据来源（Source）"], info["许可（Licence）"]) == (SOURCE, LICENSE)
    assert info["许可网址（Licence URL）"] == LICENSE_URL and "CC BY 4.0" in LICENSE
    assert info["导出时间（Exported）"] and info["网址（URL）"].endswith("/archive/report_figures")
    assert not any(SWEDISH.search(f"{label} {value}") for label, value in info.items()), info


def test_xlsx_of_a_query_is_named_and_described_in_chinese(small_pages):
    _, _, body = get(f"{small_pages}/archive/refusal_reasons.xlsx")
    sheets, info = information(body)
    assert sheets == ["refusal_reasons", "关于本导出"]
    assert info["查询（Query）"] == "refusal_reasons" and info["标题（Title）"].startswith("不予公开")
    assert info["行数（Rows）"] == 16
    status, headers, body = get(f"{small_pages}/archive.xlsx?sql={urllib.parse.quote('select 1 as one')}")
    assert status == 200
    assert "archive-查询.xlsx" in urllib.parse.unquote(headers["content-disposition"])
    sheets, info = information(body)
    assert sheets == ["archive-查询", "关于本导出"] and info["行数（Rows）"] == 1
    assert not any(SWEDISH.search(f"{label} {value}") for label, value in info.items()), info


# ------------------------------------------------------------------ formula injection (Excel downloads)
FORMULA = '=HYPERLINK("http://x","y")'
ARITHMETIC = "-1+2"


@pytest.fixture(scope="module")
def formulas(crawled_archive, tmp_path_factory):
    """A copy of the archive where one report's agency and title are text Excel would run and two of its
    cells are negative numbers; served. Yields (base URL, report id)."""
    db = tmp_path_factory.mktemp("formulas") / "archive.db"
    source, target = sqlite3.connect(crawled_archive), sqlite3.connect(db)
    source.backup(target)
    source.close()
    report_id = target.execute("select id from reports order by id limit 1").fetchone()[0]
    with target:
        target.execute(
            "update reports set agency = ?, title = ? where id = ?", [FORMULA, ARITHMETIC, report_id]
        )
        first_two = "select position from cells where report_id = ? order by position limit 2"
        positions = [row[0] for row in target.execute(first_two, [report_id])]
        for position, value in zip(positions, (-7, -1.5), strict=True):
            target.execute(
                "update cells set value = ? where report_id = ? and position = ?",
                [value, report_id, position],
            )
    target.close()
    with serving(db) as base:
        yield base, report_id


def excel_csv(url: str) -> list[dict]:
    status, headers, body = get(url)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert body.startswith("\ufeff".encode())
    header, *rows = rows_of(body[3:])
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize(
    "path",
    [
        "/archive/reports.csvbom?id={id}",  # a table: Datasette's CSV, guarded on its way
        "/archive/reports/{id}.csvbom",  # a row page: the plugin's renderer, guarded on its way
        "/archive.csvbom?sql=select+agency,+title+from+reports+where+id+=+:id&id={id}",  # streamed here
    ],
)
def test_excel_csv_guards_text_excel_would_run(formulas, path):
    base, report_id = formulas
    (row,) = excel_csv(base + path.format(id=report_id))
    assert (row["agency"], row["title"]) == ("'" + FORMULA, "'" + ARITHMETIC)


def test_excel_csv_leaves_numbers_alone(formulas):
    base, report_id = formulas
    rows = excel_csv(f"{base}/archive/cells.csvbom?report_id={report_id}")
    values = [row["value"] for row in rows]
    assert values[:2] == ["-7", "-1.5"] and not any(v.startswith("'") for v in values)
    sql = urllib.parse.quote("select -7 as n, -1.5 as f, '-1+2' as t, '@x' as a, 'ok-1' as plain")
    (row,) = excel_csv(f"{base}/archive.csvbom?sql={sql}")
    assert row == {"n": "-7", "f": "-1.5", "t": "'-1+2", "a": "'@x", "plain": "ok-1"}


def test_plain_csv_is_datasettes_own(formulas):
    """Plain .csv is for programs: the text as stored; .csvbom differs only by the guard's apostrophes."""
    base, report_id = formulas
    status, _, plain = get(f"{base}/archive/reports.csv?id={report_id}")
    assert status == 200
    header, row = rows_of(plain)
    values = dict(zip(header, row, strict=True))
    assert (values["agency"], values["title"]) == (FORMULA, ARITHMETIC)
    (excel,) = excel_csv(f"{base}/archive/reports.csvbom?id={report_id}")
    assert list(excel) == header
    assert {k: v for k, v in excel.items() if v != values[k]} == {
        "agency": "'" + FORMULA,
        "title": "'" + ARITHMETIC,
    }
    sql = urllib.parse.quote("select agency, title, -7 as n from reports where id = :id")
    status, _, plain = get(f"{base}/archive.csv?sql={sql}&id={report_id}")
    assert rows_of(plain) == [["agency", "title", "n"], [FORMULA, ARITHMETIC, "-7"]]


def test_xlsx_keeps_text_excel_would_run_as_text(formulas):
    base, report_id = formulas
    status, _, body = get(f"{base}/archive/reports.xlsx?id={report_id}")
    assert status == 200
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    for name, text in (("agency", FORMULA), ("title", ARITHMETIC)):
        # The text as stored, a text cell, marked as Excel marks a typed leading ' (quotePrefix).
        assert (row[name].value, row[name].data_type, row[name].quotePrefix) == (text, "s", True)
    assert row["id"].quotePrefix is False
    _, _, body = get(f"{base}/archive/cells.xlsx?report_id={report_id}")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    column = [cell.value for cell in sheet[1]].index("value")
    numbers = [row[column] for row in list(sheet.iter_rows(min_row=2))[:2]]
    assert [(c.value, c.data_type, c.quotePrefix) for c in numbers] == [(-7, "n", False), (-1.5, "n", False)]


def test_excel_csv_pieces_are_guarded_as_whole_records():
    """However the answer is cut (inside a quoted field, a newline or a UTF-8 character), the same CSV."""
    text = 'id,text\r\n1,"=1+2\r\n第二行"\r\n2,-3\r\n3,"@a,b"\r\n'
    whole = ExcelCsv().feed(text.encode(), more=False)
    expected = "\ufeff" + 'id,text\r\n1,"\'=1+2\r\n第二行"\r\n2,-3\r\n3,"\'@a,b"\r\n'
    assert whole.decode() == expected
    body = text.encode()
    for size in (1, 2, 5, 7):
        excel = ExcelCsv()
        pieces = [body[i : i + size] for i in range(0, len(body), size)]
        out = b"".join(excel.feed(piece, more=True) for piece in pieces) + excel.feed(b"", more=False)
        assert out == whole


class _Metadata:
    """What ArchiveXlsxWriter asks of Datasette, as the archive's metadata answers."""

    def metadata(self, key=None, database=None, table=None, fallback=True):
        return {"source": SOURCE, "license": LICENSE, "license_url": LICENSE_URL}.get(key)

    def table_metadata(self, database, table):
        return {"title": "报告 reports"}


def test_xlsx_notes_of_a_cut_export_are_in_chinese():
    """The notes datasette-xlsx would write in Swedish: rows past max_rows, a cell past Excel's limit, bytes."""
    writer = ArchiveXlsxWriter(["id", "text", "raw"], "reports", 2, datasette=_Metadata())
    for row in ([1, "x" * 40_000, b"abc"], [2, "=1+2", None], [3, "dropped", None]):
        writer.write(row)
    body = writer.finish({"Databas": "archive", "Tabell/vy": "reports", "Exporterad": "2024-01-01T00:00:00"})
    sheets, info = information(body)
    assert sheets == ["reports", "关于本导出"]
    assert info["行数（Rows）"] == 2 and "max_rows = 2" in info["注意（Note）"]
    assert (
        info["截断的单元格（Truncated cells）"].startswith("1（") and info["标题（Title）"] == "报告 reports"
    )
    assert info["许可（Licence）"] == LICENSE and info["导出时间（Exported）"] == "2024-01-01T00:00:00"
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert rows[0][1].endswith("…[已截断 truncated]") and len(rows[0][1]) == 32_767
    assert rows[0][2] == "<3 bytes>" and rows[1][1] == "=1+2" and len(rows) == 2
    assert not any(SWEDISH.search(f"{label} {value}") for label, value in info.items()), info

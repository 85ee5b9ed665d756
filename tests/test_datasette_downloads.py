"""Downloads: every table and canned query as CSV of all its rows (streamed), an Excel-safe CSV with a BOM,
and .xlsx — with max_returned_rows set to 5, so that a download stopping at a page would show."""

from __future__ import annotations

import csv
import io
import sqlite3
import urllib.parse

import lxml.html
import openpyxl
import pytest

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

"""DOC and WPS (through LibreOffice), XLSX and XLS: the same report read from each format equals expected.json.

The fixtures are built by tests/fixtures/make_office_documents.py from the sample portal's DOCX reports;
tests/fixtures/documents/OFFICE.md says which fixture holds which report.
"""

from __future__ import annotations

import functools
import shutil
import time
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from extract import UnreadableDocument, parse_document, sniff_media_type
from extract.document import Paragraph, Table
from extract.numbers import read_number
from extract.readers import office
from extract.readers.docx import read_docx
from extract.readers.spreadsheet import cell_text, read_xls, read_xlsx
from extract.report import DOC, WPS, XLS, XLSX, read_document
from govreports.portal import SAMPLE_PORTAL
from tests.fixtures.make_office_documents import OFFICE_FIXTURES

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"
MEDIA_TYPES = {".doc": DOC, ".wps": WPS, ".xlsx": XLSX, ".xls": XLS}
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
)


def media_type(name: str) -> str:
    return MEDIA_TYPES[Path(name).suffix]


def with_soffice(name: str):
    """DOC and WPS fixtures need LibreOffice; spreadsheets need only openpyxl and xlrd."""
    marks = [needs_soffice] if media_type(name) in (DOC, WPS) else []
    return pytest.param(name, marks=marks, id=name)


ALL_FIXTURES = [with_soffice(name) for name in OFFICE_FIXTURES]
WORD_FIXTURES = [with_soffice(name) for name in OFFICE_FIXTURES if media_type(name) in (DOC, WPS)]


@functools.cache
def parsed(name: str) -> dict:
    """parse_document on the fixture's bytes, with the type a server would declare."""
    data = (DOCUMENTS / name).read_bytes()
    return parse_document(data, path=name, media_type=media_type(name))


@pytest.fixture(scope="module")
def expected_by_document(expected_portal) -> dict[str, dict]:
    return {r["document_path"]: r for r in expected_portal["reports"] if r.get("document_path")}


def cells(disclosure: list[dict]) -> list[tuple]:
    return [(cell["item"], cell["metric"], cell["value"]) for cell in disclosure]


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_table_cell_equals_expected(name, expected_by_document):
    expected = expected_by_document[OFFICE_FIXTURES[name]]
    report = parsed(name)
    assert report["applications"] == expected["applications"]
    assert report["reviews"] == expected["reviews"]
    assert cells(report["disclosure"]) == cells(expected["disclosure"])
    assert report["template"] == expected["template"]
    assert not [
        f for f in report["findings"] if f["check"].startswith(("table.", "applications.", "reviews."))
    ]


@pytest.mark.parametrize("name", WORD_FIXTURES)
def test_word_binaries_give_title_year_and_six_sections(name, expected_by_document):
    expected = expected_by_document[OFFICE_FIXTURES[name]]
    report = parsed(name)
    assert (report["title"], report["agency"], report["year"]) == (
        expected["title"],
        expected["agency"],
        expected["year"],
    )
    assert [(s["key"], s["heading"]) for s in report["sections"]] == [
        (s["key"], s["heading"]) for s in expected["sections"]
    ]
    source = parse_document((SAMPLE_PORTAL / OFFICE_FIXTURES[name].lstrip("/")).read_bytes())
    assert report["sections"] == source["sections"]  # the text, too, survives LibreOffice's round trip


@pytest.mark.parametrize("name", ["tables-2019.xlsx", "tables-2019.xls"])
def test_spreadsheet_title_row_is_the_title(name, expected_by_document):
    expected = expected_by_document[OFFICE_FIXTURES[name]]
    report = parsed(name)
    assert (report["title"], report["year"]) == (expected["title"], expected["year"])


def comparable(table: Table) -> list[list[tuple]]:
    """Cells as (number or text, spanned): 「10.8280」 in Word and 10.828 in Excel are the same cell."""
    rows = []
    for row in table.rows:
        values = []
        for cell in row:
            number = read_number(cell.text)
            values.append((number.value if number else cell.text, cell.spanned))
        rows.append(values)
    return rows


@pytest.mark.parametrize(("name", "reader"), [("tables-2019.xlsx", read_xlsx), ("tables-2019.xls", read_xls)])
def test_spreadsheet_grids_keep_the_word_tables_merges(name, reader):
    source = read_docx((SAMPLE_PORTAL / OFFICE_FIXTURES[name].lstrip("/")).read_bytes())
    sheets = reader((DOCUMENTS / name).read_bytes())
    assert [comparable(t) for t in sheets.tables] == [comparable(t) for t in source.tables]
    assert sheets.media_type == media_type(name)


@needs_soffice
def test_wps_keeps_its_media_type():
    document = office.read_word_binary((DOCUMENTS / "report-2021.wps").read_bytes(), WPS)
    assert document.media_type == WPS and len(document.tables) == 3


# ---------------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("name", "declared", "expected"),
    [
        ("report-2019.doc", None, DOC),  # Word's 「Book Title」 style must not pass for Excel's Book stream
        ("report-2021.doc", "application/msword", DOC),
        ("report-2021.wps", WPS, WPS),
        ("tables-2019.xls", None, XLS),
        ("tables-2019.xlsx", None, XLSX),
    ],
)
def test_sniffing_tells_the_fixtures_apart(name, declared, expected):
    assert sniff_media_type((DOCUMENTS / name).read_bytes(), declared) == expected


# ---------------------------------------------------------------------------------------------- damage

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_damaged_doc_is_unreadable_with_a_message():
    data = OLE_SIGNATURE + b"\x00\x01garbage" * 500
    with pytest.raises(UnreadableDocument, match="WordDocument"):
        parse_document(data, media_type=DOC)


@needs_soffice
def test_doc_with_a_corrupt_body_is_unreadable_not_imported_as_text():
    data = bytearray((DOCUMENTS / "report-2019.doc").read_bytes())
    data[512:40000] = bytes(range(256)) * ((40000 - 512) // 256) + bytes((40000 - 512) % 256)
    started = time.monotonic()
    with pytest.raises(UnreadableDocument, match="LibreOffice could not convert"):
        read_document(bytes(data), DOC)
    assert time.monotonic() - started < 60


@needs_soffice
@pytest.mark.parametrize("use_server", [True, False], ids=["server", "per-file"])
def test_conversion_timeout_says_so(monkeypatch, use_server):
    """Both ways of converting: the long-lived server and the per-file fallback."""
    monkeypatch.setattr(office, "USE_SERVER", use_server)
    monkeypatch.setattr(office, "CONVERT_TIMEOUT", 0.01)
    with pytest.raises(UnreadableDocument, match="did not finish"):
        read_document((DOCUMENTS / "report-2019.doc").read_bytes(), DOC)


def test_missing_libreoffice_says_what_to_install(monkeypatch):
    monkeypatch.setattr(office.shutil, "which", lambda command: None)
    with pytest.raises(UnreadableDocument, match="apt-get install libreoffice-writer-nogui"):
        read_document((DOCUMENTS / "report-2019.doc").read_bytes(), DOC)


# ---------------------------------------------------------------------------------------------- spreadsheets


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (28.0, "28"),  # Excel stores every number as a float
        (18.5277, "18.5277"),
        (0.1 + 0.2, "0.3"),  # beyond Excel's 15 significant digits
        (-2.0, "-2"),
        (251000.0, "251000"),
        (7, "7"),
        (datetime(2020, 1, 20), "2020-01-20"),
        (datetime(2020, 1, 20, 9, 30), "2020-01-20T09:30:00"),
        (date(2021, 2, 9), "2021-02-09"),
        ("  自然\n人 ", "自然 人"),
        (None, ""),
    ],
)
def test_cell_text_shows_values_as_written(value, text):
    assert cell_text(value) == text


def workbook_bytes(rows: list[list], merges: list[str], empty_sheet: bool = True) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    if empty_sheet:
        workbook.create_sheet("Sheet2")
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_stacked_tables_split_at_full_width_headings():
    """Two tables in one sheet without blank rows: the numbered heading between them starts the second."""
    data = workbook_bytes(
        [
            ["某街道2020年政府信息公开工作年度报告", None, None],
            ["第二十条第（一）项", None, None],
            ["信息内容", "本年新制作数量", "本年新公开数量"],
            ["规章", 1.0, 2],
            ["三、收到和处理政府信息公开申请情况", None, None],
            ["申请人情况", "自然人", "总计"],
            ["一、本年新收政府信息公开申请数量", 3, None],
            ["注：本表数据截至12月31日", None, None],
        ],
        ["A1:C1", "A2:C2", "A5:C5", "A8:C8"],
    )
    document = read_xlsx(data)
    kinds = [type(block).__name__ for block in document.blocks]
    assert kinds == ["Paragraph", "Table", "Paragraph", "Table", "Paragraph"]
    first, second = document.tables
    assert [c.text for c in first.rows[0]] == ["第二十条第（一）项"] * 3  # table 二's own first row
    assert [c.spanned for c in first.rows[0]] == [False, True, True]
    assert [c.text for c in first.rows[2]] == ["规章", "1", "2"]
    assert [c.text for c in second.rows[1]] == ["一、本年新收政府信息公开申请数量", "3", ""]
    assert document.text_lines == [
        "某街道2020年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "注：本表数据截至12月31日",
    ]
    assert document.meta["ArticleTitle"] == "某街道2020年政府信息公开工作年度报告"
    assert all(isinstance(block, Paragraph | Table) for block in document.blocks)


def test_label_row_with_blank_values_stays_in_its_table():
    """「四、结转下年度继续办理」 with every value blank is one filled cell, yet a table row, not a heading."""
    data = workbook_bytes(
        [
            ["表三", None, None, None],
            ["项目", None, "自然人", "总计"],
            ["一、本年新收政府信息公开申请数量", None, 1, 1],
            ["四、结转下年度继续办理", None, None, None],
        ],
        ["A2:B2", "A3:B3", "A4:B4"],
        empty_sheet=False,
    )
    document = read_xlsx(data)
    assert document.text_lines == ["表三"]
    (table,) = document.tables
    assert [c.text for c in table.rows[-1]] == ["四、结转下年度继续办理", "四、结转下年度继续办理", "", ""]

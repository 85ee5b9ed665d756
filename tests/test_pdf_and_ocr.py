"""PDF reports (text layer, and scans read by OCR) against the sample portal's expected.json.

The fixtures are built by tests/fixtures/make_documents.py from the sample portal's DOCX reports;
tests/fixtures/documents/README.md says which fixture holds which report. OCR is slow (seconds a page), so
each scanned fixture is read once per module.
"""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from PIL import Image

from extract.readers.ocr import normalize_digits
from extract.readers.pdf import Box, TableRegion, grid_from_cells, join_tables, read_pdf
from extract.report import UnreadableDocument, parse_document
from extract.template import SECTION_KEYS
from tests.fixtures.make_documents import PDF_SOURCES, SCAN_SOURCE

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"


def expected_for(expected_portal: dict, document_path: str) -> dict:
    return next(r for r in expected_portal["reports"] if r.get("document_path") == document_path)


def disclosure_cells(cells: list[dict]) -> list[tuple]:
    return [(cell["item"], cell["metric"], cell["value"]) for cell in cells]


def table_cells(applications: dict, reviews: dict) -> dict[tuple[str, str], int | None]:
    """Every cell of tables 三 and 四 as (row, column) → number, for counting cells read exactly."""
    cells = {
        (row, column): value for row, columns in applications.items() for column, value in columns.items()
    }
    cells.update({("reviews", key): value for key, value in reviews.items()})
    return cells


# ---------------------------------------------------------------------------------------------- text PDFs


@pytest.fixture(scope="module", params=sorted(PDF_SOURCES))
def text_pdf(request, expected_portal) -> tuple[bytes, dict, dict]:
    data = (DOCUMENTS / request.param).read_bytes()
    return data, parse_document(data), expected_for(expected_portal, PDF_SOURCES[request.param])


def test_text_pdf_tables_equal_expected(text_pdf):
    _, parsed, expected = text_pdf
    assert parsed["source"]["media_type"] == "application/pdf"
    assert parsed["applications"] == expected["applications"]
    assert parsed["reviews"] == expected["reviews"]
    assert disclosure_cells(parsed["disclosure"]) == disclosure_cells(expected["disclosure"])


def test_text_pdf_metadata_and_sections(text_pdf):
    _, parsed, expected = text_pdf
    assert parsed["title"] == expected["title"]
    assert (parsed["year"], parsed["template"], parsed["agency"]) == (
        expected["year"],
        expected["template"],
        expected["agency"],
    )
    assert [section["key"] for section in parsed["sections"]] == list(SECTION_KEYS)
    assert [section["heading"] for section in parsed["sections"]] == [
        s["heading"] for s in expected["sections"]
    ]


def test_text_pdf_has_no_ocr_finding_and_no_problems(text_pdf):
    data, parsed, _ = text_pdf
    assert parsed["findings"] == []
    assert read_pdf(data).ocr is False


def test_table_split_over_pages_is_joined(text_pdf):
    data, _, _ = text_pdf
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages_with_tables = [i for i, page in enumerate(pdf.pages) if page.find_tables()]
        pieces = sum(len(pdf.pages[i].find_tables()) for i in pages_with_tables)
    document = read_pdf(data)
    assert pieces > len(document.tables) == 3  # table 三 was printed over more than one page
    table = next(t for t in document.tables if "本年新收" in t.text())
    text = table.text()
    assert "结转下年度继续办理" in text and "申请人情况" in text
    origins = [cell.text for row in table.rows for cell in row if not cell.spanned]
    assert origins.count("申请人情况") == 1  # the header was not repeated into the joined table
    assert sum("上年结转" in text for text in origins) == 1  # the row the page break cut is one cell
    widths = {len(row) for row in table.rows}
    assert len(widths) == 1  # one rectangular grid, not pieces of different widths


def test_text_pdf_paragraphs(text_pdf):
    data, _, expected = text_pdf
    document = read_pdf(data)
    assert document.meta["ArticleTitle"] == expected["title"]
    lines = document.text_lines
    # Wrapped lines are joined into one paragraph; the title wraps too.
    assert lines[0] == expected["title"]
    assert any(
        line.startswith("根据《中华人民共和国政府信息公开条例》") and line.endswith("。") for line in lines
    )
    for section in expected["sections"]:
        assert section["heading"] in lines
    assert not any(line.strip("-— 0123456789") == "" for line in lines)


# ---------------------------------------------------------------------------------------------- grid rules


def test_merged_cells_fill_their_whole_span():
    cells = [
        Box(0, 0, 20, 20, "行政复议"),  # two columns, two rows
        Box(20, 0, 30, 10, "行政诉讼"),
        Box(20, 10, 30, 20, "0"),
        Box(0, 20, 10, 30, "1"),
        Box(10, 20, 30, 30, "2"),  # two columns
    ]
    grid = grid_from_cells(cells, tolerance=1.0)
    rendered = [[(cell.text, cell.spanned) for cell in row] for row in grid.rows]
    assert rendered == [
        [("行政复议", False), ("行政复议", True), ("行政诉讼", False)],
        [("行政复议", True), ("行政复议", True), ("0", False)],
        [("1", False), ("2", False), ("2", True)],
    ]


def _region(rows: list[list[str]], top: float = 0.0) -> TableRegion:
    return TableRegion(
        [
            Box(10.0 * c, top + 10.0 * r, 10.0 * (c + 1), top + 10.0 * (r + 1), text)
            for r, row in enumerate(rows)
            for c, text in enumerate(row)
        ]
    )


def test_repeated_header_is_dropped_when_joining():
    first = _region([["项目", "数量"], ["甲", "1"]], top=500)
    second = _region([["项目", "数量"], ["乙", "2"]], top=50)
    join_tables(first, second, tolerance=1.0)
    rows = [[cell.text for cell in row] for row in grid_from_cells(first.cells, 1.0).rows]
    assert rows == [["项目", "数量"], ["甲", "1"], ["乙", "2"]]


def test_row_split_by_page_break_is_one_row():
    first = _region([["项目", "数量"], ["二、上年结转政府信息公", "3"]], top=500)
    first.cells[2].runs_on = True  # the label's last line fills its cell: the break cut it
    second = _region([["开申请数量", ""], ["（一）予以公开", "4"]], top=50)
    join_tables(first, second, tolerance=1.0)
    rows = [[cell.text for cell in row] for row in grid_from_cells(first.cells, 1.0).rows]
    assert rows == [["项目", "数量"], ["二、上年结转政府信息公开申请数量", "3"], ["（一）予以公开", "4"]]


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("1O", "10"),
        ("l", "1"),
        ("〇", "0"),
        ("2O5", "205"),
        ("O", "0"),
        ("12", "12"),
        ("行政", "行政"),
        ("Il", "Il"),
    ],
)
def test_digit_lookalikes_only_in_numeric_cells(text, normalized):
    assert normalize_digits(text) == normalized


# ---------------------------------------------------------------------------------------------- unreadable


def test_pdf_without_pages_is_unreadable():
    empty = pypdfium2.PdfDocument.new()
    buffer = io.BytesIO()
    empty.save(buffer)
    with pytest.raises(UnreadableDocument):
        parse_document(buffer.getvalue())


def test_garbage_after_pdf_signature_is_unreadable():
    with pytest.raises(UnreadableDocument):
        parse_document(b"%PDF-1.4\n%\x00\x01 this is not a PDF at all\n")


# ---------------------------------------------------------------------------------------------- OCR


@pytest.fixture(scope="module")
def scanned_report(expected_portal) -> tuple[dict, dict]:
    data = (DOCUMENTS / "scanned-report.pdf").read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert not any(page.chars for page in pdf.pages)  # a real scan: no text layer at all
    return parse_document(data), expected_for(expected_portal, PDF_SOURCES[SCAN_SOURCE])


@pytest.fixture(scope="module")
def scanned_table(expected_portal) -> tuple[dict, dict]:
    """The page image of table 三, read once for the tests below (OCR takes seconds)."""
    data = (DOCUMENTS / "scanned-table.png").read_bytes()
    return parse_document(data), expected_for(expected_portal, PDF_SOURCES[SCAN_SOURCE])


def test_scan_is_marked_as_ocr(scanned_report):
    parsed, _ = scanned_report
    assert parsed["source"]["media_type"] == "application/pdf"
    ocr = [f for f in parsed["findings"] if f["check"] == "document.ocr"]
    assert len(ocr) == 1 and ocr[0]["severity"] == "warning"


def test_scan_tables_three_and_four_read_exactly(scanned_report):
    parsed, expected = scanned_report
    got = table_cells(parsed["applications"], parsed["reviews"])
    wanted = table_cells(expected["applications"], expected["reviews"])
    wrong = {key: (got.get(key), value) for key, value in wanted.items() if got.get(key) != value}
    assert wrong == {}, f"{len(wrong)} of {len(wanted)} cells misread"
    assert parsed["applications"] == expected["applications"]
    assert parsed["reviews"] == expected["reviews"]


def test_scan_text_and_metadata(scanned_report):
    parsed, expected = scanned_report
    assert (parsed["title"], parsed["year"], parsed["template"]) == (
        expected["title"],
        expected["year"],
        expected["template"],
    )
    assert disclosure_cells(parsed["disclosure"]) == disclosure_cells(expected["disclosure"])
    assert [section["key"] for section in parsed["sections"]] == list(SECTION_KEYS)
    assert [f["check"] for f in parsed["findings"]] == ["document.ocr"]


def test_page_image_table_three(scanned_table):
    parsed, expected = scanned_table
    assert parsed["source"]["ocr"] is True
    heading = next(s["heading"] for s in expected["sections"] if s["key"] == "applications")
    assert [(s["key"], s["heading"], s["text"]) for s in parsed["sections"]] == [
        ("applications", heading, "")
    ]
    assert parsed["source"]["media_type"] == "image/png"
    assert parsed["applications"] == expected["applications"]
    assert "document.ocr" in {f["check"] for f in parsed["findings"]}
    assert not any(f["check"].startswith("applications.") for f in parsed["findings"])


def test_tilted_page_image_is_levelled(expected_portal):
    """A page scanned askew: its rules must be levelled before they can become a grid."""
    image = Image.open(DOCUMENTS / "scanned-table.png").convert("L")
    tilted = image.rotate(1.2, resample=Image.Resampling.BICUBIC, fillcolor=255)
    buffer = io.BytesIO()
    tilted.save(buffer, format="PNG")
    parsed = parse_document(buffer.getvalue())
    assert parsed["applications"] == expected_for(expected_portal, PDF_SOURCES[SCAN_SOURCE])["applications"]


def test_archive_marks_ocr_reports(scanned_report, text_pdf, tmp_path):
    from govreports.archive import open_archive, store_report

    for name, report, ocr in (("scan.pdf", scanned_report[0], 1), ("text.pdf", text_pdf[1], 0)):
        db = open_archive(tmp_path / f"{name}.db")  # one archive each: they are the same agency and year
        url = f"http://127.0.0.1/{name}"
        store_report(db, report, url=url, document_url=url)
        assert db.execute("select url, ocr from reports").fetchall() == [(url, ocr)]

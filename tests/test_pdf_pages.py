"""Word/WPS-style PDFs whose tables flow over pages: every cell read, whatever the page breaks cut.

The fixtures are built by tests/fixtures/make_pdf_documents.py (LibreOffice exporting the sample portal's
DOCX reports at several page sizes and margins, continued frames moved out as Word and WPS draw them);
documents/pdf-pages.json holds each one's expected values. The rules the page joins follow are tested on
small synthetic pages below, in the shapes those fixtures and real reports show.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pdfplumber
import pytest

from extract.document import Document
from extract.readers.pdf import (
    PDF,
    Box,
    PageLayout,
    TableRegion,
    TextLine,
    assemble,
    column_shift,
    grid_from_cells,
    join_tables,
    page_layout,
    read_pdf,
)
from extract.report import parse_document
from extract.template import SECTION_KEYS
from tests.fixtures.make_pdf_documents import LAYOUTS, PARTLY_SCANNED, page_tables

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"
EXPECTED = json.loads((DOCUMENTS / "pdf-pages.json").read_text(encoding="utf-8"))
TEXT_FIXTURES = sorted(name for name in EXPECTED if not name.startswith(PARTLY_SCANNED))
SCANNED_FIXTURE = next(name for name in EXPECTED if name.startswith(PARTLY_SCANNED))


def every_cell(report: dict) -> dict[tuple, object]:
    """Tables 二, 三 and 四 of a parsed or expected report, one entry per cell."""
    cells: dict[tuple, object] = {}
    for cell in report.get("disclosure") or []:
        cells[("二", cell["item"], cell["metric"])] = cell["value"]
    for row, columns in (report.get("applications") or {}).items():
        for column, value in columns.items():
            cells[("三", row, column)] = value
    for key, value in (report.get("reviews") or {}).items():
        cells[("四", key)] = value
    return cells


def wrong_cells(parsed: dict, expected: dict) -> dict[tuple, tuple]:
    got, wanted = every_cell(parsed), every_cell(expected)
    wrong = {key: (got.get(key), value) for key, value in wanted.items() if got.get(key) != value}
    wrong.update({key: (value, None) for key, value in got.items() if key not in wanted})
    return wrong


@pytest.fixture(scope="module", params=TEXT_FIXTURES)
def text_fixture(request) -> tuple[str, bytes, dict]:
    data = (DOCUMENTS / request.param).read_bytes()
    return request.param, data, parse_document(data)


# ---------------------------------------------------------------------------------------------- fixtures


def test_fixtures_break_where_they_say(text_fixture):
    """The committed PDFs have the page breaks their layouts promise (a rebuild must not lose them)."""
    name, data, _ = text_fixture
    layout = next(layout for layout in LAYOUTS if layout.name == name)
    pages = page_tables(data)
    assert [problem for check in layout.breaks if (problem := check(pages))] == []
    assert sum(1 for rows in pages if rows) >= 2  # tables on more than one page


def test_every_cell_of_every_table(text_fixture):
    name, _, parsed = text_fixture
    expected = EXPECTED[name]
    wrong = wrong_cells(parsed, expected)
    assert wrong == {}, f"{len(wrong)} of {len(every_cell(expected))} cells wrong in {name}"
    assert parsed["findings"] == []


def test_metadata_sections_and_no_page_furniture(text_fixture):
    name, data, parsed = text_fixture
    expected = EXPECTED[name]
    assert (parsed["title"], parsed["year"], parsed["template"], parsed["agency"]) == (
        expected["title"],
        expected["year"],
        expected["template"],
        expected["agency"],
    )
    assert [section["key"] for section in parsed["sections"]] == list(SECTION_KEYS)
    assert [section["heading"] for section in parsed["sections"]] == expected["sections"]
    lines = read_pdf(data).text_lines
    assert lines[0] == expected["title"]
    for line in lines:  # 「— 2 —」, 「- 2 -」, 「第 2 页 共 3 页」, 「2/4」, 「续表」 are not text
        assert not any(mark in line for mark in ("— ", " —", "页 共", "续表")), line
        assert not line.replace("/", "").replace("-", "").strip().isdigit(), line


def test_one_table_each_however_many_pages(text_fixture):
    name, data, _ = text_fixture
    document = read_pdf(data)
    assert len(document.tables) == 3
    for table in document.tables:
        assert len({len(row) for row in table.rows}) == 1  # one rectangular grid, not stacked pieces
    applications = next(t for t in document.tables if "本年新收" in t.text())
    labels = [cell.text for row in applications.rows for cell in row if not cell.spanned]
    assert labels.count("申请人情况") == 1  # a repeated header is dropped
    for group in ("（三）不予公开", "（五）不予处理"):
        assert labels.count(group) == 1, group  # a group label cut by a page break is one cell
    # Split by hand under 「续表」, Word prints the cut label again: twice, and both whole.
    assert labels.count("（四）无法提供") == (2 if name == "pages-continued.pdf" else 1)


def test_continued_frame_is_further_out_but_inner_lines_stay():
    """The shape Word and WPS give, which the fixtures copy: frame 1–3 pt out, column lines in place."""
    data = (DOCUMENTS / "pages-small-five.pdf").read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        first = page_layout(pdf.pages[0]).tables[0]
        second = page_layout(pdf.pages[1]).tables[0]
    assert 1.0 <= first.x0 - second.x0 <= 3.0 and 1.0 <= second.x1 - first.x1 <= 3.0
    assert column_shift(first, second, 2.0) == pytest.approx(0.0, abs=0.5)


def test_fast_text_layer_gives_what_pdfplumber_gives():
    """pdfium reads the pages; pdfplumber (pdfminer) would give the same document, only slower."""
    for path in sorted(DOCUMENTS.glob("*.pdf")):
        data = path.read_bytes()
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not all(page.chars for page in pdf.pages):
                continue  # scans: nothing for either layer
            slow = assemble([page_layout(page) for page in pdf.pages], Document(PDF))
        fast = read_pdf(data)
        assert fast.blocks == slow.blocks, path.name


def test_partly_scanned_pdf_is_read_by_ocr_on_its_scanned_page_only():
    data = (DOCUMENTS / SCANNED_FIXTURE).read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = ["".join(char["text"] for char in page.chars) for page in pdf.pages]
    assert texts[1] == "- 2 -"  # the scan's only text: a page number stamped over it
    assert len(texts[0]) > 100 and len(texts[2]) > 100
    parsed = parse_document(data)
    expected = EXPECTED[SCANNED_FIXTURE]
    assert wrong_cells(parsed, expected) == {}
    assert parsed["source"]["ocr"] is True
    (ocr,) = [f for f in parsed["findings"] if f["check"] == "document.ocr"]
    assert "第2页" in ocr["message"] and ocr["severity"] == "warning"
    # Pages with a text layer keep it: the title is read exactly, not OCR'd.
    assert parsed["title"] == expected["title"]
    assert [section["heading"] for section in parsed["sections"]] == expected["sections"]


# ---------------------------------------------------------------------------------------------- page joins

COLUMNS = (72.8, 150.0, 250.0, 300.0, 350.0, 400.0, 520.0)  # label, sub-label, four value columns


def grid(cells: list[Box]) -> list[list[str]]:
    return [[cell.text for cell in row] for row in grid_from_cells(cells, 2.0).rows]


def row_cells(texts: list[str], top: float, height: float = 20.0, columns=COLUMNS, shift=0.0) -> list[Box]:
    """One table row; ``shift`` moves only the outer frame out, as on a Word/WPS continuation page."""
    xs = [columns[0] - shift, *columns[1:-1], columns[-1] + shift]
    return [Box(xs[i], top, xs[i + 1], top + height, text) for i, text in enumerate(texts)]


def test_frame_moved_out_with_inner_lines_in_place_continues():
    above = TableRegion(row_cells(["（一）予以公开", "", "92", "2", "", "94"], 700))
    below = TableRegion(row_cells(["（二）部分公开", "", "31", "1", "", "32"], 72, shift=2.6))
    assert column_shift(above, below, 2.0) == 0.0
    join_tables(above, below, 2.0)
    rows = grid(above.cells)
    assert rows[1] == ["（二）部分公开", "", "31", "1", "", "32"]
    assert len({len(row) for row in rows}) == 1  # the frames were laid on each other: no sliver column


def test_inner_lines_elsewhere_do_not_continue():
    above = TableRegion(row_cells(["规章", "0", "0", "0", "0", "0"], 700))
    other = (72.8, 130.0, 210.0, 290.0, 370.0, 450.0, 520.0)
    below = TableRegion(row_cells(["行政复议", "3", "0", "0", "1", "4"], 72, columns=other))
    assert column_shift(above, below, 2.0) is None


def test_group_label_cut_by_the_break_is_one_cell():
    """「（四）无法提」 at the foot of a page, 「供」 at the head of the next, each beside its own sub-row."""
    above = TableRegion(row_cells(["（四）无法提", "1.本机关不掌握相关政府信息", "82", "1", "", "83"], 700))
    above.cells[0].runs_on = True
    below = TableRegion(
        row_cells(["供", "2.没有现成信息需要另行制作", "17", "", "", "17"], 72, shift=2.0)
        + row_cells(["", "3.补正后申请内容仍不明确", "7", "1", "", "8"], 92, shift=2.0)[1:]
    )
    below.cells[0].bottom = 112  # 「供」 is merged over both rows
    join_tables(above, below, 2.0)
    assert grid(above.cells) == [
        ["（四）无法提供", "1.本机关不掌握相关政府信息", "82", "1", "", "83"],
        ["（四）无法提供", "2.没有现成信息需要另行制作", "17", "", "", "17"],
        ["（四）无法提供", "3.补正后申请内容仍不明确", "7", "1", "", "8"],
    ]


def test_group_label_all_on_the_next_page_covers_its_first_row():
    above = TableRegion(row_cells(["", "1.本机关不掌握相关政府信息", "82", "1", "", "83"], 700))
    below = TableRegion(row_cells(["（四）无法提供", "2.没有现成信息需要另行制作", "17", "", "", "17"], 72))
    join_tables(above, below, 2.0)
    assert [row[0] for row in grid(above.cells)] == ["（四）无法提供", "（四）无法提供"]


def test_new_group_after_the_break_stays_apart():
    above = TableRegion(row_cells(["（三）不予公开", "8.属于行政查询事项", "2", "", "", "2"], 700))
    above.cells[0].runs_on = True
    below = TableRegion(row_cells(["（四）无法提供", "1.本机关不掌握相关政府信息", "82", "1", "", "83"], 72))
    join_tables(above, below, 2.0)
    assert [row[0] for row in grid(above.cells)] == ["（三）不予公开", "（四）无法提供"]


def test_row_cut_with_its_label_above_and_numbers_below_is_one_row():
    """The last row of a page has text only in its label columns; the next page's first row continues it."""
    above = TableRegion(row_cells(["（六）其他处", "1.申请人无正", "", "", "", ""], 700))
    above.cells[0].runs_on = above.cells[1].runs_on = True
    below = TableRegion(row_cells(["理", "当理由逾期不补正", "10", "2", "", "12"], 72))
    join_tables(above, below, 2.0)
    assert grid(above.cells) == [["（六）其他处理", "1.申请人无正当理由逾期不补正", "10", "2", "", "12"]]


def test_blank_row_above_a_row_is_not_a_cut_row():
    """「规章」 with blank cells (0s left blank) then 「规范性文件」: two rows, though no number is above."""
    columns = (72.8, 250.0, 340.0, 430.0, 520.0)
    above = TableRegion(row_cells(["规章", "", "", ""], 700, columns=columns))
    below = TableRegion(row_cells(["规范性文件", "10", "2", "81"], 72, columns=columns))
    join_tables(above, below, 2.0)
    assert grid(above.cells) == [["规章", "", "", ""], ["规范性文件", "10", "2", "81"]]


def test_header_row_then_numbers_row_of_table_four_stay_two_rows():
    columns = (72.8, 160.0, 250.0, 340.0, 430.0, 520.0)
    header = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    above = TableRegion(row_cells(header, 700, columns=columns))
    for cell in above.cells:
        cell.runs_on = True
    below = TableRegion(row_cells(["3", "", "", "1", "4"], 72, columns=columns))
    join_tables(above, below, 2.0)
    assert grid(above.cells) == [header, ["3", "", "", "1", "4"]]


def page(height: float, *items: TextLine | TableRegion) -> PageLayout:
    layout = PageLayout(height=height)
    for item in items:
        (layout.tables if isinstance(item, TableRegion) else layout.lines).append(item)
    return layout


def line(text: str, top: float) -> TextLine:
    return TextLine(90.0, top, 90.0 + 12.0 * len(text), top + 12.0, text, size=12.0)


def test_fragments_over_several_pages_and_after_a_line_of_text_are_one_table():
    first = TableRegion(row_cells(["一、本年新收", "", "293", "8", "", "304"], 700))
    second = TableRegion(row_cells(["二、上年结转", "", "2", "", "", "2"], 72, shift=3.0))
    third = TableRegion(row_cells(["四、结转下年度", "", "1", "", "", "1"], 100, shift=1.0))
    pages = [
        page(842.0, line("三、收到和处理政府信息公开申请情况", 670), first, line("— 1 —", 800)),
        page(842.0, second, line("第 2 页 共 3 页", 800)),
        page(842.0, line("续表", 72), third, line("四、政府信息公开行政复议、行政诉讼情况", 140)),
    ]
    document = assemble(pages, Document(PDF))
    (table,) = document.tables
    assert [row[0].text for row in table.rows] == ["一、本年新收", "二、上年结转", "四、结转下年度"]
    assert document.text_lines == [
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]


def test_a_heading_between_keeps_two_tables():
    first = TableRegion(row_cells(["规章", "", "0", "0", "", "0"], 700))
    second = TableRegion(row_cells(["一、本年新收", "", "293", "8", "", "304"], 100))
    pages = [page(842.0, first), page(842.0, line("三、收到和处理政府信息公开申请情况", 72), second)]
    assert len(assemble(pages, Document(PDF)).tables) == 2


def test_page_numbers_leave_paragraphs_whole():
    """A paragraph running over a page break joins around 「- 4 -」, 「4/9」 and the like."""
    for number in ("— 4 —", "- 4 -", "第 4 页 共 9 页", "4/9", "第4页", "·4·"):
        pages = [
            page(842.0, line("一、总体情况", 600), line("全年共收到政府信息公开申请三百零四件上年结转", 700)),
            page(842.0, line(number, 30), line("两件。", 72)),
        ]
        pages[0].lines[1].x1 = 520.0  # a full line: the paragraph goes on
        document = assemble(pages, Document(PDF))
        assert document.text_lines == [
            "一、总体情况",
            "全年共收到政府信息公开申请三百零四件上年结转两件。",
        ], number


def test_table_split_on_one_page_by_an_empty_paragraph_is_one_table():
    """Table 二 typed as one Word table per 第二十条 block, the blocks a blank line apart."""
    columns = (72.8, 250.0, 340.0, 430.0, 520.0)
    block_one = TableRegion(row_cells(["规范性文件", "10", "2", "81"], 300, columns=columns))
    block_five = TableRegion(
        [Box(72.8, 338, 250.0, 358, "行政许可"), Box(250.0, 338, 520.0, 358, "7030")]  # the value spans three
    )
    pages = [page(842.0, block_one, block_five)]
    (table,) = assemble(pages, Document(PDF)).tables
    assert [[cell.text for cell in row] for row in table.rows] == [
        ["规范性文件", "10", "2", "81"],
        ["行政许可", "7030", "7030", "7030"],
    ]

"""The archive as a person uses it: Debian's chromium, driven by Playwright, against `govreports serve`.

Search from the home page's box, read a report's table 三 as a grid, click a province facet, download the
wide table as CSV (with a BOM) and as .xlsx, and download an original. A screenshot of the report page is
saved as /tmp/govreports-report-page.png.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from tests.test_datasette import datasette  # noqa: F401  (the shared server)

CHROMIUM = os.environ.get("GOVREPORTS_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT = Path("/tmp/govreports-report-page.png")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no chromium at {CHROMIUM}: apt-get install chromium (make system-deps), or set GOVREPORTS_CHROMIUM",
    ),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def search_from_home(page, base: str, typed: str) -> list[str]:
    page.goto(base + "/")
    page.fill("#gr-q", typed)
    page.press("#gr-q", "Enter")
    page.wait_for_selector("#find-summary")
    return page.locator("#results a.gr-title").all_inner_texts()


def test_search_from_the_search_box(page, datasette, expected_portal):  # noqa: F811
    titles = search_from_home(page, datasette, "街道")
    streets = [r for r in expected_portal["reports"] if "街道" in r["title"]]
    assert titles and all("街道" in t for t in titles[: len(streets)])
    titles = search_from_home(page, datasette, "复议")
    assert len(titles) == len(expected_portal["reports"])  # each report's section 四 is about 复议
    assert "复议" in page.locator("#results li").first.locator("mark").inner_text()


def test_read_table_three_as_a_grid(page, datasette, crawled_archive):  # noqa: F811
    with sqlite3.connect(crawled_archive) as conn:
        report_id, title = conn.execute(
            "select r.id, r.title from reports r join findings f on f.report_id = r.id "
            "where f.check_name = 'applications.row_total' limit 1"
        ).fetchone()
    page.goto(f"{datasette}/archive/reports?id={report_id}")
    page.click(f"text={title}")
    page.wait_for_selector("#table-applications")
    table = page.locator("#table-applications")
    assert table.locator("th", has_text="自然人").count() == 1
    assert table.locator("td", has_text="（三）不予公开").get_attribute("rowspan") == "8"
    row = table.locator("tr", has=page.locator("td.label", has_text="一、本年新收政府信息公开申请数量"))
    assert len(row.locator("td.value").all_inner_texts()) == 7
    assert page.locator("td.flagged").count() >= 1  # the broken identity, marked in its cell
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_click_a_province_facet(page, datasette, expected_portal):  # noqa: F811
    page.goto(datasette + "/archive/reports?_facet=province")
    page.click(".facet-info[data-column='province'] a:has-text('北京市')")
    page.wait_for_url("**province=*")
    rows = page.locator("table.rows-and-columns tbody tr")
    beijing = [r for r in expected_portal["reports"] if (r["region"] or "").startswith("北京")]
    assert rows.count() == len(beijing)


def download(page, base: str, path: str, label: str) -> bytes:
    page.goto(base + path)
    with page.expect_download() as info:
        page.click(f"p.export-links a:text-is('{label}')")
    return Path(info.value.path()).read_bytes(), info.value.suggested_filename


def test_download_the_wide_table_as_csv_and_xlsx(page, datasette, expected_portal):  # noqa: F811
    body, name = download(page, datasette, "/archive/report_figures", "CSV（Excel，UTF-8 BOM）")
    assert name == "report_figures.csv" and body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["report_id", "title", "agency"] and "t3_new_received_total" in rows[0]
    assert len(rows) - 1 == len(expected_portal["reports"])
    body, name = download(page, datasette, "/archive/report_figures", "CSV")
    assert len(list(csv.reader(io.StringIO(body.decode("utf-8"))))) - 1 == len(expected_portal["reports"])
    body, name = download(page, datasette, "/archive/report_figures", "Excel .xlsx")
    assert name == "report_figures.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    xlsx_rows = list(sheet.iter_rows(values_only=True))
    assert list(xlsx_rows[0][:3]) == ["report_id", "title", "agency"]
    assert len(xlsx_rows) - 1 == len(expected_portal["reports"])


def test_download_an_original(page, datasette, crawled_archive):  # noqa: F811
    with sqlite3.connect(crawled_archive) as conn:
        report_id, sha, content, url = conn.execute(
            "select c.report_id, c.sha256, d.content, c.url from report_copies c "
            "join documents d on d.sha256 = c.sha256 where c.kind = 'attachment' limit 1"
        ).fetchone()
    page.goto(f"{datasette}/-/report/{report_id}")
    with page.expect_download() as info:
        page.click(f"a.download-original[href$='{sha}']")
    assert info.value.suggested_filename == url.rsplit("/", 1)[-1]
    assert Path(info.value.path()).read_bytes() == content

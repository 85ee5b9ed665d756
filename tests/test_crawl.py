"""A real Scrapy crawl of the sample portal over HTTP on 127.0.0.1, checked against the generator's truth."""

from __future__ import annotations

import json

import pytest
import sqlite_utils


@pytest.fixture(scope="module")
def db(crawled_archive) -> sqlite_utils.Database:
    return sqlite_utils.Database(crawled_archive)


@pytest.fixture(scope="module")
def reports_by_path(db) -> dict[str, dict]:
    from urllib.parse import urlsplit

    rows = db.query(
        "select r.*, j.json as report_json from reports r join report_json j on j.report_id = r.id"
    )
    return {urlsplit(row["url"]).path: row for row in rows}


def test_every_report_is_archived_once(expected_portal, db, reports_by_path):
    expected = {report["path"] for report in expected_portal["reports"]}
    assert len(expected) >= 30
    assert set(reports_by_path) == expected
    assert db.execute("select count(*), count(distinct url) from reports").fetchone() == (len(expected),) * 2


def test_agency_and_year_of_every_report(expected_portal, reports_by_path):
    wrong = [
        (
            report["path"],
            report["agency"],
            report["year"],
            reports_by_path[report["path"]]["agency"],
            reports_by_path[report["path"]]["year"],
        )
        for report in expected_portal["reports"]
        if (reports_by_path[report["path"]]["agency"], reports_by_path[report["path"]]["year"])
        != (report["agency"], report["year"])
    ]
    assert wrong == []


def test_region_and_level_of_every_report(expected_portal, reports_by_path):
    archived = {path: (row["region"], row["level"]) for path, row in reports_by_path.items()}
    expected = {report["path"]: (report["region"], report["level"]) for report in expected_portal["reports"]}
    assert archived == expected
    provinces = {row["province"] for row in reports_by_path.values() if row["region"]}
    assert provinces == {"北京市", "云南省", "河南省"}


def test_table_three_totals_of_every_report(expected_portal, db, reports_by_path):
    wrong = []
    for report in expected_portal["reports"]:
        rid = reports_by_path[report["path"]]["id"]
        archived = {
            row["row_key"]: row["value"]
            for row in db.query(
                "select row_key, value from cells where report_id = ? and table_key = 'applications' "
                "and column_key = 'total'",
                [rid],
            )
        }
        expected = {key: columns["total"] for key, columns in report["applications"].items()}
        if archived != expected:
            wrong.append(
                (
                    report["path"],
                    {
                        k: (expected.get(k), archived.get(k))
                        for k in expected | archived
                        if expected.get(k) != archived.get(k)
                    },
                )
            )
    assert wrong == []


def test_broken_identities_are_findings(expected_portal, db, reports_by_path):
    for report in expected_portal["reports"]:
        rid = reports_by_path[report["path"]]["id"]
        found = {row["check_name"] for row in db["findings"].rows_where("report_id = ?", [rid])}
        for check in report["broken_identities"]:
            assert check in found, (report["path"], check)
    broken = [r for r in expected_portal["reports"] if r["broken_identities"]]
    assert broken, "the sample portal should carry reports whose identities do not hold"


def test_docx_only_reports_are_read_from_the_attachment(expected_portal, reports_by_path):
    docx = [report for report in expected_portal["reports"] if report["format"] == "docx"]
    assert docx
    for report in docx:
        row = reports_by_path[report["path"]]
        assert row["document_url"].endswith(report["document_path"])
        assert json.loads(row["report_json"])["source"]["media_type"].endswith("wordprocessingml.document")


def test_gbk_pages_are_read(expected_portal, reports_by_path):
    gbk = [report for report in expected_portal["reports"] if report["encoding"] != "utf-8"]
    assert gbk
    for report in gbk:
        row = reports_by_path[report["path"]]
        assert row["title"] == report["title"]


def test_non_reports_and_robots_disallowed_pages_are_not_fetched(expected_portal, db):
    from urllib.parse import urlsplit

    fetched = {urlsplit(row["url"]).path for row in db["fetches"].rows}
    for item in expected_portal["non_reports"]:
        assert item["path"] not in fetched
    assert not [path for path in fetched if path.startswith("/search/")]


def test_every_list_page_is_fetched_and_raw_bytes_kept_once(expected_portal, db):
    lists = db.execute("select count(distinct url) from fetches where kind = 'list'").fetchone()[0]
    assert lists == expected_portal["list_pages"]
    fetches, distinct = db.execute("select count(*), count(distinct sha256) from fetches").fetchone()
    assert db["documents"].count == distinct <= fetches
    row = db.execute(
        "select f.media_type, d.size, length(d.content) from fetches f join documents d "
        "on d.sha256 = f.sha256 where f.kind = 'report_page' limit 1"
    ).fetchone()
    assert row[0].startswith("text/html") and row[1] == row[2] > 0


def test_recrawl_of_an_unchanged_column_stores_nothing_new(crawled_archive, portal_server, tmp_path):
    import shutil

    from govreports.portal import SAMPLE_COLUMN
    from tests.conftest import crawl

    copy = tmp_path / "again.db"
    shutil.copy(crawled_archive, copy)
    before = sqlite_utils.Database(copy)
    documents, fetches = before["documents"].count, before["fetches"].count
    crawl(portal_server.url + SAMPLE_COLUMN, copy)
    after = sqlite_utils.Database(copy)
    # Only the first list page is asked again, conditionally, and it answers 304 Not Modified.
    assert after["fetches"].count == fetches + 1
    assert list(after.query("select status, kind from fetches order by id desc limit 1")) == [
        {"status": 304, "kind": "list"}
    ]
    assert after["documents"].count == documents
    assert after["reports"].count == before["reports"].count


def test_every_cell_section_and_date_of_every_report(expected_portal, reports_by_path):
    """Beyond the totals: every cell of tables 二, 三 and 四, the template, the date and all six sections."""
    wrong = []
    for expected in expected_portal["reports"]:
        report = json.loads(reports_by_path[expected["path"]]["report_json"])
        disclosure = {(c["item"], c["metric"]): c["value"] for c in report["disclosure"]}
        expected_disclosure = {(c["item"], c["metric"]): c["value"] for c in expected["disclosure"]}
        for name, got, want in [
            ("applications", report["applications"], expected["applications"]),
            ("reviews", report["reviews"], expected["reviews"]),
            ("disclosure", disclosure, pytest.approx(expected_disclosure)),
            ("template", report["template"], expected["template"]),
            ("published", report["published"], expected["published"]),
            ("sections", len(report["sections"]), 6),
        ]:
            if got != want:
                wrong.append((expected["path"], name))
    assert wrong == []

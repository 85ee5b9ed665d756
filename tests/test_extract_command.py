"""`govreports extract`: the whole archive re-extracted from stored bytes, in worker processes."""

from __future__ import annotations

import shutil
import subprocess

import sqlite_utils

from tests.conftest import GOVREPORTS


def archived_reports(db_path) -> dict[str, tuple]:
    db = sqlite_utils.Database(db_path)
    return {
        row["url"]: (row["agency"], row["year"], row["template"], row["errors"], row["report_json"])
        for row in db.query(
            "select r.*, j.json as report_json from reports r join report_json j on j.report_id = r.id"
        )
    }


def run_extract(db_path, *options: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*GOVREPORTS, "extract", "--db", str(db_path), *options], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_two_workers_give_the_same_archive_as_one(crawled_archive, tmp_path):
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    shutil.copy(crawled_archive, serial)
    shutil.copy(crawled_archive, parallel)
    run_extract(serial, "--all", "--workers", "1")
    result = run_extract(parallel, "--all", "--workers", "2")
    assert archived_reports(serial) == archived_reports(parallel)
    assert len(archived_reports(parallel)) >= 30
    # Progress on stderr, ending with the total, then the summary line.
    lines = result.stderr.strip().splitlines()
    total = len(archived_reports(parallel))
    assert f"extracting {total}/{total}" in lines
    assert lines[-1].startswith(f"extracted {total} reports")


def test_new_only_skips_what_was_already_extracted(crawled_archive, tmp_path):
    copy = tmp_path / "archive.db"
    shutil.copy(crawled_archive, copy)
    result = run_extract(copy, "--new")
    assert "extracted 0 reports" in result.stderr


def test_cross_year_findings_come_from_the_previous_report_of_the_agency(crawled_archive):
    db = sqlite_utils.Database(crawled_archive)
    rows = list(
        db.query(
            "select r.agency, r.year, f.location, f.message from findings f join reports r on r.id = f.report_id "
            "where f.check_name like 'cross_year.%'"
        )
    )
    # Every cross-year finding names a report whose agency has a report for the year before.
    for row in rows:
        assert db.execute(
            "select count(*) from reports where agency = ? and year = ?", [row["agency"], row["year"] - 1]
        ).fetchone()[0]
    assert all(
        f["severity"] == "warning" for f in db["findings"].rows_where("check_name like 'cross_year.%'")
    )


def test_a_report_naming_no_place_takes_its_sources_region(crawled_archive, tmp_path):
    copy = tmp_path / "archive.db"
    shutil.copy(crawled_archive, copy)
    db = sqlite_utils.Database(copy)
    placeless = {row["url"] for row in db.query("select url from reports where region is null")}
    placed = {
        row["url"]: row["region"]
        for row in db.query("select url, region from reports where region is not null")
    }
    assert placeless and placed  # the sample portal has both kinds
    db.execute("update sources set region = '北京市密云区'")
    db.conn.commit()
    run_extract(copy, "--all")
    after = {
        row["url"]: (row["region"], row["county"])
        for row in db.query("select url, region, county from reports")
    }
    assert {after[url] for url in placeless} == {("北京市密云区", "密云区")}
    assert {url: after[url][0] for url in placed} == placed  # a place the report names wins


def _yearly_report(year: int, carried_over: int, carried_forward: int) -> dict:
    """A report of 某县人民政府 whose table 三 reads only 上年结转 and 结转下年度."""
    from extract.template import APPLICANT_COLUMNS

    def row(total: int) -> dict:
        return {column: total if column in ("natural_person", "total") else 0 for column in APPLICANT_COLUMNS}

    return {
        "source": {"sha256": str(year)},
        "title": f"某县{year}年政府信息公开工作年度报告",
        "agency": "某县人民政府",
        "region": None,
        "level": "county",
        "year": year,
        "published": None,
        "template": "2021",
        "sections": [],
        "disclosure": [],
        "applications": {"carried_over": row(carried_over), "carried_forward": row(carried_forward)},
        "reviews": {},
        "findings": [],
    }


def test_cross_year_check_reaches_a_report_already_in_the_archive(tmp_path):
    from govreports.archive import open_archive, store_report
    from govreports.ingest import check_previous_year

    db = open_archive(tmp_path / "archive.db")
    url = "http://127.0.0.1/2021.html"
    store_report(db, _yearly_report(2021, 0, 3), url=url, document_url=url)
    this_year = _yearly_report(2022, 5, 0)
    assert check_previous_year(db, this_year)
    assert [f["check"] for f in this_year["findings"]] == ["cross_year.carried_over"]


def test_the_year_after_stored_first_is_checked_again_when_its_year_before_arrives(tmp_path):
    """Pages are extracted in the order they were first seen: the year after can be in the archive first."""
    from govreports.archive import open_archive, report_key_id, store_report
    from govreports.ingest import check_previous_year, recheck_next_year

    db = open_archive(tmp_path / "archive.db")

    def store(report: dict) -> None:
        url = f"http://127.0.0.1/{report['year']}.html"
        check_previous_year(db, report)
        store_report(db, report, url=url, document_url=url)
        recheck_next_year(db, report)

    def checks(year: int) -> list[str]:
        rid = report_key_id("某县人民政府", year)
        return [row["check_name"] for row in db["findings"].rows_where("report_id = ?", [rid])]

    store(_yearly_report(2022, 5, 0))
    assert checks(2022) == []  # no year before yet
    store(_yearly_report(2021, 0, 3))
    assert checks(2022) == ["cross_year.carried_over"]
    assert db.execute("select warnings from reports where year = 2022").fetchone()[0] == 1
    store(_yearly_report(2021, 0, 5))  # the year before read again, now agreeing
    assert checks(2022) == []
    assert db.execute("select warnings from reports where year = 2022").fetchone()[0] == 0

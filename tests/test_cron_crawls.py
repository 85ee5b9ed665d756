"""Crawls as cron runs them: incremental recrawls, changed documents, resumption, locking, failures, logs."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer
from tests.conftest import crawl

# `scrapy crawl` uses the polite project settings as they are; our own 127.0.0.1 portal needs no delay.
UNTHROTTLED = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0")


def runs(db: Path) -> list[dict]:
    return list(sqlite_utils.Database(db).query("select * from crawl_runs order by id"))


@pytest.fixture
def portal(tmp_path):
    """A private copy of the sample portal, so a test can add and change pages."""
    site = tmp_path / "site"
    shutil.copytree(SAMPLE_PORTAL, site)
    with PortalServer(site) as server:
        yield site, server.url + SAMPLE_COLUMN


def add_report(site: Path, title: str) -> str:
    """Publish a new report at the top of the column's first page, as the CMS would."""
    column = site / "zfxxgk" / "zfxxgknb"
    template = next(column.glob("2025*/t*.html"))
    article = column / "202611" / "t20261120_1999999.html"
    article.parent.mkdir()
    # The agency's report for the next year: a byte copy would be the same (agency, year), one report.
    article.write_bytes(template.read_bytes().replace(b"2024", b"2025"))
    index = column / "index.html"
    page = index.read_text(encoding="utf-8")
    item = f'<li><a href="./202611/t20261120_1999999.html" target="_blank" title="{title}">{title}</a></li>'
    index.write_text(page.replace('<ul class="list">', f'<ul class="list">\n{item}', 1), encoding="utf-8")
    return "/zfxxgk/zfxxgknb/202611/t20261120_1999999.html"


def test_recrawl_fetches_a_tenth_of_the_first_run(portal, tmp_path):
    _, start = portal
    db = tmp_path / "archive.db"
    crawl(start, db)
    crawl(start, db)
    first, second = runs(db)
    assert first["status"] == second["status"] == "finished"
    assert first["new_reports"] == 36 and second["new_reports"] == 0
    assert second["requests"] <= 0.1 * first["requests"]
    assert second["not_modified"] >= 1  # the unchanged first list page answered 304


def test_recrawl_finds_the_new_report_and_stops_at_known_pages(portal, tmp_path):
    site, start = portal
    db = tmp_path / "archive.db"
    crawl(start, db)
    new_path = add_report(site, "示例区人民政府2025年政府信息公开工作年度报告")
    crawl(start, db)
    second = runs(db)[-1]
    assert second["new_reports"] == 1
    # robots.txt, list page 0 (changed), the new report, list page 1 (all known: stop).
    assert second["requests"] <= 5
    archive = sqlite_utils.Database(db)
    assert (
        archive.execute("select count(*) from reports where url like ?", [f"%{new_path}"]).fetchone()[0] == 1
    )
    assert archive.execute("select count(*) from reports").fetchone()[0] == 37


def test_revalidate_keeps_old_and_new_versions_of_a_changed_report(portal, tmp_path):
    site, start = portal
    db = tmp_path / "archive.db"
    crawl(start, db)
    archive = sqlite_utils.Database(db)
    # A report read from its page's own body (not from an attachment).
    url, old_sha = archive.execute(
        "select url, document_sha256 from reports where url = document_url order by url limit 1"
    ).fetchone()
    page = site / url.split("/", 3)[3]
    # The agency corrects the report (a page may be GBK: change it in ASCII).
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>2026-11-20 corrected</p></body>", 1))
    crawl(start, db, "--revalidate")
    second = runs(db)[-1]
    assert second["not_modified"] >= 30  # the unchanged reports answered 304
    versions = [
        row[0] for row in archive.execute("select sha256 from fetches where url = ? and status = 200", [url])
    ]
    assert versions[0] == old_sha and versions[-1] != old_sha  # a new version beside the old one
    assert archive.execute("select count(*) from documents where sha256 = ?", [old_sha]).fetchone()[0] == 1
    report = archive.execute("select document_sha256 from reports where url = ?", [url]).fetchone()[0]
    assert report == versions[-1]


def test_a_killed_crawl_resumes_and_walks_every_page(portal, tmp_path):
    _, start = portal
    db = tmp_path / "archive.db"
    # Scrapy itself, slowed down, killed without a chance to clean up.
    command = [
        sys.executable, "-m", "scrapy", "crawl", "annual_reports",
        "-a", f"start_url={start}", "-s", f"ARCHIVE_PATH={db}", "-s", "DOWNLOAD_DELAY=0.3",
        "-s", "CONCURRENT_REQUESTS=1", "-s", "LOG_LEVEL=WARNING",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if db.exists() and _report_pages(db) >= 5:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    killed = runs(db)
    assert killed[-1]["status"] == "running"  # never finished
    assert 5 <= _report_pages(db) < 36
    crawl(start, db)
    assert runs(db)[-1]["status"] == "finished"
    assert _report_pages(db) == 36
    assert sqlite_utils.Database(db).execute("select count(*) from reports").fetchone()[0] == 36


def _report_pages(db: Path) -> int:
    try:
        archive = sqlite_utils.Database(db)
        return archive.execute(
            "select count(distinct url) from fetches where kind = 'report_page'"
        ).fetchone()[0]
    except Exception:  # the crawl is still creating the archive
        return 0


def test_jobdir_resume_after_an_interruption(portal, tmp_path):
    _, start = portal
    db, jobdir = tmp_path / "archive.db", tmp_path / "jobs"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "annual_reports",
        "-a", f"start_url={start}", "-s", f"ARCHIVE_PATH={db}", "-s", f"JOBDIR={jobdir / 'one'}",
        "-s", "CLOSESPIDER_ITEMCOUNT=10", "-s", "CONCURRENT_REQUESTS=1", "-s", "LOG_LEVEL=WARNING", *UNTHROTTLED,
    ]  # fmt: skip
    subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, check=True, timeout=120)
    assert runs(db)[-1]["status"] == "interrupted"
    assert any((jobdir / "one").iterdir())  # the pending requests, kept on disk
    crawl(start, db)
    assert runs(db)[-1]["status"] == "finished" and _report_pages(db) == 36


def test_second_crawl_waits_for_the_lock(portal, tmp_path):
    _, start = portal
    db = tmp_path / "archive.db"
    with open(f"{db}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = crawl(start, db, expect=3)
    assert "another crawl" in result.stderr
    assert not db.exists() or not runs(db)


def test_a_failed_source_exits_non_zero_and_is_recorded(portal, tmp_path):
    _, start = portal
    db = tmp_path / "archive.db"
    missing = start.replace("zfxxgknb", "no-such-column")
    result = crawl(missing, db, expect=1)
    (run,) = runs(db)
    assert run["status"] == "failed" and "404" in run["reason"]
    assert json.loads(run["errors_by_kind"]) == {"http_404": 1}
    assert "failed" in result.stderr


def test_log_file_and_a_healthy_exit(portal, tmp_path):
    _, start = portal
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    crawl(start, db, "--log-file", str(log), "--log-level", "INFO")
    text = log.read_text(encoding="utf-8")
    assert "Spider closed (finished)" in text


def test_discovery_from_the_home_page(portal, tmp_path):
    _, start = portal
    home = start.replace(SAMPLE_COLUMN, "/index.html")
    db = tmp_path / "archive.db"
    crawl(home, db)
    archive = sqlite_utils.Database(db)
    assert archive.execute("select count(*) from reports").fetchone()[0] == 36
    columns = [row["url"] for row in archive["columns"].rows]
    assert any(url.endswith("/zfxxgk/zfxxgknb/index.html") for url in columns)


def test_a_new_report_behind_an_unchanged_home_page_is_found(portal, tmp_path):
    site, start = portal
    home = start.replace(SAMPLE_COLUMN, "/index.html")
    db = tmp_path / "archive.db"
    crawl(home, db)
    new_path = add_report(site, "示例区人民政府2025年政府信息公开工作年度报告")
    crawl(home, db)
    assert runs(db)[-1]["new_reports"] == 1
    archive = sqlite_utils.Database(db)
    assert (
        archive.execute("select count(*) from fetches where url like ?", [f"%{new_path}"]).fetchone()[0] == 1
    )


def test_downloads_over_the_size_cap_are_dropped_and_counted(portal, tmp_path):
    site, start = portal
    big = next((site / "zfxxgk" / "zfxxgknb").glob("20*/*.docx"))
    big.write_bytes(big.read_bytes() + b"\0" * 100_000)  # a 140 KB attachment
    db = tmp_path / "archive.db"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "annual_reports", "-a", f"start_url={start}",
        "-s", f"ARCHIVE_PATH={db}", "-s", "DOWNLOAD_MAXSIZE=60000", "-s", "LOG_LEVEL=ERROR", *UNTHROTTLED,
    ]  # fmt: skip
    subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, check=True, timeout=120)
    archive = sqlite_utils.Database(db)
    assert archive.execute("select max(size) from documents").fetchone()[0] <= 60000
    assert not archive.execute("select count(*) from fetches where url like ?", [f"%{big.name}"]).fetchone()[
        0
    ]
    (run,) = runs(db)
    assert json.loads(run["errors_by_kind"]) == {"DownloadCancelledError": 1}

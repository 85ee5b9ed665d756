"""kill -9 at any moment of a crawl, then run it again: every report present once, every attachment
fetched, the database intact, the killed run marked interrupted — with and without ``--jobdir``."""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalRequestHandler, PortalServer
from tests.conftest import GOVREPORTS, crawl

pytestmark = pytest.mark.slow

EXPECTED = json.loads((SAMPLE_PORTAL.parent / "expected.json").read_text(encoding="utf-8"))
REPORT_PAGES = {report["path"] for report in EXPECTED["reports"]}
ATTACHMENTS = {
    r["document_path"] for r in EXPECTED["reports"] if r.get("document_path", r["path"]) != r["path"]
}
assert ATTACHMENTS  # some reports are attachments: the crawl must fetch those too


class SlowHandler(PortalRequestHandler):
    """Answers after a pause, so that a crawl can be killed part-way."""

    delay = 0.4

    def handle_one_request(self) -> None:
        time.sleep(self.delay)
        super().handle_one_request()


@pytest.fixture
def slow_portal(tmp_path):
    with PortalServer(SAMPLE_PORTAL) as server:
        server.httpd.RequestHandlerClass = functools.partial(SlowHandler, directory=str(SAMPLE_PORTAL))
        yield server


def fetched_paths(db: Path, kind: str) -> set[str]:
    try:
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "select distinct url from fetches where kind = ? and status = 200", [kind]
            ).fetchall()
    except sqlite3.Error:  # the crawl is still creating the archive
        return set()
    return {"/" + url[0].split("/", 3)[3] for url in rows}


def kill_part_way(start: str, db: Path, reports_before_kill: int, *options: str) -> None:
    """``govreports crawl`` killed with SIGKILL (process group: no clean-up of any kind) once it has
    archived ``reports_before_kill`` report pages (0: as soon as its run is recorded)."""
    command = [
        *GOVREPORTS,
        "crawl",
        "--start-url",
        start,
        "--db",
        str(db),
        "--log-level",
        "WARNING",
        *options,
    ]
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            if reports_before_kill == 0 and runs(db):
                break
            if reports_before_kill and len(fetched_paths(db, "report_page")) >= reports_before_kill:
                break
        assert process.poll() is None, "the crawl ended before it could be killed"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def runs(db: Path) -> list[tuple[str, str | None]]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("select status, reason from crawl_runs order by id").fetchall()
    except sqlite3.Error:
        return []


@pytest.mark.parametrize("with_jobdir", [False, True], ids=["no-jobdir", "jobdir"])
@pytest.mark.parametrize("reports_before_kill", [0, 6, 24])
def test_a_crawl_killed_at_any_moment_loses_nothing(slow_portal, tmp_path, reports_before_kill, with_jobdir):
    db, jobdir = tmp_path / "archive.db", tmp_path / "jobs"
    options = ("--jobdir", str(jobdir)) if with_jobdir else ()
    start = slow_portal.url + SAMPLE_COLUMN
    kill_part_way(start, db, reports_before_kill, *options)
    assert runs(db)[-1][0] == "running"  # nobody closed it
    assert len(fetched_paths(db, "report_page")) < len(REPORT_PAGES)
    SlowHandler.delay = 0.0  # the next night, a portal in good health
    try:
        crawl(start, db, *options)
    finally:
        SlowHandler.delay = 0.4
    history = runs(db)
    assert [status for status, _ in history] == ["interrupted", "finished"]
    assert "killed" in history[0][1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        reports = conn.execute("select count(*), count(distinct agency || year) from reports").fetchone()
        copies = conn.execute("select count(*), count(distinct page_url) from report_copies").fetchone()
    assert fetched_paths(db, "report_page") == REPORT_PAGES
    assert fetched_paths(db, "attachment") >= ATTACHMENTS
    assert reports == (len(REPORT_PAGES), len(REPORT_PAGES))  # each report once
    assert copies == (len(REPORT_PAGES), len(REPORT_PAGES))
    if with_jobdir:
        assert not (jobdir.exists() and any(jobdir.iterdir()))  # finished: nothing left to resume


def test_a_stale_job_directory_never_blocks_a_source(slow_portal, tmp_path):
    """A job directory left by a killed crawl, its queue torn mid-write: the next crawl starts afresh."""
    db, jobdir = tmp_path / "archive.db", tmp_path / "jobs"
    start = slow_portal.url + SAMPLE_COLUMN
    kill_part_way(start, db, 6, "--jobdir", str(jobdir))
    queues = [path for path in jobdir.rglob("*") if path.is_file()]
    assert queues  # Scrapy kept its queue and seen-set there
    for path in queues:  # the worst a kill can leave: every file cut short
        path.write_bytes(path.read_bytes()[: max(0, path.stat().st_size // 2 - 1)])
    SlowHandler.delay = 0.0
    try:
        crawl(start, db, "--jobdir", str(jobdir))
    finally:
        SlowHandler.delay = 0.4
    assert fetched_paths(db, "report_page") == REPORT_PAGES
    shutil.rmtree(jobdir, ignore_errors=True)

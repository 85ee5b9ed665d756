"""Crawls of a portal on a bad night (tests/portals/faulty.py): nothing reachable is missed, no error page
or firewall challenge becomes a report, what failed is asked again the next night, 429s pause their host
only, redirects are followed and loops recorded, a blocked site is reported blocked, and the exit status
says what was lost."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from tests.conftest import GOVREPORTS, crawl
from tests.portals.faulty import COLUMN, NOT_RETRIED, RETRYABLE, FaultConfig, FaultyPortal

# A small timeout and size cap, so stalls and the oversize attachment cost seconds; no back-off between
# the nights of a test (the back-off has its own test).
FAST = ("-s", "DOWNLOAD_TIMEOUT=1", "-s", "DOWNLOAD_MAXSIZE=100000")
NO_BACKOFF = ("-s", "FAILED_RETRY_BACKOFF=0")
EXIT_BLOCKED, EXIT_FAILING = 5, 6
# Every fault but firewall challenges (a site that challenges is tested as blocked below).
BAD_NIGHT = FaultConfig(
    seed=11,
    rate=0.35,
    kinds=tuple(kind for kind in (*RETRYABLE, *NOT_RETRIED) if not kind.startswith("challenge")),
    targets=("report", "attachment"),  # list pages answer, so night 2 asks for them conditionally
)


def paths(db: Path, kind: str) -> set[str]:
    rows = sqlite_utils.Database(db).query(
        "select distinct url from fetches where kind = ? and status = 200 and outcome is null", [kind]
    )
    return {urlsplit(row["url"]).path for row in rows}


def runs(db: Path) -> list[dict]:
    return list(sqlite_utils.Database(db).query("select * from crawl_runs order by id"))


def failures(db: Path) -> dict[str, dict]:
    return {
        urlsplit(row["url"]).path: row
        for row in sqlite_utils.Database(db).query("select * from fetch_failures")
    }


@pytest.fixture(scope="module")
def bad_nights(tmp_path_factory):
    """The bad-night portal crawled on two nights (from its column's address without the slash)."""
    portal = FaultyPortal(BAD_NIGHT)
    db = tmp_path_factory.mktemp("faults") / "archive.db"
    results = {}
    with portal.serve() as server:
        for night in (1, 2):
            portal.night = night
            portal.log.clear()
            result = subprocess.run(
                [*GOVREPORTS, "crawl", "--start-url", server.url + COLUMN.rstrip("/"), "--db", str(db)]
                + ["--log-level", "WARNING", *FAST, *NO_BACKOFF],
                capture_output=True,
                text=True,
                timeout=300,
            )
            results[night] = {
                "returncode": result.returncode,
                "stderr": result.stderr,
                "reports": paths(db, "report_page"),
                "attachments": paths(db, "attachment"),
                "log": list(portal.log),
            }
    return portal, db, results


def test_the_portal_has_every_fault_of_a_bad_night(bad_nights):
    portal, _, _ = bad_nights
    kinds = {fault.kind for fault in portal.faults.values()}
    lasting = {fault.lasts for fault in portal.faults.values()}
    assert {"stall", "reset", "truncated", "http_429", "error_page", "busy_page", "oversize"} <= kinds
    assert lasting == {"flaky", "night", "permanent"}
    assert portal.reachable_reports(2) > portal.reachable_reports(1)  # night 2 has something to recover


def test_one_crawl_archives_every_reachable_report_and_no_error_page(bad_nights):
    portal, db, results = bad_nights
    night = results[1]
    assert night["reports"] == portal.reachable_reports(1)
    assert night["attachments"] == portal.reachable_attachments(1)
    archive = sqlite_utils.Database(db)
    # Error pages are fetches with an outcome and no document; none became a report (extraction ran).
    assert archive.execute("select count(*) from fetches where outcome = 'error_page'").fetchone()[0] >= 1
    assert not archive.execute(
        "select count(*) from fetches where outcome is not null and sha256 is not null"
    ).fetchone()[0]
    # (The archive holds both nights by now: extraction ran after each.)
    report_pages = {urlsplit(row[0]).path for row in archive.execute("select page_url from report_copies")}
    assert report_pages and report_pages <= portal.reachable_reports(2)
    for (content,) in archive.execute("select content from documents"):
        assert "页面不存在".encode() not in content and "系统繁忙".encode() not in content


def test_the_first_night_says_what_it_retried_and_what_it_lost(bad_nights):
    portal, db, results = bad_nights
    night = results[1]
    first = runs(db)[0]
    lost = {path for path, row in failures(db).items() if row["state"] != "pending"}  # recovered since, some
    assert night["returncode"] == EXIT_FAILING
    assert first["status"] == "incomplete" and first["lost"] == first["failing"] > 0
    assert first["retried"] > 0 and first["error_pages"] > 0
    by_reason = json.loads(first["failures_by_reason"])
    assert {"timeout", "truncated", "transport", "error_page", "size_cap", "redirect_loop"} & set(by_reason)
    assert f"{first['retried']} retried" in night["stderr"] and f"{first['lost']} lost" in night["stderr"]
    # Every report page not reached is recorded (under the address its list gave), and nothing reached is.
    unreached = {r.link_path for r in portal.reports if r.path not in night["reports"]}
    assert unreached and unreached <= lost
    assert not lost & (night["reports"] | night["attachments"])


def test_the_next_night_gets_every_report_that_failed_transiently(bad_nights):
    portal, db, results = bad_nights
    night = results[2]
    assert night["reports"] == portal.reachable_reports(2)
    assert night["attachments"] == portal.reachable_attachments(2)
    second = runs(db)[1]
    # Recovered: what failed on night 1 and answered on night 2 (attachments of a report page recovered
    # tonight were never asked for before).
    pages = portal.reachable_reports(2) - portal.reachable_reports(1)
    attachments = {
        path
        for r in portal.reports
        if r.path in results[1]["reports"]
        for path in r.attachments
        if path in portal.reachable_attachments(2) - portal.reachable_attachments(1)
    }
    assert pages and attachments
    assert second["recovered"] == len(pages) + len(attachments)
    # The list answered 304 (nothing new on it) and the failed reports were asked for all the same.
    assert any(entry.path == COLUMN and entry.answer == "304" for entry in night["log"])
    recorded = failures(db)
    assert {row["state"] for row in recorded.values()} <= {"recovered", "failing", "gone"}
    # A page answering 404 (or 「页面不存在」) on both nights is judged gone, visibly.
    gone = {path: row for path, row in recorded.items() if row["state"] == "gone"}
    assert all(row["runs"] == 2 and row["gone_at"] for row in gone.values())
    permanent_404 = {path for path, fault in portal.faults.items() if fault.kind == "http_404"}
    assert permanent_404 and permanent_404 <= set(gone)


def test_a_calm_night_follows_moves_and_records_loops_caps_and_charsets(tmp_path):
    portal = FaultyPortal(FaultConfig(rate=0.0))
    db = tmp_path / "archive.db"
    with portal.serve() as server:
        result = crawl(server.url + COLUMN.rstrip("/"), db, *FAST, "--no-extract", expect=EXIT_FAILING)
    moved = next(r for r in portal.reports if "/old/" in r.link_path)
    loop = next(r for r in portal.reports if "/loop/" in r.link_path)
    assert paths(db, "report_page") == {r.path for r in portal.reports} - {loop.path}
    archive = sqlite_utils.Database(db)
    # The moved report: the archive has both URLs, the one listed and the one it moved to.
    (asked,) = archive.execute(
        "select requested_url from fetches where url like ? and status = 200", [f"%{moved.path}"]
    ).fetchone()
    assert asked.endswith(moved.link_path)
    recorded = failures(db)
    assert recorded[loop.link_path]["reason"] == "redirect_loop"
    assert "/loop2/" in recorded[loop.link_path]["detail"]
    big = next(path for path in recorded if path.endswith("_big.pdf"))
    assert recorded[big]["reason"] == "size_cap" and recorded[big]["kind"] == "attachment"
    # The GBK list page served as ISO-8859-1: read as GB18030, its reports found, the mismatch recorded.
    (note,) = archive.execute("select charset_note from fetches where url like '%index_1.html'").fetchone()
    assert note == "declared iso-8859-1, bytes are gb18030"
    assert all(r.path in paths(db, "report_page") for r in portal.reports if r is not loop and r.path)
    assert re.search(r"2 lost \(failed \{.*redirect_loop.*size_cap", result.stderr)


@pytest.mark.parametrize("waf", ["jsl", "rs", "jsl-521"])
def test_a_blocked_site_is_reported_blocked_and_never_answered(tmp_path, waf):
    portal = FaultyPortal(FaultConfig(waf=waf))
    db = tmp_path / "archive.db"
    with portal.serve() as server:
        result = crawl(server.url + COLUMN, db, *FAST, expect=EXIT_BLOCKED)
    (run,) = runs(db)
    assert run["status"] == "blocked" and "challenge" in run["reason"]
    assert ": blocked (" in result.stderr
    archive = sqlite_utils.Database(db)
    assert archive.execute("select count(*) from reports").fetchone()[0] == 0
    assert archive.execute("select outcome from fetches where kind = 'list'").fetchone()[0] == "blocked"
    # Asked once, as any page: no cookie computed, no retry.
    asked = [entry.path for entry in portal.log if entry.path != "/robots.txt"]
    assert asked == [COLUMN]


def test_a_challenged_report_page_is_no_report_and_the_run_is_blocked(tmp_path):
    portal = FaultyPortal(
        FaultConfig(seed=3, rate=0.2, kinds=("challenge",), lasts=("night",), targets=("report",))
    )
    challenged = {path for path, fault in portal.faults.items() if fault.kind == "challenge"}
    db = tmp_path / "archive.db"
    with portal.serve() as server:
        crawl(server.url + COLUMN, db, *FAST, *NO_BACKOFF, expect=EXIT_BLOCKED)
        assert paths(db, "report_page") == portal.reachable_reports(1)
        assert challenged and not challenged & paths(db, "report_page")
        assert {failures(db)[path]["reason"] for path in challenged} == {"blocked"}
        portal.night = 2
        crawl(server.url + COLUMN, db, *FAST, *NO_BACKOFF, expect=EXIT_FAILING)  # the loop and the big file
    assert challenged <= paths(db, "report_page")
    assert runs(db)[-1]["status"] == "incomplete" and runs(db)[-1]["recovered"] == len(challenged)


def test_429_pauses_its_host_for_retry_after_and_not_the_others(tmp_path):
    files = "files.qinghe.gov.cn"
    portal = FaultyPortal(
        FaultConfig(
            rate=1.0,
            kinds=("http_429",),
            lasts=("flaky",),
            targets=("attachment",),
            fixed=False,
            retry_after=2,
            files_host=files,
            latency=0.3,
        )
    )
    db = tmp_path / "archive.db"
    with portal.serve() as server:
        crawl(server.url + COLUMN, db, *FAST, "--resolve", f"{files}:127.0.0.1", "--no-extract")
    assert paths(db, "attachment") == {p for r in portal.reports for p in r.attachments}
    log = portal.log
    refusals = [entry.at for entry in log if entry.host == files and entry.answer == "429"]
    assert refusals
    for at in refusals:
        # In flight when the 429 came: a few ms. Then nothing to that host until Retry-After has passed.
        early = [e for e in log if e.host == files and at + 0.05 < e.at < at + 2 - 0.05]
        assert not early, f"asked {files} {early[0].at - at:.2f} s after a 429 with Retry-After: 2"
    first = refusals[0]
    assert any(e.host != files and first < e.at < first + 2 for e in log), "the other host waited too"
    (run,) = runs(db)
    assert run["status"] == "finished" and run["retried"] > 0 and run["lost"] == 0


def test_failed_urls_wait_for_their_back_off(tmp_path):
    portal = FaultyPortal(
        FaultConfig(seed=5, rate=0.3, kinds=("http_500",), lasts=("night",), targets=("report",), fixed=False)
    )
    failed = set(portal.faults)
    db = tmp_path / "archive.db"
    with portal.serve() as server:
        crawl(server.url + COLUMN, db, *FAST, "--no-extract", expect=EXIT_FAILING)
        portal.night, portal.log[:] = 2, []
        crawl(server.url + COLUMN, db, *FAST, "--no-extract", expect=EXIT_FAILING)  # default back-off: 12 h
        assert not failed & {entry.path for entry in portal.log}
        assert all(row["next_retry_at"] > row["last_failed_at"] for row in failures(db).values())
        # --revalidate asks for everything again, back-off or not.
        crawl(server.url + COLUMN, db, *FAST, "--revalidate", "--no-extract")
    assert failed <= paths(db, "report_page")
    assert runs(db)[-1]["status"] == "finished" and runs(db)[-1]["recovered"] == len(failed)


def test_attachments_of_a_report_page_archived_by_a_stopped_run_are_fetched_next(tmp_path):
    portal = FaultyPortal(FaultConfig(rate=0.0, fixed=False, reports=12))
    db = tmp_path / "archive.db"
    with portal.serve() as server:
        # Stopped after a few responses: report pages archived, their attachments not yet asked for.
        crawl(
            server.url + COLUMN,
            db,
            *FAST,
            "--no-extract",
            "-s",
            "CLOSESPIDER_PAGECOUNT=6",
            expect=EXIT_FAILING,
        )
        stopped = paths(db, "report_page")
        assert stopped and not paths(db, "attachment") >= {
            p for r in portal.reports if r.path in stopped for p in r.attachments
        }
        crawl(server.url + COLUMN, db, *FAST, "--no-extract")
    assert paths(db, "attachment") == {p for r in portal.reports for p in r.attachments}
    assert paths(db, "report_page") == {r.path for r in portal.reports}

"""`govreports crawl --processes 2`: two crawl processes share a fleet's sources (tests/portals/fleet.py), each
report archived once; a crawl process killed with SIGKILL fails the crawl, and the next crawl completes
it; Ctrl-C stops both processes gracefully."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler.runner import by_site
from crawler.sources import Source
from govreports.cli import EXIT_FAILED, crawl_exit_status
from tests.conftest import GOVREPORTS
from tests.portals.fleet import Fleet, FleetServer, build_fleet

# Each log line names its process: which crawl process opened which spider.
LOG_FORMAT = "%(process)d [%(name)s] %(levelname)s: %(message)s"
SPIDER_OPENED = re.compile(r"^(\d+) \[scrapy\.core\.engine\] INFO: Spider opened", re.MULTILINE)


def crawl_command(fleet: Fleet, port: int, tmp_path: Path, *options: str) -> list[str]:
    registry = tmp_path / "fleet.yaml"
    fleet.write_registry(registry, port)
    resolve = [f"--resolve={name}:{address}" for name, address in fleet.host_addresses().items()]
    return [
        *GOVREPORTS,
        "crawl",
        "--sources",
        str(registry),
        "--db",
        str(tmp_path / "archive.db"),
        "--no-extract",
        "--log-level",
        "INFO",
        "--log-file",
        str(tmp_path / "crawl.log"),
        "-s",
        f"LOG_FORMAT={LOG_FORMAT}",
        "--processes",
        "2",
        "-s",
        "CONCURRENT_SOURCES=2",  # each process: two at a time, the next as one finishes
        *resolve,
        *options,
    ]


def spider_pids(tmp_path: Path) -> list[int]:
    log = tmp_path / "crawl.log"
    return [int(pid) for pid in SPIDER_OPENED.findall(log.read_text())] if log.exists() else []


def query(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "archive.db") as connection:
        return connection.execute(sql).fetchall()


def rows(tmp_path: Path, table: str) -> int:
    """Rows of ``table`` so far (0 while the crawl is still creating the archive)."""
    if not (tmp_path / "archive.db").exists():
        return 0
    try:
        return query(tmp_path, f"select count(*) from {table}")[0][0]
    except sqlite3.Error:
        return 0


def last_statuses(tmp_path: Path) -> Counter:
    return Counter(
        status
        for (status,) in query(
            tmp_path,
            "select status from crawl_runs where id in (select max(id) from crawl_runs group by start_url)",
        )
    )


def assert_archived_once(tmp_path: Path, fleet: Fleet, port: int) -> None:
    fetched = Counter(
        url
        for (url,) in query(
            tmp_path, "select url from fetches where status = 200 and kind in ('report_page', 'attachment')"
        )
    )
    wanted = {url for site in fleet.truth(port).values() for url in site["reports"] + site["attachments"]}
    assert set(fetched) == wanted
    assert set(fetched.values()) == {1}, "a report or attachment fetched twice"


def test_sources_are_handed_out_by_site():
    urls = [
        "http://gjj.city.gov.cn/a/",
        "http://www.other.gov.cn/",
        "http://zfxxgk.city.gov.cn/b/",  # the city's platform: the same site as its bureau's
        "http://127.0.0.1:8001/",
        "http://127.0.0.1:8002/",  # another test portal
        "http://127.0.0.1:8001/c/",
    ]
    sites = by_site([Source(start_url=url) for url in urls])
    assert [[source.start_url for source in site] for site in sites] == [
        [urls[0], urls[2]],
        [urls[1]],
        [urls[3], urls[5]],
        [urls[4]],
    ]


def test_a_run_left_running_fails_the_crawl():
    finished = {"status": "finished"}
    assert crawl_exit_status([finished, finished], 2) == 0
    assert crawl_exit_status([finished, {"status": "running"}], 2) == EXIT_FAILED  # its process died
    assert crawl_exit_status([finished], 2) == EXIT_FAILED  # a source with no run of this crawl


@pytest.mark.slow
def test_two_processes_crawl_a_fleet_each_report_once(tmp_path):
    fleet = build_fleet(tmp_path / "sites", 12, seed=21)
    with FleetServer(fleet) as server:
        command = crawl_command(fleet, server.port, tmp_path)
        crawl = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        _, stderr = crawl.communicate(timeout=300)
        assert crawl.returncode == 0, stderr[-3000:]
        assert_archived_once(tmp_path, fleet, server.port)
    runs = query(tmp_path, "select start_url, status from crawl_runs")
    assert len(runs) == 12 and {status for _, status in runs} == {"finished"}
    # Both crawl processes crawled (each opened spiders), neither of them the command's own process.
    pids = Counter(spider_pids(tmp_path))
    assert len(pids) == 2 and crawl.pid not in pids, pids
    assert sum(pids.values()) == 12
    assert "2 crawl processes" in stderr


@pytest.mark.slow
def test_a_killed_crawl_process_fails_the_crawl_and_the_next_one_completes_it(tmp_path):
    fleet = build_fleet(tmp_path / "sites", 6, seed=22)
    with FleetServer(fleet) as server:
        # Slowed down, so that the kill falls mid-crawl.
        slow = crawl_command(fleet, server.port, tmp_path, "-s", "DOWNLOAD_DELAY=0.1")
        crawl = subprocess.Popen(slow, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while rows(tmp_path, "crawl_runs") < 4:  # two running in each process
            assert crawl.poll() is None and time.monotonic() < deadline, "the crawl did not get under way"
            time.sleep(0.1)
        victim = spider_pids(tmp_path)[0]
        os.kill(victim, signal.SIGKILL)
        _, stderr = crawl.communicate(timeout=300)
        assert crawl.returncode == EXIT_FAILED, stderr[-3000:]
        assert f"crawl process {victim} was killed by SIGKILL" in stderr
        assert last_statuses(tmp_path)["running"] >= 1  # its runs: closed by the next crawl
        again = subprocess.run(
            crawl_command(fleet, server.port, tmp_path), capture_output=True, text=True, timeout=300
        )
        assert again.returncode == 0, again.stderr[-3000:]
        assert_archived_once(tmp_path, fleet, server.port)
    assert last_statuses(tmp_path) == {"finished": 6}
    assert query(tmp_path, "select count(*) from crawl_runs where status = 'running'") == [(0,)]
    assert query(tmp_path, "select count(*) from crawl_runs where status = 'interrupted'")[0][0] >= 1


@pytest.mark.slow
def test_ctrl_c_stops_both_processes_gracefully(tmp_path):
    fleet = build_fleet(tmp_path / "sites", 8, seed=23)
    with FleetServer(fleet) as server:
        slow = crawl_command(fleet, server.port, tmp_path, "-s", "DOWNLOAD_DELAY=0.2")
        crawl = subprocess.Popen(slow, stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 120
        # Under way in both processes (a stop while a spider is still opening leaves its run running: Scrapy's
        # graceful stop does not wait for an engine that has not started, in one process as in two).
        while len(set(spider_pids(tmp_path))) < 2 or rows(tmp_path, "fetches") < 8:
            assert crawl.poll() is None and time.monotonic() < deadline, "the crawl did not get under way"
            time.sleep(0.1)
        os.killpg(crawl.pid, signal.SIGINT)  # a Ctrl-C: the whole process group; the parent forwards SIGTERM
        _, stderr = crawl.communicate(timeout=120)
    assert "was killed" not in stderr and "Traceback" not in stderr, stderr[-3000:]
    log = (tmp_path / "crawl.log").read_text()
    assert "shutting down gracefully" in log and "forcing unclean shutdown" not in log
    # Every run it opened is closed: the stopped ones as interrupted, none left running.
    statuses = last_statuses(tmp_path)
    assert statuses["interrupted"] >= 2 and "running" not in statuses, statuses

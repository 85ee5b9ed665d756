"""A crawl spread over worker processes through Redis (issue 12): Debian's redis-server on 127.0.0.1, a
fleet of four copies of the sample portal, workers in their own working directories sharing nothing but
Redis, one writer. Every report is archived once; a worker killed mid-crawl leaves its hosts to the other;
a writer killed and restarted loses and repeats nothing."""

from __future__ import annotations

import itertools
import pickle
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml

from crawler.distributed.local import redis_server_binary, start_local_redis
from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer
from tests.conftest import GOVREPORTS

pytestmark = pytest.mark.slow

PORTALS = 4
_DATABASES = itertools.count(1)  # a Redis database per test: crawls kept apart
_STARTED: list[subprocess.Popen] = []
# Slow enough that a worker can be killed mid-source: about 5 s per portal of 45 requests.
WORKER_OPTIONS = ("--groups", "2", "--lease", "3", "-s", "DOWNLOAD_DELAY=0.1", "--log-level", "WARNING")


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[str]:
    if not redis_server_binary():
        pytest.skip(
            "redis-server is not installed and could not be (make test installs it: apt redis-server)"
        )
    process, url = start_local_redis(tmp_path_factory.mktemp("redis"))
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def fleet() -> Iterator[list[str]]:
    servers = [PortalServer(SAMPLE_PORTAL).start() for _ in range(PORTALS)]
    yield [server.url for server in servers]
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def no_process_left() -> Iterator[None]:
    """A failed test leaves no crawl or worker running."""
    yield
    for process in _STARTED:
        if process.poll() is None:
            process.kill()
            process.wait()
    _STARTED.clear()


@pytest.fixture
def crawl_setup(tmp_path, fleet, redis_server) -> dict:
    """A sources file of the fleet, an empty archive, a Redis database of its own, two worker folders."""
    sources = tmp_path / "fleet.yaml"
    sources.write_text(yaml.safe_dump({"sources": [{"start_url": url + SAMPLE_COLUMN} for url in fleet]}))
    database = next(_DATABASES)
    folders = [tmp_path / f"worker{number}" for number in (1, 2)]
    for folder in folders:
        folder.mkdir()
    return {
        "sources": sources,
        "db": tmp_path / "archive.db",
        "redis": f"{redis_server}/{database}",
        "folders": folders,
        "log": tmp_path / "crawl.log",
    }


def start_crawl(setup: dict) -> subprocess.Popen:
    command = [*GOVREPORTS, "crawl", "--sources", str(setup["sources"]), "--db", str(setup["db"])]
    command += ["--distributed", setup["redis"], "--no-extract", "--log-level", "WARNING"]
    return started(subprocess.Popen(command, stderr=setup["log"].open("a"), stdout=subprocess.DEVNULL))


def start_worker(setup: dict, folder: Path) -> subprocess.Popen:
    command = [*GOVREPORTS, "worker", "--distributed", setup["redis"], *WORKER_OPTIONS]
    return started(
        subprocess.Popen(
            command, cwd=folder, stderr=(folder / "worker.log").open("a"), stdout=subprocess.DEVNULL
        )
    )


def started(process: subprocess.Popen) -> subprocess.Popen:
    _STARTED.append(process)
    return process


def finish(setup: dict, crawl: subprocess.Popen, workers: list[subprocess.Popen]) -> None:
    assert crawl.wait(240) == 0, setup["log"].read_text()[-3000:]
    for worker in workers:
        assert worker.wait(60) == 0, worker.args


def fetched(setup: dict, at_least: int, timeout: float = 120) -> None:
    """Wait until the writer has archived ``at_least`` responses."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(setup["db"]) as db:
                if db.execute("select count(*) from fetches").fetchone()[0] >= at_least:
                    return
        except sqlite3.OperationalError:
            pass  # not created yet
        time.sleep(0.1)
    raise AssertionError(f"fewer than {at_least} fetches after {timeout} s")


def report_fetches(setup: dict, fleet: list[str], expected_portal: dict) -> dict[str, int]:
    """Each report page of the fleet → the times it was archived."""
    wanted = {url + report["path"] for url in fleet for report in expected_portal["reports"]}
    with sqlite3.connect(setup["db"]) as db:
        rows = db.execute(
            "select url, count(*) from fetches where kind = 'report_page' group by url"
        ).fetchall()
    counts = dict(rows)
    assert set(counts) == wanted
    return counts


def runs_of(setup: dict) -> list[tuple]:
    with sqlite3.connect(setup["db"]) as db:
        return db.execute(
            "select start_url, status, new_reports from crawl_runs order by start_url"
        ).fetchall()


def test_two_workers_archive_every_report_once(crawl_setup, fleet, expected_portal):
    crawl = start_crawl(crawl_setup)
    workers = [start_worker(crawl_setup, folder) for folder in crawl_setup["folders"]]
    finish(crawl_setup, crawl, workers)
    assert set(report_fetches(crawl_setup, fleet, expected_portal).values()) == {1}
    runs = runs_of(crawl_setup)
    assert [(url, status) for url, status, _ in runs] == [
        (url + SAMPLE_COLUMN, "finished") for url in sorted(fleet)
    ]
    assert sum(new for *_, new in runs) == PORTALS * len(expected_portal["reports"])
    # A worker's folder holds nothing but its log: no archive, no queue.
    assert all(
        sorted(path.name for path in folder.iterdir()) == ["worker.log"] for folder in crawl_setup["folders"]
    )
    with sqlite3.connect(crawl_setup["db"]) as db:
        assert db.execute("select count(*) from distributed_runs").fetchone()[0] == 0  # all closed


def test_a_worker_killed_mid_crawl_leaves_its_hosts_to_the_other(crawl_setup, fleet, expected_portal):
    crawl = start_crawl(crawl_setup)
    doomed, survivor = (start_worker(crawl_setup, folder) for folder in crawl_setup["folders"])
    fetched(crawl_setup, 30)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    finish(crawl_setup, crawl, [survivor])
    counts = report_fetches(crawl_setup, fleet, expected_portal)  # every report, none lost
    # Asked twice at most: what the killed worker had in flight (2 hosts × 8 requests at a time).
    assert sum(counts.values()) - len(counts) <= 16
    assert {status for _, status, _ in runs_of(crawl_setup)} == {"finished"}
    assert len(runs_of(crawl_setup)) == PORTALS


def test_a_worker_that_lost_its_claim_stops_and_the_host_is_resumed(crawl_setup, fleet, expected_portal):
    """A worker stalled past its lease may find its hosts taken: it stops asking them (politeness), and
    whoever claims them next resumes their queues."""
    crawl = start_crawl(crawl_setup)
    worker = start_worker(crawl_setup, crawl_setup["folders"][0])
    fetched(crawl_setup, 20)
    client = redis.Redis.from_url(crawl_setup["redis"])
    for group in client.hkeys("govreports:owners"):  # as if another worker had taken them
        client.hset("govreports:owners", group, "another worker")
    finish(crawl_setup, crawl, [worker])
    assert "lost the claim" in (crawl_setup["folders"][0] / "worker.log").read_text()
    report_fetches(crawl_setup, fleet, expected_portal)  # every report, none lost
    assert {status for _, status, _ in runs_of(crawl_setup)} == {"finished"}


def test_a_writer_killed_and_restarted_loses_and_repeats_nothing(crawl_setup, fleet, expected_portal):
    first = start_crawl(crawl_setup)
    workers = [start_worker(crawl_setup, folder) for folder in crawl_setup["folders"]]
    fetched(crawl_setup, 30)
    first.send_signal(signal.SIGKILL)
    first.wait()
    time.sleep(1)  # workers go on meanwhile: their items wait in the stream
    finish(crawl_setup, start_crawl(crawl_setup), workers)
    assert set(report_fetches(crawl_setup, fleet, expected_portal).values()) == {1}
    runs = runs_of(crawl_setup)
    assert len(runs) == PORTALS and {status for _, status, _ in runs} == {"finished"}
    assert sum(new for *_, new in runs) == PORTALS * len(expected_portal["reports"])


def test_a_redelivered_message_writes_nothing_twice(tmp_path, redis_server):
    """The writer died after committing a batch and before acknowledging it: a restarted writer gets the
    batch again and skips it."""
    from crawler.distributed.keys import CrawlKeys
    from crawler.distributed.writer import CONSUMER, GROUP, Writer, seed_crawl
    from crawler.sources import Source
    from govreports.archive import open_archive

    server = redis.Redis.from_url(f"{redis_server}/15")
    keys = CrawlKeys("redelivery")
    db = open_archive(tmp_path / "archive.db")
    seed_crawl(server, keys, db, [Source(start_url="http://127.0.0.1:9/column/")])
    job = pickle.loads(next(iter(server.hgetall(keys.jobs).values())))
    fields = {
        "url": "http://127.0.0.1:9/column/a.html",
        "status": 200,
        "media_type": "text/html",
        "body": b"x",
    }
    fields |= {"fetched_at": "2026-01-01T00:00:00+00:00", "kind": "report_page"}
    message = {"type": "item", "source_id": job["source_id"], "run_id": job["run_id"]}
    server.xadd(
        keys.stream, {"m": pickle.dumps({**message, "item_class": "FetchedDocument", "fields": fields})}
    )
    entries = server.xreadgroup(GROUP, CONSUMER, {keys.stream: ">"})[0][1]
    Writer(server, keys, db, [job]).apply_batch(entries)
    Writer(server, keys, db, [job]).apply_batch(entries)  # restarted: the same entries again
    assert db.execute("select count(*) from fetches").fetchone()[0] == 1
    assert server.xlen(keys.stream) == 0  # acknowledged and dropped: raw bytes do not stay in Redis


def test_a_recrawl_over_redis_asks_only_for_what_changed(crawl_setup, fleet):
    """Workers have no archive: what it holds reaches them with the job (conditional GETs, known reports)."""
    for _ in range(2):
        crawl = start_crawl(crawl_setup)
        finish(crawl_setup, crawl, [start_worker(crawl_setup, folder) for folder in crawl_setup["folders"]])
    with sqlite3.connect(crawl_setup["db"]) as db:
        first, second = (
            db.execute(
                "select sum(requests), sum(not_modified), sum(new_reports) from crawl_runs where id <= ?", [n]
            ).fetchone()
            for n in (PORTALS, 2 * PORTALS)
        )
    requests_second = second[0] - first[0]
    assert requests_second <= 0.1 * first[0]
    assert second[1] - first[1] == PORTALS  # each column's list page answered 304
    assert second[2] == first[2]  # no report new the second time

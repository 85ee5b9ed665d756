"""One machine, many portals (issue 12): a generated fleet of small portals of four CMS families, served by
one process under host names of their own, crawled from one sources file by one process, a bounded number
of sources at a time; then crawled again unchanged, as the nightly cron would."""

from __future__ import annotations

import subprocess
from collections import Counter
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from crawler.runner import CrawlOptions, crawl_settings
from crawler.sources import Source, load_sources
from tests.conftest import GOVREPORTS
from tests.portals.fleet import FAMILIES, FleetServer, build_fleet

PORTALS = 50


def crawl_fleet(registry, db, addresses: dict[str, str], *options: str) -> None:
    resolve = [f"--resolve={name}:{address}" for name, address in addresses.items()]
    command = [*GOVREPORTS, "crawl", "--sources", str(registry), "--db", str(db), "--no-extract"]
    result = subprocess.run(
        [*command, "--log-level", "WARNING", *resolve, *options], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_fleet_is_deterministic_and_mixed(tmp_path):
    first, second = build_fleet(tmp_path / "a", 40, seed=7), build_fleet(tmp_path / "b", 40, seed=7)
    assert first.truth(80) == second.truth(80)
    assert first.sources(80) == second.sources(80)
    assert {portal.family for portal in first.portals} == set(FAMILIES)
    assert all(5 <= len(portal.reports) <= 40 for portal in first.portals)
    assert sum(len(portal.attachments) for portal in first.portals) > 0
    assert len({portal.host for portal in first.portals}) == 40
    assert build_fleet(tmp_path / "c", 40, seed=8).truth(80) != first.truth(80)


def test_loopback_politeness_is_kept_when_asked():
    local = [Source(start_url="http://127.0.0.1:8000/")]
    relaxed = crawl_settings(local, CrawlOptions("a.db"))
    assert relaxed.getfloat("DOWNLOAD_DELAY") == 0 and not relaxed.getbool("AUTOTHROTTLE_ENABLED")
    polite = crawl_settings(local, CrawlOptions("a.db", overrides={"LOOPBACK_POLITE": "True"}))
    assert polite.getfloat("DOWNLOAD_DELAY") == 1.0 and polite.getbool("AUTOTHROTTLE_ENABLED")
    assert polite.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2


@pytest.mark.slow
def test_a_fleet_is_archived_exactly_once_and_recrawled_cheaply(tmp_path):
    fleet = build_fleet(tmp_path / "sites", PORTALS, seed=12)
    db_path, registry = tmp_path / "archive.db", tmp_path / "fleet.yaml"
    with FleetServer(fleet) as server:
        fleet.write_registry(registry, server.port)
        assert len(load_sources(registry)) == PORTALS
        truth = fleet.truth(server.port)
        # A few sources at a time: the rest start as crawlers finish.
        crawl_fleet(registry, db_path, fleet.host_addresses(), "-s", "CONCURRENT_SOURCES=6")
        db = sqlite_utils.Database(db_path)
        first_requests = db.execute("select sum(requests) from crawl_runs").fetchone()[0]
        crawl_fleet(registry, db_path, fleet.host_addresses(), "-s", "CONCURRENT_SOURCES=6")
    runs = list(db.query("select start_url, status, requests from crawl_runs order by id"))
    assert len(runs) == 2 * PORTALS
    assert Counter(run["status"] for run in runs) == {"finished": 2 * PORTALS}
    fetched = Counter(
        row["url"]
        for row in db.query(
            "select url from fetches where status = 200 and kind in ('report_page', 'attachment')"
        )
    )
    wanted = [url for site in truth.values() for url in site["reports"] + site["attachments"]]
    assert set(fetched) == set(wanted)
    assert set(fetched.values()) == {1}, "a report or attachment fetched twice"
    # Each site's reports under its own source, none under another's.
    source_of = {row["start_url"]: row["id"] for row in db.query("select id, start_url from sources")}
    for start_url, site in truth.items():
        stored = db.execute(
            "select count(distinct url) from fetches where source_id = ? and kind = 'report_page' and status = 200",
            [source_of[start_url]],
        ).fetchone()[0]
        assert stored == len(site["reports"]), start_url
    recrawl = sum(run["requests"] for run in runs[PORTALS:])
    assert recrawl <= 0.10 * first_requests, (recrawl, first_requests)
    hosts = {urlsplit(url).hostname for url in fetched}
    assert hosts == {portal.host for portal in fleet.portals}

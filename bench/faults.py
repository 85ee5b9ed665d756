"""Crawls on a bad night: what one run archives of what is reachable, at what cost, and what the next
night recovers — per fault rate.

    .venv/bin/python bench/faults.py [--rates 0,0.1,0.3,0.5] [--seeds 1,2,3] [--workdir DIR]

A measurement, not a test: it always exits 0 and prints PASS/FAIL against one target — every crawl
archives 100 % of the report pages and attachments the portal's truth says are reachable that night, and
stores no error page or challenge as a document. The portal is tests/portals/faulty.py (every fault
kind, firewall challenges included, plus its fixed faults: a moved page, a redirect loop, an oversize
attachment, a GBK list page served as ISO-8859-1). Each (rate, seed) is crawled on night 1, then on
night 2 (where night-long faults have cleared), into a fresh archive, by ``govreports crawl`` with the
crawl timeout at 1 s, the size cap at 100 kB and no back-off between the nights. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.portals.faulty import COLUMN, FaultConfig, FaultyPortal  # noqa: E402

SETTINGS = ("-s", "DOWNLOAD_TIMEOUT=1", "-s", "DOWNLOAD_MAXSIZE=100000", "-s", "FAILED_RETRY_BACKOFF=0")


@dataclass
class Night:
    reports: int  # report pages archived after the night
    reachable: int  # report pages the truth says a crawl can have after the night
    attachments: int
    reachable_attachments: int
    requests: int
    retried: int
    recovered: int
    lost: int
    status: str
    exit: int
    seconds: float
    error_documents: int  # documents whose bytes are an error page or a challenge (must be 0)


def crawl_night(portal: FaultyPortal, url: str, db: Path, night: int) -> Night:
    portal.night = night
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "govreports", "crawl", "--start-url", url, "--db", str(db), "--no-extract"]
        + ["--log-level", "ERROR", *SETTINGS],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    seconds = time.monotonic() - started
    archive = sqlite_utils.Database(db)
    run = list(archive.query("select * from crawl_runs order by id desc limit 1"))[0]
    return Night(
        reports=len(_archived(archive, "report_page") & portal.reachable_reports(night)),
        reachable=len(portal.reachable_reports(night)),
        attachments=len(_archived(archive, "attachment") & portal.reachable_attachments(night)),
        reachable_attachments=len(portal.reachable_attachments(night)),
        requests=run["requests"] or 0,
        retried=run["retried"] or 0,
        recovered=run["recovered"] or 0,
        lost=run["lost"] or 0,
        status=run["status"],
        exit=result.returncode,
        seconds=seconds,
        error_documents=_error_documents(archive)
        + len(_archived(archive, "report_page") - portal.reachable_reports(night)),
    )


def _archived(archive: sqlite_utils.Database, kind: str) -> set[str]:
    rows = archive.query(
        "select distinct url from fetches where kind = ? and status = 200 and outcome is null", [kind]
    )
    return {urlsplit(row["url"]).path for row in rows}


def _error_documents(archive: sqlite_utils.Database) -> int:
    markers = ("页面不存在".encode(), "系统繁忙".encode(), b"document.cookie", b"$_ts")
    return sum(
        any(marker in content for marker in markers)
        for (content,) in archive.execute("select content from documents")
    )


def measure(rate: float, seed: int, workdir: Path) -> tuple[Night, Night, FaultyPortal]:
    portal = FaultyPortal(FaultConfig(seed=seed, rate=rate))
    db = workdir / f"faults-{rate}-{seed}.db"
    with portal.serve() as server:
        url = server.url + COLUMN.rstrip("/")  # the column's address without its slash: a 301 first
        return crawl_night(portal, url, db, 1), crawl_night(portal, url, db, 2), portal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="0,0.1,0.3,0.5")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]
    seeds = [int(seed) for seed in args.seeds.split(",")]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-faults-"))
    workdir.mkdir(parents=True, exist_ok=True)
    shape = FaultyPortal(FaultConfig(rate=0))
    attachments = sum(len(r.attachments) for r in shape.reports)
    print(
        f"fault portal: {len(shape.reports)} reports, {attachments} attachments (one over the size cap), "
        f"{len(shape.pages)} list pages; seeds {seeds}; every fault kind, firewall challenges included"
    )
    header = (
        "rate | night 1: reports archived/reachable | attachments | requests | retried | lost | s "
        "| night 2: recovered | reports archived/reachable | requests | exit codes"
    )
    print(header)
    print("-" * len(header))
    complete, clean, rows = True, True, []
    for rate in rates:
        nights = [measure(rate, seed, workdir) for seed in seeds]
        first = [n[0] for n in nights]
        second = [n[1] for n in nights]
        complete &= all(
            n.reports == n.reachable and n.attachments == n.reachable_attachments for n in first + second
        )
        clean &= all(n.error_documents == 0 for n in first + second)
        line = (
            f"{rate:>4.0%} | {_sum(first, 'reports')}/{_sum(first, 'reachable')} "
            f"| {_sum(first, 'attachments')}/{_sum(first, 'reachable_attachments')} "
            f"| {_mean(first, 'requests')} | {_sum(first, 'retried')} | {_sum(first, 'lost')} "
            f"| {statistics.mean(n.seconds for n in first):.1f} "
            f"| {_sum(second, 'recovered')} | {_sum(second, 'reports')}/{_sum(second, 'reachable')} "
            f"| {_mean(second, 'requests')} | {','.join(str(n.exit) for n in first)} → "
            f"{','.join(str(n.exit) for n in second)}"
        )
        rows.append({"rate": rate, "night1": [vars(n) for n in first], "night2": [vars(n) for n in second]})
        print(line, flush=True)
    print(
        "\nreports and attachments: summed over the seeds; requests: mean per crawl; s: mean seconds of night 1"
    )
    print(f"{'PASS' if complete else 'FAIL'}: every crawl archived 100 % of what was reachable that night")
    print(f"{'PASS' if clean else 'FAIL'}: no error page or challenge stored as a document or a report page")
    (workdir / "faults.json").write_text(json.dumps(rows, indent=1))
    print(f"details: {workdir / 'faults.json'}")


def _sum(nights: list[Night], name: str) -> int:
    return sum(getattr(n, name) for n in nights)


def _mean(nights: list[Night], name: str) -> str:
    return f"{statistics.mean(getattr(n, name) for n in nights):.0f}"


if __name__ == "__main__":
    main()

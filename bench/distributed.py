"""A distributed crawl with 1 and 2 workers: reports/s, the speed-up, and the writer's share of the time.

    .venv/bin/python bench/distributed.py [--portals N] [--delay SECONDS] [--groups G] [--workdir DIR]

A measurement, not a test: it always exits 0 and prints PASS/FAIL against the target of issue 12 — two
workers crawl the fleet ≥ 1.7× as fast as one. The fleet is N copies of the sample portal (36 reports,
45 requests each), each on its own port, served by one separate process; Debian's redis-server runs on a
free port. Each run: a fresh archive and Redis database, ``govreports crawl --distributed`` (the writer)
and the workers, each in its own folder; wall time from the start of the workers to the writer's exit.
``--delay`` sets Scrapy's DOWNLOAD_DELAY on the workers: 0 (the default for 127.0.0.1) makes the crawl
CPU-bound, a delay makes it bound by per-host politeness as real portals are. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from crawler.distributed.local import redis_server_binary, start_local_redis

REPO = Path(__file__).resolve().parent.parent
GOVREPORTS = [sys.executable, "-m", "govreports"]
TARGET_SPEEDUP = 1.7
COLUMN = "/zfxxgk/zfxxgknb/index.html"
SERVE = """
import sys, time
from govreports.portal import PortalServer, SAMPLE_PORTAL
servers = [PortalServer(SAMPLE_PORTAL).start() for _ in range(int(sys.argv[1]))]
print(" ".join(server.url for server in servers), flush=True)
time.sleep(86400)
"""


def crawl(folder: Path, redis_url: str, sources: Path, workers: int, delay: float, groups: int) -> dict:
    """One distributed crawl of the fleet; its figures."""
    folder.mkdir()
    db = folder / "archive.db"
    log = folder / "writer.log"
    writer = subprocess.Popen(
        [*GOVREPORTS, "crawl", "--sources", str(sources), "--db", str(db), "--distributed", redis_url]
        + ["--no-extract", "--log-level", "WARNING"],
        stderr=log.open("w"),
        stdout=subprocess.DEVNULL,
    )
    time.sleep(1.5)  # the writer puts the crawl on Redis; workers would wait for it anyway
    started = time.monotonic()
    processes = []
    for number in range(workers):
        home = folder / f"worker{number + 1}"
        home.mkdir()
        command = [*GOVREPORTS, "worker", "--distributed", redis_url, "--groups", str(groups)]
        command += ["--log-level", "WARNING", "-s", f"DOWNLOAD_DELAY={delay}"]
        processes.append(
            subprocess.Popen(command, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    status = writer.wait()
    wall = time.monotonic() - started
    for process in processes:
        process.wait(60)
    text = log.read_text()
    applied = re.search(r"writer: (\d+) messages applied in ([\d.]+) s", text)
    import sqlite3

    with sqlite3.connect(db) as connection:
        reports = connection.execute("select count(*) from fetches where kind = 'report_page'").fetchone()[0]
        requests = connection.execute("select sum(requests) from crawl_runs").fetchone()[0] or 0
    return {
        "status": status,
        "wall": wall,
        "reports": reports,
        "requests": requests,
        "messages": int(applied.group(1)) if applied else 0,
        "writing": float(applied.group(2)) if applied else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=12)
    parser.add_argument("--delay", type=float, default=0.0, help="DOWNLOAD_DELAY on the workers (seconds)")
    parser.add_argument("--groups", type=int, default=2, help="hosts a worker crawls at once")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if not redis_server_binary():
        print("redis-server is not installed (apt-get install redis-server): nothing measured")
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    portal = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(args.portals)], stdout=subprocess.PIPE, text=True, env=env
    )
    urls = portal.stdout.readline().split()
    sources = workdir / "fleet.yaml"
    sources.write_text(yaml.safe_dump({"sources": [{"start_url": url + COLUMN} for url in urls]}))
    redis_server, redis_url = start_local_redis(workdir)
    print(
        f"fleet: {args.portals} portals of 36 reports (45 requests each), DOWNLOAD_DELAY={args.delay}, ",
        end="",
    )
    print(f"{args.groups} hosts at once per worker; {os.cpu_count()} cores, load average {os.getloadavg()}")
    results = {}
    try:
        for number, workers in enumerate((1, 2), start=1):
            results[workers] = run = crawl(
                workdir / f"run{workers}", f"{redis_url}/{number}", sources, workers, args.delay, args.groups
            )
            print(
                f"{workers} worker{'s' if workers > 1 else ' '}: {run['wall']:6.1f} s wall, "
                f"{run['reports'] / run['wall']:6.1f} reports/s, {run['requests'] / run['wall']:6.1f} requests/s, "
                f"{run['reports']} report pages, writer {run['writing']:.1f} s for {run['messages']} messages "
                f"({run['writing'] / run['wall']:.0%} of the wall time), exit {run['status']}"
            )
    finally:
        redis_server.terminate()
        portal.terminate()
    speedup = results[1]["wall"] / results[2]["wall"]
    verdict = "PASS" if speedup >= TARGET_SPEEDUP else "FAIL"
    print(f"speed-up 2 workers / 1: {speedup:.2f}× (target ≥ {TARGET_SPEEDUP}×) {verdict}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

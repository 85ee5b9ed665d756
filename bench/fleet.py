"""One machine, many portals: ``govreports crawl --sources fleet.yaml`` over a generated fleet of small
portals (tests/portals/fleet.py), under the real politeness (``-s LOOPBACK_POLITE=True``: 1 s download delay,
2 requests per host, AutoThrottle), beside the bounds it cannot beat.

    .venv/bin/python bench/fleet.py [--portals 1000] [--seed 2026] [--workdir DIR] [--at-once N] [--processes N]

Prints, from one run: the first crawl's wall time beside the politeness bound (the busiest host's
requests × the 1 s delay) and beside the CPU bound (the same GET requests made by a bare Scrapy spider
with no delay, no middlewares of ours and no archive, in one process); peak RSS and open files of the
crawl (sampled every 0.2 s from /proc, summed over its processes: with ``--processes N`` the crawl runs
``govreports crawl --processes N``, a parent and N crawl processes); requests/s; the fleet server's CPU
share (it must not be the bottleneck); every report and attachment archived; and the nightly recrawl of
the unchanged fleet as a share of the first crawl's requests. Targets: wall ≤ 1.5 × max(politeness
bound, CPU bound), peak RSS < 2 GB, recrawl ≤ 10 %. A measurement, not a test: it exits 0. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from govreports.limits import descendants, status_kb

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GOVREPORTS = [PYTHON, "-m", "govreports"]
DELAY = 1.0  # crawler/settings.py DOWNLOAD_DELAY: each host's requests are at least this far apart

BARE_SPIDER = """
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

urls = json.load(open(sys.argv[1]))
addresses = json.load(open(sys.argv[2]))

class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, dont_filter=True)
    def parse(self, response):
        pass

process = CrawlerProcess({
    "LOG_LEVEL": "WARNING", "CONCURRENT_REQUESTS": 64, "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False,
    "HOST_ADDRESSES": addresses, "TWISTED_DNS_RESOLVER": "crawler.resolver.StaticHostsResolver",
})
process.crawl(Bare)
process.start()
"""


def sample(pid: int, peaks: dict) -> None:
    """Peak RSS (MB) and open files of ``pid`` and the processes it started so far: the sum of each one's
    peak (VmHWM: an upper bound of the peak of their sum), and the most files open at once."""
    hwm, files = peaks.setdefault("hwm_kb", {}), 0
    for member in (pid, *descendants(pid)):
        rss = status_kb("VmHWM", member)
        try:
            files += len(os.listdir(f"/proc/{member}/fd"))
        except OSError:
            continue  # it has just ended
        hwm[member] = max(hwm.get(member, 0), rss)
    peaks["rss_mb"] = sum(hwm.values()) / 1024
    peaks["open_files"] = max(peaks.get("open_files", 0), files)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_measured(command: list[str], server_pid: int, log: Path) -> dict:
    """Run ``command`` (its output to ``log``: a pipe nobody reads would stop it once full); its wall time,
    peak RSS and open files, and the server's CPU seconds meanwhile."""
    server_before, start = cpu_seconds(server_pid), time.monotonic()
    peaks: dict = {}
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        while process.poll() is None:
            sample(process.pid, peaks)
            time.sleep(0.2)
    stderr = log.read_text(encoding="utf-8", errors="replace")
    wall = time.monotonic() - start
    return {
        **peaks,
        "wall": wall,
        "server_cpu": cpu_seconds(server_pid) - server_before,
        "status": process.returncode,
        "stderr": stderr[-2000:],
    }


def crawl_command(
    registry: Path, db: Path, addresses: dict[str, str], at_once: int, processes: int
) -> list[str]:
    resolve = [f"--resolve={name}:{address}" for name, address in addresses.items()]
    return [
        *GOVREPORTS,
        "crawl",
        "--sources",
        str(registry),
        "--db",
        str(db),
        "--no-extract",
        "--log-level",
        "WARNING",
        "-s",
        "LOOPBACK_POLITE=True",
        "-s",
        f"CONCURRENT_SOURCES={at_once}",
        "--processes",
        str(processes),
        *resolve,
    ]


def start_fleet(workdir: Path, portals: int, seed: int) -> tuple[subprocess.Popen, Path, Path, float]:
    registry, truth = workdir / "fleet.yaml", workdir / "truth.json"
    start = time.monotonic()
    server = subprocess.Popen(
        [PYTHON, "-m", "tests.portals.fleet", "--root", str(workdir / "sites"), "--count", str(portals)]
        + ["--seed", str(seed), "--registry", str(registry), "--truth", str(truth)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    while not registry.exists():
        if server.poll() is not None:
            raise SystemExit("the fleet server stopped")
        time.sleep(0.2)
    return server, registry, truth, time.monotonic() - start


def runs_of(db: Path, after: int = 0) -> list[dict]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    rows = [
        dict(row) for row in connection.execute("select * from crawl_runs where id > ? order by id", [after])
    ]
    connection.close()
    return rows


def archived(db: Path, truth: dict) -> tuple[int, int, int]:
    """(wanted, archived, archived more than once) report pages and attachments."""
    connection = sqlite3.connect(db)
    counts = dict(
        connection.execute(
            "select url, count(*) from fetches where status = 200 and kind in ('report_page', 'attachment') "
            "group by url"
        )
    )
    connection.close()
    wanted = {url for site in truth.values() for url in site["reports"] + site["attachments"]}
    return len(wanted), len(wanted & counts.keys()), sum(1 for url in wanted if counts.get(url, 0) > 1)


def run_seconds(run: dict) -> float:
    started, finished = (datetime.fromisoformat(run[key]) for key in ("started_at", "finished_at"))
    return max((finished - started).total_seconds(), 1.0)  # stamps are to the second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--at-once", type=int, default=1000, help="CONCURRENT_SOURCES of each crawl process")
    parser.add_argument(
        "--processes", type=int, default=1, help="crawl processes (govreports crawl --processes)"
    )
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "archive.db"
    server, registry, truth_path, built = start_fleet(workdir, args.portals, args.seed)
    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        addresses = {urlsplit(url).hostname: "127.0.0.1" for url in truth}
        command = crawl_command(registry, db, addresses, args.at_once, args.processes)
        first = run_measured(command, server.pid, workdir / "first.log")
        first_runs = runs_of(db)
        if not first_runs:
            raise SystemExit(f"the first crawl recorded no run (exit {first['status']}):\n{first['stderr']}")
        second = run_measured(command, server.pid, workdir / "second.log")
        second_runs = runs_of(db, after=max(run["id"] for run in first_runs))
        urls = sorted(set(_get_urls(db)))
        (workdir / "urls.json").write_text(json.dumps(urls))
        (workdir / "addresses.json").write_text(json.dumps(addresses))
        bare_script = workdir / "bare.py"
        bare_script.write_text(BARE_SPIDER)
        bare = run_measured(
            [PYTHON, str(bare_script), str(workdir / "urls.json"), str(workdir / "addresses.json")],
            server.pid,
            workdir / "bare.log",
        )
    finally:
        server.terminate()
        server.wait()
    report(args, built, truth, db, first, first_runs, second, second_runs, bare, len(urls))


def _get_urls(db: Path) -> list[str]:
    """The URLs the first crawl asked for by GET and got an answer from (list API replies asked by POST
    are left out: their bodies are not stored): what the bare spider asks again."""
    connection = sqlite3.connect(db)
    rows = connection.execute("select coalesce(requested_url, url) from fetches where status in (200, 304)")
    urls = [row[0] for row in rows]
    connection.close()
    return urls


def report(args, built, truth, db, first, first_runs, second, second_runs, bare, bare_requests) -> None:
    requests = sum(run["requests"] or 0 for run in first_runs)
    busiest = max(run["requests"] or 0 for run in first_runs)
    politeness_bound = busiest * DELAY
    cpu_bound = requests / (bare_requests / bare["wall"])
    bound = max(politeness_bound, cpu_bound)
    wanted, got, twice = archived(db, truth)
    recrawl = sum(run["requests"] or 0 for run in second_runs)
    statuses: dict[str, int] = {}
    for run in first_runs:
        statuses[run["status"]] = statuses.get(run["status"], 0) + 1
    load = os.getloadavg()

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print(
        f"fleet: {args.portals} portals (seed {args.seed}), built and serving in {built:.0f} s; "
        f"{args.processes} crawl process(es), {args.at_once} sources at once in each"
    )
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")
    print(
        f"first crawl: {first['wall']:.0f} s wall, {requests} requests, {requests / first['wall']:.0f} requests/s, exit {first['status']}"
    )
    print(f"  runs: {statuses}; reports and attachments archived {got} of {wanted}, {twice} more than once")
    durations = [run_seconds(run) for run in first_runs]
    pace = statistics.median((run["requests"] or 0) / run_seconds(run) for run in first_runs)
    print(
        f"  per source (median): {statistics.median(durations):.0f} s, {pace:.2f} requests/s "
        f"(the delay allows 1); slowest source {max(durations):.0f} s"
    )
    print(f"  politeness bound: busiest host {busiest} requests × {DELAY:.0f} s = {politeness_bound:.0f} s")
    print(
        f"  CPU bound: bare Scrapy spider (one process), {bare_requests} GETs in {bare['wall']:.1f} s = {bare_requests / bare['wall']:.0f} requests/s → {cpu_bound:.0f} s for {requests}"
    )
    print(
        f"  {verdict(first['wall'] <= 1.5 * bound)} wall {first['wall']:.0f} s = {first['wall'] / bound:.2f} × max(bounds) (target ≤ 1.5)"
    )
    print(
        f"  {verdict(first.get('rss_mb', 0) < 2048)} peak RSS {first.get('rss_mb', 0):.0f} MB (target < 2048); open files at most {first.get('open_files', 0)}"
    )
    print(
        f"  fleet server: {first['server_cpu']:.0f} CPU s over {first['wall']:.0f} s ({100 * first['server_cpu'] / first['wall']:.0f} % of a core); during the bare spider {100 * bare['server_cpu'] / bare['wall']:.0f} %"
    )
    print(
        f"recrawl of the unchanged fleet: {recrawl} requests in {second['wall']:.0f} s; peak RSS {second.get('rss_mb', 0):.0f} MB"
    )
    print(
        f"  {verdict(recrawl <= 0.10 * requests)} {100 * recrawl / requests:.1f} % of the first crawl's requests (target ≤ 10 %)"
    )
    if first["status"] or second["status"]:
        print(first["stderr"][-1000:], second["stderr"][-1000:], file=sys.stderr)


if __name__ == "__main__":
    main()

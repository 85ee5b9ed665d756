"""Datasette on a large archive: page and search latencies, and the wide table streamed as CSV.

    .venv/bin/python bench/datasette.py [--reports N] [--requests K] [--workdir DIR] [--keep]

A measurement, not a test: it always exits 0 and prints PASS/FAIL against the targets — p95 < 200 ms for
pages and searches, no facet timeout, the whole wide table streamed as CSV at ≥ 5,000 rows/s.

The archive is synthetic but made the way extraction makes it: the sample portal's reports are parsed
once, then stored N times through the archive layer (``store_report``) under other agencies, provinces,
years and numbers, so every derived table (wide figures, long figures, search index) is written by the
project's own code. See bench/README.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extract import parse_document  # noqa: E402
from govreports.archive import open_archive, store_report  # noqa: E402

SAMPLE = REPO / "sample_portal"
PROVINCES = (
    "北京市",
    "河北省",
    "山西省",
    "江苏省",
    "浙江省",
    "福建省",
    "广东省",
    "四川省",
    "云南省",
    "甘肃省",
)
LEVELS = ("province", "prefecture", "county", "street", "department")
TARGET_P95_MS = 200
TARGET_CSV_ROWS_PER_SECOND = 5_000


def sample_reports() -> list[dict]:
    """The sample portal's HTML reports, parsed once: the shapes every synthetic report copies."""
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))["reports"]
    reports = []
    for entry in expected:
        if entry["format"] != "html":
            continue
        data = (SAMPLE / "site" / entry["path"].lstrip("/")).read_bytes()
        reports.append(parse_document(data, url="http://127.0.0.1:8000" + entry["path"]))
    return reports


def synthetic(report: dict, number: int, rng: random.Random) -> dict:
    """Another agency's report of another year: names, region and numbers changed, shape kept."""
    copy_ = copy.deepcopy(report)
    province = PROVINCES[number % len(PROVINCES)]
    agency = f"{province}第{number}号机关"
    year = 2019 + number % 7
    copy_["agency"], copy_["year"] = agency, year
    copy_["title"] = f"{agency}{year}年政府信息公开工作年度报告"
    copy_["region"] = province
    copy_["region_parts"] = {"province": province, "prefecture": None, "county": None, "code": None}
    copy_["level"] = LEVELS[number % len(LEVELS)]
    copy_["source"] = {**copy_["source"], "sha256": f"{number:064x}"}
    scale = rng.randint(1, 5)
    for columns in (copy_.get("applications") or {}).values():
        for key, value in columns.items():
            if isinstance(value, int | float):
                columns[key] = value * scale
    # Section text mentions words users search for, some rarely.
    for section in copy_.get("sections") or []:
        if number % 50 == 0:
            section["text"] += " 街道办事处"
    return copy_


def build_archive(path: Path, count: int) -> float:
    """Store ``count`` synthetic reports; returns the seconds it took."""
    shapes = sample_reports()
    rng = random.Random(20261126)
    db = open_archive(str(path))
    db.execute("pragma synchronous = off")  # a bench archive: losing it to a crash costs nothing
    started = time.perf_counter()
    for number in range(count):
        report = synthetic(shapes[number % len(shapes)], number, rng)
        url = f"http://bench{number % 97}.invalid/zfxxgk/zfxxgknb/t{number}.html"
        store_report(db, report, url=url, document_url=url)
        if number and number % 10_000 == 0:
            print(f"  {number} reports stored in {time.perf_counter() - started:.0f} s", flush=True)
    db.close()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_datasette(db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "govreports", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("Datasette did not start")


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def latencies(urls: list[str]) -> tuple[list[float], list[str]]:
    times, problems = [], []
    for url in urls:
        started = time.perf_counter()
        status, body = fetch(url)
        times.append(1000 * (time.perf_counter() - started))
        if status != 200:
            problems.append(f"{status} {url}")
        elif b"facet_timed_out" in body or "超时".encode() in body:
            problems.append(f"facet timed out: {url}")
    return times, problems


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def scenario_urls(base: str, db_name: str, count: int, requests: int, report_ids: list[str]) -> dict:
    rng = random.Random(7)
    quote = urllib.parse.quote
    searches = ["复议", "街道", "公开", "申请", "诉讼"]
    return {
        "reports page with facets": [
            f"{base}/{db_name}/reports?_facet=province&_facet=year&_facet=level&_sort_desc=year&_page={n}"
            for n in range(requests)
        ],
        # The search the home page's box leads to: ranked over every report's title and sections.
        "2-character search (/-/find, ranked)": [
            f"{base}/-/find?q={quote(searches[n % len(searches)])}" for n in range(requests)
        ],
        # Datasette's own box on the reports table: the same reports, unranked, with four facets counted
        # over every match (in this archive each term is in every report).
        "2-character search, reports table + facets": [
            f"{base}/{db_name}/reports?_search={quote(searches[n % len(searches)])}" for n in range(requests)
        ],
        "a report page (/-/report/id)": [
            f"{base}/-/report/{quote(rng.choice(report_ids))}" for _ in range(requests)
        ],
        "wide table by province and year": [
            f"{base}/{db_name}/report_figures?province={quote(PROVINCES[n % len(PROVINCES)])}"
            f"&year={2019 + n % 7}"
            for n in range(requests)
        ],
    }


def stream_wide_csv(base: str, db_name: str) -> tuple[int, float]:
    url = f"{base}/{db_name}/report_figures.csv?_stream=on&_size=max"
    started = time.perf_counter()
    rows = 0
    try:
        with urllib.request.urlopen(url, timeout=3600) as response:
            for _ in response:
                rows += 1
    except urllib.error.HTTPError as error:
        print(f"  ! {error.code} {url}")
        return 0, time.perf_counter() - started
    return rows - 1, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=100_000, help="synthetic reports in the archive")
    parser.add_argument("--requests", type=int, default=50, help="requests per scenario (p50/p95 over them)")
    parser.add_argument("--workdir", type=Path, help="build the archive here (kept with --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the archive for another run")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="govreports-bench-datasette-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "archive.db"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load}")
    if db.exists():
        print(f"archive: reusing {db}")
    else:
        print(f"building a synthetic archive of {args.reports} reports in {db} …")
        seconds = build_archive(db, args.reports)
        print(f"  built in {seconds:.0f} s ({args.reports / seconds:.0f} reports/s)")
    archive = open_archive(str(db))
    count = archive.execute("select count(*) from reports").fetchone()[0]
    cells = archive.execute("select count(*) from cells").fetchone()[0]
    report_ids = [row[0] for row in archive.execute("select id from reports order by random() limit 500")]
    archive.close()
    size = db.stat().st_size
    print(
        f"  {count} reports, {cells} cells, {size / 1e6:.0f} MB ({size / max(count, 1):.0f} bytes per report)"
    )
    process, base = start_datasette(db)
    try:
        print(f"\n{'scenario':<34} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8}  verdict")
        for label, urls in scenario_urls(base, db.stem, count, args.requests, report_ids).items():
            fetch(urls[0])  # warm the page cache and Datasette's own caches once
            times, problems = latencies(urls)
            p95 = percentile(times, 0.95)
            verdict = "PASS" if p95 < TARGET_P95_MS and not problems else "FAIL"
            print(f"{label:<34} {len(times):>8} {statistics.median(times):>8.0f} {p95:>8.0f}  {verdict}")
            for problem in problems[:3]:
                print(f"  ! {problem}")
        rows, seconds = stream_wide_csv(base, db.stem)
        rate = rows / seconds if seconds else 0
        verdict = "PASS" if rate >= TARGET_CSV_ROWS_PER_SECOND and rows >= count else "FAIL"
        print(
            f"\nwide table as CSV (_stream=on): {rows} rows in {seconds:.1f} s = {rate:.0f} rows/s "
            f"(target ≥ {TARGET_CSV_ROWS_PER_SECOND}, every row) {verdict}"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

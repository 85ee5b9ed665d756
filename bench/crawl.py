"""Crawl efficiency: our spider beside a follow-every-link crawler and beside itself without the archive.

    .venv/bin/python bench/crawl.py [--runs N] [--seed S] [--workdir DIR]

A measurement, not a test: it always exits 0 and prints PASS/FAIL against three targets — a first crawl
from the home page makes ≤ 1.2× the minimum possible requests, a recrawl of the unchanged portal ≤ 10 %
of the first one's, and archiving costs ≤ 25 % of the pages/s of the same spider storing nothing.
Not a target: one more line puts a column drawn in chromium (``render: js``) beside the same column read
by its adapter. See bench/README.md.

Every crawl runs in its own process (a Twisted reactor cannot be restarted); this script runs itself
with ``--child`` for the crawls that are not ``govreports crawl``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils
from portal_generator import HOME, Truth, add_report, generate_portal

from crawler.links import looks_like_annual_report
from govreports.portal import PortalServer

TARGET_MINIMUM_RATIO = 1.2
TARGET_RECRAWL_SHARE = 0.10
TARGET_OVERHEAD = 0.25
CHILD_TIMEOUT = 300
SCRIPT = Path(__file__).resolve()
REPO = SCRIPT.parent.parent
# Scrapy's closing stats dump, in the log of a `govreports crawl` run.
_STAT = r"'{}':\s*([\d.]+)"
_ARTICLE = re.compile(r"/\d{6}/t\d{8}_\d+\.html$")
_LIST_PAGE = re.compile(r"/index(_\d+)?\.html$")


@dataclass
class Run:
    """One crawl: what it asked for and how long the crawl itself took (Scrapy's elapsed_time_seconds)."""

    label: str
    requests: int = 0
    responses: int = 0
    elapsed: float = 0.0
    wall: float = 0.0  # the whole subprocess, Python start-up included
    fetched: list[dict] = field(default_factory=list)  # url (site path), kind, status, link_title
    error: str | None = None
    browser_requests: int = 0  # requests chromium made while rendering (scrapy-playwright's count)
    rendered_pages: int = 0  # counted in requests too, though chromium, not Scrapy, asked for them
    status: str | None = None  # crawl_runs.status

    @property
    def pages_per_second(self) -> float:
        return self.responses / self.elapsed if self.elapsed else 0.0

    def paths(self, status: int | None = 200) -> set[str]:
        return {row["url"] for row in self.fetched if status is None or row["status"] == status}

    def reports_found(self) -> set[str]:
        """Report pages fetched with status 200 under a report's title (the spider's own judgement)."""
        return {
            row["url"]
            for row in self.fetched
            if row["kind"] == "report_page" and row["status"] == 200
            and looks_like_annual_report(row["link_title"] or "")
        }  # fmt: skip


# --- Running crawls ------------------------------------------------------------------------------------


def run_ours(home: str, workdir: Path, label: str, target: list[str] | None = None) -> Run:
    """`govreports crawl` from the home page (or ``target``: other arguments saying what to crawl, such as
    ``--sources FILE``) into workdir/archive.db (a second call recrawls it)."""
    workdir.mkdir(parents=True, exist_ok=True)
    db_path, log = workdir / "archive.db", workdir / f"{label}.log"
    before = _last_fetch_id(db_path)
    command = [
        sys.executable,
        "-m",
        "govreports",
        "crawl",
        *(target or ["--start-url", home]),
        "--no-extract",
    ]
    command += ["--db", str(db_path), "--log-file", str(log), "--log-level", "INFO"]
    run, result = Run(label), None
    started = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        run.error = "timed out"
    run.wall = time.perf_counter() - started
    if result is not None and result.returncode != 0:
        run.error = f"exit {result.returncode}: {result.stderr[-500:]}"
    if not db_path.exists():
        return run
    db = sqlite_utils.Database(db_path)
    last = next(db.query("select * from crawl_runs order by id desc limit 1"), None)
    run.requests, run.responses = (last["requests"] or 0, last["responses"] or 0) if last else (0, 0)
    run.status = last["status"] if last else None
    run.fetched = [
        {**row, "url": _site_path(row["url"])}
        for row in db.query(
            "select url, kind, status, link_title from fetches where id > ? order by id", [before]
        )
    ]
    db.close()
    stats = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    elapsed = re.findall(_STAT.format("elapsed_time_seconds"), stats)
    run.elapsed = float(elapsed[-1]) if elapsed else 0.0
    browser = re.findall(_STAT.format("playwright/request_count"), stats)
    run.browser_requests = int(browser[-1]) if browser else 0
    pages = re.findall(_STAT.format("playwright/page_count"), stats)
    run.rendered_pages = int(pages[-1]) if pages else 0
    return run


def run_child(kind: str, home: str, workdir: Path, label: str) -> Run:
    """This script with --child: the bare spider or the follow-every-link baseline."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"{label}.json"
    command = [sys.executable, str(SCRIPT), "--child", kind, "--start-url", home, "--out", str(out)]
    command += ["--log-file", str(workdir / f"{label}.log")]
    run = Run(label)
    started = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=CHILD_TIMEOUT)
        if result.returncode != 0:
            run.error = f"exit {result.returncode}: {result.stderr[-500:]}"
    except subprocess.TimeoutExpired:
        run.error = "timed out"
    run.wall = time.perf_counter() - started
    if out.exists():
        data = json.loads(out.read_text(encoding="utf-8"))
        stats = data["stats"]
        run.requests = stats.get("downloader/request_count", 0)
        run.responses = stats.get("downloader/response_count", 0)
        run.elapsed = stats.get("elapsed_time_seconds", 0.0)
        run.fetched = [{**row, "url": _site_path(row["url"])} for row in data["fetched"]]
    return run


def _last_fetch_id(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    db = sqlite_utils.Database(db_path)
    try:
        return db.execute("select coalesce(max(id), 0) from fetches").fetchone()[0]
    finally:
        db.close()


def _site_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- The child crawls ----------------------------------------------------------------------------------


def child_settings(start_url: str, log_file: str):
    """Exactly what crawler/runner.py sets for a crawl of 127.0.0.1, minus everything that touches the
    archive: no pipelines, no incremental middlewares, no run recorder."""
    from crawler.runner import CrawlOptions, crawl_settings
    from crawler.sources import Source

    settings = crawl_settings(
        [Source(start_url=start_url)], CrawlOptions("unused.db", log_level="INFO", log_file=log_file)
    )
    settings.set("ITEM_PIPELINES", {})
    for name, prefix in (
        ("DOWNLOADER_MIDDLEWARES", "crawler.incremental."),
        ("SPIDER_MIDDLEWARES", "crawler.incremental."),
        ("EXTENSIONS", "crawler.runs."),
    ):
        ours = settings.getdict(name)
        settings.set(name, {path: None if path.startswith(prefix) else order for path, order in ours.items()})
    return settings


def baseline_spider(start_url: str):
    """A CrawlSpider that follows every same-host link and keeps nothing but the URLs it reached."""
    from scrapy.linkextractors import LinkExtractor
    from scrapy.spiders import CrawlSpider, Rule

    host = urlsplit(start_url).netloc

    class FollowEverything(CrawlSpider):
        name = "follow_everything"
        start_urls = [start_url]
        # The port is part of the "domain" Scrapy compares: allow_domains=["127.0.0.1"] matches nothing.
        rules = (Rule(LinkExtractor(allow_domains=[host]), follow=True, callback="parse_item"),)
        reached: list[dict] = []

        def parse_start_url(self, response):
            return self.parse_item(response)

        def parse_item(self, response):
            self.reached.append({"url": response.url, "status": response.status, "kind": "page"})
            return []

    return FollowEverything


def child_main(kind: str, start_url: str, out: Path, log_file: str) -> None:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.annual_reports import AnnualReportSpider

    process = CrawlerProcess(child_settings(start_url, log_file), install_root_handler=True)
    fetched: list[dict] = []
    if kind == "bare":
        crawler = process.create_crawler(AnnualReportSpider)

        def item_scraped(item, **_) -> None:  # what the pipeline would have stored
            fetched.append({k: item.get(k) for k in ("url", "status", "kind", "link_title")})

        crawler.signals.connect(item_scraped, signal=signals.item_scraped)
        process.crawl(crawler, start_url=start_url)
    else:
        spider = baseline_spider(start_url)
        crawler = process.create_crawler(spider)
        process.crawl(crawler)
        fetched = spider.reached
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float)}
    out.write_text(json.dumps({"stats": stats, "fetched": fetched}, ensure_ascii=False), encoding="utf-8")


# --- Report --------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_results(
    truth: Truth, ours: list[Run], bare: list[Run], recrawl: Run, baseline: Run, after: Run, new_report: str
) -> None:
    reports = set(truth.reports)
    minimum = truth.minimum_requests()
    first = ours[0]
    print(f"\nportal: {truth.html_pages} HTML pages, {truth.files} files; {len(reports)} annual reports")
    print(f"  column {truth.column}: {len(truth.report_list_pages)} list pages, "
          f"{len(truth.notices)} notices, {len(truth.attachments)} report attachments")  # fmt: skip
    for run in [*ours, *bare, recrawl, baseline, after]:
        if run.error:
            print(f"  !! {run.label}: {run.error}")

    print(f"\n{'crawl':34} {'requests':>9} {'reports':>8} {'req/report':>11} {'seconds':>8} {'pages/s':>8}")
    rows = [
        ("ours, from the home page (run 1)", first, first.reports_found() & reports),
        ("ours, recrawl, unchanged portal", recrawl, recrawl.reports_found() & reports),
        ("follow-every-link CrawlSpider", baseline, baseline.paths() & reports),
    ]
    for name, run, found in rows:
        per = f"{run.requests / len(found):.2f}" if found else "—"
        print(f"{name:34} {run.requests:>9} {len(found):>8} {per:>11} {run.elapsed:>8.1f} "
              f"{run.pages_per_second:>8.0f}")  # fmt: skip
    wrong = first.reports_found() - reports
    if wrong:
        print(f"  ours took {len(wrong)} non-reports for reports, e.g. {sorted(wrong)[:3]}")
    print(f"  the baseline's default LinkExtractor skips .pdf/.docx: it fetched "
          f"{len(baseline.paths() & set(truth.attachments))} of {len(truth.attachments)} attachments")  # fmt: skip

    ratio = first.requests / len(minimum)
    print(f"\nminimum possible requests: {len(minimum)} = robots.txt 1 + way to the column "
          f"{len(truth.discovery_path)} + list pages {len(truth.report_list_pages)} + reports {len(reports)} "
          f"+ attachments {len(truth.attachments)}")  # fmt: skip
    print(f"ours / minimum: {first.requests} / {len(minimum)} = {ratio:.2f}× (target ≤ {TARGET_MINIMUM_RATIO}×) "
          f"{verdict(ratio <= TARGET_MINIMUM_RATIO)}")  # fmt: skip
    print(f"baseline / minimum: {baseline.requests / len(minimum):.2f}×")
    _print_extras(first, minimum)

    share = recrawl.requests / first.requests if first.requests else 1.0
    print(f"\nrecrawl / first run: {recrawl.requests} / {first.requests} = {share:.1%} "
          f"(target ≤ {TARGET_RECRAWL_SHARE:.0%}) {verdict(share <= TARGET_RECRAWL_SHARE)}")  # fmt: skip
    print(f"  recrawl fetches: {fetch_kinds(recrawl)}")
    found = new_report in after.paths()
    print(f"  not a target — one report added to the column ({new_report}); next recrawl: {after.requests} requests, "
          f"{'found it' if found else 'did NOT fetch it'}; fetches {fetch_kinds(after)}")  # fmt: skip

    _print_overhead(ours, bare)


def fetch_kinds(run: Run) -> dict[str, int]:
    return dict(Counter(f"{row['kind']} {row['status']}" for row in run.fetched))


def _print_extras(run: Run, minimum: list[str]) -> None:
    """Requests beyond the minimum, by kind and by where they sit: where the excess comes from."""
    extra = [row for row in run.fetched if row["url"] not in set(minimum)]
    missing = set(minimum) - run.paths(status=None) - {"/robots.txt"}
    print(f"  ours beyond the minimum: {len(extra)} fetches; minimum not fetched: {len(missing)}")
    groups = Counter((row["kind"], _place(row["url"])) for row in extra)
    for (kind, place), count in sorted(groups.items(), key=lambda item: -item[1]):
        print(f"    {count:4} {kind:10} {place}")
    if missing:
        print(f"    not fetched: {', '.join(sorted(missing)[:8])}")


def _place(path: str) -> str:
    """「/zfxxgk/fdzdgknr/202406/t20240604_1.html」 → 「articles of /zfxxgk/fdzdgknr/」, and so on."""
    if match := _ARTICLE.search(path):
        return f"articles of {path[: match.start() + 1]}"
    if match := _LIST_PAGE.search(path):
        return f"list pages of {path[: match.start() + 1]}" if match[1] else path
    return path


def _print_overhead(ours: list[Run], bare: list[Run]) -> None:
    ours_rate = statistics.median(run.pages_per_second for run in ours)
    bare_rate = statistics.median(run.pages_per_second for run in bare)
    overhead = 1 - ours_rate / bare_rate if bare_rate else 1.0
    print(f"\npages/s, median of {len(ours)} (responses / Scrapy elapsed_time_seconds):")
    for name, runs, rate in (
        ("ours (archiving)", ours, ours_rate),
        ("bare (nothing stored)", bare, bare_rate),
    ):
        each = ", ".join(f"{run.pages_per_second:.0f}" for run in runs)
        requests = sorted({run.requests for run in runs})
        print(f"  {name:22} {rate:7.0f}   runs: {each}; requests {requests}; "
              f"wall s: {', '.join(f'{run.wall:.1f}' for run in runs)}")  # fmt: skip
    print(f"archiving overhead: 1 − {ours_rate:.0f}/{bare_rate:.0f} = {overhead:.1%} "
          f"(target ≤ {TARGET_OVERHEAD:.0%}) {verdict(overhead <= TARGET_OVERHEAD)}")  # fmt: skip


# --- A column drawn in chromium beside the same column read by its adapter ------------------------------


@dataclass
class RenderingRuns:
    rendered: Run | None = None
    adapter: Run | None = None
    reports: set[str] = field(default_factory=set)
    skipped: str | None = None


def bench_rendering(workdir: Path) -> RenderingRuns:
    """tests/portals/scripted.py's gkmlpt column, whose app really draws the list from the API the gkmlpt
    adapter reads: crawled once as a sources entry with ``render: js`` and ``cms: generic`` (chromium
    draws the column, the generic adapter reads the drawn links), once with ``cms: gkmlpt``."""
    from scrapy.settings import Settings

    from crawler import settings as project_settings
    from crawler.rendering import rendering_problem

    settings = Settings()
    settings.setmodule(project_settings)
    if problem := rendering_problem(settings):
        return RenderingRuns(skipped=problem)
    sys.path.insert(0, str(REPO))  # the fixture portals live in tests/
    from tests.portals.scripted import build_gkmlpt_app_portal

    truth = build_gkmlpt_app_portal(workdir / "site")
    runs = RenderingRuns(reports={report["url_path"] for report in truth["reports"]})
    with PortalServer(workdir / "site", routes=truth["routes"]) as server:
        column = server.url + truth["column_path"]
        for label, entry in (("rendered", "render: js\n    cms: generic"), ("adapter", "cms: gkmlpt")):
            sources = workdir / f"{label}.yaml"
            sources.write_text(
                f"sources:\n  - start_url: {column}\n    kind: column\n    {entry}\n", encoding="utf-8"
            )
            run = run_ours(column, workdir / label, label, target=["--sources", str(sources)])
            setattr(runs, label, run)
    return runs


def print_rendering(runs: RenderingRuns) -> None:
    if runs.skipped:
        print(f"\nrendered column: skipped ({runs.skipped})")
        return
    rendered, adapter = runs.rendered, runs.adapter
    found = [len(run.reports_found() & runs.reports) for run in (rendered, adapter)]
    print(f"\nnot a target — the same gkmlpt column ({len(runs.reports)} reports) drawn in chromium (render: js) / "
          f"read by its adapter: requests {rendered.requests} + {rendered.browser_requests} by the browser "
          f"(the portal saw {rendered.requests - rendered.rendered_pages + rendered.browser_requests}) / "
          f"{adapter.requests}; reports {found[0]} / {found[1]}; seconds {rendered.elapsed:.1f} / {adapter.elapsed:.1f} "
          f"(wall {rendered.wall:.1f} / {adapter.wall:.1f}); status {rendered.status} / {adapter.status}")  # fmt: skip
    for run in (rendered, adapter):
        if run.error:
            print(f"  !! {run.label}: {run.error}")


# --- Main ----------------------------------------------------------------------------------------------


def bench(workdir: Path, seed: int, repeats: int) -> None:
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (a crawl here takes a second or two:"
    )
    print("  other work on the machine shows in pages/s and the overhead, not in the request counts)")
    started = time.perf_counter()
    portal = generate_portal(workdir / "site", seed)
    print(
        f"generated {portal.html_pages} pages under {workdir / 'site'} in {time.perf_counter() - started:.1f} s"
    )
    overflows = listen_overflows()
    with PortalServer(workdir / "site") as server:
        # socketserver listens with a backlog of 5: 8 concurrent connections overflow it, the kernel drops
        # the SYN and the client retries a second later — a stall that is the server's, not the crawl's.
        server.httpd.socket.listen(128)
        home = server.url + HOME
        ours, bare = [], []
        for index in range(repeats):  # alternating, so a change in the machine's load hits both sides
            ours.append(run_ours(home, workdir / f"ours-{index}", "first"))
            bare.append(run_child("bare", home, workdir / f"bare-{index}", "bare"))
            print(f"  run {index + 1}/{repeats}: ours {ours[-1].requests} requests in {ours[-1].elapsed:.1f} s, "
                  f"bare {bare[-1].requests} in {bare[-1].elapsed:.1f} s", flush=True)  # fmt: skip
        recrawl = run_ours(home, workdir / "ours-0", "recrawl")
        baseline = run_child("baseline", home, workdir / "baseline", "baseline")
        print(
            f"  recrawl {recrawl.requests} requests; baseline {baseline.requests} in {baseline.elapsed:.1f} s"
        )
        truth = portal.truth()
        new_report = add_report(portal, "示例区档案馆", 2024)
        after = run_ours(home, workdir / "ours-0", "after-new-report")
    rendering = bench_rendering(workdir / "rendering")
    print_results(truth, ours, bare, recrawl, baseline, after, new_report)
    print_rendering(rendering)
    if overflows is not None:
        print(f"listen-queue overflows on this host during the bench: {listen_overflows() - overflows}")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


def listen_overflows() -> int | None:
    """The kernel's count of connections dropped because a listen queue was full (Linux only)."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            counts = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return int(counts.get("ListenOverflows", 0))
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of ours and of the bare spider (median)")
    parser.add_argument("--seed", type=int, default=2025, help="the generated portal's seed")
    parser.add_argument("--workdir", type=Path, help="keep the portal, archives and logs here")
    parser.add_argument("--child", choices=("bare", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--start-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.start_url, args.out, args.log_file)
        return
    if args.workdir:
        if args.workdir.exists() and any(args.workdir.iterdir()):
            parser.error(f"--workdir {args.workdir} is not empty: every run needs a fresh archive")
        args.workdir.mkdir(parents=True, exist_ok=True)
        bench(args.workdir, args.seed, args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="govreports-bench-crawl-") as tmp:
        bench(Path(tmp), args.seed, args.runs)


if __name__ == "__main__":
    main()

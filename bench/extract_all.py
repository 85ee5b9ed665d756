"""`govreports extract --all` on a large synthetic archive: docs/s with 1 and 2 workers, peak RSS, bytes per report.

    .venv/bin/python bench/extract_all.py [--documents N] [--sizes N1,N2] [--runs 1,1core,2]
                                          [--seed S] [--workdir DIR] [--keep] [--govreports PATH]

A measurement, not a test: it always exits 0. For each archive size (``--documents``, default 100,000, and
any ``--sizes``) it runs ``govreports extract --all`` as a process of its own, each run on a fresh copy of
the archive as the crawler left it (no reports yet):

- ``1``: ``--workers 1``, unpinned (the main process stores while the worker parses: up to 2 cores);
- ``1core``: ``--workers 1`` under ``taskset -c 0`` (one core for everything: the serial baseline);
- ``2``: ``--workers 2`` on both cores.

It prints wall time, documents/s and reports/s, the peak RSS of the whole process tree (the command and its
worker processes, sampled from /proc every 0.2 s) and of the command's own process, and the archive's bytes
per report after extraction, split into the raw documents kept and the rest (what extraction added).

Targets: **2 workers ≥ 1.8×** the docs/s of 1 (``2 / 1`` and ``2 / 1core``), and **peak RSS bounded whatever
the archive's size** (no batch held in memory): the peak at the largest size within 1.25× of the smallest's.

The archive is stored as the crawler stores it, through ``record_fetch``: report pages are the sample
portal's HTML pages and its three 「详见附件」 pages with their DOCX attachment (``referer`` = the page), the
agency's name rewritten in the bytes (``果园12街道办事处``, ``示例12区人民政府``) so that every synthetic
agency is an agency of its own with several consecutive years; about 30 % of the reports are read from a
DOCX attachment. Documents = report pages + attachments. See bench/README.md.

With ``PYTHONPATH=TREE`` (a ``git worktree`` of another commit) the archive is built and extracted by that
tree's code instead of this one's.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extract import parse_document
from extract.readers.html import META_CHARSET
from govreports.archive import open_archive, record_fetch, transaction
from govreports.limits import descendants, process_table, status_kb

# isort: split
# bench/export.py (this folder is sys.path[0]) after govreports: it puts this tree first on sys.path, and a
# PYTHONPATH tree must win.
from export import fetch
from fleet import cpu_seconds

REPO = Path(__file__).resolve().parent.parent
PORTAL = REPO / "sample_portal"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
START = datetime(2025, 1, 1, tzinfo=UTC)
ATTACHMENT_SHARE = 0.30  # of the reports: what the issue asks for
TARGET_SPEEDUP = 1.8
MAX_RSS_GROWTH = 1.25
SAMPLE_SECONDS = 0.2
# A transaction each: the WAL stays small, where one transaction would grow it to the archive's size.
BATCH_DOCUMENTS = 1000
RUN_KINDS = {"1": (1, False), "1core": (1, True), "2": (2, False)}  # kind → (workers, pinned to core 0)
# Where the number goes: before the place's level word of a government (示例12区人民政府, which stays a county),
# else before the agency's suffix (果园12街道办事处), so the extractor still reads an agency of that level.
_NUMBERED = re.compile(r"(?:[区县市旗州])?人民政府$|街道办事处$|地区办事处$|办事处$|委员会$|办公室$|局$")
# The command's last line: 「extracted 1541 reports in 32.8 s (459 from attachments, 0 unreadable pages, 983
# comparisons with the year before)」; its wording has changed before, so only the figures are relied on.
_SUMMARY = re.compile(r"^extracted \d+ reports")
_FROM_ATTACHMENTS = re.compile(r"(\d+) from attachments")
_YEAR_BEFORE = re.compile(r"(\d+) [^,()]*year before")


# ------------------------------------------------------------------------------------------ documents
def numbered(agency: str, serial: int) -> str:
    """``agency`` with ``serial`` inserted before its suffix: another agency of the same kind and place."""
    match = _NUMBERED.search(agency)
    at = match.start() if match else len(agency)
    return f"{agency[:at]}{serial}{agency[at:]}"


class DocxTemplate:
    """A DOCX whose agency is renamed cheaply: the parts that do not name it are compressed once (a zip
    of them), the few that do (document.xml, core.xml) are appended to a copy of it anew each time."""

    def __init__(self, body: bytes, agency: str) -> None:
        self.agency = agency.encode()
        self.named: list[tuple[zipfile.ZipInfo, bytes]] = []
        base = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(body)) as source, zipfile.ZipFile(base, "w") as kept:
            for info in source.infolist():
                data = source.read(info)
                if self.agency in data:
                    self.named.append((info, data))
                else:
                    kept.writestr(info, data)  # the ZipInfo keeps its compression and date
        self.base = base.getvalue()

    def renamed(self, agency: str) -> bytes:
        out = io.BytesIO(self.base)
        with zipfile.ZipFile(out, "a") as docx:
            for info, data in self.named:
                docx.writestr(info, data.replace(self.agency, agency.encode()))
        return out.getvalue()


@dataclass
class Template:
    """One report of the sample portal: its page, and its DOCX when the page only says 「详见附件」."""

    agency: str
    year: int
    path: str
    encoding: str
    page: bytes
    media_type: str
    document_path: str | None = None
    docx: DocxTemplate | None = None

    def page_for(self, agency: str) -> bytes:
        return self.page.replace(self.agency.encode(self.encoding), agency.encode(self.encoding))


def load_templates() -> list[Template]:
    expected = json.loads((PORTAL / "expected.json").read_text(encoding="utf-8"))
    templates = []
    for report in expected["reports"]:
        page = (PORTAL / "site" / report["path"].lstrip("/")).read_bytes()
        charset = META_CHARSET.search(page[:4096])  # what the portal's Content-Type says, as it serves it
        template = Template(
            report["agency"],
            report["year"],
            report["path"],
            report["encoding"],
            page,
            f"text/html; charset={charset.group(1).decode('ascii') if charset else 'utf-8'}",
        )
        if report["format"] == "docx":
            template.document_path = report["document_path"]
            docx = (PORTAL / "site" / report["document_path"].lstrip("/")).read_bytes()
            template.docx = DocxTemplate(docx, report["agency"])
        templates.append(template)
    return templates


@dataclass
class Agency:
    """A synthetic agency: its own name, host and reports (templates, newest first as a column lists them)."""

    serial: int
    reports: list[Template] = field(default_factory=list)

    @property
    def name(self) -> str:
        return numbered(self.reports[0].agency, self.serial)

    @property
    def host(self) -> str:
        return f"http://www.bench{self.serial}.gov.cn"


def plan_agencies(templates: list[Template], documents: int, seed: int) -> list[Agency]:
    """Agencies holding exactly ``documents`` documents, in a crawl's order.

    A round is every agency of the sample portal with all its years (36 reports, 3 of them a DOCX), and
    enough one-year agencies of a DOCX report beside them to make ``ATTACHMENT_SHARE`` of the round's reports
    attachments."""
    by_agency: dict[str, list[Template]] = {}
    for template in templates:
        by_agency.setdefault(template.agency, []).append(template)
    with_docx = [t for t in templates if t.docx]
    extra = round((ATTACHMENT_SHARE * len(templates) - len(with_docx)) / (1 - ATTACHMENT_SHARE))
    per_round = len(templates) + len(with_docx) + 2 * extra
    plan: list[Agency] = []
    for _ in range(documents // per_round + 1):
        for reports in by_agency.values():
            plan.append(Agency(len(plan) + 1, sorted(reports, key=lambda t: -t.year)))
        for index in range(extra):
            plan.append(Agency(len(plan) + 1, [with_docx[index % len(with_docx)]]))
    random.Random(seed).shuffle(plan)  # many portals, crawled in no particular order
    chosen, count = [], 0
    for agency in plan:
        taken = []
        for template in agency.reports:
            # A DOCX report is 2 documents: where 1 is left, an HTML report takes it.
            cost = 2 if template.docx else 1
            if count + cost <= documents:
                taken.append(template)
                count += cost
        if taken:
            chosen.append(Agency(agency.serial, taken))
        if count == documents:
            break
    return chosen


def build_archive(path: Path, agencies: list[Agency]) -> None:
    """Store every agency's pages, each attachment after its page, as a crawl does: a transaction a batch."""
    partial = path.with_name(path.name + ".partial")  # renamed once whole: a build cut short is never reused
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    db = open_archive(partial)
    moment = START
    for batch in batches(agencies):
        with transaction(db):
            for agency in batch:
                name = agency.name
                for template in agency.reports:
                    moment += timedelta(seconds=30)
                    page_url = agency.host + template.path
                    fetch(db, page_url, template.page_for(name), template.media_type, "report_page", moment)
                    if template.docx and template.document_path:
                        moment += timedelta(seconds=30)
                        record_fetch(
                            db,
                            url=agency.host + template.document_path,
                            status=200,
                            media_type=DOCX,
                            body=template.docx.renamed(name),
                            kind="attachment",
                            referer=page_url,
                            fetched_at=moment.isoformat(timespec="seconds"),
                        )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone is the archive: copies of it are whole
    db.close()
    Path(f"{partial}-wal").unlink(missing_ok=True)
    partial.rename(path)


def batches(agencies: list[Agency]) -> Iterator[list[Agency]]:
    """Agencies in groups of about ``BATCH_DOCUMENTS`` documents."""
    batch, documents = [], 0
    for agency in agencies:
        batch.append(agency)
        documents += sum(2 if template.docx else 1 for template in agency.reports)
        if documents >= BATCH_DOCUMENTS:
            yield batch
            batch, documents = [], 0
    if batch:
        yield batch


def check_rewrites(templates: list[Template], serial: int = 12345) -> list[str]:
    """Each template read before and after its agency is renamed: the agency must be the new one, and the
    year, the tables and the metadata findings as before. Returns what differs (nothing: all is well)."""
    problems = []
    for template in templates:
        name = numbered(template.agency, serial)
        pairs = [("page", template.page, template.page_for(name), template.media_type)]
        if template.docx:
            original = template.docx.renamed(template.agency)
            pairs.append(("docx", original, template.docx.renamed(name), DOCX))
        for what, before_bytes, after_bytes, media_type in pairs:
            url = "http://www.bench0.gov.cn" + template.path
            before = parse_document(before_bytes, url=url, media_type=media_type)
            after = parse_document(after_bytes, url=url, media_type=media_type)
            where = f"{template.agency} {template.year} {what}"
            if after["agency"] != name:
                problems.append(f"{where}: agency read as {after['agency']!r}, not {name!r}")
            for key in ("year", "level", "applications", "reviews", "disclosure"):
                if bool(before[key]) != bool(after[key]) or (
                    key in ("year", "level") and before[key] != after[key]
                ):
                    problems.append(f"{where}: {key} {before[key]!r} became {after[key]!r}")
            checks = [
                sorted(f["check"] for f in r["findings"] if f["check"].startswith("metadata."))
                for r in (before, after)
            ]
            if len(checks[1]) > len(checks[0]):
                problems.append(f"{where}: metadata findings {checks[0]} became {checks[1]}")
    return problems


# ------------------------------------------------------------------------------------------ measuring
class TreeSampler(threading.Thread):
    """Peak RSS of a process and all below it (summed), and the process's own peak, every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.tree_peak_kb = 0
        self.main_peak_kb = 0
        self.main_cpu = 0.0  # seconds, as last seen: the command's own share (storing), workers apart
        self.most_processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            pids = [self.pid, *descendants(self.pid, process_table())]
            total = 0
            for pid in pids:
                total += status_kb("VmRSS", pid)
                if pid == self.pid:  # VmHWM: the main process's peak, also between samples
                    self.main_peak_kb = max(self.main_peak_kb, status_kb("VmHWM", pid))
                    self.main_cpu = max(self.main_cpu, _cpu_seconds(pid))
            self.tree_peak_kb = max(self.tree_peak_kb, total)
            self.most_processes = max(self.most_processes, len(pids))


def _cpu_seconds(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except OSError:  # gone between the listing and the read
        return 0.0


@dataclass
class Run:
    size: int
    kind: str
    ok: bool = False
    wall: float = 0.0
    cpu: float = 0.0
    main_cpu: float = 0.0
    tree_mb: float = 0.0
    main_mb: float = 0.0
    processes: int = 0
    summary: str = ""
    reports: int = 0
    from_attachments: int = 0
    cross_year: int = 0
    with_year_before: int = 0
    failures: int = 0
    agencies: int = 0
    file_bytes: int = 0
    documents_bytes: int = 0
    largest: list[tuple[str, int]] = field(default_factory=list)
    findings: list[tuple[str, int]] = field(default_factory=list)
    load: float = 0.0


def run_extract(built: Path, work: Path, size: int, kind: str, govreports: str) -> Run:
    """One ``govreports extract --all`` on a fresh copy of the built archive, measured."""
    workers, pinned = RUN_KINDS[kind]
    db = work / "run.db"
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(built, db)  # the archive as the crawler left it: checkpointed, no WAL
    command = [govreports, "extract", "--all", "--workers", str(workers), "--db", str(db)]
    if pinned:
        command = ["taskset", "-c", "0", *command]  # taskset execs the command: the same pid
    run = Run(size, kind, load=os.getloadavg()[0])
    cpu_before = _children_cpu()
    stderr = work / "run.stderr"
    with stderr.open("wb") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        sampler = TreeSampler(process.pid)
        sampler.start()
        process.wait()
        run.wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    run.cpu = _children_cpu() - cpu_before  # the workers' time too: the command waited for them
    run.tree_mb, run.main_mb = sampler.tree_peak_kb / 1024, sampler.main_peak_kb / 1024
    run.processes, run.main_cpu = sampler.most_processes, sampler.main_cpu
    lines = stderr.read_text(errors="replace").strip().splitlines()
    run.ok = process.returncode == 0
    summary = next((line for line in reversed(lines) if _SUMMARY.search(line)), "")
    run.summary = summary if run.ok else "\n".join(lines[-15:])
    if match := _FROM_ATTACHMENTS.search(summary):
        run.from_attachments = int(match.group(1))
    if match := _YEAR_BEFORE.search(summary):
        run.cross_year = int(match.group(1))
    # Before any connection opens it: closing one checkpoints the WAL away.
    run.file_bytes = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
    try:
        measure_archive(db, run)
    except sqlite3.Error as error:  # an archive the command left broken: the run says so, the bench goes on
        run.ok, run.summary = False, f"{run.summary}\nreading the archive: {error}"
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), stderr):
        leftover.unlink(missing_ok=True)
    return run


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_archive(db: Path, run: Run) -> None:
    with sqlite3.connect(db) as conn:
        run.reports = conn.execute("select count(*) from reports").fetchone()[0]
        run.agencies = conn.execute("select count(distinct agency) from reports").fetchone()[0]
        run.failures = conn.execute("select count(*) from extraction_failures").fetchone()[0]
        run.with_year_before = conn.execute(
            "select count(*) from reports r where exists "
            "(select 1 from reports p where p.agency = r.agency and p.year = r.year - 1)"
        ).fetchone()[0]
        run.findings = conn.execute(
            "select check_name, count(*) from findings group by check_name order by count(*) desc limit 5"
        ).fetchall()
        by_table = table_bytes(conn)
    conn.close()
    run.documents_bytes = by_table.get("documents", 0)
    run.largest = sorted(((t, b) for t, b in by_table.items() if t != "documents"), key=lambda tb: -tb[1])[:4]


def table_bytes(conn: sqlite3.Connection) -> dict[str, int]:
    """Bytes each table takes with its indexes (dbstat), or, without dbstat, the documents' own bytes and
    the rest of the file's used pages."""
    owner = dict(conn.execute("select name, tbl_name from sqlite_master where type in ('table', 'index')"))
    try:
        rows = conn.execute("select name, sum(pgsize) from dbstat group by name").fetchall()
    except sqlite3.OperationalError:  # SQLite built without SQLITE_ENABLE_DBSTAT_VTAB
        (page,) = conn.execute("pragma page_size").fetchone()
        used = page * (
            conn.execute("pragma page_count").fetchone()[0]
            - conn.execute("pragma freelist_count").fetchone()[0]
        )
        documents = conn.execute("select coalesce(sum(length(content)), 0) from documents").fetchone()[0]
        return {"documents": documents, "(rest)": used - documents}
    tables: dict[str, int] = {}
    for name, size in rows:
        table = owner.get(name, name)
        tables[table] = tables.get(table, 0) + size
    return tables


# ------------------------------------------------------------------------------------------ printing
def mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB"


def report_size(size: int, stored: dict, runs: list[Run]) -> None:
    expected = stored["pages"]
    print(
        f"\n{size:,} documents: {stored['pages']:,} report pages + {stored['attachments']:,} DOCX attachments "
        f"({stored['attachments'] / max(expected, 1):.0%} of the reports), archive {mb(stored['bytes'])} before extraction"
    )
    for run in runs:
        if not run.ok:
            print(f"  run {run.kind}: FAILED\n    " + run.summary.replace("\n", "\n    "))
            continue
        verdict = (
            "OK" if run.reports == expected and run.from_attachments == stored["attachments"] else "MISMATCH"
        )
        print(
            f"  run {run.kind}: {run.summary}\n"
            f"    {verdict}: {run.reports:,} reports of {expected:,} expected, {run.from_attachments:,} from attachments "
            f"of {stored['attachments']:,}, {run.agencies:,} agencies, {run.with_year_before:,} with the year before "
            f"archived, {run.failures} extraction failures; "
            f"CPU {run.cpu:.0f} s ({run.cpu / run.wall:.2f} cores, {run.main_cpu:.0f} s of it the command's own), at most {run.processes} processes, load {run.load:.1f}"
        )
    good = next((run for run in runs if run.ok), None)
    if good:
        rest = ", ".join(f"{table} {b / max(good.reports, 1):,.0f}" for table, b in good.largest)
        print(
            f"  most frequent findings: {', '.join(f'{name} {count:,}' for name, count in good.findings) or 'none'}"
        )
        print(f"  bytes per report beside the documents, largest tables: {rest}")


def print_table(runs: list[Run], documents_of: dict[int, int]) -> None:
    print(
        "\n| documents | run | wall s | docs/s | reports/s | CPU s | peak RSS tree / main MB "
        "| bytes/report: archive = raw documents + rest |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    for run in runs:
        if not run.ok:
            print(f"| {run.size:,} | {run.kind} | FAILED | | | | | |")
            continue
        per = max(run.reports, 1)
        print(
            f"| {documents_of[run.size]:,} | {run.kind} | {run.wall:,.1f} | {documents_of[run.size] / run.wall:,.1f} "
            f"| {run.reports / run.wall:,.1f} | {run.cpu:,.0f} | {run.tree_mb:,.0f} / {run.main_mb:,.0f} "
            f"| {run.file_bytes / per:,.0f} = {run.documents_bytes / per:,.0f} + "
            f"{(run.file_bytes - run.documents_bytes) / per:,.0f} |"
        )


def print_verdicts(runs: list[Run]) -> None:
    done = {(run.size, run.kind): run for run in runs if run.ok}
    sizes = sorted({run.size for run in runs})
    print()
    for size in sizes:
        for base in ("1", "1core"):
            if (size, "2") in done and (size, base) in done:
                speedup = done[(size, base)].wall / done[(size, "2")].wall
                verdict = "PASS" if speedup >= TARGET_SPEEDUP else "FAIL"
                print(
                    f"{size:,} documents: speed-up 2 / {base} = {speedup:.2f}×  {verdict} (≥ {TARGET_SPEEDUP}×)"
                )
    if len(sizes) > 1:
        for kind in RUN_KINDS:
            if (sizes[0], kind) in done and (sizes[-1], kind) in done:
                small, large = done[(sizes[0], kind)].tree_mb, done[(sizes[-1], kind)].tree_mb
                growth = large / max(small, 1e-9)
                verdict = "PASS" if growth <= MAX_RSS_GROWTH else "FAIL"
                print(
                    f"run {kind}: peak RSS {small:,.0f} MB at {sizes[0]:,} documents, {large:,.0f} MB at "
                    f"{sizes[-1]:,}: {growth:.2f}×  {verdict} (≤ {MAX_RSS_GROWTH}×)"
                )


# ------------------------------------------------------------------------------------------ main
def archive_for(work: Path, templates: list[Template], documents: int, seed: int) -> tuple[Path, dict]:
    """The built archive of ``documents`` documents: reused when one was built for the same size and seed."""
    path = work / f"extract-all-{documents}-seed{seed}.db"
    if path.exists():
        print(f"reusing {path}")
    else:
        agencies = plan_agencies(templates, documents, seed)
        started = time.perf_counter()
        build_archive(path, agencies)
        seconds = time.perf_counter() - started
        print(f"built {path} in {seconds:.0f} s ({seconds / documents * 1000:.2f} s per 1,000 documents)")
    with sqlite3.connect(path) as conn:
        counts = dict(conn.execute("select kind, count(*) from fetches group by kind").fetchall())
    conn.close()
    stored = {
        "pages": counts.get("report_page", 0),
        "attachments": counts.get("attachment", 0),
        "bytes": path.stat().st_size,
    }
    return path, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000, help="report pages + attachments")
    parser.add_argument("--sizes", help="comma list of sizes to run too (e.g. 10000,100000): RSS growth")
    parser.add_argument("--runs", default="1,1core,2", help="comma list of 1, 1core, 2")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workdir", type=Path, help="keep the archives here and reuse them (default: temporary)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--govreports", default=str(REPO / ".venv" / "bin" / "govreports"), help="the command to run"
    )
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.runs.split(",") if kind.strip()]
    if unknown := [kind for kind in kinds if kind not in RUN_KINDS]:
        parser.error(f"unknown runs {unknown}: choose among {', '.join(RUN_KINDS)}")
    sizes = sorted({args.documents, *(int(s) for s in (args.sizes or "").split(",") if s.strip())})
    work = args.workdir or Path(tempfile.mkdtemp(prefix="govreports-bench-extract-"))
    work.mkdir(parents=True, exist_ok=True)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} cores (others' work slows every figure)")
    print(f"sizes {', '.join(f'{s:,}' for s in sizes)} documents; runs {', '.join(kinds)}; {args.govreports}")
    try:
        templates = load_templates()
        if not all((work / f"extract-all-{size}-seed{args.seed}.db").exists() for size in sizes):
            problems = check_rewrites(templates)
            checked = f"{len(templates)} pages and {sum(1 for t in templates if t.docx)} DOCX"
            if problems:
                print(f"renaming check, {checked}: {len(problems)} PROBLEMS")
            else:
                print(
                    f"renaming check, {checked}: agency renamed in each; year, level, tables, findings as before"
                )
            for problem in problems:
                print(f"  {problem}")
        runs: list[Run] = []
        documents_of: dict[int, int] = {}
        for size in sizes:
            built, stored = archive_for(work, templates, size, args.seed)
            documents_of[size] = stored["pages"] + stored["attachments"]
            size_runs = []
            for kind in kinds:
                run = run_extract(built, work, size, kind, args.govreports)
                print(
                    f"  {size:,} run {kind}: {run.wall:.1f} s, peak RSS {run.tree_mb:,.0f} MB"
                    + ("" if run.ok else " FAILED")
                )
                size_runs.append(run)
            report_size(documents_of[size], stored, size_runs)
            runs.extend(size_runs)
        print_table(runs, documents_of)
        print_verdicts(runs)
    finally:
        if not args.workdir and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif not args.workdir:
            print(f"kept {work}")


if __name__ == "__main__":
    main()

"""`govreports export --warc` on a large synthetic archive: throughput, where the time goes, peak memory.

    .venv/bin/python bench/export.py [--documents N] [--attachment-kb K] [--workdir DIR] [--keep]

A measurement, not a test: it always exits 0. It prints documents/s and MB/s of the whole export, the
split between writing the WARC and the wacz package's packing (CDXJ indexing, copying into the zip,
hashing for datapackage.json), and the export process's peak RSS for the whole archive and for a quarter
of it (``--since``): memory must not grow with the archive. Target: peak RSS < 200 MB whatever the size.

The archive is stored through the archive layer (``record_fetch``): report pages are the sample portal's
HTML pages, each made unique by a comment; attachments are a PDF header and random bytes (a PDF's streams
are deflated already: gzip gains nothing on them); one page in ten is fetched again with the same
bytes (a revisit). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from govreports.archive import open_archive, record_fetch, transaction  # noqa: E402

PAGES = sorted((REPO / "sample_portal" / "site" / "zfxxgk").rglob("t*.html"))
START = datetime(2025, 1, 1, tzinfo=UTC)
TARGET_PEAK_RSS_MB = 200
_WROTE = re.compile(r"WARC ([\d.]+) s, packing ([\d.]+) s")


def build_archive(path: Path, documents: int, attachment_kb: int, seed: int = 1) -> None:
    """``documents`` distinct documents: 70 % report pages (one report each), 30 % attachments; and a
    second fetch of one page in ten."""
    rng = random.Random(seed)
    bodies = [page.read_bytes() for page in PAGES]
    db = open_archive(path)
    moment = START
    with transaction(db):
        for number in range(documents):
            moment += timedelta(seconds=60)
            host = f"http://www.bench{number % 500}.gov.cn"
            page_url = f"{host}/zfxxgk/nb/t{number}.html"
            if number % 10 < 7:
                body = bodies[number % len(bodies)].replace(b"</html>", f"<!-- {number} --></html>".encode())
                fetch(db, page_url, body, "text/html; charset=utf-8", "report_page", moment)
                title = f"示例{number}局2024年政府信息公开工作年度报告"
                db["reports"].insert({"id": f"bench-{number}", "url": page_url, "title": title, "year": 2024})
                if number % 10 == 0:  # fetched again a day later: the same bytes
                    fetch(
                        db, page_url, body, "text/html; charset=utf-8", "report_page", moment + timedelta(1)
                    )
            else:
                size = int(min(rng.lognormvariate(0, 0.8), 10) * attachment_kb * 1024)
                body = b"%PDF-1.7\n" + rng.randbytes(size)  # a PDF's streams are deflated: as random
                fetch(db, f"{host}/zfxxgk/nb/P0{number}.pdf", body, "application/pdf", "attachment", moment)
    db.close()


def fetch(db, url: str, body: bytes, media_type: str, kind: str, moment: datetime) -> None:
    record_fetch(
        db,
        url=url,
        status=200,
        media_type=media_type,
        body=body,
        kind=kind,
        fetched_at=moment.isoformat(timespec="seconds"),
        etag=f'"{len(body):x}"',
        last_modified="Wed, 01 Jan 2025 00:00:00 GMT",
    )


# Runs a command and reports its peak RSS (ru_maxrss of its only child) on stderr's last line.
_MEASURED = (
    "import resource, subprocess, sys; status = subprocess.run(sys.argv[1:]).returncode; "
    "print(f'peak_kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); "
    "sys.exit(status)"
)


def run_export(db: Path, out: Path, *options: str) -> dict:
    """``govreports export`` as a process of its own: wall time, its WARC/packing split, its peak RSS."""
    command = [str(REPO / ".venv" / "bin" / "govreports"), "export", "--warc", str(out), "--db", str(db)]
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, *command, *options], capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    lines = result.stderr.strip().splitlines()
    split = _WROTE.search(result.stderr)
    return {
        "ok": result.returncode == 0,
        "line": lines[-2] if len(lines) > 1 else result.stderr,
        "wall": wall,
        "warc": float(split.group(1)) if split else 0.0,
        "pack": float(split.group(2)) if split else 0.0,
        "peak_mb": int(lines[-1].removeprefix("peak_kb=")) / 1024,
        "wacz_mb": out.stat().st_size / 1e6 if out.exists() else 0.0,
    }


def pack_phases(db: Path, work: Path) -> dict:
    """Where the packing time goes, in this process: the WARC written again, then wacz's create with
    its indexer (CDXJ) and its datapackage hashing timed apart; copying is the rest."""
    import wacz.waczindexer as waczindexer

    from govreports.export import ExportStats, Selection, open_readonly, pack_wacz, write_pages, write_warc

    spent = {"process_all": 0.0, "generate_datapackage": 0.0}
    for name in spent:
        original = getattr(waczindexer.WACZIndexer, name)

        def timed(*args, _original=original, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] += time.perf_counter() - started

        setattr(waczindexer.WACZIndexer, name, timed)
    conn = open_readonly(db)
    warc, pages = work / "govreports.warc.gz", work / "pages.jsonl"
    started = time.perf_counter()
    with warc.open("wb") as handle:
        write_warc(conn, Selection(), handle, ExportStats())
    warc_seconds = time.perf_counter() - started
    with pages.open("w", encoding="utf-8") as handle:
        write_pages(conn, Selection(), handle)
    conn.close()
    started = time.perf_counter()
    pack_wacz(warc, pages, work / "phases.wacz", title="bench")
    pack = time.perf_counter() - started
    return {
        "warc": warc_seconds,
        "index": spent["process_all"],
        "hash": spent["generate_datapackage"],
        "copy": pack - spent["process_all"] - spent["generate_datapackage"],
        "warc_mb": warc.stat().st_size / 1e6,
    }


def report(stored: dict, whole: dict, quarter: dict, phases: dict) -> None:
    mb = stored["bytes"] / 1e6
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (others' work slows every figure)"
    )
    print(
        f"archive: {stored['documents']:,} documents ({mb:,.0f} MB), {stored['fetches']:,} fetches, "
        f"{stored['reports']:,} reports"
    )
    if not whole["ok"]:
        print(f"export FAILED: {whole['line']}")
        return
    print(f"govreports export: {whole['line']}")
    print(
        f"  whole archive: {whole['wall']:.1f} s wall, {stored['documents'] / whole['wall']:,.0f} documents/s, "
        f"{mb / whole['wall']:.1f} MB/s; WACZ {whole['wacz_mb']:,.0f} MB"
    )
    print(
        f"  split: WARC {whole['warc']:.1f} s ({mb / max(whole['warc'], 1e-9):.1f} MB/s), "
        f"packing {whole['pack']:.1f} s ({mb / max(whole['pack'], 1e-9):.1f} MB/s)"
    )
    print(
        f"  packing in detail: CDXJ indexing {phases['index']:.1f} s, copying into the zip {phases['copy']:.1f} s, "
        f"hashing for datapackage.json {phases['hash']:.1f} s (WARC {phases['warc_mb']:,.0f} MB)"
    )
    print(
        f"  peak RSS: whole archive {whole['peak_mb']:.0f} MB; last quarter (--since, "
        f"{quarter['wacz_mb']:,.0f} MB of WACZ) {quarter['peak_mb']:.0f} MB"
    )
    verdict = "PASS" if max(whole["peak_mb"], quarter["peak_mb"]) < TARGET_PEAK_RSS_MB else "FAIL"
    print(f"  {verdict}: peak RSS < {TARGET_PEAK_RSS_MB} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--attachment-kb", type=int, default=150, help="median attachment size")
    parser.add_argument(
        "--workdir", type=Path, help="reuse the archive built here (default: a temporary one)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="govreports-bench-export-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"archive-{args.documents}-{args.attachment_kb}.db"
    try:
        started = time.perf_counter()
        if db.exists():
            print(f"reusing {db}")
        else:
            build_archive(db, args.documents, args.attachment_kb)
            print(f"built {db} in {time.perf_counter() - started:.0f} s")
        stored = archive_counts(db)
        whole = run_export(db, work / "whole.wacz")
        since = datetime.fromisoformat(stored["since"]).strftime("%Y-%m-%dT%H:%M:%S")
        quarter = run_export(db, work / "quarter.wacz", "--since", since)
        phases = pack_phases(db, work)
        report(stored, whole, quarter, phases)
    finally:
        for leftover in ("whole.wacz", "quarter.wacz", "govreports.warc.gz", "pages.jsonl", "phases.wacz"):
            (work / leftover).unlink(missing_ok=True)
        if not args.workdir and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def archive_counts(db: Path) -> dict:
    """What the archive holds, and where its last quarter of fetches starts."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        documents, size = conn.execute("select count(*), sum(size) from documents").fetchone()
        fetches = conn.execute("select count(*) from fetches").fetchone()[0]
        reports = conn.execute("select count(*) from reports").fetchone()[0]
        (since,) = conn.execute(
            "select fetched_at from fetches order by fetched_at limit 1 offset ?", [fetches * 3 // 4]
        ).fetchone()
    return {"documents": documents, "bytes": size, "fetches": fetches, "reports": reports, "since": since}


if __name__ == "__main__":
    main()

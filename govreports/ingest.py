"""From archived raw documents to archived reports: choose each report's document and extract it.

A report page either carries the report in its body or only links it as attachments (「详见附件」);
then the attachment whose tables read is the report, and the page lends it the metadata it lacks.

Parsing is CPU-bound and pure, so it runs in worker processes (one per core); each worker reads the raw
bytes it needs from the archive itself, and only the main process writes. Checks that need more than
one report (the same agency's previous year) run once every report of the batch is parsed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import Lock

import sqlite_utils

from extract import UnreadableDocument, parse_document
from extract.findings import finding
from extract.readers.ocr import share_ocr_gate
from extract.regions import region_of, region_parts
from extract.validate import check_cross_year
from govreports.archive import (
    document_bytes,
    latest_fetches,
    report_json,
    stale_pages,
    store_report,
)

_PAGE_FALLBACKS = ("title", "agency", "region", "level", "year", "published")

Progress = Callable[[int, int], None]


@dataclass
class ExtractionStats:
    reports: int = 0
    from_attachments: int = 0
    unreadable: int = 0
    cross_year_checked: int = 0


@dataclass
class ExtractionJob:
    """One report page and the attachments it links: all a worker needs, by archive reference."""

    db_path: str
    page: dict
    attachments: list[dict]

    @property
    def newest_fetch_id(self) -> int:
        return max(fetch["id"] for fetch in [self.page, *self.attachments])


@dataclass
class Extracted:
    job: ExtractionJob
    report: dict | None  # None: the page itself was unreadable
    document_url: str
    from_attachment: bool = False


def has_tables(report: dict) -> bool:
    return bool(report["applications"] or report["reviews"] or report["disclosure"])


def parse_fetch(db: sqlite_utils.Database, fetch: dict) -> dict | None:
    try:
        return parse_document(
            document_bytes(db, fetch["sha256"]), url=fetch["url"], media_type=fetch["media_type"]
        )
    except UnreadableDocument:
        return None


def extract_job(job: ExtractionJob) -> Extracted:
    """Parse one report page, falling back to the first attachment whose tables read."""
    db = _worker_archive(job.db_path)
    page = job.page
    report = parse_fetch(db, page)
    if report is None:
        return Extracted(job, None, page["url"])
    if has_tables(report):
        return Extracted(job, report, page["url"])
    for attachment in job.attachments:
        attached = parse_fetch(db, attachment)
        if attached is None:
            report["findings"].append(
                finding("document.unreadable", "attachment", f"附件无法读取：{attachment['url']}")
            )
            continue
        if has_tables(attached):
            return Extracted(job, _lend_page_metadata(attached, report), attachment["url"], True)
    return Extracted(job, report, page["url"])


def _lend_page_metadata(attached: dict, page_report: dict) -> dict:
    for key in _PAGE_FALLBACKS:
        attached[key] = attached[key] or page_report[key]
    # What the page supplied is no longer missing.
    attached["findings"] = [
        f for f in attached["findings"] if not (f["check"].startswith("metadata.") and attached[f["where"]])
    ]
    return attached


_archives: dict[str, sqlite_utils.Database] = {}


def _worker_archive(path: str) -> sqlite_utils.Database:
    # One connection per process and archive, opened on first use.
    if path not in _archives:
        _archives[path] = sqlite_utils.Database(path)
    return _archives[path]


def extraction_jobs(
    db: sqlite_utils.Database, db_path: str, only_new: bool = False, pages: set[str] | None = None
) -> list[ExtractionJob]:
    """A job per report page (or per page of ``pages``); with ``only_new``, only pages whose page or
    attachments were fetched anew since their copy was extracted (fetch ids only grow, so the newest id
    read tells)."""
    jobs = [
        ExtractionJob(db_path, page, list(latest_fetches(db, "attachment", referer=page["url"])))
        for page in latest_fetches(db, "report_page")
        if pages is None or page["url"] in pages
    ]
    if only_new:
        extracted = {
            row["page_url"]: row["newest_fetch_id"] or 0
            for row in db.query("select page_url, newest_fetch_id from report_copies")
        }
        jobs = [job for job in jobs if job.newest_fetch_id > extracted.get(job.page["url"], -1)]
    return jobs


def parse_all(
    jobs: list[ExtractionJob], workers: int, progress: Progress | None = None
) -> Iterator[Extracted]:
    """Parse the jobs, in worker processes when more than one worker is asked for, in order."""
    if workers <= 1 or len(jobs) <= 1:
        results: Iterator[Extracted] = map(extract_job, jobs)
        pool = None
    else:
        # One OCR'd page at a time across the workers: two OCR peaks at once would pass the memory budget.
        pool = ProcessPoolExecutor(max_workers=workers, initializer=share_ocr_gate, initargs=(Lock(),))
        results = pool.map(extract_job, jobs, chunksize=max(1, min(16, len(jobs) // (workers * 8))))
    try:
        for done, result in enumerate(results, start=1):
            if progress:
                progress(done, len(jobs))
            yield result
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def extract_archive(
    db: sqlite_utils.Database,
    *,
    only_new: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ExtractionStats:
    """(Re-)extract report pages from their stored bytes: all of them, or those fetched since extraction.

    Copies of one report (the same agency and year on several pages or sites) are stored first seen first,
    so the canonical copy is written before the others attach to it. A report whose canonical copy moved
    to another report (its agency or year now read differently) is then extracted from its next copy.
    """
    stats = ExtractionStats()
    db_path = db.execute("pragma database_list").fetchone()[2]
    workers = workers or os.cpu_count() or 1
    _extract_jobs(db, extraction_jobs(db, db_path, only_new), workers, progress, stats)
    for _ in range(3):  # each pass settles the reports the one before left; a chain is never longer
        jobs = extraction_jobs(db, db_path, pages=set(stale_pages(db)))
        if not jobs:
            break
        _extract_jobs(db, jobs, workers, None, stats)
    return stats


def _extract_jobs(
    db: sqlite_utils.Database,
    jobs: list[ExtractionJob],
    workers: int,
    progress: Progress | None,
    stats: ExtractionStats,
) -> None:
    parsed: list[Extracted] = []
    source_regions = {row["id"]: row["region"] for row in db["sources"].rows if row["region"]}
    for result in parse_all(jobs, workers, progress):
        if result.report is None:
            stats.unreadable += 1
            continue
        page = result.job.page
        _lend_link_metadata(result.report, page)
        if not result.report["region"] and page["source_id"] in source_regions:
            _region_from_source(result.report, source_regions[page["source_id"]])
        parsed.append(result)
    stats.cross_year_checked += add_cross_year_findings(db, [result.report for result in parsed])
    first_seen = dict(
        db.execute(
            "select url, min(id) from fetches where kind = 'report_page' and status = 200 group by url"
        )
    )
    parsed.sort(key=lambda result: first_seen.get(result.job.page["url"], result.job.page["id"]))
    for result in parsed:
        store_report(
            db,
            result.report,
            url=result.job.page["url"],
            document_url=result.document_url,
            source_id=result.job.page["source_id"],
            newest_fetch_id=result.job.newest_fetch_id,
        )
        stats.reports += 1
        stats.from_attachments += result.from_attachment


def _lend_link_metadata(report: dict, page: dict) -> None:
    """What the column's link said of the report, where the document itself is silent."""
    report["title"] = report["title"] or page["link_title"]
    if report["year"] is None and page.get("report_year"):
        report["year"] = page["report_year"]
        report["findings"] = [f for f in report["findings"] if f["check"] != "metadata.year"]


def _region_from_source(report: dict, source_region: str) -> None:
    """A report that names no place (「果园街道办事处」) lies where its source's registry entry says."""
    region = region_of(source_region)
    if region:
        report["region"], report["region_parts"] = region.name, region_parts(region)


def add_cross_year_findings(db: sqlite_utils.Database, reports: list[dict]) -> int:
    """Compare each report with the same agency's report for the year before, from this batch or the archive."""
    batch = {(r["agency"], r["year"]): r for r in reports if r["agency"] and r["year"]}
    checked = 0
    for report in reports:
        if not report["agency"] or not report["year"]:
            continue
        key = (report["agency"], report["year"] - 1)
        previous = batch.get(key) or _archived_report(db, *key)
        if previous:
            report["findings"].extend(check_cross_year(report, previous))
            checked += 1
    return checked


def _archived_report(db: sqlite_utils.Database, agency: str, year: int) -> dict | None:
    row = db.execute(
        "select id from reports where agency = ? and year = ? order by id limit 1", [agency, year]
    ).fetchone()
    return report_json(db, row[0]) if row else None

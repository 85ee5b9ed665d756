"""From archived raw documents to archived reports: choose each report's document and extract it.

A report page either carries the report in its body or only links it as attachments (「详见附件」);
then the attachment whose tables read is the report, and the page lends it the metadata it lacks.

Parsing is CPU-bound and pure, so it runs in worker processes (one per core); each worker reads the raw
bytes it needs from the archive itself, and only the main process writes. Checks that need more than
one report (the same agency's previous year) run once every report of the batch is parsed.

Each document is read under the time and memory limits of govreports/limits.py. A document past them, or
one the extractor raises on, is an ``extraction_failures`` row; its job is run again without it (an
attachment that hangs leaves the page, and the other attachments, to be read), and the batch goes on.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlite_utils

from extract import UnreadableDocument, parse_document
from extract.findings import finding
from extract.readers.ocr import share_ocr_gate
from extract.regions import region_of, region_parts
from extract.validate import check_cross_year
from govreports.archive import (
    clear_extraction_failures,
    document_bytes,
    latest_fetches,
    record_extraction_failure,
    report_json,
    stale_pages,
    store_report,
    transaction,
)
from govreports.limits import FileGate, LimitedPool, Limits, Outcome, announce

_PAGE_FALLBACKS = ("title", "agency", "region", "level", "year", "published")

Progress = Callable[[int, int], None]


@dataclass
class ExtractionStats:
    reports: int = 0
    from_attachments: int = 0
    unreadable: int = 0
    cross_year_checked: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # documents by failure kind (extraction_failures)


@dataclass
class ExtractionJob:
    """One report page and the attachments it links: all a worker needs, by archive reference."""

    db_path: str
    page: dict
    attachments: list[dict]
    # Documents (by URL) that failed in a worker that then died or was killed: (kind, message); the job
    # runs again without reading them.
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def newest_fetch_id(self) -> int:
        return max(fetch["id"] for fetch in [self.page, *self.attachments])


@dataclass
class Extracted:
    job: ExtractionJob
    report: dict | None  # None: the page itself was unreadable
    document_url: str
    from_attachment: bool = False
    failures: list[dict] = field(default_factory=list)  # rows for extraction_failures
    read: list[str] = field(default_factory=list)  # sha256 of the documents that extracted


def has_tables(report: dict) -> bool:
    return bool(report["applications"] or report["reviews"] or report["disclosure"])


def parse_fetch(db: sqlite_utils.Database, fetch: dict, job: ExtractionJob, result: Extracted) -> dict | None:
    """The report of one fetched document, or None with its failure added to ``result``."""
    announce(fetch["url"])  # the supervisor's deadline starts afresh, and a failure names this document
    if fetch["url"] in job.failed:
        kind, message = job.failed[fetch["url"]]
    else:
        try:
            report = parse_document(
                document_bytes(db, fetch["sha256"]), url=fetch["url"], media_type=fetch["media_type"]
            )
            result.read.append(fetch["sha256"])
            return report
        except UnreadableDocument as error:
            kind, message = "unreadable", str(error)
        except MemoryError:
            raise  # the worker's heap is suspect: its supervisor replaces it and runs the job without this
        except Exception as error:  # the extractor's bug, met on this document: recorded, the batch goes on
            kind, message = "error", f"{type(error).__name__}: {error}"
    result.failures.append(failure_row(fetch, job.page["url"], kind, message))
    return None


def failure_row(fetch: dict, page_url: str, kind: str, message: str) -> dict:
    return {
        "sha256": fetch["sha256"],
        "url": fetch["url"],
        "page_url": page_url,
        "media_type": fetch["media_type"],
        "kind": kind,
        "message": message[:1000],
    }


def extract_job(job: ExtractionJob) -> Extracted:
    """Parse one report page, falling back to the first attachment whose tables read."""
    db = _worker_archive(job.db_path)
    page = job.page
    result = Extracted(job, None, page["url"])
    report = parse_fetch(db, page, job, result)
    if report is None or has_tables(report):
        result.report = report
        return result
    for attachment in job.attachments:
        attached = parse_fetch(db, attachment, job, result)
        if attached is None:
            why = result.failures[-1]["message"]
            report["findings"].append(
                finding("document.unreadable", "attachment", f"附件无法读取：{attachment['url']}（{why}）")
            )
            continue
        if has_tables(attached):
            result.report, result.document_url = _lend_page_metadata(attached, report), attachment["url"]
            result.from_attachment = True
            return result
    result.report = report
    return result


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
    jobs: list[ExtractionJob], workers: int, progress: Progress | None = None, limits: Limits | None = None
) -> Iterator[Extracted]:
    """Parse the jobs in worker processes under ``limits``; a job whose worker died or was killed on a
    document runs again without that document, after the others."""
    if not jobs:
        return
    # One OCR'd page at a time across the workers: two OCR peaks at once would pass the memory budget.
    gate = FileGate.create() if workers > 1 else FileGate(None)
    pool = LimitedPool(
        min(workers, len(jobs)),
        limits or Limits.from_environment(),
        initializer=_start_worker,
        initargs=(gate.path,),
    )
    done = 0
    try:
        todo = jobs
        while todo:
            again = []
            for job, outcome in zip(todo, pool.map(extract_job, todo), strict=True):
                result = _settle(job, outcome)
                if result is None:
                    again.append(job)
                    continue
                done += 1
                if progress:
                    progress(done, len(jobs))
                yield result
            todo = again
    finally:
        pool.close()
        gate.remove()


def _start_worker(gate_path: str | None) -> None:
    _archives.clear()  # the parent's connections are not this process's
    share_ocr_gate(FileGate(gate_path))  # each OCR'd page also renews the document's deadline


def _settle(job: ExtractionJob, outcome: Outcome) -> Extracted | None:
    """The job's result; None when it is to run again without the document its worker failed on."""
    if outcome.failure is None:
        return outcome.value
    failure = outcome.failure
    if failure.item and failure.item not in job.failed:
        job.failed[failure.item] = (failure.kind, failure.message)
        return None
    # Failed before naming a document, or again on one already left out: the page goes unread.
    return Extracted(
        job,
        None,
        job.page["url"],
        failures=[failure_row(job.page, job.page["url"], failure.kind, failure.message)],
    )


def extract_archive(
    db: sqlite_utils.Database,
    *,
    only_new: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> ExtractionStats:
    """(Re-)extract report pages from their stored bytes: all of them, or those fetched since extraction.

    Copies of one report (the same agency and year on several pages or sites) are stored first seen first,
    so the canonical copy is written before the others attach to it. A report whose canonical copy moved
    to another report (its agency or year now read differently) is then extracted from its next copy.
    """
    stats = ExtractionStats()
    db_path = db.execute("pragma database_list").fetchone()[2]
    workers = workers or os.cpu_count() or 1
    limits = limits or Limits.from_environment()
    _extract_jobs(db, extraction_jobs(db, db_path, only_new), workers, progress, stats, limits)
    for _ in range(3):  # each pass settles the reports the one before left; a chain is never longer
        jobs = extraction_jobs(db, db_path, pages=set(stale_pages(db)))
        if not jobs:
            break
        _extract_jobs(db, jobs, workers, None, stats, limits)
    return stats


def _extract_jobs(
    db: sqlite_utils.Database,
    jobs: list[ExtractionJob],
    workers: int,
    progress: Progress | None,
    stats: ExtractionStats,
    limits: Limits,
) -> None:
    parsed: list[Extracted] = []
    source_regions = {row["id"]: row["region"] for row in db["sources"].rows if row["region"]}
    for result in parse_all(jobs, workers, progress, limits):
        _record_failures(db, result, stats)
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
        try:
            store_report(
                db,
                result.report,
                url=result.job.page["url"],
                document_url=result.document_url,
                source_id=result.job.page["source_id"],
                newest_fetch_id=result.job.newest_fetch_id,
            )
        except (OverflowError, ValueError, TypeError, sqlite3.IntegrityError) as error:
            # A value the archive cannot hold: store_report wrote nothing (one transaction); the rest goes on.
            fetch = _fetch_of(result)
            message = f"{type(error).__name__}: {error}"
            _record_failures(
                db,
                Extracted(
                    result.job,
                    None,
                    result.document_url,
                    failures=[failure_row(fetch, result.job.page["url"], "store", message)],
                ),
                stats,
            )
            continue
        stats.reports += 1
        stats.from_attachments += result.from_attachment


def _fetch_of(result: Extracted) -> dict:
    """The fetch the result's report was read from: the page, or the attachment it fell back to."""
    return next(
        (
            fetch
            for fetch in [result.job.page, *result.job.attachments]
            if fetch["url"] == result.document_url
        ),
        result.job.page,
    )


def _record_failures(db: sqlite_utils.Database, result: Extracted, stats: ExtractionStats) -> None:
    """extraction_failures: a row more for each failed document, none left for each that extracted."""
    with transaction(db):
        clear_extraction_failures(db, result.read)
        for failure in result.failures:
            record_extraction_failure(db, failure)
            stats.failed[failure["kind"]] = stats.failed.get(failure["kind"], 0) + 1


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

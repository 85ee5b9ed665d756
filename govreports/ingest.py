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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import tee

import sqlite_utils

from extract import UnreadableDocument, parse_document
from extract.findings import finding
from extract.readers.ocr import share_ocr_gate
from extract.regions import region_of, region_parts
from extract.validate import check_cross_year
from govreports.archive import (
    batched_commits,
    clear_extraction_failures,
    document_bytes,
    latest_fetches,
    queue_report_pages,
    queued_report_pages,
    record_extraction_failure,
    report_json,
    rewrite_report,
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
    cross_year_checked: int = 0  # comparisons of a report with its agency's report for the year before
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


def extraction_jobs(db: sqlite_utils.Database, db_path: str) -> Iterator[ExtractionJob]:
    """A job per page queued by ``queue_report_pages``, first seen first, read as they are needed."""
    for page in queued_report_pages(db):
        yield ExtractionJob(db_path, page, list(latest_fetches(db, "attachment", referer=page["url"])))


def parse_all(
    jobs: Iterable[ExtractionJob],
    workers: int,
    progress: Progress | None = None,
    limits: Limits | None = None,
    total: int = 0,
) -> Iterator[Extracted]:
    """Parse the jobs in worker processes under ``limits``, in order, as the caller takes the results
    (jobs are read only a few ahead: nothing piles up); a job whose worker died or was killed on a
    document runs again without that document, after the others."""
    # One OCR'd page at a time across the workers: two OCR peaks at once would pass the memory budget.
    gate = FileGate.create() if workers > 1 else FileGate(None)
    pool = LimitedPool(
        workers, limits or Limits.from_environment(), initializer=_start_worker, initargs=(gate.path,)
    )
    done = 0
    try:
        todo: Iterable[ExtractionJob] = jobs
        while True:
            again = []
            given, taken = tee(todo)
            for job, outcome in zip(given, pool.map(extract_job, taken), strict=True):
                result = _settle(job, outcome)
                if result is None:
                    again.append(job)
                    continue
                done += 1
                if progress:
                    progress(done, max(total, done))
                yield result
            if not again:
                return
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

    Pages are parsed and stored one by one as they come back from the workers, first seen first, so the
    canonical copy of a report (the same agency and year on several pages or sites) is written before
    the others attach to it, and memory does not grow with the archive. A report whose canonical copy
    moved to another report (its agency or year now read differently) is then extracted from its next
    copy.
    """
    stats = ExtractionStats()
    db_path = db.execute("pragma database_list").fetchone()[2]
    workers = workers or os.cpu_count() or 1
    limits = limits or Limits.from_environment()
    total = queue_report_pages(db, only_new=only_new)
    _extract_jobs(db, extraction_jobs(db, db_path), workers, progress, stats, limits, total)
    for _ in range(3):  # each pass settles the reports the one before left; a chain is never longer
        stale = stale_pages(db)
        if not stale or not queue_report_pages(db, pages=stale):
            break
        _extract_jobs(db, extraction_jobs(db, db_path), workers, None, stats, limits)
    db.execute("drop table if exists temp.extraction_queue")
    return stats


def _extract_jobs(
    db: sqlite_utils.Database,
    jobs: Iterable[ExtractionJob],
    workers: int,
    progress: Progress | None,
    stats: ExtractionStats,
    limits: Limits,
    total: int = 0,
) -> None:
    source_regions = {row["id"]: row["region"] for row in db["sources"].rows if row["region"]}
    with batched_commits(db) as wrote:
        for result in parse_all(jobs, workers, progress, limits, total):
            wrote()
            _store_result(db, result, stats, source_regions)


def _store_result(
    db: sqlite_utils.Database, result: Extracted, stats: ExtractionStats, source_regions: dict[int, str]
) -> None:
    """Archive one parsed page: its failures, then its report with the checks against the year before."""
    _record_failures(db, result, stats)
    if result.report is None:
        stats.unreadable += 1
        return
    page = result.job.page
    _lend_link_metadata(result.report, page)
    if not result.report["region"] and page["source_id"] in source_regions:
        _region_from_source(result.report, source_regions[page["source_id"]])
    stats.cross_year_checked += check_previous_year(db, result.report)
    try:
        rid = store_report(
            db,
            result.report,
            url=page["url"],
            document_url=result.document_url,
            source_id=page["source_id"],
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
                failures=[failure_row(fetch, page["url"], "store", message)],
            ),
            stats,
        )
        return
    stats.reports += 1
    stats.from_attachments += result.from_attachment
    if _holds_content(db, rid, page["url"]):
        stats.cross_year_checked += recheck_next_year(db, result.report)


def _holds_content(db: sqlite_utils.Database, rid: str, url: str) -> bool:
    """Whether the report's numbers are the ones this page's copy just wrote (it is canonical)."""
    row = db.execute("select url from reports where id = ?", [rid]).fetchone()
    return bool(row) and row[0] == url


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


def check_previous_year(db: sqlite_utils.Database, report: dict) -> bool:
    """Add the findings of the check against the same agency's report for the year before, if archived."""
    if not report["agency"] or not report["year"]:
        return False
    previous = _archived_report(db, report["agency"], report["year"] - 1)
    if previous is None:
        return False
    report["findings"].extend(check_cross_year(report, previous[1]))
    return True


def recheck_next_year(db: sqlite_utils.Database, report: dict) -> bool:
    """Check the same agency's archived report for the year after against ``report`` (just stored) again:
    pages come in the order they were first seen, not by year, so the year after may be stored first.
    Its content is written again only when its findings change."""
    if not report["agency"] or not report["year"]:
        return False
    archived = _archived_report(db, report["agency"], report["year"] + 1)
    if archived is None:
        return False
    rid, following = archived
    findings = [f for f in following["findings"] if not f["check"].startswith("cross_year.")]
    findings += check_cross_year(following, report)
    if findings != following["findings"]:
        following["findings"] = findings
        rewrite_report(db, rid, following)
    return True


def _archived_report(db: sqlite_utils.Database, agency: str, year: int) -> tuple[str, dict] | None:
    """The id and parse JSON of the agency's archived report for the year."""
    row = db.execute(
        "select id from reports where agency = ? and year = ? order by id limit 1", [agency, year]
    ).fetchone()
    report = report_json(db, row[0]) if row else None
    return (row[0], report) if report else None

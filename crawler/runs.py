"""Recording each crawl in the archive's ``crawl_runs`` table, and judging how it went."""

from __future__ import annotations

import json
from collections import Counter

from scrapy import signals

from crawler.completeness import ListTallies
from crawler.incremental import archive_state
from crawler.items import ListPageRead, SkippedLink
from govreports.archive import failure_tally, finish_run, now, open_archive, retire_unlinked, start_run

# Close reasons of a run that stopped early but did nothing wrong.
_INTERRUPTIONS = ("shutdown", "closespider_", "cancelled")


def errors_by_kind(stats: dict) -> dict[str, int]:
    """Scrapy's stats as error counts a cron log can show: http_404, TimeoutError, spider_exception …"""
    errors: Counter[str] = Counter()
    for key, value in stats.items():
        if key.startswith("downloader/exception_type_count/"):
            errors[key.rsplit(".", 1)[-1].rsplit("/", 1)[-1]] += value
        elif key.startswith("downloader/response_status_count/") and int(key.rsplit("/", 1)[-1]) >= 400:
            errors[f"http_{key.rsplit('/', 1)[-1]}"] += value
        elif key.startswith("spider_exceptions/") and key.count("/") == 1:
            errors["spider_exception"] += value
        elif key == "robotstxt/forbidden":
            errors["robots_forbidden"] += value
    return dict(errors)


def run_status(
    reason: str, stats: dict, lists: ListTallies | None = None, failing: int = 0
) -> tuple[str, str]:
    """(status, why): failed when the start page never answered (or answered an error page) or the spider
    raised; blocked when a firewall challenged it; interrupted when stopped early; partial, empty or
    no_column when the lists show reports missed; incomplete when report pages or attachments are still
    ``failing`` (fetch_failures); else finished."""
    start = stats.get("govreports/start_page_status")
    start_verdict = stats.get("govreports/start_page_verdict")
    if start_verdict == "blocked" or (start in (412, 521) and stats.get("archive/blocked")):
        return "blocked", "the start page is a firewall challenge: not answered; see fetch_failures"
    if start not in (200, 304):  # 304: unchanged since the last run, which is fine
        return "failed", f"start page: {start or 'no response'}"
    if start_verdict:
        return "failed", f"start page: {start_verdict}"
    if any(key.startswith("spider_exceptions/") for key in stats):
        return "failed", "spider raised exceptions"
    if reason.startswith(_INTERRUPTIONS):
        return "interrupted", reason
    if blocked := stats.get("archive/blocked"):
        return "blocked", f"{blocked} answers were firewall challenges (not answered; asked again next run)"
    if lists is not None:
        verdict = lists.judge(stopped_early=bool(stats.get("incremental/stopped_paging")))
        if verdict:
            return verdict
    if failing:
        return "incomplete", f"{failing} report pages or attachments still to fetch (fetch_failures)"
    return "finished", reason


def connect_run_signals(extension, crawler):
    """The extension's spider_opened, spider_closed and item_scraped methods, to those signals."""
    for name in ("spider_opened", "spider_closed", "item_scraped"):
        crawler.signals.connect(getattr(extension, name), signal=getattr(signals, name))
    return extension


class CrawlRunRecorder:
    """Extension: a ``crawl_runs`` row per spider, opened at the start and completed at the close."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = None
        self.lists = ListTallies()

    @classmethod
    def from_crawler(cls, crawler):
        return connect_run_signals(cls(crawler), crawler)

    def item_scraped(self, item, **_) -> None:
        tally(self.lists, item)

    def spider_opened(self, spider) -> None:
        archive_state(self.crawler)  # what the previous run left, read before this run is recorded
        db = open_archive(self.crawler.settings.get("ARCHIVE_PATH"))
        try:
            self.run_id = start_run(db, getattr(spider, "source_id", None), spider.start_url)
        finally:
            db.close()
        self.crawler.stats.set_value("govreports/run_id", self.run_id)  # the pipeline's failures name it

    def spider_closed(self, spider, reason: str) -> None:
        db = open_archive(self.crawler.settings.get("ARCHIVE_PATH"))
        try:
            close_run(
                db,
                self.run_id,
                getattr(spider, "source_id", None),
                reason,
                self.crawler.stats.get_stats(),
                self.lists,
            )
        finally:
            db.close()


def tally(lists: ListTallies, item) -> None:
    """Count what a list page showed, or a link left for another site, towards the run's verdict."""
    if isinstance(item, ListPageRead):
        lists.add_page(dict(item))
    elif isinstance(item, SkippedLink):
        lists.add_skipped(item["url"])


def close_run(db, run_id: int, source_id: int | None, reason: str, stats: dict, lists: ListTallies) -> None:
    """Complete a run's ``crawl_runs`` row from its stats and list tallies: judged, counted, closed."""
    lists.render_failures = list(stats.get("govreports/render_failures", []))
    errors = errors_by_kind(stats)
    status, why = run_status(reason, stats, lists)
    if status == "finished":
        # Lists walked to their end: failed list pages and discovery steps it no longer reached are gone.
        retire_unlinked(db, source_id, run_id, ("list", "discovery"), now())
    failures = failure_tally(db, source_id, run_id)
    if status == "finished":
        status, why = run_status(reason, stats, lists, failures["failing"])
    finish_run(
        db,
        run_id,
        status=status,
        reason=why,
        requests=stats.get("downloader/request_count", 0),
        responses=stats.get("downloader/response_count", 0),
        not_modified=stats.get("downloader/response_status_count/304", 0),
        new_documents=stats.get("archive/new_documents", 0),
        new_reports=stats.get("archive/new/report_page", 0),
        errors=sum(errors.values()),
        errors_by_kind=json.dumps(errors, sort_keys=True),
        announced=lists.announced(),
        reached=lists.reached(),
        lists=json.dumps([column.as_record() for column in lists.columns.values()], ensure_ascii=False),
        rendered=json.dumps(lists.rendered_pages + lists.render_failures, ensure_ascii=False),
        skipped_hosts=json.dumps(dict(lists.skipped_hosts), ensure_ascii=False, sort_keys=True),
        retried=stats.get("archive/retried", 0),
        recovered=stats.get("archive/recovered", 0),
        lost=failures["lost"],
        gone=failures["gone"],
        failing=failures["failing"],
        blocked=stats.get("archive/blocked", 0),
        error_pages=stats.get("archive/error_pages", 0),
        failures_by_reason=json.dumps(failures["by_reason"], sort_keys=True),
    )

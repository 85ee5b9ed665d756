"""Recording each crawl in the archive's ``crawl_runs`` table, and judging how it went."""

from __future__ import annotations

import json
from collections import Counter

from scrapy import signals

from crawler.incremental import archive_state
from govreports.archive import finish_run, open_archive, start_run

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


def run_status(reason: str, stats: dict) -> tuple[str, str]:
    """(status, why): failed when the start page never answered or the spider raised, else finished."""
    start = stats.get("govreports/start_page_status")
    if start not in (200, 304):  # 304: unchanged since the last run, which is fine
        return "failed", f"start page: {start or 'no response'}"
    if any(key.startswith("spider_exceptions/") for key in stats):
        return "failed", "spider raised exceptions"
    if reason.startswith(_INTERRUPTIONS):
        return "interrupted", reason
    return "finished", reason


class CrawlRunRecorder:
    """Extension: a ``crawl_runs`` row per spider, opened at the start and completed at the close."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        archive_state(self.crawler)  # what the previous run left, read before this run is recorded
        db = open_archive(self.crawler.settings.get("ARCHIVE_PATH"))
        try:
            self.run_id = start_run(db, getattr(spider, "source_id", None), spider.start_url)
        finally:
            db.close()

    def spider_closed(self, spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        status, why = run_status(reason, stats)
        errors = errors_by_kind(stats)
        db = open_archive(self.crawler.settings.get("ARCHIVE_PATH"))
        try:
            finish_run(
                db,
                self.run_id,
                status=status,
                reason=why,
                requests=stats.get("downloader/request_count", 0),
                responses=stats.get("downloader/response_count", 0),
                not_modified=stats.get("downloader/response_status_count/304", 0),
                new_documents=stats.get("archive/new_documents", 0),
                new_reports=stats.get("archive/new/report_page", 0),
                errors=sum(errors.values()),
                errors_by_kind=json.dumps(errors, sort_keys=True),
            )
        finally:
            db.close()

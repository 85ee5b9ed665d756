"""Item pipelines: storing what spiders fetched, and what they failed to fetch."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.failures import RetryPolicy
from crawler.items import DiscoveredColumn, FailedFetch, FetchedDocument, ListPageRead
from crawler.shared_archive import shared_archive
from crawler.verdicts import BLOCKED, ERROR_PAGE
from govreports.archive import (
    failure_of,
    now,
    record_column,
    record_fetch,
    save_failure,
    settle_failures,
    want_urls,
)

# Answers that are the document (or its unchanged version): anything else is a failure to ask again.
_GOOD_STATUSES = (200, 304)


class ArchivePipeline:
    """Writes every fetched response, and every column discovery found, into the archive (ARCHIVE_PATH);
    keeps ``fetch_failures`` current: what failed (with when to ask again), what was found and not yet
    asked for, and what answered after failing."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("ARCHIVE_PATH")
        self.policy = RetryPolicy.from_settings(crawler.settings)
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        # One connection for every crawler of the process (crawler/shared_archive.py); the runner closes it.
        self.db = shared_archive(self.path)

    @property
    def source_id(self) -> int | None:
        return getattr(self.crawler.spider, "source_id", None)

    @property
    def run_id(self) -> int | None:
        return self.crawler.stats.get_value("govreports/run_id")

    def process_item(self, item):
        if isinstance(item, DiscoveredColumn):
            record_column(self.db, self.source_id, dict(item))
            self.crawler.stats.inc_value("archive/columns_found")
        elif isinstance(item, FetchedDocument):
            self.store_fetch(item)
        elif isinstance(item, FailedFetch):
            self.record_failure(
                item, item["reason"], detail=item.get("detail"), final_url=item.get("final_url")
            )
        elif isinstance(item, ListPageRead) and item.get("report_links"):
            self.want(item["report_links"], "report_page", item["url"])
        # The run's own record (ListPageRead, SkippedLink) goes to crawl_runs (crawler/runs.py).
        return item

    def store_fetch(self, item: FetchedDocument) -> None:
        stats = self.crawler.stats
        good = item["status"] in _GOOD_STATUSES and not item.get("outcome")
        first_time = (
            good
            and item["status"] == 200
            and not self.db.execute(
                "select 1 from fetches where url = ? and status = 200 and outcome is null limit 1",
                [item["url"]],
            ).fetchone()
        )
        new_document = record_fetch(
            self.db,
            url=item["url"],
            status=item["status"],
            media_type=item["media_type"],
            body=item["body"],
            kind=item["kind"],
            referer=item.get("referer"),
            link_title=item.get("link_title"),
            report_year=item.get("report_year"),
            source_id=self.source_id,
            fetched_at=item["fetched_at"],
            etag=item.get("etag"),
            last_modified=item.get("last_modified"),
            requested_url=item.get("requested_url"),
            outcome=item.get("outcome"),
            outcome_detail=item.get("outcome_detail"),
            charset_note=item.get("charset_note"),
        )
        stats.inc_value(f"archive/stored/{item['kind']}")
        if new_document:
            stats.inc_value("archive/new_documents")
        if first_time:
            stats.inc_value(f"archive/new/{item['kind']}")
        if item.get("charset_note"):
            stats.inc_value("archive/charset_overruled")
        if not good:
            self.record_failure(
                item,
                item.get("outcome") or f"http_{item['status']}",
                status=item["status"],
                detail=item.get("outcome_detail"),
                final_url=item["url"] if item.get("requested_url") else None,
                retry_after=item.get("retry_after"),
            )
            return
        if (item.get("attempts") or 1) > 1:
            stats.inc_value("archive/retried")  # Scrapy asked again, and the answer came
        recovered = settle_failures(self.db, [item["url"], item.get("requested_url")], now())
        stats.inc_value("archive/recovered", recovered)
        if item.get("attachments"):
            self.want(item["attachments"], "attachment", item["url"])

    def want(self, links: list[tuple[str, str]], kind: str, referer: str) -> None:
        """Links found on ``referer``, pending until fetched: a run stopped first leaves them to the next."""
        want_urls(self.db, links, kind=kind, referer=referer, source_id=self.source_id, run_id=self.run_id)

    def record_failure(
        self,
        item: FetchedDocument | FailedFetch,
        reason: str,
        *,
        status: int | None = None,
        detail: str | None = None,
        final_url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """One more failure of the URL asked for: when to ask again, or that it is gone."""
        url = item.get("requested_url") or item["url"]
        previous = failure_of(self.db, url) or {}
        at = datetime.now(UTC).replace(microsecond=0)
        stamp = at.isoformat()
        runs = self.failed_runs(previous)
        # A soft 404 (「页面不存在」) lasts like a 404; 「系统繁忙」 does not.
        gone = self.policy.is_gone(reason, runs, lasting=item.get("transient") is False)
        save_failure(
            self.db,
            {
                "url": url,
                "source_id": self.source_id,
                "kind": item["kind"],
                "referer": item.get("referer") or previous.get("referer"),
                "link_title": item.get("link_title") or previous.get("link_title"),
                "state": "gone" if gone else "failing",
                "reason": reason,
                "status": status,
                "detail": detail,
                "final_url": final_url,
                "attempts": (previous.get("attempts") or 0) + (item.get("attempts") or 1),
                "runs": runs,
                "first_failed_at": previous["first_failed_at"] if runs > 1 else stamp,
                "last_failed_at": stamp,
                "next_retry_at": None if gone else self.policy.next_retry(at, runs, retry_after).isoformat(),
                "recovered_at": None,
                "gone_at": stamp if gone else None,
                "run_id": self.run_id,
            },
        )
        stats = self.crawler.stats
        stats.inc_value(f"archive/failed/{reason}")
        if reason == BLOCKED:
            stats.inc_value("archive/blocked")
        elif reason == ERROR_PAGE:
            stats.inc_value("archive/error_pages")

    def failed_runs(self, previous: dict) -> int:
        """Runs the URL has failed in, this one included: once a run, however often it was asked in it; a
        URL that had recovered (or was only pending) starts counting afresh."""
        if previous.get("state") not in ("failing", "gone"):
            return 1
        return previous["runs"] + (previous.get("run_id") != self.run_id)

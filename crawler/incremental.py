"""Recrawls that fetch only what is new: what the archive already holds, read once per crawl.

- Known report pages and attachments are not requested again (unless REVALIDATE is set: then every
  list page is walked and every document asked for with If-None-Match / If-Modified-Since, so a 304
  costs no download and a changed document becomes a new version).
- List pages are always asked for, conditionally: an unchanged list page answers 304. Pages on the
  way to a column (home, 政府信息公开) are asked for in full, as they may be unchanged when it is not.
- A column's list stops at the first page whose reports are all known — but only when the previous run
  of that column walked its lists to the end (finished, or incomplete: every list page read, some
  documents failed) and no list page of the source is still failing: a run killed mid-way, or a list page
  that failed, left older pages unvisited, so the next one walks them all.
- What earlier runs failed to fetch (fetch_failures) is asked for again once its back-off has passed
  (the spider starts with those), and not before: a link to it on a list page waits too.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scrapy import Request

from govreports.archive import (
    due_failures,
    has_failing,
    known_documents,
    last_run,
    open_archive,
    waiting_urls,
)

# Request kinds (request.meta["kind"]) whose URLs, once archived, need not be fetched again.
_DOCUMENT_KINDS = ("report_page", "attachment")
# Statuses of a run that read every page of its lists: the next one may stop at the first known page.
_WALKED_TO_THE_END = ("finished", "incomplete")


@dataclass
class ArchiveState:
    known: dict[str, dict]  # URL → its latest good fetch (kind, etag, last_modified, sha256)
    previous_run_finished: bool  # and no list page of the source is still failing
    revalidate: bool
    due: list[dict] = field(default_factory=list)  # fetch_failures rows to ask for again now
    waiting: set[str] = field(default_factory=set)  # failed URLs still in their back-off, or gone


_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def archive_state(crawler) -> ArchiveState:
    """Read once per crawler, at the crawl's start, before this run is recorded."""
    if crawler not in _states:
        db = open_archive(crawler.settings.get("ARCHIVE_PATH"))
        source_id = getattr(crawler.spider, "source_id", None)
        at = datetime.now(UTC).isoformat(timespec="seconds")
        revalidate = crawler.settings.getbool("REVALIDATE")
        try:
            previous = last_run(db, crawler.spider.start_url)
            _states[crawler] = ArchiveState(
                known=known_documents(db),
                previous_run_finished=bool(previous and previous["status"] in _WALKED_TO_THE_END)
                and not has_failing(db, source_id, ("list", "discovery")),
                revalidate=revalidate,
                due=due_failures(db, source_id, at, _DOCUMENT_KINDS),
                # --revalidate asks for everything again, what was judged gone included.
                waiting=set() if revalidate else waiting_urls(db, source_id, at),
            )
        finally:
            db.close()
    return _states[crawler]


class ConditionalGetMiddleware:
    """Downloader middleware: ask for archived URLs with the validators their server gave last time."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request):
        if request.method != "GET" or "If-None-Match" in request.headers:
            return None
        if request.meta.get("ask_in_full") or request.meta.get("playwright"):
            return None  # an API's replies, and pages drawn from one: an unchanged shell proves nothing
        state = archive_state(self.crawler)
        if request.meta.get("kind") in ("list", "discovery") and (
            state.revalidate or not state.previous_run_finished
        ):
            # Walk every list page in full: to reach every report when revalidating, and to reach the
            # reports a killed run never got to (its list pages are archived, its reports are not).
            return None
        known = state.known.get(request.url)
        # Not for discovery pages: an unchanged home page may lead to a column with new reports.
        if known and known["kind"] != "discovery":
            if known["etag"]:
                request.headers["If-None-Match"] = known["etag"]
            if known["last_modified"]:
                request.headers["If-Modified-Since"] = known["last_modified"]
        return None


class IncrementalMiddleware:
    """Spider middleware: drop requests for archived documents; stop a list at its first all-known page."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_output(self, response, result):
        page = _ListPageOutcome(archive_state(self.crawler), self.crawler.stats)
        for output in result:
            if page.keep(output):
                yield output

    async def process_spider_output_async(self, response, result):
        page = _ListPageOutcome(archive_state(self.crawler), self.crawler.stats)
        async for output in result:
            if page.keep(output):
                yield output


class _ListPageOutcome:
    """What one callback yielded: the spider yields a list page's reports before its next page."""

    def __init__(self, state: ArchiveState, stats) -> None:
        self.state, self.stats = state, stats
        self.reports = self.known_reports = 0

    def keep(self, output) -> bool:
        if not isinstance(output, Request):
            return True
        kind = output.meta.get("kind")
        if kind == "report_page":
            self.reports += 1
        if kind in _DOCUMENT_KINDS and output.url in self.state.waiting:
            self.stats.inc_value("incremental/skipped_backoff")  # failed before: asked again when due
            return False
        known = kind in _DOCUMENT_KINDS and output.url in self.state.known
        if known:
            self.known_reports += kind == "report_page"
            if not self.state.revalidate:
                self.stats.inc_value("incremental/skipped_known")
                return False
        if (
            output.meta.get("next_list_page")
            and self.all_known()
            and self.state.previous_run_finished
            and not self.state.revalidate
        ):
            self.stats.inc_value("incremental/stopped_paging")
            return False
        return True

    def all_known(self) -> bool:
        return self.reports > 0 and self.known_reports == self.reports

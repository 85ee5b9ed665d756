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

from crawler.shared_archive import shared_archive
from govreports.archive import (
    due_failures,
    has_failing,
    known_documents,
    last_run,
    waiting_urls,
)

# Request kinds (request.meta["kind"]) whose URLs, once archived, need not be fetched again.
_DOCUMENT_KINDS = ("report_page", "attachment")
# Statuses of a run that read every page of its lists: the next one may stop at the first known page.
_WALKED_TO_THE_END = ("finished", "incomplete")


@dataclass
class ArchiveState:
    # URL → its latest good fetch (kind, etag, last_modified, sha256): a dict, or a KnownDocuments view
    known: dict[str, dict] | KnownDocuments
    previous_run_finished: bool  # and no list page of the source is still failing
    revalidate: bool
    due: list[dict] = field(default_factory=list)  # fetch_failures rows to ask for again now
    waiting: set[str] = field(default_factory=set)  # failed URLs still in their back-off, or gone


_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def archive_state(crawler) -> ArchiveState:
    """Read once per crawler, at the crawl's start, before this run is recorded."""
    if crawler not in _states:
        db = shared_archive(crawler.settings.get("ARCHIVE_PATH"))
        _states[crawler] = read_archive_state(
            db,
            getattr(crawler.spider, "source_id", None),
            crawler.spider.start_url,
            crawler.settings.getbool("REVALIDATE"),
            known=KnownDocuments(db),
        )
    return _states[crawler]


class KnownDocuments:
    """What ``known_documents`` reads, asked URL by URL (fetches.url and requested_url are indexed) as the
    archive was when the view was made: a crawler asks about its own few hundred URLs, where a copy of the
    whole archive per crawler grows with both the archive and the number of sources."""

    _GOOD = "status = 200 and outcome is null and id <= ?"

    def __init__(self, db) -> None:
        self.db = db
        # Fetches stored from now on (this run's) are not "known before the run".
        self.up_to = db.execute("select coalesce(max(id), 0) from fetches").fetchone()[0]

    def get(self, url: str) -> dict | None:
        for column in ("url", "requested_url"):  # a URL that redirected to a document is known too
            row = self.db.execute(
                f"select url, kind, etag, last_modified, sha256 from fetches "
                f"where {column} = ? and {self._GOOD} order by id desc limit 1",
                [url, self.up_to],
            ).fetchone()
            if row:
                return dict(zip(("url", "kind", "etag", "last_modified", "sha256"), row, strict=True))
        return None

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.get(url) is not None


def read_archive_state(
    db, source_id: int | None, start_url: str, revalidate: bool, known: KnownDocuments | None = None
) -> ArchiveState:
    """What the archive holds for one source, before its run is recorded (``known``: every document of
    the archive unless a view is given)."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    previous = last_run(db, start_url)
    return ArchiveState(
        known=known_documents(db) if known is None else known,
        previous_run_finished=bool(previous and previous["status"] in _WALKED_TO_THE_END)
        and not has_failing(db, source_id, ("list", "discovery")),
        revalidate=revalidate,
        due=due_failures(db, source_id, at, _DOCUMENT_KINDS),
        # --revalidate asks for everything again, what was judged gone included.
        waiting=set() if revalidate else waiting_urls(db, source_id, at),
    )


def preset_archive_state(crawler, state: ArchiveState) -> None:
    """A crawler without the archive at hand (a distributed worker) is handed its state instead."""
    _states[crawler] = state


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

"""Judging whether a crawl reached what its lists announced — so a miss is reported, never silent.

A list says how many items it has (共N条, totalrecord, pageCount, recordCount, total); the spider records
every page of a column's list it read (``ListPageRead``). From those, a source's run is:

- ``finished``: every column's list was walked, reaching at least what it announced;
- ``partial``: a column reached fewer items than announced, a list page failed, or the page configures
  a paging mechanism that no adapter followed (or a page that needed a browser could not be rendered);
- ``empty``: a column was found but lists no report;
- ``no_column``: no annual-report column was found from the start page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

INCOMPLETE_STATUSES = ("partial", "empty", "no_column")


@dataclass
class ColumnTally:
    """One column's list, added up over the pages the crawl read."""

    url: str
    cms: str | None = None
    announced: int | None = None
    items: set[str] = field(default_factory=set)
    reports: set[str] = field(default_factory=set)
    pages: int = 0
    failed_pages: list[str] = field(default_factory=list)
    unfollowed: set[str] = field(default_factory=set)
    rendered: bool = False
    unchanged: bool = False  # its page answered 304: the list is as the archive last saw it

    def add(self, page: dict) -> None:
        self.cms = self.cms or page.get("cms")
        status = page.get("status")
        if status == 304:
            self.unchanged = True
            return
        if status != 200:
            self.failed_pages.append(f"{page.get('url')} ({status or 'no response'})")
            return
        self.pages += 1
        if page.get("announced") is not None:
            self.announced = max(self.announced or 0, int(page["announced"]))
        self.items.update(page.get("items") or ())
        self.reports.update(page.get("reports") or ())
        if page.get("unfollowed"):
            self.unfollowed.add(page["unfollowed"])
        self.rendered = self.rendered or bool(page.get("rendered"))

    def shortfall(self) -> int:
        """Items announced but not reached (0 when the list announced nothing)."""
        return max((self.announced or 0) - len(self.items), 0)

    def as_record(self) -> dict:
        return {
            "column": self.url,
            "cms": self.cms,
            "announced": self.announced,
            "reached": len(self.items),
            "reports": len(self.reports),
            "pages": self.pages,
            "failed_pages": self.failed_pages,
            "unfollowed": sorted(self.unfollowed),
            "rendered": self.rendered,
            "unchanged": self.unchanged,
        }


@dataclass
class ListTallies:
    """Every column a run read, the pages it rendered, and the other sites' links it left alone."""

    columns: dict[str, ColumnTally] = field(default_factory=dict)
    rendered_pages: list[str] = field(default_factory=list)
    render_failures: list[str] = field(default_factory=list)
    skipped_hosts: Counter = field(default_factory=Counter)

    def add_page(self, page: dict) -> None:
        column = page["column"]
        self.columns.setdefault(column, ColumnTally(column)).add(page)
        if page.get("rendered") and page.get("url") not in self.rendered_pages:
            self.rendered_pages.append(page["url"])

    def add_skipped(self, url: str) -> None:
        self.skipped_hosts[urlsplit(url).hostname or url] += 1

    def judge(self, *, stopped_early: bool) -> tuple[str, str] | None:
        """(status, why) when the lists show the run incomplete; None when they show it complete.

        ``stopped_early``: a recrawl stopped paging at a list page it already knew, by design, so an
        announced count cannot be compared with what this run reached.
        """
        if not self.columns:
            why = "no annual-report column found from the start page"
            if self.render_failures:
                why += f"; could not render {len(self.render_failures)} page(s)"
            return "no_column", why
        problems = []
        for column in self.columns.values():
            if column.failed_pages:
                problems.append(f"{column.url}: list pages failed: {', '.join(column.failed_pages)}")
            if column.unfollowed:
                problems.append(f"{column.url}: paging not followed: {'; '.join(sorted(column.unfollowed))}")
            if column.shortfall() and not stopped_early and not column.unchanged:
                problems.append(f"{column.url}: reached {len(column.items)} of {column.announced} announced")
        if self.render_failures:
            problems.append(f"could not render: {', '.join(self.render_failures)}")
        if problems:
            return "partial", "; ".join(problems)
        if not any(column.reports or column.unchanged for column in self.columns.values()):
            return "empty", "the column lists no annual report"
        return None

    def announced(self) -> int | None:
        counts = [column.announced for column in self.columns.values() if column.announced is not None]
        return sum(counts) if counts else None

    def reached(self) -> int:
        return sum(len(column.items) for column in self.columns.values())

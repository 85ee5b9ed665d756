"""Crawl annual reports (政府信息公开年报) from a portal: find the column, walk its list, fetch reports.

The start URL is either an annual-report column or a page to find one from (a home page or the
政府信息公开 page): links whose text or URL names the column are followed, within ``max_depth`` links,
on any host of the same registrable government domain (a bureau's site often links its column on the
city's disclosure platform). A same-site iframe is part of its page. A column's list is read by the
adapter of its CMS family (crawler/cms/); a column page whose list only JavaScript draws is rendered in a
headless browser. The spider only decides what to request next, and yields a ``ListPageRead`` for every
page of a list so the run can be judged complete or partial (crawler/completeness.py). Politeness,
conditional GETs and stopping early on a recrawl live in settings and middlewares, not here; so do
retries, pauses after a 429, redirect loops, and telling error pages and firewall challenges from
documents (crawler/middlewares.py) — the spider reads their verdict and parses nothing that is not a
document. Every request that fails ends in ``failed``, which yields a ``FailedFetch``: nothing failed is
forgotten (fetch_failures). A run starts with what earlier runs left wanting and is due again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from crawler import rendering
from crawler.charsets import charset_media_type
from crawler.cms import ListPage, ListResponse
from crawler.cms.families import LISTED_BY_API, adapter_named, detect_adapter
from crawler.cms.html_lists import listed_links, parse_markup
from crawler.failures import exception_reason, retry_after_seconds
from crawler.incremental import archive_state
from crawler.items import DiscoveredColumn, FailedFetch, FetchedDocument, ListPageRead, SkippedLink
from crawler.links import (
    column_directory,
    is_attachment,
    looks_like_annual_report,
    looks_like_column,
    looks_like_disclosure_section,
    report_year,
    same_column,
    same_page,
    same_site,
)
from crawler.verdicts import Verdict
from extract.readers.html import decode_html

# Keep error responses too: a 404 for a report is worth recording. Redirects (3xx) are not listed, so
# RedirectMiddleware follows them.
_KEEP_ALL_STATUSES = {"handle_httpstatus_list": [304, *range(400, 600)]}


def decoded(response: Response) -> ListResponse:
    """The response as adapters read it: decoded once, GB2312/GBK as GB18030, in the charset its bytes are
    in when a header or <meta> says otherwise (NotADocumentMiddleware read it)."""
    media_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
    charset = response.meta.get("charset")
    text, _ = decode_html(
        response.body, charset_media_type(media_type, charset[0]) if charset else media_type
    )
    # Scrapy drops the #fragment, where some CMSs (gkmlpt) keep the column's id: take it back.
    url = response.url
    request = response.request
    if request is not None and request.url.split("#")[0] == url:
        url = request.url
    body = request.body.decode("utf-8", "replace") if request is not None and request.body else None
    carry = request.meta.get("carry", {}) if request is not None else {}
    return ListResponse(url, text, response.body, media_type, request_body=body, carry=carry)


class AnnualReportSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(
        self,
        start_url: str | None = None,
        source_id: int | str | None = None,
        cms: str | None = None,
        max_depth: int | str = 2,
        kind: str | None = None,
        render: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not start_url:
            raise ValueError(
                "annual_reports needs -a start_url=URL of an annual-report column or a portal page"
            )
        self.start_url = start_url
        self.source_id = int(source_id) if source_id not in (None, "") else None
        self.cms = cms if cms and cms not in ("unknown", "auto") else None
        self.max_depth = int(max_depth)
        self.start_is_column = kind == "column"
        self.render_start = render == "js"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        render = self.render_start
        if render and not rendering.rendering_available(self.crawler.settings):
            self.note_render_failure(self.start_url, rendering.rendering_problem(self.crawler.settings))
            render = False  # read it as it comes; the run says it could not be rendered
        yield self.page_request(self.start_url, depth=0, render=render)
        for wanted in archive_state(self.crawler).due:
            yield self.document_request(
                wanted["url"], wanted["kind"], wanted["link_title"], wanted["referer"]
            )

    def document_request(
        self, url: str, kind: str, link_title: str | None, referer: str | None
    ) -> scrapy.Request:
        """A report page or an attachment, linked from ``referer`` as ``link_title``."""
        return scrapy.Request(
            url,
            callback=self.parse_report if kind == "report_page" else self.parse_attachment,
            errback=self.failed,
            cb_kwargs={"link_title": link_title},
            headers={"Referer": referer} if referer else None,
            # The linking page, kept apart from the Referer header, which a redirect rewrites.
            meta={**_KEEP_ALL_STATUSES, "kind": kind, "linked_from": referer},
        )

    def page_request(
        self, url: str, depth: int, title: str | None = None, render: bool = False
    ) -> scrapy.Request:
        """A page that may be the column itself or a step towards it; ``render``: draw it in a browser."""
        meta = {**_KEEP_ALL_STATUSES, "kind": "list" if depth == 0 else "discovery"}
        if render:
            meta |= rendering.render_meta()
        return scrapy.Request(
            url,
            callback=self.parse_start,
            errback=self.render_failed if render else self.failed,
            cb_kwargs={"depth": depth, "title": title, "rendered": render},
            meta=meta,
            dont_filter=render,  # the same URL, asked again of the browser
        )

    def parse_start(
        self, response: Response, depth: int, title: str | None, rendered: bool = False
    ) -> Iterator:
        if depth == 0:  # how the run is judged: a source whose start page fails has failed
            self.crawler.stats.set_value("govreports/start_page_status", response.status)
        if response.status == 304:  # a column's page, unchanged since the last run
            yield self.fetched(response, "list", title)
            yield self.list_page_read(response, response.url, None, ListPage())
            return
        page = decoded(response) if response.status == 200 and not _verdict(response) else None
        if page is None:
            yield self.fetched(response, "discovery" if depth else "list", title)
            if depth == 0 and (verdict := _verdict(response)):
                self.crawler.stats.set_value("govreports/start_page_verdict", verdict.reason)
            return
        adapter = adapter_named(self.cms) if self.cms else detect_adapter(page)
        listing = adapter.parse(page)
        reports = [link for link in listing.links if looks_like_annual_report(link.title)]
        # Is this the column? A page reached as one (its link or URL names it), or one listing reports —
        # though a home page's 「最新公开」 box linking one report is not: discovery goes on from there.
        named_column = (depth == 0 and self.start_is_column) or looks_like_column(title or "", page.url)
        is_column = (
            len(reports) >= 2
            or (len(reports) == 1 and named_column)
            # A CMS list whose items come from its API (gkmlpt, Hanweb, JPaaS …) shows none in the page.
            or (adapter in LISTED_BY_API and listing.next is not None)
        )
        frames = self.same_site_frames(page)
        if named_column and not is_column and not frames and not rendered and _draws_with_script(page):
            # A column page whose list is empty without JavaScript: ask a browser to draw it.
            yield self.fetched(response, "discovery", title)
            yield self.render_request(response.url, depth, title)
            return
        # A column page framing its list leads nowhere else: the frame is the list.
        explore = depth < self.max_depth and not (frames and named_column)
        steps, skipped = self.discovery_steps(page, is_column) if explore else ([], [])
        if len(reports) == 1 and not is_column and not steps:
            is_column = True  # one report and no way further: a column that has one report so far
        elif is_column and steps and not named_column and adapter not in LISTED_BY_API:
            is_column = False  # a home page's 「最新公开」 box: the column is one of the links it offers
        # A page that links to a column (a home page showing the latest reports, too) is a step of
        # discovery, asked for in full on every run; only a column's own pages are asked conditionally —
        # unless its list comes from an API: an unchanged page shell says nothing of the list it loads.
        is_list = is_column and not steps and adapter not in LISTED_BY_API
        yield self.fetched(response, "list" if is_list else "discovery", title)
        yield from skipped
        for frame in frames:  # an iframe is part of its page: same depth, same title
            yield self.page_request(frame, depth, title)
        if is_column:
            if depth:
                yield DiscoveredColumn(url=response.url, title=title, cms=adapter.name, depth=depth)
            yield from self.follow_list(response, adapter.name, listing, column=response.url)
        elif named_column and not frames:
            # Named as the column, yet no list even when drawn: an empty column, said so in the run's record.
            yield self.list_page_read(response, response.url, adapter.name, listing)
        for link in steps:
            yield self.page_request(link.url, depth + 1, link.title)

    def render_request(self, url: str, depth: int, title: str | None) -> scrapy.Request | ListPageRead:
        if not rendering.rendering_available(self.crawler.settings):
            self.note_render_failure(url, rendering.rendering_problem(self.crawler.settings))
            return ListPageRead(column=url, url=url, status=None, rendered=True, items=[], reports=[])
        return self.page_request(url, depth, title, render=True)

    def render_failed(self, failure) -> None:
        self.note_render_failure(failure.request.url, str(failure.value))

    def note_render_failure(self, url: str, why: str | None) -> None:
        """A page that needed a browser and did not get one: the run is judged partial for it."""
        self.logger.warning("could not render %s: %s", url, why)
        failures = self.crawler.stats.get_value("govreports/render_failures", [])
        self.crawler.stats.set_value("govreports/render_failures", [*failures, f"{url} ({why})"])

    def same_site_frames(self, page: ListResponse) -> list[str]:
        """The page's iframes on its own site (a list is often framed in from the disclosure platform)."""
        root = parse_markup(page.text)
        if root is None:
            return []
        frames = []
        for frame in root.iter("iframe", "frame"):
            src = (frame.get("src") or "").strip()
            if not src or src.startswith(("javascript:", "about:", "data:")):
                continue
            url = urljoin(page.url, src)
            if same_site(url, page.url) and not same_page(url, page.url) and url not in frames:
                frames.append(url)
        return frames

    def discovery_steps(self, page: ListResponse, is_column: bool) -> tuple[list, list[SkippedLink]]:
        """Links to annual-report columns (a home page's, or a column's yearly sub-columns); failing
        those, from a page that lists no reports, links into the 政府信息公开 section. Such links to
        another government's site are not followed but recorded (SkippedLink)."""
        links, elsewhere = [], []
        for link in listed_links(page.text, page.url):
            if not column_directory(link.url) or same_column(link.url, page.url):
                continue  # an article or a file, or this very list
            (links if same_site(link.url, page.url) else elsewhere).append(link)
        columns = [link for link in links if looks_like_column(link.title, link.url)]
        steps = (
            columns
            if columns or is_column
            else [link for link in links if looks_like_disclosure_section(link.title, link.url)]
        )
        skipped = [
            SkippedLink(url=link.url, title=link.title)
            for link in elsewhere
            if looks_like_column(link.title, link.url) or looks_like_disclosure_section(link.title, link.url)
        ]
        return steps, skipped

    def parse_list(self, response: Response, cms: str, column: str) -> Iterator:
        yield self.fetched(response, "list")
        if response.status != 200 or _verdict(response):
            yield self.list_page_read(response, column, cms, None)
            return
        adapter = adapter_named(cms)
        yield from self.follow_list(response, cms, adapter.parse(decoded(response)), column)

    def follow_list(self, response: Response, cms: str, listing: ListPage, column: str) -> Iterator:
        yield self.list_page_read(response, column, cms, listing)
        for link in listing.links:
            if looks_like_annual_report(link.title):
                yield self.document_request(link.url, "report_page", link.title, response.url)
        if listing.next:
            following = listing.next
            yield scrapy.Request(
                following.url,
                method=following.method,
                body=following.body,
                headers={"Referer": response.url, **following.headers},
                callback=self.parse_list,
                errback=self.failed,
                cb_kwargs={"cms": cms, "column": column},
                meta={
                    **_KEEP_ALL_STATUSES,
                    "kind": "list",
                    "next_list_page": True,
                    "carry": dict(following.carry),
                    # An API's replies (and the scripts on the way to it) are asked in full: a 304 for
                    # a script or a static shell would end the walk before the list's new items.
                    "ask_in_full": adapter_named(cms) in LISTED_BY_API,
                },
                dont_filter=following.method == "POST",  # POST windows share a URL path
            )

    def list_page_read(
        self, response: Response, column: str, cms: str | None, listing: ListPage | None
    ) -> ListPageRead:
        listing = listing or ListPage()
        verdict = _verdict(response)
        items = [
            link.url
            for link in listing.links
            # A list item, not the page's navigation: an API's record, or a dated or report-titled link.
            if listing.links_are_items or link.published or looks_like_annual_report(link.title)
        ]
        return ListPageRead(
            column=column,
            cms=cms,
            url=response.url,
            status=response.status,
            announced=listing.announced,
            items=items,
            reports=[link.url for link in listing.links if looks_like_annual_report(link.title)],
            unfollowed=listing.unfollowed,
            rendered=bool(response.meta.get("playwright")),
            failure=verdict.reason if verdict else None,
            report_links=[
                (link.url, link.title) for link in listing.links if looks_like_annual_report(link.title)
            ],
        )

    def parse_report(self, response: Response, link_title: str) -> Iterator[FetchedDocument | scrapy.Request]:
        if response.status != 200 or _verdict(response):
            yield self.fetched(response, "report_page", link_title)
            return
        page = decoded(response)
        # Every attachment is kept: a page often offers both 「全真版」 (PDF) and 「文字版」 (DOC).
        attachments = [
            link for link in listed_links(page.text, page.url) if is_attachment(link.url, link.title)
        ]
        yield self.fetched(
            response, "report_page", link_title, attachments=[(link.url, link.title) for link in attachments]
        )
        for link in attachments:
            yield self.document_request(link.url, "attachment", link.title, response.url)

    def parse_attachment(self, response: Response, link_title: str) -> Iterator[FetchedDocument]:
        yield self.fetched(response, "attachment", link_title)

    def failed(self, failure) -> Iterator[FailedFetch | ListPageRead]:
        """A request that got no usable response: recorded, to be asked again on a later run."""
        request = failure.request
        kind = request.meta.get("kind", "discovery")
        asked = request.meta.get("redirect_urls", [request.url])[0]
        reason = exception_reason(failure.value)
        yield FailedFetch(
            url=asked,
            final_url=request.url if asked != request.url else None,
            kind=kind,
            referer=_linked_from(request),
            link_title=request.cb_kwargs.get("link_title") or request.cb_kwargs.get("title"),
            reason=reason,
            detail=str(failure.value)[:500] or type(failure.value).__name__,
            attempts=request.meta.get("retry_times", 0) + 1,
        )
        if kind == "list" and "column" in request.cb_kwargs:  # a page of a column's list: the run is partial
            yield ListPageRead(
                column=request.cb_kwargs["column"],
                cms=request.cb_kwargs.get("cms"),
                url=request.url,
                status=None,
                failure=reason,
                items=[],
                reports=[],
            )

    def fetched(
        self,
        response: Response,
        kind: str,
        link_title: str | None = None,
        attachments: list[tuple[str, str]] | None = None,
    ) -> FetchedDocument:
        def header(name: str) -> str | None:
            value = response.headers.get(name)
            return value.decode("latin-1") if value else None

        verdict = _verdict(response)
        charset = response.meta.get("charset")
        asked = response.meta.get("redirect_urls", [response.url])[0]
        return FetchedDocument(
            url=response.url,
            status=response.status,
            media_type=header("Content-Type"),
            body=response.body,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            kind=kind,
            referer=_linked_from(response.request) if response.request else None,
            link_title=link_title,
            report_year=report_year(link_title) if kind == "report_page" and link_title else None,
            etag=header("ETag"),
            last_modified=header("Last-Modified"),
            requested_url=asked if asked != response.url else None,
            attempts=response.meta.get("retry_times", 0) + 1,
            outcome=verdict.reason if verdict else None,
            outcome_detail=verdict.detail if verdict else None,
            transient=verdict.transient if verdict else None,
            retry_after=retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC)),
            charset_note=charset[1] if charset else None,
            attachments=attachments,
        )


def _linked_from(request: scrapy.Request) -> str | None:
    """The page that linked the request's URL (not a URL a redirect passed through)."""
    if linked := request.meta.get("linked_from"):
        return linked
    referer = request.headers.get("Referer")
    return referer.decode("utf-8", "replace") if referer else None


def _verdict(response: Response) -> Verdict | None:
    """NotADocumentMiddleware's verdict: an error page or a firewall challenge (None: a document)."""
    return response.meta.get("verdict")


def _draws_with_script(page: ListResponse) -> bool:
    """The page runs scripts of its own: its list may be drawn by them."""
    return "<script" in page.text.lower()

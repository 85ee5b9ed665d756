"""Crawl annual reports (政府信息公开年报) from a portal: find the column, walk its list, fetch reports.

The start URL is either an annual-report column or a page to find one from (a home page or the
政府信息公开 page): links whose text or URL names the column are followed, within ``max_depth`` links.
A column's list is read by the adapter of its CMS family (crawler/cms/); the spider only decides what
to request next. Politeness, conditional GETs and stopping early on a recrawl live in settings and
middlewares, not here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.cms import ListResponse
from crawler.cms.families import LISTED_BY_API, adapter_named, detect_adapter
from crawler.cms.html_lists import listed_links
from crawler.items import DiscoveredColumn, FetchedDocument
from crawler.links import (
    column_directory,
    is_attachment,
    looks_like_annual_report,
    looks_like_column,
    looks_like_disclosure_section,
    report_year,
    same_column,
)
from extract.readers.html import decode_html

# Keep error responses too: a 404 for a report is worth recording.
_KEEP_ALL_STATUSES = {"handle_httpstatus_all": True}


def decoded(response: Response) -> ListResponse:
    """The response as adapters read it: decoded once, GB2312/GBK as GB18030, a wrong <meta> overruled."""
    media_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
    text, _ = decode_html(response.body, media_type)
    # Scrapy drops the #fragment, where some CMSs (gkmlpt) keep the column's id: take it back.
    url = response.url
    if response.request is not None and response.request.url.split("#")[0] == url:
        url = response.request.url
    return ListResponse(url=url, text=text, body=response.body, media_type=media_type)


class AnnualReportSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(
        self,
        start_url: str | None = None,
        source_id: int | str | None = None,
        cms: str | None = None,
        max_depth: int | str = 2,
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

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.page_request(self.start_url, depth=0)

    def page_request(self, url: str, depth: int, title: str | None = None) -> scrapy.Request:
        """A page that may be the column itself or a step towards it."""
        return scrapy.Request(
            url,
            callback=self.parse_start,
            cb_kwargs={"depth": depth, "title": title},
            meta={**_KEEP_ALL_STATUSES, "kind": "list" if depth == 0 else "discovery"},
        )

    def parse_start(self, response: Response, depth: int, title: str | None) -> Iterator:
        if depth == 0:  # how the run is judged: a source whose start page fails has failed
            self.crawler.stats.set_value("govreports/start_page_status", response.status)
        page = decoded(response) if response.status == 200 else None
        adapter = page and (adapter_named(self.cms) if self.cms else detect_adapter(page))
        listing = adapter.parse(page) if adapter else None
        is_column = listing is not None and (
            any(looks_like_annual_report(link.title) for link in listing.links)
            # A CMS list whose items come from its API (gkmlpt, Hanweb) shows none in the page itself.
            or (adapter in LISTED_BY_API and listing.next is not None)
        )
        steps = self.discovery_steps(response, page, is_column) if page and depth < self.max_depth else []
        # A page that links to a column (a home page showing the latest reports, too) is a step of
        # discovery, asked for in full on every run; only a column's own pages are asked conditionally.
        # (A 304 answers a conditional GET, which only a column's pages are sent.)
        is_list = response.status == 304 or (is_column and not steps)
        yield self.fetched(response, "list" if is_list else "discovery", title)
        if listing is None:
            return
        if is_column:
            if depth:
                yield DiscoveredColumn(url=response.url, title=title, cms=adapter.name, depth=depth)
            yield from self.follow_list(response, adapter.name, listing)
        for link in steps:
            yield self.page_request(link.url, depth + 1, link.title)

    def discovery_steps(self, response: Response, page: ListResponse, is_column: bool) -> list:
        """Links to annual-report columns (a home page's, or a column's yearly sub-columns); failing
        those, from a page that lists no reports, links into the 政府信息公开 section."""
        links = [
            link
            for link in listed_links(page.text, page.url)
            if _same_site(link.url, response.url)
            and column_directory(link.url)  # a list page, not an article or a file
            and not same_column(link.url, response.url)
        ]
        columns = [link for link in links if looks_like_column(link.title, link.url)]
        if columns or is_column:
            return columns
        return [link for link in links if looks_like_disclosure_section(link.title, link.url)]

    def parse_list(self, response: Response, cms: str) -> Iterator:
        yield self.fetched(response, "list")
        if response.status != 200:
            return
        adapter = adapter_named(cms)
        yield from self.follow_list(response, cms, adapter.parse(decoded(response)))

    def follow_list(self, response: Response, cms: str, listing) -> Iterator[scrapy.Request]:
        for link in listing.links:
            if looks_like_annual_report(link.title):
                yield scrapy.Request(
                    link.url,
                    callback=self.parse_report,
                    cb_kwargs={"link_title": link.title},
                    headers={"Referer": response.url},
                    meta={**_KEEP_ALL_STATUSES, "kind": "report_page"},
                )
        if listing.next:
            following = listing.next
            yield scrapy.Request(
                following.url,
                method=following.method,
                body=following.body,
                headers={"Referer": response.url, **following.headers},
                callback=self.parse_list,
                cb_kwargs={"cms": cms},
                meta={**_KEEP_ALL_STATUSES, "kind": "list", "next_list_page": True},
                dont_filter=following.method == "POST",  # POST windows share a URL path
            )

    def parse_report(self, response: Response, link_title: str) -> Iterator[FetchedDocument | scrapy.Request]:
        yield self.fetched(response, "report_page", link_title)
        if response.status != 200:
            return
        page = decoded(response)
        for link in listed_links(page.text, page.url):
            if is_attachment(link.url, link.title):
                # Every attachment is kept: a page often offers both 「全真版」 (PDF) and 「文字版」 (DOC).
                yield scrapy.Request(
                    link.url,
                    callback=self.parse_attachment,
                    cb_kwargs={"link_title": link.title},
                    headers={"Referer": response.url},
                    meta={**_KEEP_ALL_STATUSES, "kind": "attachment"},
                )

    def parse_attachment(self, response: Response, link_title: str) -> Iterator[FetchedDocument]:
        yield self.fetched(response, "attachment", link_title)

    def fetched(self, response: Response, kind: str, link_title: str | None = None) -> FetchedDocument:
        referer = response.request.headers.get("Referer") if response.request else None

        def header(name: str) -> str | None:
            value = response.headers.get(name)
            return value.decode("latin-1") if value else None

        return FetchedDocument(
            url=response.url,
            status=response.status,
            media_type=header("Content-Type"),
            body=response.body,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            kind=kind,
            referer=referer.decode("utf-8", "replace") if referer else None,
            link_title=link_title,
            report_year=report_year(link_title) if kind == "report_page" and link_title else None,
            etag=header("ETag"),
            last_modified=header("Last-Modified"),
        )


def _same_site(url: str, other: str) -> bool:
    return urlsplit(url).hostname == urlsplit(other).hostname

"""Crawl one annual-report column (政府信息公开年报): its list pages, report pages and attachments."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import scrapy
from scrapy.http import Response

from crawler.items import FetchedDocument
from crawler.links import is_attachment, looks_like_annual_report, trs_list_pages


def title_of(link) -> str:
    """A list link's full title: TRS lists cut long titles with 「…」 in the text but keep them in @title."""
    return (link.attrib.get("title") or " ".join(link.css("::text").getall())).strip()


# Keep error responses too: a 404 for a report is worth recording.
_KEEP_ALL_STATUSES = {"handle_httpstatus_all": True}


class AnnualReportSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(self, start_url: str | None = None, source_id: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not start_url:
            raise ValueError("annual_reports needs -a start_url=URL of an annual-report column")
        self.start_url = start_url
        self.source_id = int(source_id) if source_id is not None else None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.start_url, callback=self.parse_list, meta=_KEEP_ALL_STATUSES)

    def parse_list(self, response: Response) -> Iterator[FetchedDocument | scrapy.Request]:
        yield self.fetched(response, "list")
        if response.status != 200 or not hasattr(response, "text"):
            return
        for link in response.css("a[href]"):
            title = title_of(link)
            if looks_like_annual_report(title):
                yield response.follow(
                    link,
                    callback=self.parse_report,
                    cb_kwargs={"link_title": title},
                    meta=_KEEP_ALL_STATUSES,
                )
        for page in trs_list_pages(response.text):
            yield response.follow(page, callback=self.parse_list, meta=_KEEP_ALL_STATUSES)

    def parse_report(self, response: Response, link_title: str) -> Iterator[FetchedDocument | scrapy.Request]:
        yield self.fetched(response, "report_page", link_title)
        if response.status != 200 or not hasattr(response, "text"):
            return
        for link in response.css("a[href]"):
            href = link.attrib["href"]
            if is_attachment(href):
                title = title_of(link)
                yield response.follow(
                    link,
                    callback=self.parse_attachment,
                    cb_kwargs={"link_title": title},
                    meta=_KEEP_ALL_STATUSES,
                )

    def parse_attachment(self, response: Response, link_title: str) -> Iterator[FetchedDocument]:
        yield self.fetched(response, "attachment", link_title)

    def fetched(self, response: Response, kind: str, link_title: str | None = None) -> FetchedDocument:
        referer = response.request.headers.get("Referer") if response.request else None
        return FetchedDocument(
            url=response.url,
            status=response.status,
            media_type=(response.headers.get("Content-Type") or b"").decode("latin-1") or None,
            body=response.body,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            kind=kind,
            referer=referer.decode("utf-8", "replace") if referer else None,
            link_title=link_title,
        )

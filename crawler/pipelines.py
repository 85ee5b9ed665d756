"""Item pipelines: storing what spiders fetched."""

from __future__ import annotations

from crawler.items import DiscoveredColumn, FetchedDocument
from govreports.archive import open_archive, record_column, record_fetch


class ArchivePipeline:
    """Writes every fetched response, and every column discovery found, into the archive (ARCHIVE_PATH)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("ARCHIVE_PATH")
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        self.db = open_archive(self.path)

    def close_spider(self) -> None:
        if self.db is not None:
            self.db.close()

    def process_item(self, item):
        source_id = getattr(self.crawler.spider, "source_id", None)
        if isinstance(item, DiscoveredColumn):
            record_column(self.db, source_id, dict(item))
            self.crawler.stats.inc_value("archive/columns_found")
            return item
        if not isinstance(item, FetchedDocument):
            return item  # the run's own record (ListPageRead, SkippedLink): crawl_runs, not the archive
        first_time = (
            item["status"] == 200
            and not self.db.execute(
                "select 1 from fetches where url = ? and status = 200 limit 1", [item["url"]]
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
            source_id=source_id,
            fetched_at=item["fetched_at"],
            etag=item.get("etag"),
            last_modified=item.get("last_modified"),
        )
        stats = self.crawler.stats
        stats.inc_value(f"archive/stored/{item['kind']}")
        if new_document:
            stats.inc_value("archive/new_documents")
        if first_time:
            stats.inc_value(f"archive/new/{item['kind']}")
        return item

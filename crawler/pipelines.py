"""Item pipelines: storing what spiders fetched."""

from __future__ import annotations

from govreports.archive import open_archive, record_fetch


class ArchivePipeline:
    """Writes every fetched response into the archive named by the ARCHIVE_PATH setting."""

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
        record_fetch(
            self.db,
            url=item["url"],
            status=item["status"],
            media_type=item["media_type"],
            body=item["body"],
            kind=item["kind"],
            referer=item.get("referer"),
            link_title=item.get("link_title"),
            source_id=getattr(self.crawler.spider, "source_id", None),
            fetched_at=item["fetched_at"],
        )
        self.crawler.stats.inc_value(f"archive/stored/{item['kind']}")
        return item

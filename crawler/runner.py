"""Running spiders from the CLI: one Scrapy process crawling one or more columns."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.sources import Source
from crawler.spiders.annual_reports import AnnualReportSpider
from govreports.archive import open_archive, record_source


def is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def crawl_settings(sources: list[Source], archive_path: str, log_level: str = "INFO") -> Settings:
    settings = Settings()
    settings.setmodule(project_settings)
    settings.set("ARCHIVE_PATH", archive_path)
    settings.set("LOG_LEVEL", log_level)
    if all(is_local(source.start_url) for source in sources):
        # Our own test and demo portals: no need to be gentle with 127.0.0.1.
        settings.set("AUTOTHROTTLE_ENABLED", False)
        settings.set("DOWNLOAD_DELAY", 0)
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
    return settings


def run_crawl(sources: list[Source], archive_path: str, log_level: str = "INFO") -> dict[str, dict]:
    """Crawl every source in one process; returns Scrapy's stats per start URL."""
    db = open_archive(archive_path)
    source_ids = {source.start_url: record_source(db, source.as_dict()) for source in sources}
    db.close()
    process = CrawlerProcess(crawl_settings(sources, archive_path, log_level))
    crawlers = {}
    for source in sources:
        crawler = process.create_crawler(AnnualReportSpider)
        crawlers[source.start_url] = crawler
        process.crawl(crawler, start_url=source.start_url, source_id=source_ids[source.start_url])
    process.start()
    return {url: crawler.stats.get_stats() for url, crawler in crawlers.items()}

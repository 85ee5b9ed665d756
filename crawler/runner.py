"""Running spiders from the CLI: one Scrapy process crawling one or more sources, one spider each."""

from __future__ import annotations

import ipaddress
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.sources import Source
from crawler.spiders.annual_reports import AnnualReportSpider
from govreports.archive import close_abandoned_runs, last_run, open_archive, record_source


@dataclass
class CrawlOptions:
    archive_path: str
    log_level: str = "INFO"
    log_file: str | None = None
    jobdir: str | None = None  # resumable: Scrapy keeps each source's pending requests under jobdir/<id>
    revalidate: bool = False
    contact_url: str | None = None
    # Host names answered without DNS (curl's --resolve): a portal's several hosts on a mirror or test copy.
    host_addresses: dict[str, str] = field(default_factory=dict)
    render: bool = True  # draw in a browser the column pages whose list only JavaScript builds
    # Scrapy settings given by name (``-s DOWNLOAD_TIMEOUT=5``), applied last.
    overrides: dict[str, str] = field(default_factory=dict)


def is_local(url: str, host_addresses: dict[str, str] | None = None) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    host = (host_addresses or {}).get(host, host)
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def crawl_settings(sources: list[Source], options: CrawlOptions) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings)
    settings.set("ARCHIVE_PATH", options.archive_path)
    settings.set("LOG_LEVEL", options.log_level)
    settings.set("REVALIDATE", options.revalidate)
    if options.log_file:
        settings.set("LOG_FILE", options.log_file)
        settings.set("LOG_FILE_APPEND", True)
    if options.contact_url:
        settings.set("USER_AGENT", project_settings.USER_AGENT_TEMPLATE.format(contact=options.contact_url))
    settings.set("RENDER_JS", options.render)
    if options.host_addresses:
        settings.set("HOST_ADDRESSES", options.host_addresses)
        settings.set("TWISTED_DNS_RESOLVER", "crawler.resolver.StaticHostsResolver")
    if all(is_local(source.start_url, options.host_addresses) for source in sources):
        # Our own test and demo portals: no need to be gentle with 127.0.0.1.
        settings.set("AUTOTHROTTLE_ENABLED", False)
        settings.set("DOWNLOAD_DELAY", 0)
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        settings.set("RETRY_AFTER_DEFAULT", 1.0)
    settings.setdict(options.overrides, priority="cmdline")
    return settings


def run_crawl(sources: list[Source], options: CrawlOptions) -> list[dict]:
    """Crawl every source in one process; returns each source's ``crawl_runs`` row. The caller holds the
    crawl lock: runs still ``running`` were killed, and are closed as ``interrupted`` first."""
    db = open_archive(options.archive_path)
    source_ids = {source.start_url: record_source(db, source.as_dict()) for source in sources}
    abandoned = close_abandoned_runs(db)
    db.close()
    if options.jobdir:
        # A killed crawl's queue may be torn mid-write, and its seen-set lists requests it never made:
        # resuming from it could skip them for good. Start those sources afresh; the archive knows what
        # was fetched, and the lists are walked in full after a run that did not finish.
        for run in abandoned:
            if run["source_id"] is not None:
                shutil.rmtree(Path(options.jobdir) / str(run["source_id"]), ignore_errors=True)
    settings = crawl_settings(sources, options)
    process = CrawlerProcess(settings)
    for source in sources:
        crawler = process.create_crawler(AnnualReportSpider)
        if options.jobdir:  # one queue per source: the crawler's settings are its own until it starts
            crawler.settings.set(
                "JOBDIR", str(Path(options.jobdir) / str(source_ids[source.start_url])), "cmdline"
            )
        process.crawl(
            crawler,
            start_url=source.start_url,
            source_id=source_ids[source.start_url],
            cms=source.cms,
            kind=source.kind,
            render=source.render,
        )
    process.start()
    db = open_archive(options.archive_path)
    runs = [last_run(db, source.start_url) for source in sources]
    db.close()
    if options.jobdir:
        # A source that walked its lists starts afresh next time (what failed is in fetch_failures); an
        # interrupted one resumes from its queue.
        for run in runs:
            if run and run["status"] in ("finished", "incomplete"):
                shutil.rmtree(Path(options.jobdir) / str(run["source_id"]), ignore_errors=True)
    return [run for run in runs if run]

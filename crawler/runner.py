"""Running spiders from the CLI: one Scrapy process crawling one or more sources, one spider each."""

from __future__ import annotations

import ipaddress
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.internet.defer import Deferred

from crawler import settings as project_settings
from crawler.shared_archive import close_shared_archives
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
    polite = Settings(options.overrides).getbool("LOOPBACK_POLITE")
    if not polite and all(is_local(source.start_url, options.host_addresses) for source in sources):
        # Our own test and demo portals: no need to be gentle with 127.0.0.1 (unless LOOPBACK_POLITE
        # asks for the real portals' politeness, as bench/fleet.py does).
        settings.set("AUTOTHROTTLE_ENABLED", False)
        settings.set("DOWNLOAD_DELAY", 0)
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        settings.set("RETRY_AFTER_DEFAULT", 1.0)
    settings.setdict(options.overrides, priority="cmdline")
    return settings


def start_source(
    process: CrawlerProcess, source_ids: dict[str, int], options: CrawlOptions
) -> Callable[[Source], tuple[Crawler, Deferred]]:
    """A function that starts one source's crawler in ``process``: its spider, and its own queue under
    --jobdir."""

    def start(source: Source) -> tuple[Crawler, Deferred]:
        crawler = process.create_crawler(AnnualReportSpider)
        if options.jobdir:  # one queue per source: the crawler's settings are its own until it starts
            crawler.settings.set(
                "JOBDIR", str(Path(options.jobdir) / str(source_ids[source.start_url])), "cmdline"
            )
        done = process.crawl(
            crawler,
            start_url=source.start_url,
            source_id=source_ids[source.start_url],
            cms=source.cms,
            kind=source.kind,
            render=source.render,
        )
        return crawler, done

    return start


def crawl_in_turn(
    process: CrawlerProcess,
    sources: list[Source],
    at_once: int,
    start: Callable[[Source], tuple[Crawler, Deferred]],
) -> None:
    """Start ``at_once`` sources, and the next one each time one finishes, until every source has run.

    A crawler holds its own engine, downloader, scheduler and middlewares: a thousand at once would
    hold a thousand of each, while a crawl that waits on each host's download delay needs only enough
    of them to keep the machine busy. A crawl stopped (Ctrl-C, a signal) starts no more sources.
    """
    waiting = iter(sources)

    def next_source(result=None, finished: Crawler | None = None):
        if finished is not None and finished.stats.get_value("finish_reason") == "shutdown":
            return result  # the process is stopping: the sources not yet started wait for the next run
        source = next(waiting, None)
        if source is not None:
            crawler, done = start(source)
            # Registered in CrawlerProcess before the finished crawler leaves it: process.start() waits on.
            done.addBoth(next_source, crawler)
        return result

    for _ in range(max(1, at_once)):
        next_source()


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
    crawl_in_turn(
        process, sources, settings.getint("CONCURRENT_SOURCES"), start_source(process, source_ids, options)
    )
    try:
        process.start()
    finally:
        close_shared_archives()
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

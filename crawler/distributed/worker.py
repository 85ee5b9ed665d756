"""A worker of a distributed crawl (``govreports worker``): claims host groups, crawls their sources
with scrapy-redis's scheduler, and hands every item to the writer through a Redis stream."""

from __future__ import annotations

import logging
import pickle
import time
import uuid
from dataclasses import replace

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.reactor import install_reactor
from scrapy_redis.connection import from_settings as redis_from_settings
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.distributed.keys import (
    DONE,
    LEASE_SECONDS,
    CrawlKeys,
    claim_group,
    connect,
    group_sources,
    redis_clock,
    release_group,
    renew_claims,
    requeue_inflight,
)
from crawler.incremental import preset_archive_state
from crawler.runner import CrawlOptions, crawl_settings
from crawler.runs import connect_run_signals
from crawler.spiders.annual_reports import AnnualReportSpider

logger = logging.getLogger(__name__)
# Seconds between a crawler's stats sent to the writer: what a killed worker's run loses at most.
STATS_INTERVAL = 2.0


def worker_settings(keys: CrawlKeys, redis_url: str, job: dict) -> dict:
    """Scrapy settings that put one source's crawl on Redis and its output on the stream."""
    source_id = job["source_id"]
    return {
        "SCHEDULER": "crawler.distributed.worker.ResumableScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # the queue outlives the worker: another one resumes it
        "SCHEDULER_QUEUE_KEY": keys.queue(source_id),
        "SCHEDULER_DUPEFILTER_KEY": keys.seen(source_id),
        "REDIS_URL": redis_url,
        # Byte values (documents) go through pickle: the client must not decode them.
        "REDIS_PARAMS": {"socket_timeout": 30, "socket_connect_timeout": 30, "retry_on_timeout": True},
        "DISTRIBUTED_PREFIX": keys.prefix,
        "DISTRIBUTED_RUN_ID": job["run_id"],
        "DISTRIBUTED_SOURCE_ID": source_id,
        "ITEM_PIPELINES": {"crawler.distributed.worker.HandOffPipeline": 300},
        # The run's record is the writer's: this extension reports stats instead of writing them.
        "EXTENSIONS": {"crawler.runs.CrawlRunRecorder": None, "crawler.distributed.worker.RunReporter": 500},
        "SPIDER_MIDDLEWARES": {
            "crawler.incremental.IncrementalMiddleware": 560,
            # Lowest number: it sees the callback's output last, after every other middleware.
            "crawler.distributed.worker.DoneMiddleware": 10,
        },
    }


class InflightLedger:
    """The requests of a source taken from Redis and not yet done, by fingerprint."""

    def __init__(self, crawler: Crawler) -> None:
        self.server = redis_from_settings(crawler.settings)
        keys = CrawlKeys(crawler.settings.get("DISTRIBUTED_PREFIX"))
        self.key = keys.inflight(crawler.settings.getint("DISTRIBUTED_SOURCE_ID"))
        self.fingerprinter = crawler.request_fingerprinter

    def taken(self, request, encoded: bytes) -> None:
        self.server.hset(self.key, self.fingerprinter.fingerprint(request).hex(), encoded)

    def done(self, request) -> None:
        if request is not None:
            self.server.hdel(self.key, self.fingerprinter.fingerprint(request).hex())


def ledger_of(crawler: Crawler) -> InflightLedger:
    if not hasattr(crawler, "inflight_ledger"):
        crawler.inflight_ledger = InflightLedger(crawler)
    return crawler.inflight_ledger


class ResumableScheduler(Scheduler):
    """scrapy-redis's scheduler, which forgets a request once popped: its seen-set then refuses it for
    good, so a worker killed with it in flight would lose it. Each popped request is noted in flight."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.ledger = ledger_of(crawler)
        return scheduler

    def next_request(self):
        request = super().next_request()
        if request is not None:
            self.ledger.taken(request, self.queue._encode_request(request))
        return request


class DoneMiddleware:
    """Spider middleware: a request is done once its callback's output has all been handed on (requests
    to the Redis queue, items to the stream)."""

    def __init__(self, crawler: Crawler) -> None:
        self.ledger = ledger_of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_output(self, response, result):
        yield from result
        self.ledger.done(response.request)

    async def process_spider_output_async(self, response, result):
        async for output in result:
            yield output
        self.ledger.done(response.request)


class DistributedReportSpider(AnnualReportSpider):
    """The same spider; its errbacks' output skips spider middlewares, so they mark their request done."""

    def failed(self, failure):
        yield from super().failed(failure)
        ledger_of(self.crawler).done(failure.request)

    def render_failed(self, failure) -> None:
        super().render_failed(failure)
        ledger_of(self.crawler).done(failure.request)


def send(server, keys: CrawlKeys, message: dict) -> None:
    server.xadd(keys.stream, {"m": pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)})


class HandOffPipeline:
    """Items go to the writer through the stream, raw bytes and all; the worker stores nothing."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = redis_from_settings(crawler.settings)
        self.keys = CrawlKeys(crawler.settings.get("DISTRIBUTED_PREFIX"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        send(
            self.server,
            self.keys,
            {
                "type": "item",
                "source_id": self.crawler.spider.source_id,
                "run_id": self.crawler.settings.getint("DISTRIBUTED_RUN_ID"),
                "item_class": type(item).__name__,
                "fields": dict(item),
            },
        )
        return item


def plain_stats(stats: dict) -> dict:
    """The stats a run's record reads (counts, the start page's status, render failures)."""
    return {key: value for key, value in stats.items() if isinstance(value, int | float | str | list)}


class RunReporter:
    """Extension: the crawler's stats to the writer every few seconds and at the close; a source crawled
    to its end is marked done and its Redis keys dropped."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = redis_from_settings(crawler.settings)
        self.keys = CrawlKeys(crawler.settings.get("DISTRIBUTED_PREFIX"))
        self.session = uuid.uuid4().hex  # this worker's part of the run, kept apart from others'
        self.loop = task.LoopingCall(self.report)
        self.sent_judged: dict = {}

    @classmethod
    def from_crawler(cls, crawler):
        return connect_run_signals(cls(crawler), crawler)

    def item_scraped(self, item, **_) -> None:
        # What the run's verdict hangs on (the start page's status …) is sent at once: a worker killed
        # before its next report must not leave the run judged without it.
        judged = self.judged_stats()
        if judged != self.sent_judged:
            self.report()

    def judged_stats(self) -> dict:
        return {
            key: value
            for key, value in self.crawler.stats.get_stats().items()
            if key.startswith("govreports/")
        }

    def spider_opened(self, spider) -> None:
        self.crawler.stats.set_value("govreports/run_id", self.crawler.settings.getint("DISTRIBUTED_RUN_ID"))
        self.loop.start(STATS_INTERVAL, now=False)

    def report(self, kind: str = "stats", **extra) -> None:
        self.sent_judged = self.judged_stats()
        send(
            self.server,
            self.keys,
            {
                "type": kind,
                "source_id": self.crawler.spider.source_id,
                "run_id": self.crawler.settings.getint("DISTRIBUTED_RUN_ID"),
                "session": self.session,
                "stats": plain_stats(self.crawler.stats.get_stats()),
                **extra,
            },
        )

    def spider_closed(self, spider, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        self.report("closed", reason=reason)
        if reason == "finished":
            source_id = spider.source_id
            with self.server.pipeline() as pipe:
                pipe.sadd(self.keys.done, source_id)
                pipe.delete(
                    self.keys.queue(source_id), self.keys.seen(source_id), self.keys.inflight(source_id)
                )
                pipe.execute()


class Worker:
    """Keeps up to ``groups_at_once`` host groups crawling in one Scrapy process until the crawl is done."""

    def __init__(
        self,
        redis_url: str,
        options: CrawlOptions,
        groups_at_once: int,
        keys: CrawlKeys,
        lease: float,
        launched_at: float,
    ) -> None:
        self.redis_url, self.options, self.keys = redis_url, options, keys
        self.groups_at_once, self.lease = groups_at_once, lease
        self.server = connect(redis_url)
        self.process = CrawlerProcess(crawl_settings([], options), install_root_handler=True)
        self.active: dict[str, dict] = {}  # group → {"left": sources still crawling, "finished": bool}
        self.loop: task.LoopingCall | None = None
        # When the command was launched (before Scrapy's imports), on Redis's clock.
        self.worker_id = uuid.uuid4().hex
        self.started_at = launched_at + redis_clock(self.server) - time.time()

    def run(self) -> None:
        # Scrapy's reactor before anything imports Twisted's default one (LoopingCall would).
        install_reactor(self.process.settings["TWISTED_REACTOR"])
        from twisted.internet import reactor

        self.loop = task.LoopingCall(self.tick)
        reactor.callWhenRunning(self.loop.start, 1.0)
        self.process.start(stop_after_crawl=False)

    def tick(self) -> None:
        from twisted.internet import reactor

        for group in renew_claims(self.server, self.keys, self.worker_id, list(self.active), self.lease):
            self.lose(group)
        if self.crawl_ended() and not self.active:
            if self.loop.running:
                self.loop.stop()
                reactor.stop()
            return
        while len(self.active) < self.groups_at_once and (
            group := claim_group(self.server, self.keys, self.worker_id, self.lease)
        ):
            self.start_group(group)

    def lose(self, group: str) -> None:
        """This worker stalled past its lease and the host may be another's now: its crawlers stop (the
        runs are not closed: whoever holds the host finishes them)."""
        logger.warning("lost the claim on %s: stopping its crawlers", group)
        for crawler in self.active[group]["crawlers"]:
            deferred_from_coro(crawler.stop_async())

    def crawl_ended(self) -> bool:
        """The crawl on Redis is done, and ended after this worker was launched: one launched after a crawl
        ended (before the next is seeded) waits for the next rather than leave on the previous one's end."""
        if self.server.get(self.keys.state) != DONE:
            return False
        return float(self.server.get(self.keys.ended_at) or 0) >= self.started_at

    def start_group(self, group: str) -> None:
        done = {int(member) for member in self.server.smembers(self.keys.done)}
        sources = [
            source_id for source_id in group_sources(self.server, self.keys, group) if source_id not in done
        ]
        if not sources:
            release_group(self.server, self.keys, self.worker_id, group, finished=True)
            return
        self.active[group] = {"left": len(sources), "finished": True, "crawlers": []}
        for source_id in sources:
            self.start_source(group, source_id)

    def start_source(self, group: str, source_id: int) -> None:
        job = pickle.loads(self.server.hget(self.keys.jobs, source_id))
        requeue_inflight(self.server, self.keys, source_id)
        source = job["source"]
        settings = crawl_settings([source], replace(self.options, revalidate=job["state"].revalidate))
        settings.setdict(worker_settings(self.keys, self.redis_url, job), priority="cmdline")
        crawler = Crawler(DistributedReportSpider, settings)
        preset_archive_state(crawler, job["state"])
        deferred = self.process.crawl(
            crawler,
            start_url=source.start_url,
            source_id=source_id,
            cms=source.cms,
            kind=source.kind,
            render=source.render,
        )
        self.active[group]["crawlers"].append(crawler)
        deferred.addBoth(self.source_closed, group, crawler)

    def source_closed(self, result, group: str, crawler: Crawler):
        state = self.active[group]
        state["left"] -= 1
        state["finished"] &= crawler.stats.get_value("finish_reason") == "finished"
        if state["left"] == 0:
            release_group(self.server, self.keys, self.worker_id, group, finished=state["finished"])
            del self.active[group]
            from twisted.internet import reactor

            reactor.callLater(0, self.tick)  # the next host now, not at the next tick
        return result


def run_worker(
    redis_url: str,
    options: CrawlOptions,
    groups_at_once: int = 2,
    lease: float = LEASE_SECONDS,
    launched_at: float | None = None,
) -> None:
    """Take part in the crawl on Redis until it is done (the writer says so); started before the crawl is
    seeded, wait for it."""
    launched_at = time.time() if launched_at is None else launched_at
    Worker(redis_url, options, groups_at_once, CrawlKeys(), lease, launched_at).run()

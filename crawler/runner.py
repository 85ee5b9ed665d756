"""Running spiders from the CLI: one Scrapy process crawling one or more sources, one spider each; or
several such processes (``govreports crawl --processes N``), each taking the next site's sources from
this one as its crawlers finish."""

from __future__ import annotations

import ctypes
import ipaddress
import multiprocessing
import os
import shutil
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.ossignal import install_shutdown_handlers
from twisted.internet.defer import Deferred

from crawler import settings as project_settings
from crawler.links import registrable_domain
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
    sources: Iterable[Source],
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


def crawl_here(
    process: CrawlerProcess,
    sources: Iterable[Source],
    source_ids: dict[str, int],
    options: CrawlOptions,
    at_most: int | None = None,
) -> None:
    """Crawl ``sources`` in ``process`` (this one's reactor), CONCURRENT_SOURCES (or ``at_most``) at once."""
    at_once = process.settings.getint("CONCURRENT_SOURCES")
    if at_most:
        at_once = min(at_once, at_most)
    crawl_in_turn(process, sources, at_once, start_source(process, source_ids, options))
    try:
        process.start()
    finally:
        close_shared_archives()


def run_crawl(
    sources: list[Source],
    options: CrawlOptions,
    processes: int = 1,
    on_death: Callable[[str], None] | None = None,
) -> list[dict]:
    """Crawl every source, in this process or in ``processes`` child processes (crawl_in_processes);
    returns each source's ``crawl_runs`` row. The caller holds the crawl lock: runs still ``running`` were
    killed, and are closed as ``interrupted`` first.

    A child that died (killed, crashed) is told to ``on_death`` (default: stderr), a line naming the
    sources it left unfinished; its runs left ``running`` are returned as they are, and a source it took
    without opening a run has no row (not last night's). The next crawl closes them as ``interrupted``, as
    after any killed crawl."""
    db = open_archive(options.archive_path)
    source_ids = {source.start_url: record_source(db, source.as_dict()) for source in sources}
    abandoned = close_abandoned_runs(db)
    earlier_runs = db.execute("select coalesce(max(id), 0) from crawl_runs").fetchone()[0]
    db.close()
    if options.jobdir:
        # A killed crawl's queue may be torn mid-write, and its seen-set lists requests it never made:
        # resuming from it could skip them for good. Start those sources afresh; the archive knows what
        # was fetched, and the lists are walked in full after a run that did not finish.
        for run in abandoned:
            if run["source_id"] is not None:
                shutil.rmtree(Path(options.jobdir) / str(run["source_id"]), ignore_errors=True)
    sites = by_site(sources)
    dead: list[CrawlChild] = []
    if min(processes, len(sites)) > 1:
        dead = crawl_in_processes(sources, sites, source_ids, options, processes)
    else:
        crawl_here(CrawlerProcess(crawl_settings(sources, options)), sources, source_ids, options)
    db = open_archive(options.archive_path)
    runs = [last_run(db, source.start_url) for source in sources]
    db.close()
    taken_by_dead = {url for child in dead for url in child.taken}
    runs = [
        run for run in runs if run and not (run["start_url"] in taken_by_dead and run["id"] <= earlier_runs)
    ]
    for line in _deaths(dead, runs):
        (on_death or _to_stderr)(line)
    if options.jobdir:
        # A source that walked its lists starts afresh next time (what failed is in fetch_failures); an
        # interrupted one resumes from its queue.
        for run in runs:
            if run["status"] in ("finished", "incomplete"):
                shutil.rmtree(Path(options.jobdir) / str(run["source_id"]), ignore_errors=True)
    return runs


def _deaths(dead: list[CrawlChild], runs: list[dict]) -> Iterator[str]:
    """A line for each dead child: how it ended, and the sources it took that have no closed run."""
    closed = {run["start_url"] for run in runs if run["status"] != "running"}
    for child in dead:
        left = [url for url in child.taken if url not in closed]
        yield (
            f"crawl process {child.process.pid} {_ending(child.process.exitcode)}; {len(left)} of the "
            f"{len(child.taken)} sources it took did not finish (the next crawl closes their runs as "
            "interrupted and crawls them again)" + "".join(f"\n  {url}" for url in left)
        )


def _to_stderr(line: str) -> None:
    print(f"govreports crawl: {line}", file=sys.stderr, flush=True)


def by_site(sources: list[Source]) -> list[list[Source]]:
    """The sources grouped by site (registrable domain, and port: our test portals share 127.0.0.1), in the
    order they first appear. A crawl process takes a site's sources together: what they fetch in common (a
    city's platform serving its bureaus' columns) is stored by one process, one item at a time. Politeness
    does not depend on it: each source's crawler keeps its own per-host slots, in one process or two."""
    sites: dict[tuple[str, int | None], list[Source]] = {}
    for source in sources:
        try:
            port = urlsplit(source.start_url).port
        except ValueError:
            port = None
        sites.setdefault((registrable_domain(source.start_url), port), []).append(source)
    return list(sites.values())


# ---------------------------------------------------------------------------- several crawl processes

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class CrawlChild:
    """A crawl process, as its parent sees it: its channel, and the sources handed to it."""

    process: multiprocessing.process.BaseProcess
    channel: Connection
    taken: list[str] = field(default_factory=list)  # start URLs
    asked: bool = False  # has asked for sources at least once
    asking: bool = False  # waits for its next site


@dataclass
class _Stops:
    pids: set[int] = field(default_factory=set)  # crawl processes started and not yet reaped
    asked: bool = False


def crawl_in_processes(
    sources: list[Source],
    sites: list[list[Source]],
    source_ids: dict[str, int],
    options: CrawlOptions,
    processes: int,
) -> list[CrawlChild]:
    """Crawl ``sites`` in ``processes`` child processes, and wait for them; returns those that died.

    Each child is a Scrapy process of its own, spawned (a fresh interpreter: no reactor, archive connection
    or thread of this process is inherited), running crawl_in_turn over the sources it asks this process
    for, a site at a time, whenever it has a crawler to start: a child whose sources finish early takes more.
    Handing them out from here rather than through a shared queue leaves no lock a killed child could die
    holding, and tells which sources a dead child had taken. Nothing is handed out until every child has
    asked once, so that the first to start does not take them all, and a child runs at most its share of
    the sources at once (CONCURRENT_SOURCES applies to each). SIGINT and SIGTERM to this process stop the
    children gracefully (_forwarding_stops); if this process is killed, they stop too (_stop_with_parent).
    """
    context = multiprocessing.get_context("spawn")
    # Started now: starting it unblocks the stop signals that each child's start blocks (below).
    resource_tracker.ensure_running()
    share = -(-len(sources) // processes)
    waiting = deque(sites)
    children: list[CrawlChild] = []
    with _forwarding_stops() as stops:
        for number in range(1, min(processes, len(sites)) + 1):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_crawl_child,
                args=(theirs, sources, source_ids, options, share, os.getpid()),
                name=f"crawl-{number}",
            )
            # It starts with the stop signals blocked (the mask outlives exec): one sent while it imports
            # waits until it can take it as a stop (_crawl_child).
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            try:
                process.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            theirs.close()
            stops.pids.add(process.pid)
            children.append(CrawlChild(process, ours))
        running = list(children)
        while running:
            _hear(running, stops)
            if all(child.asked for child in running):
                _hand_out(running, waiting, stops)
    for child in children:
        child.channel.close()
    _to_stderr(
        f"{len(children)} crawl processes: "
        + ", ".join(f"pid {child.process.pid} took {len(child.taken)} sources" for child in children)
    )
    return [child for child in children if child.process.exitcode]


def _hear(running: list[CrawlChild], stops: _Stops) -> None:
    """Wait for a child to ask for sources or to end; an ended one leaves ``running``."""
    channels = {child.channel: child for child in running if not child.channel.closed}
    sentinels = {child.process.sentinel: child for child in running}
    for ready in wait([*channels, *sentinels]):
        if isinstance(ready, Connection):
            child = channels[ready]
            try:
                child.channel.recv()
                child.asked = child.asking = True
            except (EOFError, OSError):  # it has ended: its sentinel says so too
                child.channel.close()
        else:
            child = sentinels[ready]
            stops.pids.discard(child.process.pid)  # before it is reaped: its pid may then be reused
            child.process.join()
            running.remove(child)


def _hand_out(running: list[CrawlChild], waiting: deque[list[Source]], stops: _Stops) -> None:
    """The next site to each child asking; nothing (its last answer) once none is left or a stop was asked."""
    for child in running:
        if not child.asking:
            continue
        site = waiting.popleft() if waiting and not stops.asked else None
        try:
            child.channel.send(site)
        except OSError:  # it died meanwhile
            if site:
                waiting.appendleft(site)
            continue
        child.asking = False
        child.taken += [source.start_url for source in site or []]


@contextmanager
def _forwarding_stops() -> Iterator[_Stops]:
    """While the children run, SIGINT and SIGTERM to this process send each of them SIGTERM: a graceful stop
    (a Ctrl-C reaches them through the process group as well; they take both as one, see _CrawlProcess)."""
    stops = _Stops()

    def forward(signum, frame) -> None:
        stops.asked = True
        for pid in list(stops.pids):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {signum: signal.signal(signum, forward) for signum in _STOP_SIGNALS}
    try:
        yield stops
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _ending(exitcode: int) -> str:
    if exitcode < 0:
        return f"was killed by {signal.Signals(-exitcode).name}"
    return f"exited with status {exitcode}"


# What one crawl process does (it runs in a spawned interpreter).

SAME_STOP_SECONDS = 1.0  # signals this soon after a first stop signal are that stop, not a second one
_PR_SET_PDEATHSIG = 1  # prctl(2)


def _crawl_child(
    channel: Connection,
    sources: list[Source],
    source_ids: dict[str, int],
    options: CrawlOptions,
    at_most: int,
    parent: int,
) -> None:
    """A crawl process: crawl_in_turn over the sources its parent hands it, a site at a time."""
    stops: list[int] = []  # stop signals before the reactor runs, when Scrapy's handlers take over
    for signum in _STOP_SIGNALS:
        signal.signal(signum, lambda signum, _: stops.append(signum))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked by the parent until now
    _stop_with_parent(parent)
    process = _CrawlProcess(crawl_settings(sources, options), stops)

    def handed() -> Iterator[Source]:
        while not process.stopping:
            try:
                channel.send("next")
                site = channel.recv()
            except (EOFError, OSError):
                return  # the parent is gone
            for source in site or []:
                if process.stopping:
                    return
                yield source
            if not site:
                return

    try:
        crawl_here(process, handed(), source_ids, options, at_most)
    finally:
        channel.close()


def _stop_with_parent(parent: int) -> None:
    """SIGTERM to this process (a graceful stop) when its parent dies, by SIGKILL too: the parent held the
    crawl lock, and another crawl may start once it is gone (Linux; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before that
        os.kill(os.getpid(), signal.SIGTERM)


class _CrawlProcess(CrawlerProcess):
    """The Scrapy process of one crawl process. A Ctrl-C reaches it through the process group and its parent
    forwards a SIGTERM too: signals within SAME_STOP_SECONDS of the first are that one stop (graceful); a
    later one forces it, as Scrapy's second signal does. A stop signalled before the reactor ran
    (``stops``) is made once it runs."""

    def __init__(self, settings: Settings, stops: list[int]) -> None:
        super().__init__(settings)
        self.stops = stops
        self.stopped_at: float | None = None

    @property
    def stopping(self) -> bool:
        return bool(self.stops) or self.stopped_at is not None

    def _setup_reactor(self, install_signal_handlers: bool) -> None:
        from twisted.internet import reactor

        super()._setup_reactor(install_signal_handlers)
        # After Scrapy's own "after startup" trigger, which installs its signal handlers.
        reactor.addSystemEventTrigger("after", "startup", self._stop_if_signalled)

    def _stop_if_signalled(self) -> None:
        if self.stops and self.stopped_at is None:
            self._signal_shutdown(self.stops[0], None)

    def _signal_shutdown(self, signum: int, frame) -> None:
        # Scrapy's, but the stop is marked before anything else: the second signal of the pair may be
        # handled at any point of this one's handler, even before its first line.
        if self.stopped_at is not None:
            self._signal_again(signum, frame)
            return
        self.stopped_at = time.monotonic()
        install_shutdown_handlers(self._signal_again)
        from twisted.internet import reactor

        reactor.callFromThread(self._log_shutdown, signum)
        reactor.callFromThread(self._graceful_stop_reactor)

    def _signal_again(self, signum: int, frame) -> None:
        if self.stopped_at is not None and time.monotonic() - self.stopped_at > SAME_STOP_SECONDS:
            self._signal_kill(signum, frame)

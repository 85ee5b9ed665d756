"""The coordinator and single writer of a distributed crawl (``govreports crawl --distributed``): puts
the sources on Redis, then applies what workers send, in stream order, with the single-machine pipeline."""

from __future__ import annotations

import json
import logging
import pickle
import time
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlsplit

import redis
import sqlite_utils
from scrapy.settings import Settings

from crawler import items as crawl_items
from crawler import settings as project_settings
from crawler.completeness import ListTallies
from crawler.distributed.keys import DONE, RUNNING, CrawlKeys, redis_clock
from crawler.incremental import ArchiveState, KnownDocuments, read_archive_state
from crawler.pipelines import ArchivePipeline
from crawler.runs import close_run, tally
from crawler.sources import Source
from govreports.archive import close_abandoned_runs, last_run, record_source, start_run, transaction

log = logging.getLogger(__name__)

GROUP, CONSUMER = "writer", "writer"
BATCH = 200  # messages applied in one SQLite transaction: one commit, not one per document
TALLIED = ("ListPageRead", "SkippedLink")  # items the run's verdict is counted from


def host_group(source: Source) -> str:
    """Sources are handed out by host: one worker at a time asks a host for anything."""
    return urlsplit(source.start_url).netloc.lower()


def seed_crawl(
    server: redis.Redis,
    keys: CrawlKeys,
    db: sqlite_utils.Database,
    sources: list[Source],
    revalidate: bool = False,
) -> bool:
    """Put the crawl on Redis: one job per source (its run, opened now, and what the archive holds for it)
    and the host groups workers claim. A crawl already running there is resumed instead (the writer was
    restarted): returns False then."""
    if server.get(keys.state) == RUNNING:
        return False
    stale = list(server.scan_iter(match=f"{keys.prefix}:*"))
    if stale:
        server.delete(*stale)
    close_abandoned_runs(db)  # a killed crawl's runs (the caller holds the crawl lock)
    ensure_writer_tables(db)
    for table in ("distributed_progress", "distributed_runs", "distributed_pages"):
        db[table].delete_where()  # a fresh stream: what an earlier crawl's writer left means nothing
    groups: dict[str, list[int]] = defaultdict(list)
    with server.pipeline() as pipe:
        for source in {source.start_url: source for source in sources}.values():
            source_id = record_source(db, source.as_dict())
            state = source_state(db, source_id, source.start_url, revalidate)
            job = {
                "source": source,
                "source_id": source_id,
                "run_id": start_run(db, source_id, source.start_url),
            }
            pipe.hset(keys.jobs, source_id, pickle.dumps({**job, "state": state}))
            groups[host_group(source)].append(source_id)
        for group, source_ids in groups.items():
            pipe.hset(keys.groups, group, ",".join(map(str, source_ids)))
            pipe.rpush(keys.todo, group)
        pipe.xgroup_create(keys.stream, GROUP, id="0", mkstream=True)
        pipe.set(keys.state, RUNNING)
        pipe.execute()
    return True


def source_state(db: sqlite_utils.Database, source_id: int, start_url: str, revalidate: bool) -> ArchiveState:
    """The archive's state for one source, what it knows cut down to the URLs the source fetched (a plain
    dict: the job travels through Redis to every worker that takes the source)."""
    view = KnownDocuments(db)
    state = read_archive_state(db, source_id, start_url, revalidate, known=view)
    own = db.execute(
        "select url from fetches where source_id = ? union select requested_url from fetches where source_id = ?",
        [source_id, source_id],
    )
    state.known = {url: row for (url,) in own if url and (row := view.get(url))}
    return state


def crawl_jobs(server: redis.Redis, keys: CrawlKeys) -> list[dict]:
    return [pickle.loads(value) for value in server.hgetall(keys.jobs).values()]


class RunStats(dict):
    """The part of Scrapy's stats collector the pipeline uses, over a plain dict that can be saved."""

    def get_value(self, key: str, default=None):
        return self.get(key, default)

    def set_value(self, key: str, value) -> None:
        self[key] = value

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count

    def get_stats(self) -> dict:
        return self


@dataclass
class RunState:
    """What the writer knows of one source's run: its own counts, and each worker's latest stats."""

    run_id: int
    source_id: int
    archive_stats: RunStats = field(default_factory=RunStats)
    worker_stats: dict[str, dict] = field(default_factory=dict)  # worker session → its stats
    closed: bool = False

    def merged_stats(self) -> dict:
        """Workers' counts added up (a killed worker's up to its last report); the start page's status and
        other values set once taken from whoever set them; the archive's counts from the writer."""
        merged: dict = {}
        for stats in self.worker_stats.values():
            for key, value in stats.items():
                if isinstance(value, list):
                    merged[key] = [*merged.get(key, []), *value]
                elif key.startswith("govreports/") or isinstance(value, str):
                    merged[key] = value
                else:
                    merged[key] = merged.get(key, 0) + value
        return {**merged, **self.archive_stats}


def ensure_writer_tables(db: sqlite_utils.Database) -> None:
    """The writer's own progress, saved with what it applied: where the stream was read to, and the
    runs still open (their counts and list pages), so a restarted writer loses and repeats nothing."""
    db["distributed_progress"].create({"stream": str, "last_id": str}, pk="stream", if_not_exists=True)
    db["distributed_runs"].create(
        {"run_id": int, "source_id": int, "archive_stats": str, "worker_stats": str},
        pk="run_id",
        if_not_exists=True,
    )
    db["distributed_pages"].create({"run_id": int, "item_class": str, "fields": bytes}, if_not_exists=True)


def stream_order(message_id: bytes | str) -> tuple[int, int]:
    text = message_id.decode() if isinstance(message_id, bytes) else message_id
    milliseconds, sequence = text.split("-")
    return int(milliseconds), int(sequence)


class Writer:
    """Applies the stream's messages to the archive, in order, exactly once."""

    def __init__(
        self, server: redis.Redis, keys: CrawlKeys, db: sqlite_utils.Database, jobs: list[dict]
    ) -> None:
        self.server, self.keys, self.db = server, keys, db
        ensure_writer_tables(db)
        self.settings = Settings()
        self.settings.setmodule(project_settings)
        self.run_ids = [job["run_id"] for job in jobs]
        self.runs = {job["run_id"]: self.load_run(job["run_id"], job["source_id"]) for job in jobs}
        self.pipelines: dict[int, ArchivePipeline] = {}
        row = db.execute(
            "select last_id from distributed_progress where stream = ?", [keys.stream]
        ).fetchone()
        self.last_id = stream_order(row[0]) if row else (0, 0)
        self.messages, self.applying = 0, 0.0  # for the bench: the writer's share of the time

    def load_run(self, run_id: int, source_id: int) -> RunState:
        rows = list(self.db["distributed_runs"].rows_where("run_id = ?", [run_id]))
        if not rows:
            return RunState(run_id, source_id)
        return RunState(
            run_id,
            source_id,
            RunStats(json.loads(rows[0]["archive_stats"])),
            json.loads(rows[0]["worker_stats"]),
        )

    def pipeline(self, run: RunState) -> ArchivePipeline:
        """The single-machine pipeline, over this run's counts and the writer's connection."""
        if run.run_id not in self.pipelines:
            run.archive_stats.set_value("govreports/run_id", run.run_id)
            context = SimpleNamespace(
                settings=self.settings,
                stats=run.archive_stats,
                spider=SimpleNamespace(source_id=run.source_id),
            )
            pipeline = ArchivePipeline(context)
            pipeline.db = self.db
            self.pipelines[run.run_id] = pipeline
        return self.pipelines[run.run_id]

    def open_runs(self) -> int:
        marks = ",".join("?" * len(self.run_ids))
        query = f"select count(*) from crawl_runs where status = 'running' and id in ({marks})"
        return self.db.execute(query, self.run_ids).fetchone()[0]

    def run(self) -> None:
        """Read until every run is closed: first what was delivered and not acknowledged (a restart),
        then new messages."""
        cursor = "0"
        while self.open_runs():
            reply = self.server.xreadgroup(
                GROUP, CONSUMER, {self.keys.stream: cursor}, count=BATCH, block=1000
            )
            entries = reply[0][1] if reply else []
            if not entries:
                cursor = ">"
                continue
            self.apply_batch(entries)
        with self.server.pipeline() as pipe:  # workers stop
            pipe.set(self.keys.ended_at, redis_clock(self.server))
            pipe.set(self.keys.state, DONE)
            pipe.execute()

    def apply_batch(self, entries: list) -> None:
        started = time.perf_counter()
        touched: set[int] = set()
        with transaction(self.db):
            for message_id, fields in entries:
                order = stream_order(message_id)
                if order <= self.last_id:
                    continue  # applied before a restart, not yet acknowledged: nothing twice
                touched.add(self.apply(pickle.loads(fields[b"m"])))
                self.last_id = order
                self.messages += 1
            self.save_progress(touched)
        ids = [message_id for message_id, _ in entries]
        with self.server.pipeline() as pipe:
            pipe.xack(self.keys.stream, GROUP, *ids)
            pipe.xdel(self.keys.stream, *ids)  # raw bytes do not stay in Redis's memory
            pipe.execute()
        self.applying += time.perf_counter() - started

    def apply(self, message: dict) -> int:
        run = self.runs[message["run_id"]]
        if message["type"] == "item":
            item = getattr(crawl_items, message["item_class"])(**message["fields"])
            self.pipeline(run).process_item(item)
            if message["item_class"] in TALLIED:
                self.db["distributed_pages"].insert(
                    {
                        "run_id": run.run_id,
                        "item_class": message["item_class"],
                        "fields": pickle.dumps(dict(item)),
                    }
                )
        else:
            run.worker_stats[message["session"]] = message["stats"]
            if message["type"] == "closed" and message["reason"] == "finished":
                self.close(run)
        return run.run_id

    def close(self, run: RunState) -> None:
        """The source was crawled to its end: its run is judged and closed as a single crawl's is."""
        status = self.db.execute("select status from crawl_runs where id = ?", [run.run_id]).fetchone()
        if status and status[0] != "running":
            return  # a second close (a worker killed after closing, its source taken again)
        lists = ListTallies()
        for row in self.db["distributed_pages"].rows_where("run_id = ?", [run.run_id], order_by="rowid"):
            tally(lists, getattr(crawl_items, row["item_class"])(**pickle.loads(row["fields"])))
        close_run(self.db, run.run_id, run.source_id, "finished", run.merged_stats(), lists)
        run.closed = True

    def save_progress(self, touched: set[int]) -> None:
        self.db["distributed_progress"].upsert(
            {"stream": self.keys.stream, "last_id": "{}-{}".format(*self.last_id)}, pk="stream"
        )
        for run_id in touched:
            run = self.runs[run_id]
            if run.closed:  # its record is in crawl_runs now
                self.db["distributed_runs"].delete_where("run_id = ?", [run_id])
                self.db["distributed_pages"].delete_where("run_id = ?", [run_id])
                continue
            self.db["distributed_runs"].upsert(
                {
                    "run_id": run_id,
                    "source_id": run.source_id,
                    "archive_stats": json.dumps(run.archive_stats),
                    "worker_stats": json.dumps(run.worker_stats),
                },
                pk="run_id",
            )


def run_distributed(
    redis_url: str,
    db_path: str,
    sources: list[Source],
    revalidate: bool = False,
    keys: CrawlKeys | None = None,
) -> tuple[list[dict], Writer]:
    """Put the crawl on Redis (or resume the one there), write what workers send until every source's run
    is closed; returns each source's ``crawl_runs`` row and the writer (its counts). The caller holds the
    crawl lock."""
    from govreports.archive import open_archive

    keys = keys or CrawlKeys()
    server = redis.Redis.from_url(redis_url)
    db = open_archive(db_path)
    try:
        if not seed_crawl(server, keys, db, sources, revalidate):
            log.warning("resuming the distributed crawl already on %s", redis_url)
        jobs = crawl_jobs(server, keys)
        writer = Writer(server, keys, db, jobs)
        writer.run()
        runs = [last_run(db, job["source"].start_url) for job in jobs]
    finally:
        db.close()
    return [run for run in runs if run], writer

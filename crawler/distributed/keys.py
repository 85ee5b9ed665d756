"""The crawl's names in Redis, and the claims workers hold on host groups."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

PREFIX = "govreports"
# Seconds a claim lasts unless renewed: a worker killed mid-source frees its hosts this long after.
LEASE_SECONDS = 15.0
RUNNING, DONE = b"running", b"done"

# Expired claims go back to the queue of groups, then one group is taken and claimed, atomically: a
# worker killed between the pop and the claim must not lose the group. Each claim names its worker.
_CLAIM = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, group in ipairs(expired) do
  redis.call('ZREM', KEYS[2], group)
  redis.call('HDEL', KEYS[3], group)
  redis.call('RPUSH', KEYS[1], group)
end
local group = redis.call('RPOP', KEYS[1])
if group then
  redis.call('ZADD', KEYS[2], ARGV[2], group)
  redis.call('HSET', KEYS[3], group, ARGV[3])
end
return group
"""
# Claims still this worker's are renewed; the others are returned: the worker stalled past its lease and
# another may hold the host now.
_RENEW = """
local lost = {}
for index = 3, #ARGV do
  local group = ARGV[index]
  if redis.call('HGET', KEYS[2], group) == ARGV[1] then
    redis.call('ZADD', KEYS[1], ARGV[2], group)
  else
    table.insert(lost, group)
  end
end
return lost
"""
# A claim is given back only by its holder: done, or to the next worker.
_RELEASE = """
if redis.call('HGET', KEYS[2], ARGV[2]) ~= ARGV[1] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
if ARGV[3] == '0' then redis.call('RPUSH', KEYS[3], ARGV[2]) end
return 1
"""


@dataclass(frozen=True)
class CrawlKeys:
    prefix: str = PREFIX

    @property
    def state(self) -> str:  # running | done
        return f"{self.prefix}:state"

    @property
    def ended_at(self) -> str:  # when the last crawl was done, by Redis's clock
        return f"{self.prefix}:ended_at"

    @property
    def jobs(self) -> str:  # source id → the pickled job (source, run id, archive state)
        return f"{self.prefix}:jobs"

    @property
    def groups(self) -> str:  # host → source ids, comma-separated
        return f"{self.prefix}:groups"

    @property
    def todo(self) -> str:  # hosts waiting for a worker
        return f"{self.prefix}:todo"

    @property
    def claims(self) -> str:  # host → lease expiry (unix time)
        return f"{self.prefix}:claims"

    @property
    def owners(self) -> str:  # host → the worker holding its claim
        return f"{self.prefix}:owners"

    @property
    def done(self) -> str:  # source ids crawled to their end
        return f"{self.prefix}:done"

    @property
    def stream(self) -> str:  # items and stats, workers → writer
        return f"{self.prefix}:items"

    def queue(self, source_id: int) -> str:
        return f"{self.prefix}:{source_id}:requests"

    def seen(self, source_id: int) -> str:
        return f"{self.prefix}:{source_id}:dupefilter"

    def inflight(self, source_id: int) -> str:
        return f"{self.prefix}:{source_id}:inflight"


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def redis_clock(server: redis.Redis) -> float:
    """Redis's own time: one clock for every machine of the crawl."""
    seconds, microseconds = server.time()
    return seconds + microseconds / 1e6


def claim_group(
    server: redis.Redis, keys: CrawlKeys, worker: str, lease: float = LEASE_SECONDS
) -> str | None:
    """A host group for this worker, or None when every group is taken or done."""
    now = time.time()
    group = server.eval(_CLAIM, 3, keys.todo, keys.claims, keys.owners, now, now + lease, worker)
    return group.decode() if group else None


def renew_claims(
    server: redis.Redis, keys: CrawlKeys, worker: str, groups: list[str], lease: float = LEASE_SECONDS
) -> list[str]:
    """Renew this worker's claims; returns the groups it no longer holds."""
    if not groups:
        return []
    lost = server.eval(_RENEW, 2, keys.claims, keys.owners, worker, time.time() + lease, *groups)
    return [group.decode() for group in lost]


def release_group(server: redis.Redis, keys: CrawlKeys, worker: str, group: str, finished: bool) -> None:
    """Give a group back: done, or (a worker stopping early) to the next worker."""
    server.eval(_RELEASE, 3, keys.claims, keys.owners, keys.todo, worker, group, int(finished))


def group_sources(server: redis.Redis, keys: CrawlKeys, group: str) -> list[int]:
    value = server.hget(keys.groups, group) or b""
    return [int(part) for part in value.decode().split(",") if part]


def requeue_inflight(server: redis.Redis, keys: CrawlKeys, source_id: int) -> int:
    """Put back on the queue what a previous holder took and never finished (it was killed); they are
    already in the seen-set, so the scheduler would refuse them: pushed to the queue directly."""
    inflight = server.hgetall(keys.inflight(source_id))
    if inflight:
        with server.pipeline() as pipe:
            pipe.zadd(keys.queue(source_id), dict.fromkeys(inflight.values(), 0))
            pipe.delete(keys.inflight(source_id))
            pipe.execute()
    return len(inflight)

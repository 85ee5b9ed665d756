"""One connection to the archive per process, shared by every crawler of a crawl.

A crawl of a thousand sources runs a thousand crawlers in one reactor: a connection each (and a page cache,
and the WAL's file descriptors) would grow with the sources. Every crawler's pipeline and archive reads run
in the reactor's thread, one callback at a time, and each write commits before it returns, so one
connection serves them all.

``govreports crawl --processes N`` runs N such processes (crawler/runner.py), each with its own connection:
in WAL mode their writes take turns, a write waiting for the other process's (open_archive's busy
timeout) rather than failing with "database is locked"; reads never wait.
"""

from __future__ import annotations

import sqlite_utils

from govreports.archive import open_archive

_connections: dict[str, sqlite_utils.Database] = {}


def shared_archive(path: str) -> sqlite_utils.Database:
    """The process's connection to the archive at ``path``, opened (and its schema checked) once."""
    if path not in _connections:
        _connections[path] = open_archive(path)
    return _connections[path]


def close_shared_archives() -> None:
    """Close every shared connection (the crawl is over)."""
    while _connections:
        _connections.popitem()[1].close()

"""Time and memory limits on work that reads untrusted documents: one document never stops the archive.

A hostile document can make a reader allocate gigabytes (an image of 100,000×100 pixels, a zip bomb) or
loop for hours, inside C code that no Python exception interrupts. So documents are read in worker
processes that the main process supervises:

- each worker runs under an address-space limit (``RLIMIT_AS``: what it starts with plus the budget):
  an allocation past it fails in the worker (``MemoryError``, or the library aborts), never on the
  machine;
- each item has a deadline, renewed when the worker ``announce``s its next document or ``renew``s it
  (``FileGate``: a page to OCR); a worker past it is killed with everything it started (its LibreOffice
  too) and replaced;
- a worker that dies or fails is an ``Outcome`` with a ``failure`` saying which document, why and how;
  the other items go on.

``Limits.from_environment()`` reads ``GOVREPORTS_EXTRACT_TIMEOUT`` (seconds per document) and
``GOVREPORTS_EXTRACT_MEMORY`` (MB of address space a worker may add to what it starts with).
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import re
import resource
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

# A report converts through LibreOffice in about a second and OCRs in half a minute a page; five minutes
# on one document is a loop, not a slow report.
DEFAULT_SECONDS = 300.0
# Address space a worker may add to what it starts with: OCR of a page reserves about 2.1 GB (0.9 GB
# resident). LibreOffice runs in processes of its own, each under its own copy of the limit.
DEFAULT_MEMORY_MB = 4096


@dataclass(frozen=True)
class Limits:
    seconds: float = DEFAULT_SECONDS  # per document
    memory: int = DEFAULT_MEMORY_MB << 20  # bytes of address space a worker may add

    @classmethod
    def from_environment(cls) -> Limits:
        seconds = float(os.environ.get("GOVREPORTS_EXTRACT_TIMEOUT") or DEFAULT_SECONDS)
        megabytes = int(os.environ.get("GOVREPORTS_EXTRACT_MEMORY") or DEFAULT_MEMORY_MB)
        return cls(seconds=seconds, memory=megabytes << 20)


@dataclass
class Failure:
    kind: str  # timeout | memory | crashed | error
    message: str
    item: str | None  # what the worker last announced (a document's URL), if anything


@dataclass
class Outcome:
    value: Any = None
    failure: Failure | None = None
    seconds: float = 0.0
    peak_rss: int = 0  # bytes: the worker's peak resident memory so far (its lifetime peak)


# ------------------------------------------------------------------------------------------ in workers

_channel: Connection | None = None  # a worker's pipe to the supervisor; None outside workers


def announce(item: str) -> None:
    """Say which document this worker reads now: its deadline starts afresh and a failure names it."""
    if _channel is not None:
        _channel.send(("item", item))


def renew() -> None:
    """Say the document is progressing (a page OCR'd, a turn awaited): its deadline starts afresh."""
    if _channel is not None:
        _channel.send(("renew", None))


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _limit_memory(budget: int) -> None:
    """At most ``budget`` bytes of address space beyond what the worker starts with (a fork of a process
    that has loaded Scrapy or the OCR models starts with more than a fresh one)."""
    limit = status_kb("VmSize") * 1024 + budget
    # The soft limit only: a child that must escape it (none does today) could raise it again.
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(
        resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard)
    )


def status_kb(field: str, pid: int | str = "self") -> int:
    """A memory figure of /proc/PID/status, in kB (0 once the process is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _worker(channel: Connection, memory: int, initializer: Callable | None, initargs: tuple) -> None:
    global _channel
    _channel = channel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    _limit_memory(memory)
    if initializer:
        initializer(*initargs)
    while True:
        try:
            task = channel.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        function, argument = task
        try:
            reply: tuple = ("done", function(argument))
        except MemoryError:
            reply = ("failed", "memory", "out of memory under the limit")
        except Exception as error:  # any document's fault: reported, and the worker goes on
            reply = ("failed", "error", f"{type(error).__name__}: {error}")
        try:
            channel.send((*reply, _peak_rss()))
        except Exception as error:  # a result that does not pickle, or no memory left to pickle it
            channel.send(("failed", "error", f"result not sent: {type(error).__name__}", _peak_rss()))


# ------------------------------------------------------------------------------------- in the supervisor


class _Worker:
    def __init__(self, context, limits: Limits, initializer: Callable | None, initargs: tuple) -> None:
        self.channel, child = context.Pipe()
        self.process = context.Process(
            target=_worker, args=(child, limits.memory, initializer, initargs), daemon=True
        )
        self.process.start()
        child.close()
        self.index: int | None = None  # the item it works on
        self.item: str | None = None
        self.started = 0.0
        self.deadline = 0.0
        self.peak_rss = 0

    def give(self, index: int, function: Callable, argument: Any, seconds: float) -> None:
        self.index, self.item = index, None
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        self.channel.send((function, argument))

    def kill(self) -> None:
        kill_tree(self.process.pid)
        self.process.join()
        self.channel.close()

    def stop(self) -> None:
        try:
            self.channel.send(None)
        except OSError:
            pass
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.kill()
        else:
            self.channel.close()


class LimitedPool:
    """Worker processes under ``limits``; ``map`` gives one ``Outcome`` per item, in order."""

    def __init__(
        self,
        workers: int,
        limits: Limits,
        initializer: Callable | None = None,
        initargs: tuple = (),
        tasks_per_worker: int | None = None,
    ) -> None:
        self.size = max(1, workers)
        self.limits = limits
        self.initializer, self.initargs = initializer, initargs
        self.tasks_per_worker = tasks_per_worker  # a fresh worker after this many (None: never)
        self._context = multiprocessing.get_context("fork")  # workers inherit the loaded readers
        self._workers: list[_Worker] = []

    def __enter__(self) -> LimitedPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()

    def map(self, function: Callable, items: Iterable, window: int | None = None) -> Iterator[Outcome]:
        """One ``Outcome`` per item, in the items' order. ``items`` is read lazily, at most ``window``
        (default: 4 per worker) ahead of the outcome last taken, so neither the items nor the outcomes
        waiting for an earlier one pile up in memory, however many there are."""
        source = iter(items)
        window = window or 4 * self.size
        pending: deque[tuple[int, Any]] = deque()  # read, not yet given to a worker
        done: dict[int, Outcome] = {}
        served: dict[int, int] = {}  # tasks per worker pid
        next_in = next_out = 0
        exhausted = False
        while True:
            while not exhausted and next_in - next_out < window:
                try:
                    pending.append((next_in, next(source)))
                    next_in += 1
                except StopIteration:
                    exhausted = True
            if exhausted and next_out == next_in:
                return
            self._dispatch(function, pending)
            self._collect(done, served)
            # A worker that just finished starts its next item before the caller takes this outcome:
            # the caller's work on it (storing a report) overlaps the parsing.
            self._dispatch(function, pending)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _dispatch(self, function: Callable, pending: deque) -> None:
        """Give each idle worker the next pending item (starting workers as needed)."""
        self._start_workers(min(self.size, len(pending) + self._busy()))
        for worker in list(self._workers):
            if worker.index is None and pending:
                index, argument = pending[0]
                try:
                    worker.give(index, function, argument, self.limits.seconds)
                except OSError:  # it died while idle (the OOM killer): the next round starts another
                    worker.index = None
                    self._replace(worker, kill=True)
                    continue
                pending.popleft()

    def _busy(self) -> int:
        return sum(worker.index is not None for worker in self._workers)

    def _start_workers(self, wanted: int) -> None:
        while len(self._workers) < wanted:
            self._workers.append(_Worker(self._context, self.limits, self.initializer, self.initargs))

    def _collect(self, done: dict[int, Outcome], served: dict[int, int]) -> None:
        """Wait for a reply, a death or a deadline; settle what happened."""
        busy = [worker for worker in self._workers if worker.index is not None]
        if not busy:
            return
        timeout = max(0.0, min(worker.deadline for worker in busy) - time.monotonic())
        ready = wait([w.channel for w in busy] + [w.process.sentinel for w in busy], timeout=timeout)
        now = time.monotonic()
        for worker in busy:
            if worker.channel in ready:
                self._read(worker, done, served)
            elif worker.process.sentinel in ready:
                self._lost(worker, done, _death(worker.process.exitcode))
            elif now >= worker.deadline:
                seconds = self.limits.seconds
                self._lost(worker, done, Failure("timeout", f"no result within {seconds:g} s", None))

    def _read(self, worker: _Worker, done: dict[int, Outcome], served: dict[int, int]) -> None:
        try:
            message = worker.channel.recv()
        except (EOFError, OSError):
            worker.process.join(timeout=5)
            self._lost(worker, done, _death(worker.process.exitcode))
            return
        if message[0] in ("item", "renew"):
            worker.item = message[1] if message[0] == "item" else worker.item
            worker.deadline = time.monotonic() + self.limits.seconds
            return
        seconds = time.monotonic() - worker.started
        worker.peak_rss = message[-1]
        index, worker.index = worker.index, None
        if message[0] == "done":
            done[index] = Outcome(message[1], None, seconds, worker.peak_rss)
        else:
            done[index] = Outcome(
                None, Failure(message[1], message[2], worker.item), seconds, worker.peak_rss
            )
        served[worker.process.pid] = served.get(worker.process.pid, 0) + 1
        # After a MemoryError the heap is suspect; after many documents a fresh worker is leaner.
        if message[0] != "done" and message[1] == "memory" or self._worn(served, worker):
            self._replace(worker)

    def _worn(self, served: dict[int, int], worker: _Worker) -> bool:
        return self.tasks_per_worker is not None and served[worker.process.pid] >= self.tasks_per_worker

    def _lost(self, worker: _Worker, done: dict[int, Outcome], failure: Failure) -> None:
        failure.item = failure.item or worker.item
        peak = max(worker.peak_rss, status_kb("VmHWM", worker.process.pid) * 1024)
        done[worker.index] = Outcome(None, failure, time.monotonic() - worker.started, peak)
        worker.index = None
        self._replace(worker, kill=True)

    def _replace(self, worker: _Worker, kill: bool = False) -> None:
        self._workers.remove(worker)
        worker.kill() if kill else worker.stop()


def _death(exitcode: int | None) -> Failure:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        # SIGKILL from outside is the kernel's OOM killer; SIGABRT/SIGSEGV a library failing, most often
        # an allocation refused under the limit.
        kind = "memory" if exitcode == -signal.SIGKILL else "crashed"
        return Failure(kind, f"the worker was killed by {name}", None)
    return Failure("crashed", f"the worker exited with status {exitcode}", None)


def process_table() -> dict[int, tuple[int, str]]:
    """Every process now: pid → (parent pid, command name), from /proc (no /proc/PID/task/*/children)."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # 「pid (comm) state ppid …」: comm may hold spaces and parentheses.
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        table[int(entry.name)] = (int(rest.split()[1]), name)
    return table


def descendants(pid: int, table: dict[int, tuple[int, str]] | None = None) -> list[int]:
    """Every process below ``pid``, children first (``table``: a ``process_table()`` already read)."""
    parents: dict[int, list[int]] = {}
    for child, (parent, _) in (table if table is not None else process_table()).items():
        parents.setdefault(parent, []).append(child)
    found: list[int] = []
    queue = [pid]
    while queue:
        children = parents.get(queue.pop(0), [])
        found.extend(children)
        queue.extend(children)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all it started, LibreOffice in its own session included."""
    for target in [pid, *descendants(pid)]:
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class FileGate:
    """A turn across processes, for work two workers must not do at once (OCR of a page), that counts as
    progress: waiting for it, and taking it, start the worker's deadline afresh, so a long scan is
    limited per page, not as a whole. A lock file that a killed holder releases (flock dies with its
    holder; a ``multiprocessing.Lock`` held by a killed worker would block the others for good); with no
    ``path``, no lock, only the progress."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._fd: int | None = None
        self._owner: int | None = None

    @classmethod
    def create(cls) -> FileGate:
        handle, path = tempfile.mkstemp(prefix="govreports-gate-")
        os.close(handle)
        return cls(path)

    def __enter__(self) -> FileGate:
        if self.path is not None:
            self._take()
        renew()
        return self

    def _take(self) -> None:
        if self._owner != os.getpid():  # each process opens its own: a forked descriptor shares the lock
            self._fd, self._owner = os.open(self.path, os.O_RDWR), os.getpid()
        waited = time.monotonic()
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() - waited >= 1.0:  # another worker's page: not this document's time
                    renew()
                    waited = time.monotonic()
                time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        if self.path is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def remove(self) -> None:
        if self.path is not None:
            Path(self.path).unlink(missing_ok=True)

"""govreports/limits.py: supervised workers under a deadline and a memory limit, and a gate a killed
holder releases."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from govreports.limits import FileGate, LimitedPool, Limits, announce

LIMITS = Limits(seconds=2, memory=1 << 30)


def behave(item: str) -> str:
    """Runs in a worker: ``item`` says what to do."""
    announce(f"doc-{item}")
    if item == "hang":
        time.sleep(60)
    if item == "raise":
        raise KeyError("a bug")
    if item.startswith("spawn-and-hang:"):
        # As LibreOffice's helper is started: in a session of its own. Its pid goes to the file named.
        spawned = subprocess.Popen(["sleep", "300"], start_new_session=True)
        Path(item.split(":", 1)[1]).write_text(str(spawned.pid))
        time.sleep(60)
    if item == "pages":  # four pages of 1.2 s each: 4.8 s in all, past the 2 s deadline, each within it
        for _ in range(4):
            with FileGate(None):
                time.sleep(1.2)
    return item.upper()


def test_outcomes_come_in_order_with_each_failure_named():
    items = ["a", "hang", "b", "raise", "c"]
    with LimitedPool(2, LIMITS) as pool:
        outcomes = list(pool.map(behave, items))
    assert [o.value for o in outcomes] == ["A", None, "B", None, "C"]
    assert [(o.failure.kind, o.failure.item) for o in outcomes if o.failure] == [
        ("timeout", "doc-hang"),
        ("error", "doc-raise"),
    ]
    assert all(o.peak_rss > 0 for o in outcomes)


def test_items_are_read_only_a_window_ahead_of_the_outcomes_taken():
    """extract --all over a million pages: neither the pages nor the finished outcomes may pile up."""
    read: list[int] = []

    def items():
        for number in range(1000):
            read.append(number)
            yield str(number)

    with LimitedPool(2, LIMITS) as pool:
        outcomes = pool.map(behave, items(), window=6)
        assert next(outcomes).value == "0" and len(read) <= 6
        taken = [next(outcomes).value for _ in range(99)]
        assert taken == [str(n) for n in range(1, 100)] and len(read) <= 106
        assert [o.value for o in outcomes][-1] == "999" and len(read) == 1000


def test_a_worker_past_its_deadline_is_killed_with_what_it_started(tmp_path):
    pid_file = tmp_path / "spawned.pid"
    with LimitedPool(1, LIMITS) as pool:
        [outcome] = pool.map(behave, [f"spawn-and-hang:{pid_file}"])
    assert outcome.failure.kind == "timeout"
    spawned = Path(f"/proc/{pid_file.read_text()}")
    assert not spawned.exists() or (spawned / "stat").read_text().split()[2] == "Z"


def test_the_deadline_is_per_page_of_a_document():
    with LimitedPool(1, LIMITS) as pool:
        assert [o.value for o in pool.map(behave, ["pages"])] == ["PAGES"]


def test_a_worker_killed_while_idle_is_replaced():
    with LimitedPool(1, LIMITS) as pool:
        assert [o.value for o in pool.map(behave, ["a"])] == ["A"]
        os.kill(pool._workers[0].process.pid, signal.SIGKILL)
        time.sleep(0.2)
        assert [o.value for o in pool.map(behave, ["b", "c"])] == ["B", "C"]


def hold_gate(path: str) -> str:
    with FileGate(path):
        time.sleep(60)
    return "released"


def take_gate(path: str) -> str:
    with FileGate(path):
        return "taken"


def test_a_gate_held_by_a_killed_worker_is_free_again():
    gate = FileGate.create()
    try:
        with LimitedPool(1, Limits(seconds=1, memory=1 << 30)) as pool:
            assert next(pool.map(hold_gate, [gate.path])).failure.kind == "timeout"
            # A multiprocessing.Lock would stay held by the dead worker: this would time out too.
            assert [o.value for o in pool.map(take_gate, [gate.path])] == ["taken"]
    finally:
        gate.remove()

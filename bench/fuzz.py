"""Fuzz extraction at length: thousands of mutated documents under the archive's worker limits.

    .venv/bin/python bench/fuzz.py [--count 3000] [--seed 1] [--workers N] [--timeout S] [--memory MB]
                                   [--quick] [--hostile] [--bomb-mb 2048]

Documents are the real corpus and seeds (when present), the fixtures and the sample portal's reports,
mutated by tests/fixtures/mutations.py, deterministically per ``--seed``. Each is parsed by
``parse_document`` in a worker of govreports/limits.py, as ``govreports extract`` runs them. It prints how
many were read, unreadable (``UnreadableDocument``: the documented outcome), raised anything else (by
type, with an example), timed out, ran out of memory or crashed, the slowest documents and the workers'
peak resident memory. ``--hostile`` first measures each hostile document of issue 11
(tests/fixtures/hostile_documents.py) alone in a fresh worker. A measurement: always exits 0.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extract import UnreadableDocument, parse_document  # noqa: E402
from extract.readers.ocr import share_ocr_gate  # noqa: E402
from govreports.limits import FileGate, LimitedPool, Limits  # noqa: E402
from tests.fixtures import hostile_documents  # noqa: E402
from tests.fixtures.mutations import Mutant, mutate, seed_documents  # noqa: E402

MB = 1 << 20


# Findings that say a document, or a part of it, was refused for its size or its numbers.
_REFUSALS = ("document.too_large", "absurd_value")


def parse_one(item: tuple[str, bytes]) -> tuple[str, str, str]:
    """(outcome, exception type or refusal findings, message): read | unreadable | raised. Runs in a worker."""
    name, data = item
    try:
        report = parse_document(data, path=name)
    except UnreadableDocument as error:
        return "unreadable", "UnreadableDocument", str(error)[:200]
    except Exception as error:  # what the fuzzing looks for
        return "raised", type(error).__name__, str(error)[:200]
    refused = sorted({f["check"] for f in report["findings"] if f["check"].endswith(_REFUSALS)})
    return "read", ", ".join(refused), ""


def measure_hostile(limits: Limits, bomb: int) -> None:
    """Each hostile document alone in a fresh worker: its time, the worker's peak RSS, what came of it."""
    builders = {
        **hostile_documents.HOSTILE,
        "bomb.docx": lambda: hostile_documents.docx_bomb(bomb),
        "bomb.xlsx": lambda: hostile_documents.xlsx_bomb(bomb),
        "flate-bomb.pdf": lambda: hostile_documents.pdf_flate_bomb(bomb),
    }
    items = [(name, build()) for name, build in builders.items()]
    print(f"hostile documents (one fresh worker each; bombs expand to {bomb // MB:,} MB)")
    print(f"  {'document':<20} {'size':>10} {'seconds':>8} {'peak RSS':>9}  outcome")
    with LimitedPool(1, limits, tasks_per_worker=1) as pool:
        for (name, data), outcome in zip(items, pool.map(parse_one, items), strict=True):
            said = (
                f"{outcome.failure.kind}: {outcome.failure.message}"
                if outcome.failure
                else _said(outcome.value)
            )
            print(
                f"  {name:<20} {len(data):>10,} {outcome.seconds:>8.1f} {outcome.peak_rss / MB:>6.0f} MB  {said}"
            )
    print()


def _said(value: tuple[str, str, str]) -> str:
    outcome, kind, message = value
    if outcome == "read":
        return f"read, {kind}" if kind else "read"
    return f"{outcome} {kind}: {message[:80]}"


def mutants(count: int, seed: int, quick: bool) -> list[Mutant]:
    documents, missing = seed_documents(include_slow=not quick)
    for reason in missing:
        print(f"skipped: {reason}")
    rng = random.Random(seed)
    return [mutate(rng.choice(documents), random.Random(rng.getrandbits(32))) for _ in range(count)]


def fuzz(count: int, seed: int, workers: int, limits: Limits, quick: bool) -> None:
    batch = mutants(count, seed, quick)
    by_format = Counter(m.seed.suffix for m in batch)
    print(
        f"{count} mutated documents from seed {seed}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_format.items()))
    )
    print(f"{workers} workers, {limits.seconds:g} s and {limits.memory // MB:,} MB a document")
    outcomes: Counter[str] = Counter()
    raised: dict[str, list[str]] = defaultdict(list)
    failures: dict[str, list[str]] = defaultdict(list)
    slowest: list[tuple[float, str]] = []
    peak = 0
    started = time.monotonic()
    items = [(m.seed.name, m.data) for m in batch]
    gate = FileGate.create()  # as govreports extract: one OCR'd page at a time, each renewing its deadline
    with LimitedPool(workers, limits, initializer=_share_gate, initargs=(gate.path,)) as pool:
        for mutant, outcome in zip(batch, pool.map(parse_one, items), strict=True):
            where = f"{mutant.seed.name} {'+'.join(mutant.mutations)}"
            peak = max(peak, outcome.peak_rss)
            slowest.append((outcome.seconds, where))
            if outcome.failure:
                outcomes[outcome.failure.kind] += 1
                failures[outcome.failure.kind].append(f"{where}: {outcome.failure.message}")
                continue
            result, kind, message = outcome.value
            outcomes[result] += 1
            if result == "raised":
                raised[kind].append(f"{where}: {message}")
    gate.remove()
    seconds = time.monotonic() - started
    print(f"{seconds:.0f} s ({count / seconds:.1f} docs/s)")
    for outcome in ("read", "unreadable", "raised", "timeout", "memory", "crashed", "error"):
        print(f"  {outcome:<11} {outcomes.get(outcome, 0):>6}")
    print(
        "exceptions escaping parse_document, by type:"
        if raised
        else "exceptions escaping parse_document: none"
    )
    for kind, examples in sorted(raised.items(), key=lambda pair: -len(pair[1])):
        print(f"  {kind}: {len(examples)}, e.g. {examples[0]}")
    for kind, examples in failures.items():
        print(f"worker {kind}: {len(examples)}, e.g. {examples[0]}")
    print("slowest:")
    for took, where in sorted(slowest, reverse=True)[:5]:
        print(f"  {took:6.1f} s  {where}")
    print(f"peak RSS of a worker: {peak / MB:.0f} MB")


def _share_gate(path: str) -> None:
    share_ocr_gate(FileGate(path))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds a document, or an OCR'd page [60]"
    )
    parser.add_argument(
        "--memory", type=int, default=4096, help="MB of address space a worker may add [4096]"
    )
    parser.add_argument("--quick", action="store_true", help="leave out DOC, WPS, images and scans")
    parser.add_argument("--hostile", action="store_true", help="first measure the hostile documents alone")
    parser.add_argument("--bomb-mb", type=int, default=2048, help="what the hostile bombs expand to [2048]")
    args = parser.parse_args()
    limits = Limits(seconds=args.timeout, memory=args.memory * MB)
    if args.hostile:
        measure_hostile(limits, args.bomb_mb * MB)
    if args.count > 0:
        fuzz(args.count, args.seed, args.workers, limits, args.quick)


if __name__ == "__main__":
    main()

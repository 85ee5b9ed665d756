"""Fuzzing (issue 11): mutated real and fixture documents through every reader, and random grids through
every table reader; no exception but ``UnreadableDocument`` escapes, and what comes out can be stored.

Documents come from tests/fixtures/mutations.py (the real corpus and seeds where present, the fixtures and
the sample portal); hypothesis draws which document and the seed of its mutations. The formats read by
OCR or LibreOffice take seconds a document: they have their own test, marked slow. ``bench/fuzz.py`` runs
thousands of documents under the worker limits and prints what escaped.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract import UnreadableDocument, parse_document
from extract.document import Cell, Table
from extract.numbers import TOO_LONG
from extract.tables import (
    read_applications,
    read_disclosure,
    read_reviews,
    read_statistics,
    read_stray_reviews,
)
from extract.template import APPLICATION_ROWS, REVIEW_KEYS
from tests.fixtures.mutations import FIXTURES, Seed, mutate, seed_documents

SEEDS, MISSING = seed_documents()
QUICK = [seed for seed in SEEDS if not seed.slow]
SLOW = [seed for seed in SEEDS if seed.slow]
_SQLITE_INTEGER = 2**63 - 1
_SETTINGS = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}


def assert_parses_or_is_unreadable(seed: Seed, mutation_seed: int) -> None:
    mutant = mutate(seed, random.Random(mutation_seed))
    try:
        report = parse_document(mutant.data, path=seed.name, media_type=seed.media_type)
    except UnreadableDocument:
        return
    except Exception as error:  # pragma: no cover - the failure message is the point
        raise AssertionError(f"{seed.name} {mutant.mutations} (seed {mutation_seed}): {error!r}") from error
    assert_storable(report)


def assert_storable(report: dict) -> None:
    """JSON without NaN or infinities, every number one SQLite holds."""
    json.dumps(report, allow_nan=False)
    for value in _numbers(report):
        assert abs(value) <= _SQLITE_INTEGER and abs(value) < TOO_LONG, value


def _numbers(report: dict):
    yield from (item["value"] for item in report["disclosure"])
    yield from (value for row in report["applications"].values() for value in row.values())
    yield from report["reviews"].values()
    for entry in report.get("statistics", []):
        yield entry["value"]
        yield entry.get("cumulative", 0)


def test_real_documents_are_among_the_fuzzed():
    if MISSING:
        pytest.skip("; ".join(MISSING) + " (set GOVREPORTS_CORPUS / GOVREPORTS_SEEDS)")
    assert QUICK


@settings(max_examples=300, **_SETTINGS)
@given(index=st.integers(min_value=0), mutation_seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_no_exception_escapes_parse_document(index, mutation_seed):
    assert_parses_or_is_unreadable(QUICK[index % len(QUICK)], mutation_seed)


@pytest.mark.slow
@settings(max_examples=8, **_SETTINGS)
@given(index=st.integers(min_value=0), mutation_seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_no_exception_escapes_the_ocr_and_libreoffice_readers(index, mutation_seed):
    if not SLOW:
        pytest.skip("no DOC, WPS or image fixtures")
    assert_parses_or_is_unreadable(SLOW[index % len(SLOW)], mutation_seed)


def test_a_zip_from_a_future_version_is_unreadable():
    # Found by bench/fuzz.py: zipfile raises NotImplementedError on a directory naming version 17.4.
    data = bytearray((FIXTURES / "tables-2019.xlsx").read_bytes())
    directory = data.index(b"PK\x01\x02")
    data[directory + 6 : directory + 8] = (174).to_bytes(2, "little")
    with pytest.raises(UnreadableDocument):
        parse_document(bytes(data))


# Cell texts a table reader meets: the forms' labels, numbers of every shape, blanks and noise.
_LABELS = [
    "申请人情况",
    "自然人",
    "总计",
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "（三）不予公开",
    "1.属于国家秘密",
    "行政复议",
    "行政诉讼",
    "结果维持",
    "指标名称",
    "计量单位",
    "本年度",
    "累计",
    "主动公开政府信息数",
    "第二十条第（一）项",
    "规章",
    "本年新制作数量",
    "处理决定数量",
    "采购总金额",
    *APPLICATION_ROWS[:3],
    *REVIEW_KEYS[:3],
]
_CELL_TEXT = st.one_of(
    st.sampled_from(_LABELS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "-", "——", "无", "１２", "1,234", "12①", "185277.44元", "9" * 5000]),
    st.text(max_size=12),
)
_GRIDS = st.lists(
    st.lists(st.builds(Cell, _CELL_TEXT, st.booleans()), min_size=0, max_size=12), min_size=1, max_size=30
)


@settings(max_examples=300, **_SETTINGS)
@given(rows=_GRIDS)
def test_table_readers_take_any_grid(rows):
    table = Table(rows)
    for reader in (read_applications, read_reviews, read_disclosure, read_statistics, read_stray_reviews):
        result = reader(table)
        if result is not None:
            json.dumps(vars(result), allow_nan=False, default=str)

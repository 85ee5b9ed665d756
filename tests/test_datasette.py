"""Datasette started as a process on the crawled archive and asked for the reports table as JSON."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import GOVREPORTS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """``govreports serve`` on a free port as a process; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [*GOVREPORTS, "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.stdout.read().decode(errors="replace")) from None
            time.sleep(0.3)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def datasette(crawled_archive):
    with serving(crawled_archive) as base:
        yield base


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_reports_table_as_json(datasette, expected_portal):
    rows = get_json(datasette + "/archive/reports.json?_shape=array&_size=max")
    assert len(rows) == len(expected_portal["reports"])
    expected = {(r["agency"], r["year"]) for r in expected_portal["reports"]}
    assert {(row["agency"], row["year"]) for row in rows} == expected


def test_metadata_facets_and_canned_queries(datasette, expected_portal):
    page = get_json(datasette + "/archive/reports.json?_facet=year")
    years = {item["value"] for item in page["facet_results"]["year"]["results"]}
    assert years == {r["year"] for r in expected_portal["reports"]}
    by_year = get_json(datasette + "/archive/applications_by_year.json?_shape=array")
    expected_2020 = sum(
        r["applications"]["new_received"]["total"] for r in expected_portal["reports"] if r["year"] == 2020
    )
    assert next(row for row in by_year if row["year"] == 2020)["new_received"] == expected_2020
    metadata = get_json(datasette + "/-/metadata.json")
    assert metadata["databases"]["archive"]["tables"]["reports"]["title"].startswith("年度报告")


def test_a_finished_crawl_is_not_listed_as_incomplete(datasette):
    assert get_json(datasette + "/archive/incomplete_crawls.json?_shape=array") == []

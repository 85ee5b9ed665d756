"""`govreports serve`: Datasette started as a process on the crawled archive, read-only, and asked over HTTP.

The other test_datasette_*.py files use this module's ``datasette`` fixture (one server per session) and
``serving`` (a server of their own, on an archive they changed).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import GOVREPORTS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BaseURL(str):
    """A served instance's base URL, knowing the server's process id and its output."""

    pid: int
    log: IO[bytes]


@contextmanager
def serving(db: Path, *options: str, env: dict | None = None) -> Iterator[BaseURL]:
    """``govreports serve`` on a free port as a process; yields its base URL."""
    port = free_port()
    # Output to a file, not a pipe: a pipe nobody reads blocks the server once 64 KB are written.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [*GOVREPORTS, "serve", "--db", str(db), "--port", str(port), *options],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
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
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace")) from None
            time.sleep(0.3)
    served = BaseURL(base)
    served.pid, served.log = process.pid, log
    try:
        yield served
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def datasette(crawled_archive):
    with serving(crawled_archive) as base:
        yield base


def get(url: str) -> tuple[int, dict, bytes]:
    """Status, headers (lower-case names) and body; an HTTP error is an answer too."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def get_json(url: str):
    status, _, body = get(url)
    assert status == 200, body[:500]
    return json.loads(body)


def get_text(url: str) -> str:
    status, _, body = get(url)
    assert status == 200, body[:500]
    return body.decode("utf-8")


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def test_a_query_cannot_exhaust_the_servers_memory(crawled_archive):
    with serving(crawled_archive) as base:
        before = peak_memory_mb(base.pid)
        for sql in (
            "select length(randomblob(900000000))",
            "select length(hex(zeroblob(300000000)))",
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < 40) "
            "select length(group_concat(hex(randomblob(10000000)))) from n",
        ):
            status, _, body = get(f"{base}/archive.json?sql={urllib.parse.quote(sql)}")
            assert status == 400 and b"too big" in body, (sql, body[:300])
        assert get_json(f"{base}/archive/reports.json?_size=1")["rows"]  # and the server goes on serving
        # Bounded by a few values of MAX_VALUE_BYTES (100 MB), where these queries ask for 0.9–1.8 GB.
        assert peak_memory_mb(base.pid) - before < 400


def test_figures_long_is_counted_only_where_its_indexes_can(datasette):
    broad = get_json(f"{datasette}/archive/figures_long.json?_size=5")
    assert broad["filtered_table_rows_count"] is None and len(broad["rows"]) == 5  # no second lost counting
    report_id = broad["rows"][0][0]
    one = get_json(f"{datasette}/archive/figures_long.json?_size=5&report_id={report_id}")
    assert one["filtered_table_rows_count"] > 5


def test_reports_table_as_json(datasette, expected_portal):
    rows = get_json(datasette + "/archive/reports.json?_shape=array&_size=max")
    assert len(rows) == len(expected_portal["reports"])
    expected = {(r["agency"], r["year"]) for r in expected_portal["reports"]}
    assert {(row["agency"], row["year"]) for row in rows} == expected
    assert "search_text" not in rows[0]  # the search index's shadow column is not for reading


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
    tables = metadata["databases"]["archive"]["tables"]
    assert tables["reports"]["title"].startswith("年度报告")
    assert metadata["license"] and metadata["source"] and metadata["about"]


def test_every_table_a_user_sees_is_described(datasette):
    metadata = get_json(datasette + "/-/metadata.json")["databases"]["archive"]["tables"]
    listed = get_json(datasette + "/archive.json")["tables"]
    visible = [t["name"] for t in listed if not t["hidden"]]
    for name in visible:
        assert metadata.get(name, {}).get("title") and metadata[name].get("description"), name
    # The wide table's columns carry their Chinese label and unit.
    columns = metadata["report_figures"]["columns"]
    assert columns["t3_new_received_total"] == "表三 一、本年新收申请 · 总计（件）"
    assert columns["t2_fees_fee_amount"].endswith("（万元）")


def test_raw_bytes_and_parse_json_stay_out_of_table_views(datasette):
    listed = {t["name"]: t for t in get_json(datasette + "/archive.json")["tables"]}
    assert "documents" not in listed and "report_json" not in listed  # closed: not even listed
    for table in ("documents", "report_json"):
        status, _, _ = get(f"{datasette}/archive/{table}")
        assert status == 403
    home = get_text(datasette + "/")
    assert "report_json" not in home and "/archive/documents" not in home


def test_home_page_leads_with_reports_figures_and_search(datasette):
    home = get_text(datasette + "/")
    search, reports, figures = (
        home.find('action="/-/find"'),
        home.find('id="card-reports"'),
        home.find("card-figures"),
    )
    internal = home.find('id="other-tables"')
    assert 0 < search < reports < figures < internal
    assert "/-/dashboards/overview" in home and "new_reports_feed.atom" in home


def test_a_finished_crawl_is_not_listed_as_incomplete(datasette):
    assert get_json(datasette + "/archive/incomplete_crawls.json?_shape=array") == []


def test_sql_has_a_time_limit(crawled_archive):
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    with serving(crawled_archive) as base:
        status, _, body = get(f"{base}/archive.json?sql={urllib.parse.quote(slow)}")
        assert status == 400 and b"too long" in body
        base.log.seek(0)
        assert len(base.log.read()) < 2_000  # an answered error is not a 100 KB traceback in the log


def test_serving_reads_only_and_leaves_no_files(crawled_archive, tmp_path):
    before = hashlib.sha256(crawled_archive.read_bytes()).hexdigest()
    temp = tmp_path / "tmp"
    temp.mkdir()
    with serving(crawled_archive, env={**os.environ, "TMPDIR": str(temp)}) as base:
        get_text(base + "/archive/reports")
        get_text(base + "/archive/report_figures.csv?_stream=on")
        status, _, _ = get(base + "/archive.json?sql=" + urllib.parse.quote("delete from reports"))
        assert status == 400
    assert hashlib.sha256(crawled_archive.read_bytes()).hexdigest() == before
    assert list(temp.iterdir()) == []  # no metadata file or other leftovers


@pytest.mark.parametrize("kind", ["missing", "text", "other_sqlite"])
def test_a_path_that_is_not_an_archive_is_a_clear_error(tmp_path, kind):
    db = tmp_path / "archive.db"
    if kind == "text":
        db.write_text("not a database")
    elif kind == "other_sqlite":
        with sqlite3.connect(db) as conn:
            conn.execute("create table notes (text)")
    result = subprocess.run(
        [*GOVREPORTS, "serve", "--db", str(db), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    expected = {
        "missing": "no such archive",
        "text": "not an SQLite database",
        "other_sqlite": "not a govreports archive",
    }
    assert expected[kind] in result.stderr
    assert db.exists() == (kind != "missing")  # never a new empty archive
    if kind == "other_sqlite":
        with sqlite3.connect(db) as conn:
            assert [r[0] for r in conn.execute("select name from sqlite_master")] == ["notes"]


def test_serve_listens_on_localhost_by_default():
    result = subprocess.run([*GOVREPORTS, "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert "[default: 127.0.0.1]" in " ".join(result.stdout.split())

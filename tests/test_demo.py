"""`govreports demo --no-serve` (what `make demo-offline` runs): whole pipeline, twice, no duplicates."""

from __future__ import annotations

import json
import subprocess

import sqlite_utils

from tests.conftest import GOVREPORTS
from tests.test_datasette import free_port


def run_demo(db, port: int) -> dict:
    result = subprocess.run(
        [*GOVREPORTS, "demo", "--no-serve", "--db", str(db), "--portal-port", str(port)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_demo_builds_the_archive_and_reruns_cleanly(tmp_path, expected_portal):
    db, port = tmp_path / "archive.db", free_port()
    first = run_demo(db, port)
    assert first["reports"] == len(expected_portal["reports"]) >= 30
    assert first["agencies"] >= 5 and first["years"] == [2019, 2020, 2021, 2022, 2023, 2024]
    second = run_demo(db, port)
    assert second["reports"] == first["reports"]  # same URLs: reports are replaced, not duplicated
    assert second["documents"] == first["documents"]  # same bytes: stored once
    # The rerun is incremental: only the first list page is asked again, and it answers 304.
    assert second["fetches"] == first["fetches"] + 1
    counts = (
        sqlite_utils.Database(db).execute("select typeof(value), count(*) from cells group by 1").fetchall()
    )
    assert dict(counts)["integer"] > dict(counts).get("real", 0)  # counts stay integers

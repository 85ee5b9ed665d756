"""Shared fixtures: the seed reports, the sample portal served on 127.0.0.1, and one crawled archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("GOVREPORTS_SEEDS", REPO.parent / "shared" / "seeds"))
GOVREPORTS = [sys.executable, "-m", "govreports"]


def seed_path(name: str) -> Path:
    matches = sorted(SEEDS.glob(f"{name}*.txt"))
    if not matches:
        pytest.skip(f"seed report {name} not found in {SEEDS} (set GOVREPORTS_SEEDS to the seeds folder)")
    return matches[0]


@pytest.fixture(scope="session")
def expected_portal() -> dict:
    return json.loads((SAMPLE_PORTAL.parent / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def portal_server():
    with PortalServer(SAMPLE_PORTAL) as server:
        yield server


def crawl(start_url: str, db: Path, *options: str, expect: int = 0) -> subprocess.CompletedProcess:
    """A real Scrapy crawl over HTTP, through the CLI, as a user runs it; ``expect``: its exit status."""
    result = subprocess.run(
        [*GOVREPORTS, "crawl", "--start-url", start_url, "--db", str(db), "--log-level", "WARNING", *options],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == expect, result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def crawled_archive(tmp_path_factory, portal_server) -> Path:
    """The sample portal crawled into a fresh archive."""
    db = tmp_path_factory.mktemp("archive") / "archive.db"
    crawl(portal_server.url + SAMPLE_COLUMN, db)
    return db

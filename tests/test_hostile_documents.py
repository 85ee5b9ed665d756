"""One document never stops the archive (issue 11): each hostile document of tests/fixtures/hostile_documents.py
becomes a finding or an ``extraction_failures`` row on that document, and the rest of its batch is archived.

The readers stop each of them at the root (image size read before decoding, grid positions capped, zip and
flate sizes measured before expanding, literals joined once, digit runs bounded); the worker limits of
govreports/limits.py are the safety net, tested here with documents that hang, eat memory or crash.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from extract import parse_document
from govreports import ingest
from govreports.archive import open_archive, record_fetch, store_report
from govreports.ingest import extract_archive
from govreports.limits import Limits
from tests.fixtures import hostile_documents as hostile

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "sample_portal" / "site" / "zfxxgk" / "zfxxgknb"
# Two ordinary report pages of the sample portal: the batch the hostile document sits between.
ORDINARY = [SITE / "202102" / "t20210209_1295057.html", SITE / "202202" / "t20220224_1307060.html"]
MEDIA_TYPES = {
    ".png": "image/png",
    ".html": "text/html",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}
# Bombs of 512 MB (past every cap of extract/readers/expansion.py) build in a second; the 2 GB take 6.
BOMB = 512 << 20
HOSTILE = {
    "giant.png": (hostile.giant_png, "document.too_large"),
    "colspan.html": (hostile.colspan_html, "document.too_large"),
    "bomb.docx": (lambda: hostile.docx_bomb(BOMB), "document.too_large"),
    "bomb.xlsx": (lambda: hostile.xlsx_bomb(BOMB), "document.too_large"),
    "flate-bomb.pdf": (lambda: hostile.pdf_flate_bomb(BOMB), "document.too_large"),
    "js-literals.html": (hostile.js_literals_html, None),
    "long-number.html": (hostile.long_number_html, "applications.absurd_value"),
    "twenty-digits.html": (hostile.twenty_digit_html, "statistics.absurd_value"),
}
# Tight enough that a test never waits long; a hostile document must be stopped by its reader well within.
LIMITS = Limits(seconds=60, memory=2 << 30)


def archive_batch(tmp_path: Path, name: str, data: bytes) -> tuple:
    """An archive holding two ordinary report pages and ``data`` as a third, between them."""
    db = open_archive(tmp_path / "archive.db")
    pages = [(f"http://127.0.0.1/a/{p.name}", p.read_bytes(), "text/html") for p in ORDINARY]
    url = f"http://127.0.0.1/hostile/{name}"
    pages.insert(1, (url, data, MEDIA_TYPES[Path(name).suffix]))
    for page_url, body, media_type in pages:
        record_fetch(db, url=page_url, status=200, media_type=media_type, body=body, kind="report_page")
    return db, url


def copy_report(db, url: str) -> dict | None:
    row = db.execute("select report_id from report_copies where page_url = ?", [url]).fetchone()
    return (
        json.loads(db.execute("select json from report_json where report_id = ?", row).fetchone()[0])
        if row
        else None
    )


def assert_ordinary_archived(db) -> None:
    for page in ORDINARY:
        report = copy_report(db, f"http://127.0.0.1/a/{page.name}")
        assert report is not None and report["applications"], page.name


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_document_is_a_finding_and_the_batch_is_archived(tmp_path, name):
    build, check = HOSTILE[name]
    db, url = archive_batch(tmp_path, name, build())
    started = time.monotonic()
    stats = extract_archive(db, workers=2, limits=LIMITS)
    assert time.monotonic() - started < 60
    assert_ordinary_archived(db)
    report = copy_report(db, url)
    assert report is not None, list(db.query("select * from extraction_failures"))
    if check:
        assert check in [f["check"] for f in report["findings"]]
    assert stats.failed == {}


def test_the_scripted_body_of_200000_literals_is_read():
    report = parse_document(hostile.js_literals_html())
    assert report["applications"]["new_received"]["natural_person"] == 28


def test_a_twenty_digit_value_is_left_out_and_the_rest_stored(tmp_path):
    db, url = archive_batch(tmp_path, "twenty-digits.html", hostile.twenty_digit_html())
    extract_archive(db, workers=1, limits=LIMITS)
    rid = db.execute("select report_id from report_copies where page_url = ?", [url]).fetchone()[0]
    values = [
        row[0] for row in db.execute("select value from cells where report_id = ? order by position", [rid])
    ]
    assert values == [5, 9]


def test_a_gbk_page_declared_iso_8859_1_is_read_as_gbk_with_a_finding():
    page = ORDINARY[0].read_bytes().decode("utf-8").replace("utf-8", "gbk").encode("gbk")
    report = parse_document(page, media_type="text/html; charset=ISO-8859-1")
    assert "政府信息公开" in report["title"]
    assert report["applications"]
    messages = [f["message"] for f in report["findings"] if f["check"] == "document.encoding"]
    assert messages and "iso-8859-1" in messages[0].lower()


# ------------------------------------------------------------------------------ the process-level net


def _misbehaving_parse(data: bytes, **kwargs) -> dict:
    """parse_document, but a document saying HANG loops, EAT allocates 8 GB, CRASH aborts the worker."""
    if b"HANG" in data:
        while True:
            time.sleep(1)
    if b"EAT" in data:
        hoard = bytearray(8 << 30)
        return {"hoard": len(hoard)}
    if b"CRASH" in data:
        os.abort()
    if b"RAISE" in data:
        raise RecursionError("a reader's bug")
    return parse_document(data, **kwargs)


@pytest.mark.parametrize(
    ("word", "kind"), [("HANG", "timeout"), ("EAT", "memory"), ("CRASH", "crashed"), ("RAISE", "error")]
)
def test_past_its_limits_a_document_is_a_failure_row_and_the_batch_goes_on(tmp_path, monkeypatch, word, kind):
    # Workers are forked: they run the patched parse.
    monkeypatch.setattr(ingest, "parse_document", _misbehaving_parse)
    db, url = archive_batch(tmp_path, "bad.html", f"<html><body><p>{word}</p></body></html>".encode())
    stats = extract_archive(db, workers=2, limits=Limits(seconds=3, memory=1 << 30))
    assert_ordinary_archived(db)
    failures = list(db.query("select * from extraction_failures"))
    assert [(f["url"], f["kind"]) for f in failures] == [(url, kind)], failures
    assert stats.failed == {kind: 1}
    assert copy_report(db, url) is None


def test_a_hanging_attachment_leaves_its_page_read(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "parse_document", _misbehaving_parse)
    db = open_archive(tmp_path / "archive.db")
    page = "http://127.0.0.1/r/index.html"
    body = b"<html><head><title>\xe6\xb5\x8b\xe8\xaf\x95\xe5\xb1\x802020\xe5\xb9\xb4\xe6\x8a\xa5\xe5\x91\x8a</title></head><body><p>x</p></body></html>"
    record_fetch(db, url=page, status=200, media_type="text/html", body=body, kind="report_page")
    attachment = "http://127.0.0.1/r/report.html"
    record_fetch(
        db,
        url=attachment,
        status=200,
        media_type="text/html",
        body=b"<p>HANG</p>",
        kind="attachment",
        referer=page,
    )
    extract_archive(db, workers=1, limits=Limits(seconds=2, memory=1 << 30))
    report = copy_report(db, page)
    assert report is not None
    unreadable = [f["message"] for f in report["findings"] if f["check"] == "document.unreadable"]
    assert unreadable and attachment in unreadable[0]
    assert [f["kind"] for f in db.query("select kind from extraction_failures")] == ["timeout"]


def test_a_document_that_extracts_again_leaves_extraction_failures(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "parse_document", _misbehaving_parse)
    db, url = archive_batch(tmp_path, "bad.html", b"<html><body><p>RAISE</p></body></html>")
    extract_archive(db, workers=1, limits=LIMITS)
    assert db["extraction_failures"].count == 1
    monkeypatch.setattr(ingest, "parse_document", parse_document)
    extract_archive(db, workers=1, limits=LIMITS)
    assert db["extraction_failures"].count == 0


# --------------------------------------------------------------------------------- atomic writes


def test_a_write_that_fails_midway_leaves_nothing(tmp_path, monkeypatch):
    db = open_archive(tmp_path / "archive.db")
    url = "http://127.0.0.1/a/page.html"
    record_fetch(
        db, url=url, status=200, media_type="text/html", body=ORDINARY[0].read_bytes(), kind="report_page"
    )
    report = parse_document(ORDINARY[0].read_bytes(), url=url)
    report["applications"]["new_received"]["natural_person"] = 12345678901234567890  # past SQLite's INTEGER
    with pytest.raises(OverflowError):
        store_report(db, report, url=url, document_url=url)
    for table in (
        "reports",
        "report_copies",
        "sections",
        "cells",
        "findings",
        "report_json",
        "report_figures",
    ):
        assert db[table].count == 0, table


def test_an_unstorable_report_is_a_failure_and_the_batch_goes_on(tmp_path, monkeypatch):
    def overflowing(data: bytes, **kwargs) -> dict:
        report = parse_document(data, **kwargs)
        if b"OVERFLOW" in data:  # a report of its own (another agency), whose number SQLite cannot hold
            report["agency"] = "溢出测试局"
            report["applications"]["new_received"] = {"natural_person": 12345678901234567890}
        return report

    monkeypatch.setattr(ingest, "parse_document", overflowing)
    page = ORDINARY[0].read_bytes().replace(b"</body>", b"<p>OVERFLOW</p></body>")
    db, url = archive_batch(tmp_path, "overflow.html", page)
    stats = extract_archive(db, workers=1, limits=LIMITS)
    assert_ordinary_archived(db)
    assert stats.failed == {"store": 1}
    assert copy_report(db, url) is None
    assert db.execute("select kind from extraction_failures").fetchall() == [("store",)]

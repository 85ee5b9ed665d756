"""The archive's raw captures as a web archive: WARC records (warcio) packed into a WACZ (wacz).

The reader side of the archive layer: it opens ``archive.db`` read-only, in one read transaction (a
crawl may go on writing; the export is one consistent snapshot), and streams. Fetches and reports are
read row by row and each document's bytes through ``sqlite3`` blob handles in small chunks, so memory
stays flat whatever the archive's size; the WARC is written to a temporary file beside the output (the
WACZ must contain it whole) and packed by the ``wacz`` package, which indexes it (CDXJ) and writes
``datapackage.json``.

Every fetch with a stored document becomes a ``response`` record (the HTTP status line, the headers the
archive keeps — Content-Type, Content-Length, ETag, Last-Modified — and the exact stored bytes), with a
``request`` record beside it. A fetch of bytes already written earlier in the same export (the same page
fetched again, or the same file under another URL) is a ``revisit`` record pointing at the first.
``pages/pages.jsonl`` lists one entry per report: its canonical page and that page's first capture.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import version
from pathlib import Path
from typing import BinaryIO, TextIO
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

WARC_NAME = "govreports.warc.gz"  # its name inside the WACZ: archive/govreports.warc.gz
PAGES_NAME = "pages.jsonl"
# Columns the export cannot do without; every other column of fetches is optional (others add columns).
_REQUIRED = {
    "fetches": {"id", "url", "fetched_at", "status", "media_type", "sha256"},
    "documents": {"sha256", "content"},
    "reports": {"id", "url", "title"},
}
_OPTIONAL_FETCH_COLUMNS = ("etag", "last_modified", "referer")
_PROGRESS_EVERY = 1000  # captures between two progress calls
# Bodies that are compressed already (PDF, the zip family — DOCX, XLSX, OFD, ZIP —, JPEG, PNG, gzip): deflate
# gains nothing on them at a tenth of the speed, so their records are stored gzip members (level 0).
_COMPRESSED_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xff\xd8\xff", b"\x89PNG", b"\x1f\x8b")
_TEXT_LEVEL = 6  # HTML and the rest: 2× the speed of warcio's level 9 for a few % more bytes

Progress = Callable[[int, int], None]  # (captures written, payload bytes written)


class ExportError(Exception):
    """The export cannot be made: a missing or unreadable archive, a filter the archive cannot apply."""


@dataclass(frozen=True)
class Selection:
    """Which fetches go into the export: at or after ``since`` (an ISO date or UTC date-time, compared
    with ``fetches.fetched_at``) and of source ``source_id``; both optional."""

    since: str | None = None
    source_id: int | None = None

    def where(self) -> tuple[str, list]:
        """SQL conditions on fetches (aliased ``f``) beyond having a stored document, and their values."""
        clauses, values = ["f.sha256 is not null"], []
        if self.since:
            clauses.append("f.fetched_at >= ?")
            values.append(self.since)
        if self.source_id is not None:
            clauses.append("f.source_id = ?")
            values.append(self.source_id)
        return " and ".join(clauses), values


@dataclass(frozen=True)
class Capture:
    """One fetch with its stored document, as it becomes a WARC record."""

    url: str
    warc_date: str
    status: int
    media_type: str
    sha256: str
    document_rowid: int
    etag: str | None
    last_modified: str | None
    referer: str | None
    # (WARC-Target-URI, WARC-Date) of the first capture of the same bytes in this export; None: this is it.
    original: tuple[str, str] | None


@dataclass
class ExportStats:
    responses: int = 0
    revisits: int = 0
    payload_bytes: int = 0  # bytes of the documents written as responses (revisits carry none)
    pages: int = 0
    reports_left_out: int = 0  # reports whose canonical page has no stored capture in the selection
    warc_bytes: int = 0
    wacz_bytes: int = 0
    warc_seconds: float = 0.0  # reading the archive and writing the WARC
    pack_seconds: float = 0.0  # wacz: indexing (CDXJ), copying, hashing into datapackage.json


# ------------------------------------------------------------------------------------------ archive
def open_readonly(db_path: str | Path) -> sqlite3.Connection:
    """The archive opened read-only, or ExportError saying why not. Never creates a file."""
    path = Path(db_path)
    if not path.is_file():
        raise ExportError(f"{path}: no such archive (crawl into it first: govreports crawl --db {path} …)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        # A file that is not SQLite passes connect(); "file is not a database" surfaces here.
        tables = {table: _columns(conn, table) for table in _REQUIRED}
    except sqlite3.DatabaseError as error:
        raise ExportError(f"{path}: not a govreports archive ({error})") from error
    for table, needed in _REQUIRED.items():
        if missing := needed - tables[table]:
            conn.close()
            raise ExportError(
                f"{path}: not a govreports archive ({table} lacks {', '.join(sorted(missing))})"
            )
    return conn


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}


def warc_date(fetched_at: str) -> str:
    """A fetch time as WARC-Date (UTC, seconds, ``Z``); a time without offset is taken as UTC."""
    moment = datetime.fromisoformat(fetched_at)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment)


def iter_captures(conn: sqlite3.Connection, selection: Selection) -> Iterator[Capture]:
    """Every selected fetch with a stored document, oldest first, each knowing whether its bytes came
    earlier in the selection. SQLite's window does that bookkeeping (on disk if need be): a Python set of
    every sha256 seen would grow with the archive."""
    present = _columns(conn, "fetches")
    if selection.source_id is not None and "source_id" not in present:
        raise ExportError("this archive's fetches have no source_id: --source cannot be applied")
    optional = ", ".join(
        f"f.{name}" if name in present else f"null as {name}" for name in _OPTIONAL_FETCH_COLUMNS
    )
    where, values = selection.where()
    rows = conn.execute(
        f"select f.id, f.url, f.fetched_at, f.status, coalesce(f.media_type, d.media_type), f.sha256, "
        f"d.rowid, {optional}, first_value(f.id) over w, first_value(f.url) over w, "
        "first_value(f.fetched_at) over w "
        "from fetches f join documents d on d.sha256 = f.sha256 "
        f"where {where} and d.content is not null "
        "window w as (partition by f.sha256 order by f.id) order by f.id",
        values,
    )
    for row in rows:
        fid, url, fetched_at, status, media_type, sha256, rowid, etag, modified, referer = row[:10]
        first_id, first_url, first_at = row[10:]
        yield Capture(
            url=url,
            warc_date=warc_date(fetched_at),
            status=status or 200,
            media_type=media_type or "application/octet-stream",
            sha256=sha256,
            document_rowid=rowid,
            etag=etag,
            last_modified=modified,
            referer=referer,
            original=None if first_id == fid else (first_url, warc_date(first_at)),
        )


def iter_pages(conn: sqlite3.Connection, selection: Selection) -> Iterator[dict]:
    """pages.jsonl entries: each report's canonical page, with the time of its first capture in the
    selection (ReplayWeb.page opens the capture nearest ``ts``). Reports whose page has none are left
    out: a page entry must point at a record of the WACZ."""
    where, values = selection.where()
    rows = conn.execute(
        "select r.id, r.url, r.title, min(f.fetched_at) from reports r "
        f"join fetches f on f.url = r.url and {where} "
        "join documents d on d.sha256 = f.sha256 and d.content is not null "  # as iter_captures
        "where r.url is not null group by r.id order by r.id",
        values,
    )
    for report_id, url, title, first_fetched in rows:
        yield {"id": report_id, "url": url, "title": title or url, "ts": warc_date(first_fetched)}


def count_reports(conn: sqlite3.Connection) -> int:
    return conn.execute("select count(*) from reports where url is not null").fetchone()[0]


# ------------------------------------------------------------------------------------------- WARC
def response_headers(capture: Capture, size: int) -> StatusAndHeaders:
    """The HTTP response as far as the archive knows it. The stored bytes are the decoded body (Scrapy
    undoes gzip), so no Content-Encoding, and Content-Length is theirs."""
    try:
        reason = HTTPStatus(capture.status).phrase
    except ValueError:
        reason = ""
    headers = [("Content-Type", capture.media_type), ("Content-Length", str(size))]
    if capture.etag:
        headers.append(("ETag", capture.etag))
    if capture.last_modified:
        headers.append(("Last-Modified", capture.last_modified))
    return StatusAndHeaders(f"{capture.status} {reason}".strip(), headers, protocol="HTTP/1.1")


def request_headers(capture: Capture) -> StatusAndHeaders:
    """The GET that fetched it: method, target and Host; the Referer when the archive kept one."""
    parts = urlsplit(capture.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    if capture.referer:
        headers.append(("Referer", capture.referer))
    return StatusAndHeaders(f"GET {target} HTTP/1.1", headers, is_http_request=True)


class GzipMember:
    """One gzip member around one WARC record, at a chosen level; a .warc.gz is their concatenation,
    so replay tools can seek to any record. (warcio's own wrapper always deflates at level 9.)"""

    def __init__(self, out: BinaryIO, level: int) -> None:
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:  # warcio flushes once, at the end of the record
        self.out.write(self.compressor.flush())


def write_record(out: BinaryIO, record, level: int = _TEXT_LEVEL) -> None:
    WARCWriter(GzipMember(out, level), gzip=False).write_record(record)


def compression_level(blob) -> int:
    """0 for bytes that are compressed already (by their magic number, not the declared type, which
    download scripts get wrong), else the text level."""
    head = blob.read(8)
    blob.seek(0)
    return 0 if head.startswith(_COMPRESSED_MAGIC) else _TEXT_LEVEL


def write_capture(out: BinaryIO, conn: sqlite3.Connection, capture: Capture, builder: RecordBuilder) -> int:
    """Write one capture (response or revisit, then the request beside it); returns the payload bytes
    written."""
    digest = f"sha256:{capture.sha256}"
    with conn.blobopen("documents", "content", capture.document_rowid, readonly=True) as blob:
        size = len(blob)
        level = _TEXT_LEVEL
        if capture.original:
            refers_url, refers_date = capture.original
            record = builder.create_revisit_record(
                capture.url,
                digest,
                refers_url,
                refers_date,
                http_headers=response_headers(capture, size),
                warc_headers_dict={"WARC-Date": capture.warc_date},
            )
            size = 0
        else:
            # The blob is the payload stream: warcio reads it in chunks for the block digest, seeks back
            # and copies it; the payload digest is the archive's own sha256.
            level = compression_level(blob)
            record = builder.create_warc_record(
                capture.url,
                "response",
                payload=blob,
                length=size,
                http_headers=response_headers(capture, size),
                warc_headers_dict={"WARC-Date": capture.warc_date, "WARC-Payload-Digest": digest},
            )
        write_record(out, record, level)
    request = builder.create_warc_record(
        capture.url,
        "request",
        http_headers=request_headers(capture),
        warc_headers_dict={
            "WARC-Date": capture.warc_date,
            "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    write_record(out, request)
    return size


def write_warc(
    conn: sqlite3.Connection,
    selection: Selection,
    out: BinaryIO,
    stats: ExportStats,
    progress: Progress | None = None,
) -> None:
    """The selected captures as a gzipped WARC: a warcinfo record, then each capture."""
    builder = RecordBuilder()
    info = {"software": f"govreports {version('govreports')}", "format": "WARC File Format 1.0"}
    write_record(out, builder.create_warcinfo_record(WARC_NAME, info))
    for capture in iter_captures(conn, selection):
        stats.payload_bytes += write_capture(out, conn, capture, builder)
        if capture.original:
            stats.revisits += 1
        else:
            stats.responses += 1
        done = stats.responses + stats.revisits
        if progress and done % _PROGRESS_EVERY == 0:
            progress(done, stats.payload_bytes)
    if progress:
        progress(stats.responses + stats.revisits, stats.payload_bytes)


def write_pages(conn: sqlite3.Connection, selection: Selection, out: TextIO) -> int:
    """pages.jsonl (header line, then one page per report); returns the number of pages."""
    header = {"format": "json-pages-1.0", "id": "pages", "title": "政府信息公开工作年度报告"}
    out.write(json.dumps(header, ensure_ascii=False) + "\n")
    pages = 0
    for page in iter_pages(conn, selection):
        out.write(json.dumps(page, ensure_ascii=False) + "\n")
        pages += 1
    return pages


# ------------------------------------------------------------------------------------------- WACZ
def pack_wacz(warc: Path, pages: Path, out: Path, title: str) -> None:
    """Pack the WARC and pages.jsonl with the wacz package's own ``create``, run in this process: it
    indexes the WARC (indexes/index.cdx.gz, index.idx), copies it, and hashes every entry into
    datapackage.json. Its chatter on stdout is kept out of ours and shown only if it fails."""
    from wacz.main import main as wacz_main

    chatter = io.StringIO()
    args = ["create", "-o", str(out), str(warc), "--pages", str(pages), "--copy-pages", "--title", title]
    with contextlib.redirect_stdout(chatter):
        status = wacz_main(args)
    if status != 0:
        raise ExportError(f"wacz could not pack the export: {chatter.getvalue().strip()}")


def export_wacz(
    db_path: str | Path,
    out_path: str | Path,
    selection: Selection | None = None,
    progress: Progress | None = None,
) -> ExportStats:
    """Export the archive's captures as a WACZ at ``out_path``. All or nothing: the WACZ is built under
    a temporary name beside it and renamed into place only when complete, so a failure leaves no file
    (and an earlier export at that path untouched)."""
    selection = selection or Selection()
    out = Path(out_path)
    if not out.parent.is_dir():
        raise ExportError(f"{out.parent}: no such directory for the export")
    stats = ExportStats()
    conn = open_readonly(db_path)
    try:
        # One snapshot for pages and captures: a page listed always has its capture in the WARC.
        conn.execute("begin")
        with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as work:
            warc, pages, packed = Path(work, WARC_NAME), Path(work, PAGES_NAME), Path(work, out.name)
            started = time.monotonic()
            with warc.open("wb") as handle:
                write_warc(conn, selection, handle, stats, progress)
            with pages.open("w", encoding="utf-8") as handle:
                stats.pages = write_pages(conn, selection, handle)
            stats.reports_left_out = count_reports(conn) - stats.pages
            conn.execute("commit")
            stats.warc_seconds = time.monotonic() - started
            started = time.monotonic()
            pack_wacz(warc, pages, packed, title=f"govreports: {Path(db_path).name}")
            stats.pack_seconds = time.monotonic() - started
            stats.warc_bytes = warc.stat().st_size
            stats.wacz_bytes = packed.stat().st_size
            os.replace(packed, out)
    finally:
        conn.close()
    return stats

"""The archive: one SQLite file, written with sqlite-utils. This module owns the schema.

Tables
- ``sources``: the annual-report columns that were crawled (agency, region, level, start URL).
- ``documents``: raw bytes, stored once per sha256, so extraction can always be re-run.
- ``fetches``: every response: URL, time, status, media type, sha256 of its body, and its role.
- ``reports``: one row per report, with the JSON of ``govreports parse``.
- ``sections``, ``cells`` (tables 二/三/四 in long form) and ``findings`` belong to a report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

DEFAULT_PATH = "archive.db"

# Row keys of table 三 that the applications view pivots into columns.
_VIEW_ROWS = (
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "other_handling",
    "total_handled",
    "carried_forward",
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_archive(path: str | Path = DEFAULT_PATH) -> sqlite_utils.Database:
    """Open (creating if needed) an archive with every table, index and view in place."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL survives a crash of the program (a power cut may lose the last commits) and
    # spares a disk flush per stored response: a third of the archiving cost of a crawl.
    db.execute("PRAGMA synchronous=NORMAL")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "id": int,
            "agency": str,
            "region": str,
            "level": str,
            "start_url": str,
            "cms": str,
            "added_at": str,
        },
        pk="id",
        if_not_exists=True,
    )
    db["sources"].create_index(["start_url"], unique=True, if_not_exists=True)
    db["documents"].create(
        {"sha256": str, "media_type": str, "size": int, "content": bytes, "first_fetched_at": str},
        pk="sha256",
        if_not_exists=True,
    )
    db["fetches"].create(
        {
            "id": int,
            "url": str,
            "fetched_at": str,
            "status": int,
            "media_type": str,
            "sha256": str,
            "kind": str,  # list | report_page | attachment | discovery
            "referer": str,
            "link_title": str,
            "report_year": int,  # the year a report page's link title says the report covers
            "source_id": int,
            # Validators the server sent, for conditional GETs on the next run.
            "etag": str,
            "last_modified": str,
        },
        pk="id",
        foreign_keys=[("sha256", "documents", "sha256"), ("source_id", "sources", "id")],
        transform=True,
    )
    db["fetches"].create_index(["url"], if_not_exists=True)
    db["crawl_runs"].create(
        {
            "id": int,
            "source_id": int,
            "start_url": str,
            "started_at": str,
            "finished_at": str,
            # running | finished | partial | empty | no_column | failed | interrupted (README: statuses)
            "status": str,
            "reason": str,  # Scrapy's close reason, or why the run failed or is incomplete
            "requests": int,
            "responses": int,
            "not_modified": int,  # 304 answers to conditional GETs
            "new_documents": int,
            "new_reports": int,
            "errors": int,
            "errors_by_kind": str,  # JSON: {"http_404": 2, "timeout": 1, "spider_exception": 0, …}
            "announced": int,  # items the columns' lists said they have (共N条, totalrecord …)
            "reached": int,  # items of those lists this run read
            "lists": str,  # JSON, one per column: announced, reached, reports, pages, failures, rendered
            "rendered": str,  # JSON: pages drawn in a headless browser (and those that could not be)
            "skipped_hosts": str,  # JSON: other sites' column links left alone, by host
        },
        pk="id",
        foreign_keys=[("source_id", "sources", "id")],
        transform=True,  # an archive made by an older version gains the new columns
    )
    db["columns"].create(
        {"id": int, "source_id": int, "url": str, "title": str, "cms": str, "depth": int, "found_at": str},
        pk="id",
        foreign_keys=[("source_id", "sources", "id")],
        if_not_exists=True,
    )
    db["columns"].create_index(["source_id", "url"], unique=True, if_not_exists=True)
    db["fetches"].create_index(["referer"], if_not_exists=True)
    db["reports"].create(
        {
            "id": str,
            "url": str,
            "document_url": str,
            "document_sha256": str,
            "title": str,
            "agency": str,
            "region": str,
            "province": str,
            "prefecture": str,
            "county": str,
            "region_code": str,
            "level": str,
            "year": int,
            "published": str,
            "template": str,
            "ocr": int,  # 1: the numbers were read by OCR from page images
            "source_id": int,
            "errors": int,
            "warnings": int,
            "extracted_at": str,
            "newest_fetch_id": int,  # the newest fetch (page or attachment) this extraction read
            "report_json": str,
        },
        pk="id",
        foreign_keys=[("document_sha256", "documents", "sha256"), ("source_id", "sources", "id")],
        transform=True,  # an archive made by an older version gains the new columns
    )
    db["reports"].create_index(["url"], unique=True, if_not_exists=True)
    db["reports"].create_index(
        ["agency", "year"], if_not_exists=True
    )  # the year before, for cross-year checks
    db["sections"].create(
        {"report_id": str, "number": int, "key": str, "heading": str, "text": str},
        pk=("report_id", "key"),
        foreign_keys=[("report_id", "reports", "id")],
        transform=True,
    )
    # NUMERIC affinity keeps counts as integers and amounts in 万元 as reals.
    db.execute(
        """create table if not exists cells (
            report_id text references reports(id),
            table_key text,  -- disclosure (二) | applications (三) | reviews (四) | statistics (legacy 统计表)
            row_key text,
            column_key text,
            value numeric,
            unit text,
            label text,
            primary key (report_id, table_key, row_key, column_key)
        )"""
    )
    db["findings"].create(
        {"id": int, "report_id": str, "check_name": str, "severity": str, "location": str, "message": str},
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["findings"].create_index(["report_id"], if_not_exists=True)
    _create_views(db)


def _create_views(db: sqlite_utils.Database) -> None:
    pivot = ",\n".join(
        f"  max(case when c.row_key = '{key}' then c.value end) as {key}" for key in _VIEW_ROWS
    )
    db.create_view(
        "applications_totals",
        f"""select r.id as report_id, r.agency, r.region, r.level, r.year, r.template,
{pivot}
from reports r join cells c on c.report_id = r.id
where c.table_key = 'applications' and c.column_key = 'total'
group by r.id""",
        replace=True,
    )


def record_source(db: sqlite_utils.Database, source: dict) -> int:
    """The id of a crawled column, added on first sight; the start URL identifies it."""
    existing = list(db["sources"].rows_where("start_url = ?", [source["start_url"]], limit=1))
    fields = {key: source.get(key) for key in ("agency", "region", "level", "start_url", "cms")}
    if existing:
        db["sources"].update(existing[0]["id"], fields)
        return existing[0]["id"]
    return db["sources"].insert({**fields, "added_at": now()}).last_pk


def record_fetch(
    db: sqlite_utils.Database,
    *,
    url: str,
    status: int,
    media_type: str | None,
    body: bytes,
    kind: str,
    referer: str | None = None,
    link_title: str | None = None,
    report_year: int | None = None,
    source_id: int | None = None,
    fetched_at: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> bool:
    """Store one response. The same bytes fetched twice (or from two URLs) are stored once; a 304 (not
    modified) is a fetch without a document. True when the bytes were new to the archive."""
    fetched_at = fetched_at or now()
    sha256 = None
    new_document = False
    if status != 304:
        sha256 = hashlib.sha256(body).hexdigest()
        new_document = not db.execute("select 1 from documents where sha256 = ?", [sha256]).fetchone()
        db["documents"].insert(
            {
                "sha256": sha256,
                "media_type": media_type,
                "size": len(body),
                "content": body,
                "first_fetched_at": fetched_at,
            },
            ignore=True,
        )
    db["fetches"].insert(
        {
            "url": url,
            "fetched_at": fetched_at,
            "status": status,
            "media_type": media_type,
            "sha256": sha256,
            "kind": kind,
            "referer": referer,
            "link_title": link_title,
            "report_year": report_year,
            "source_id": source_id,
            "etag": etag,
            "last_modified": last_modified,
        }
    )
    return new_document


def known_documents(db: sqlite_utils.Database) -> dict[str, dict]:
    """Every URL fetched successfully before, with the validators of its latest good fetch."""
    return {
        row["url"]: row
        for row in db.query(
            """select url, kind, etag, last_modified, sha256 from fetches where id in (
                 select max(id) from fetches where status = 200 group by url)"""
        )
    }


def last_run(db: sqlite_utils.Database, start_url: str) -> dict | None:
    rows = list(
        db.query("select * from crawl_runs where start_url = ? order by id desc limit 1", [start_url])
    )
    return rows[0] if rows else None


def start_run(db: sqlite_utils.Database, source_id: int | None, start_url: str) -> int:
    return (
        db["crawl_runs"]
        .insert({"source_id": source_id, "start_url": start_url, "started_at": now(), "status": "running"})
        .last_pk
    )


def finish_run(db: sqlite_utils.Database, run_id: int, **fields) -> None:
    db["crawl_runs"].update(run_id, {"finished_at": now(), **fields})


def record_column(db: sqlite_utils.Database, source_id: int | None, column: dict) -> None:
    """A column found by discovery (url, title, cms, depth); found again, it is kept as first seen."""
    db["columns"].insert({"source_id": source_id, **column, "found_at": now()}, ignore=True)


def document_bytes(db: sqlite_utils.Database, sha256: str) -> bytes:
    return db["documents"].get(sha256)["content"]


def latest_fetches(db: sqlite_utils.Database, kind: str, referer: str | None = None) -> Iterator[dict]:
    """The newest successful fetch of each URL of one kind (optionally linked from one page)."""
    where = "kind = ? and status = 200" + (" and referer = ?" if referer else "")
    params = [kind, referer] if referer else [kind]
    yield from db.query(
        f"""select * from fetches where id in (
              select max(id) from fetches where {where} group by url
            ) order by id""",
        params,
    )


def report_id(url: str) -> str:
    """Stable across re-extraction, so links to a report keep working."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def store_report(
    db: sqlite_utils.Database,
    report: dict,
    *,
    url: str,
    document_url: str,
    source_id: int | None = None,
    newest_fetch_id: int | None = None,
) -> str:
    """Write one extracted report, replacing what an earlier extraction wrote for the same URL."""
    rid = report_id(url)
    severities = [finding["severity"] for finding in report["findings"]]
    with db.conn:
        for table in ("sections", "cells", "findings"):
            db[table].delete_where("report_id = ?", [rid])
        db["reports"].upsert(
            {
                "id": rid,
                "url": url,
                "document_url": document_url,
                "document_sha256": report["source"]["sha256"],
                "title": report["title"],
                "agency": report["agency"],
                "region": report["region"],
                **_region_columns(report.get("region_parts") or {}),
                "level": report["level"],
                "year": report["year"],
                "published": report["published"],
                "template": report["template"],
                "ocr": int(bool(report["source"].get("ocr"))),
                "source_id": source_id,
                "errors": severities.count("error"),
                "warnings": severities.count("warning"),
                "extracted_at": now(),
                "newest_fetch_id": newest_fetch_id,
                "report_json": json.dumps(report, ensure_ascii=False),
            },
            pk="id",
        )
        db["sections"].insert_all(
            {"report_id": rid, **{key: s[key] for key in ("number", "key", "heading", "text")}}
            for s in report["sections"]
        )
        db["cells"].insert_all(_cells(rid, report))
        db["findings"].insert_all(
            {
                "report_id": rid,
                "check_name": f["check"],
                "severity": f["severity"],
                "location": f["where"],
                "message": f["message"],
            }
            for f in report["findings"]
        )
    return rid


def _region_columns(parts: dict) -> dict:
    return {
        "province": parts.get("province"),
        "prefecture": parts.get("prefecture"),
        "county": parts.get("county"),
        "region_code": parts.get("code"),
    }


def _cells(rid: str, report: dict) -> Iterator[dict]:
    def cell(
        table_key: str, row_key: str, column_key: str, value, unit: str = "件", label: str | None = None
    ):
        return {
            "report_id": rid,
            "table_key": table_key,
            "row_key": row_key,
            "column_key": column_key,
            "value": value,
            "unit": unit,
            "label": label,
        }

    for item in report["disclosure"]:
        yield cell("disclosure", item["item"], item["metric"], item["value"], item["unit"], item["label"])
    for row_key, columns in report["applications"].items():
        for column_key, value in columns.items():
            yield cell("applications", row_key, column_key, value)
    for key, value in report["reviews"].items():
        # review_upheld → row "review", column "upheld": the table's own 3 × 5 grid.
        row_key, column_key = key.rsplit("_", 1)
        yield cell("reviews", row_key, column_key, value)
    seen: set[str] = set()
    for entry in report.get("statistics", []):
        # A known indicator under its key, so series join across years; the rest under its label path.
        row_key = entry["key"] if entry["key"] and entry["key"] not in seen else entry["path"]
        if row_key in seen:
            continue  # the same label twice in one table: the first is kept, as for table rows
        seen.add(row_key)
        yield cell("statistics", row_key, "value", entry["value"], entry["unit"], entry["path"])
        if "cumulative" in entry:
            yield cell("statistics", row_key, "cumulative", entry["cumulative"], entry["unit"], entry["path"])


def summary(db: sqlite_utils.Database) -> dict:
    """Counts a user checks after a crawl: what was fetched, what was read, what looked wrong."""

    def scalar(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    return {
        "fetches": scalar("select count(*) from fetches"),
        "documents": scalar("select count(*) from documents"),
        "reports": scalar("select count(*) from reports"),
        "agencies": scalar("select count(distinct agency) from reports"),
        "years": [
            row[0]
            for row in db.execute("select distinct year from reports where year is not null order by year")
        ],
        "reports_with_errors": scalar("select count(*) from reports where errors > 0"),
        "findings": scalar("select count(*) from findings"),
        "cells": scalar("select count(*) from cells"),
    }

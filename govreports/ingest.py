"""From archived raw documents to archived reports: choose each report's document and extract it.

A report page either carries the report in its body or only links it as attachments (「详见附件」);
then the attachment whose tables read is the report, and the page lends it the metadata it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from extract import UnreadableDocument, parse_document
from extract.findings import finding
from govreports.archive import document_bytes, latest_fetches, store_report

_PAGE_FALLBACKS = ("title", "agency", "region", "level", "year", "published")


@dataclass
class ExtractionStats:
    reports: int = 0
    from_attachments: int = 0
    unreadable: int = 0


def has_tables(report: dict) -> bool:
    return bool(report["applications"] or report["reviews"] or report["disclosure"])


def parse_fetch(db: sqlite_utils.Database, fetch: dict) -> dict | None:
    try:
        return parse_document(
            document_bytes(db, fetch["sha256"]), url=fetch["url"], media_type=fetch["media_type"]
        )
    except UnreadableDocument:
        return None


def extract_page(db: sqlite_utils.Database, page: dict, stats: ExtractionStats) -> None:
    report = parse_fetch(db, page)
    if report is None:
        stats.unreadable += 1
        return
    document_url = page["url"]
    if not has_tables(report):
        for attachment in list(latest_fetches(db, "attachment", referer=page["url"])):
            attached = parse_fetch(db, attachment)
            if attached is None:
                report["findings"].append(
                    finding("document.unreadable", "attachment", f"附件无法读取：{attachment['url']}")
                )
                continue
            if has_tables(attached):
                for key in _PAGE_FALLBACKS:
                    attached[key] = attached[key] or report[key]
                # What the page supplied is no longer missing.
                attached["findings"] = [
                    f
                    for f in attached["findings"]
                    if not (f["check"].startswith("metadata.") and attached[f["where"]])
                ]
                report, document_url = attached, attachment["url"]
                stats.from_attachments += 1
                break
    report["title"] = report["title"] or page["link_title"]
    store_report(db, report, url=page["url"], document_url=document_url, source_id=page["source_id"])
    stats.reports += 1


def extract_archive(db: sqlite_utils.Database) -> ExtractionStats:
    """(Re-)extract every report page in the archive from its stored bytes."""
    stats = ExtractionStats()
    # Read the list first: sqlite-utils writes below while a cursor would still be open.
    for page in list(latest_fetches(db, "report_page")):
        extract_page(db, page, stats)
    return stats

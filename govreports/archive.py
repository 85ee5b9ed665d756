"""The archive: one SQLite file, written with sqlite-utils. This module owns the schema and every write.

Tables
- ``sources``: the annual-report columns that were crawled (agency, region, level, start URL).
- ``documents``: raw bytes, stored once per sha256, so extraction can always be re-run.
- ``fetches``: every response: URL, time, status, media type, sha256 of its body, and its role.
- ``fetch_failures``: every URL a crawl wanted and did not get (yet): why, how often, when it is asked
  again, or that it was judged gone.
- ``reports``: one row per report, that is per (agency, year): the same report found under several URLs
  or on several platforms is one report; ``report_copies`` lists where it was found.
- ``report_json``: the JSON of ``govreports parse`` for each report (kept out of ``reports``).
- ``sections``, ``cells`` (tables 二/三/四 in long form) and ``findings`` belong to a report.
- ``report_figures``: derived, one row per report, one column per cell of tables 二, 三 and 四; written
  with the report, so it is always current (``figures.figure_columns()`` labels every column).
- ``labels``: Chinese labels and the forms' order of every table, row, column, section and finding key;
  the view ``figures_long`` joins it to ``cells`` for pivoting.
- ``report_search_fts`` (a report's title and all its sections) and ``sections_fts``: Chinese full-text
  search (``govreports.search``).
- ``extraction_failures``: each document whose extraction failed (unreadable, past its time or memory
  limit, crashed, raised, not storable): why, when, how often; gone once it extracts.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from govreports.figures import (
    CELL_COLUMNS,
    LABEL_COLUMNS,
    REPORT_COLUMNS,
    FigureColumn,
    cell_position,
    cell_position_sql,
    figure_columns,
    figures_row,
    finding_anchor,
    label_rows,
    split_review_key,
)
from govreports.search import (
    drop_search,
    enable_search,
    index_report,
    unindex_report,
)

__all__ = ["FigureColumn", "figure_columns", "open_archive", "store_report"]

DEFAULT_PATH = "archive.db"
# PRAGMA user_version of an archive this module writes. 0: the first releases (report_json in reports,
# one report per URL); 2: one report per (agency, year) with its copies, report_figures, labels, search;
# 3: search text cut into pairs of characters, one search entry per report (govreports.search).
SCHEMA_VERSION = 3

# Report-level columns of report_figures and their SQL types; the cells are NUMERIC (counts stay integers).
_FIGURE_TYPES = {"year": "integer", "findings": "integer", "errors": "integer"}
# The filters users apply to the wide table (and to reports), each with an index: facets count from them.
_FIGURE_INDEXES = (("province", "year"), ("year",), ("level", "year"), ("agency", "year"), ("template",))


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One transaction around several writes; inside another, a savepoint (sqlite-utils' ``atomic``): a
    failure rolls back only what this block wrote, and the outer transaction goes on."""
    with db.atomic():
        yield


@contextmanager
def batched_commits(db: sqlite_utils.Database, every: int = 200, seconds: float = 2.0) -> Iterator[Callable]:
    """Many small writes (each in its own ``transaction``, so each whole or not at all) committed together:
    a commit every ``every`` calls of the function given, or ``seconds`` after the last commit. A commit
    costs as much as a report's other writes (the WAL's pages, the search index's new segment). What was
    written is committed on the way out, on an error too."""
    state = {"writes": 0, "since": time.monotonic()}
    db.conn.execute("BEGIN")

    def wrote() -> None:
        state["writes"] += 1
        if state["writes"] >= every or time.monotonic() - state["since"] >= seconds:
            db.conn.execute("COMMIT")
            db.conn.execute("BEGIN")
            state["writes"], state["since"] = 0, time.monotonic()

    try:
        yield wrote
    finally:
        if db.conn.in_transaction:
            db.conn.execute("COMMIT")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_archive(path: str | Path = DEFAULT_PATH) -> sqlite_utils.Database:
    """Open (creating if needed) an archive with every table, index and view in place; an archive made by
    an earlier version is brought up to date."""
    db = sqlite_utils.Database(path)
    # A write waits up to 30 s (sqlite3's default: 5 s) for another process's, as crawl --processes has
    # them, before failing with "database is locked".
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL survives a crash of the program (a power cut may lose the last commits) and
    # spares a disk flush per stored response: a third of the archiving cost of a crawl.
    db.execute("PRAGMA synchronous=NORMAL")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    had_reports = db["reports"].exists()
    _crawl_tables(db)
    upgrading = had_reports and version < 2
    if had_reports and version < 3:
        drop_search(db)  # rebuilt below, by this version's search_tokens
    if had_reports and "report_json" in db["reports"].columns_dict:
        _move_report_json(db)  # before the reports table drops the column
    _report_tables(db)
    _extraction_tables(db)
    _derived_tables(db, rebuild=not upgrading)  # the upgrade rebuilds report_figures once it is done
    if upgrading:
        with transaction(db):
            upgrade_reports(db)
    with transaction(db):
        enable_search(db)
    _create_views(db)
    if version != SCHEMA_VERSION:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _crawl_tables(db: sqlite_utils.Database) -> None:
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
            "requested_url": str,  # the URL asked for, when redirects led to ``url``
            # null: the response is what it seems; error_page or blocked: a 200 (or 412/521) that is an
            # error page or a firewall challenge — no document is kept and the URL is not known
            "outcome": str,
            "outcome_detail": str,  # what gave it away (「页面不存在」, 「加速乐 __jsl_clearance」)
            "charset_note": str,  # the bytes' charset overruled the declared one: 「declared …, bytes are …」
        },
        pk="id",
        foreign_keys=[("sha256", "documents", "sha256"), ("source_id", "sources", "id")],
        transform=True,
    )
    db["fetches"].create_index(["url"], if_not_exists=True)
    db["fetches"].create_index(["requested_url"], if_not_exists=True)
    db["fetch_failures"].create(
        {
            "url": str,  # as asked for (a redirect's final URL is final_url)
            "source_id": int,
            "kind": str,  # list | discovery | report_page | attachment
            "referer": str,  # the page that linked it: a report page for an attachment
            "link_title": str,
            # pending: found, not yet answered (a run stopped first) | failing: asked again after
            # next_retry_at | gone: judged permanently gone, not asked again | recovered: answered later
            "state": str,
            # timeout | transport | truncated | size_cap | http_NNN | error_page | blocked | redirect_loop |
            # too_many_redirects | robots | not_linked (a list page no longer reached)
            "reason": str,
            "status": int,  # HTTP status of the last failure, when there was a response
            "detail": str,
            "final_url": str,
            "attempts": int,  # requests spent on it, over all runs
            "runs": int,  # runs in which it failed
            "first_failed_at": str,
            "last_failed_at": str,
            "next_retry_at": str,
            "recovered_at": str,
            "gone_at": str,
            "run_id": int,  # the last run that asked for it, found it, or judged it
        },
        pk="url",
        foreign_keys=[("source_id", "sources", "id")],
        if_not_exists=True,
    )
    db["fetch_failures"].create_index(["source_id", "state"], if_not_exists=True)
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
            # URLs (fetch_failures): answered only after Scrapy retried them this run | answered this run
            # after failing on an earlier one | failed this run | judged gone this run | still wanted
            # after this run (failing or pending, whether or not asked) | firewall challenges | error pages
            "retried": int,
            "recovered": int,
            "lost": int,
            "gone": int,
            "failing": int,
            "blocked": int,
            "error_pages": int,
            "failures_by_reason": str,  # JSON: this run's failed URLs by reason
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


def _report_tables(db: sqlite_utils.Database) -> None:
    db["reports"].create(
        {
            "id": str,  # see report_key_id: from agency and year, or from the URL when either is unknown
            "url": str,  # the canonical copy's report page (null while that copy awaits re-extraction)
            "document_url": str,  # what the numbers were read from: the page, or its attachment
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
            "copies": int,  # report pages it was found on (report_copies)
            "hosts": int,  # distinct sites among them: publication on several platforms
        },
        pk="id",
        foreign_keys=[("document_sha256", "documents", "sha256"), ("source_id", "sources", "id")],
        transform=True,  # an archive made by an older version gains the new columns
    )
    db["reports"].create_index(["url"], unique=True, if_not_exists=True)
    # (agency, year): the year before, for cross-year checks; the others: the reports page's facets and filters.
    for columns in (("agency", "year"), *_FIGURE_INDEXES[:3], ("template",)):
        db["reports"].create_index(list(columns), if_not_exists=True)
    db["report_json"].create({"report_id": str, "json": str}, pk="report_id", if_not_exists=True)
    db["report_copies"].create(
        {
            "page_url": str,  # the report page where this copy was found
            "report_id": str,
            "url": str,  # where the bytes the report was read from came from: the page, or its attachment
            "host": str,  # the report page's host (and port): the site, or platform, that published it
            "sha256": str,  # of those bytes (documents.content)
            "media_type": str,
            "fetched_at": str,  # when those bytes were fetched
            "kind": str,  # page: read from the page itself | attachment: from a document it links
            "title": str,  # the title this copy's extraction gave
            "canonical": int,  # 1: the copy whose extraction is the report's numbers (the first seen)
            "first_seen": str,  # first successful fetch of the page
            "first_fetch_id": int,  # its fetches.id: copies are ordered by it (null: not from a crawl)
            "newest_fetch_id": int,  # newest fetch of page or attachment when last extracted
            "source_id": int,
        },
        pk="page_url",
        foreign_keys=[("report_id", "reports", "id"), ("sha256", "documents", "sha256")],
        if_not_exists=True,
    )
    db["report_copies"].create_index(["report_id"], if_not_exists=True)
    db["report_copies"].create_index(["sha256"], if_not_exists=True)
    db["sections"].create(
        {"report_id": str, "number": int, "key": str, "heading": str, "text": str},
        pk=("report_id", "key"),
        foreign_keys=[("report_id", "reports", "id")],
        transform=True,
    )
    if db["cells"].exists() and "position" not in db["cells"].columns_dict:
        _upgrade_cells(db)
    db.execute(_CELLS_SQL.format(name="cells", if_not_exists="if not exists"))
    db["findings"].create(
        {
            "id": int,
            "report_id": str,
            "check_name": str,
            "severity": str,
            "location": str,
            "message": str,
            # The cell, row or column the finding concerns (figures.finding_anchor), where it names one.
            "table_key": str,
            "row_key": str,
            "column_key": str,
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
        transform=True,
    )
    db["findings"].create_index(["report_id"], if_not_exists=True)
    db["findings"].create_index(["check_name"], if_not_exists=True)


# NUMERIC affinity keeps counts as integers and amounts in 万元 as reals. WITHOUT ROWID, keyed by the
# cell's place in the forms' order (figures.cell_position): a report's cells read in template order
# straight from the key, and no second copy of the keys is kept in an index.
_CELLS_SQL = """create table {if_not_exists} {name} (
    report_id text references reports(id),
    position integer,  -- the cell's place in the forms' order (figures.cell_position)
    table_key text,  -- disclosure (二) | applications (三) | reviews (四) | statistics (legacy 统计表)
    row_key text,
    column_key text,
    value numeric,
    unit text,
    label text,
    primary key (report_id, position)
) without rowid"""


def _upgrade_cells(db: sqlite_utils.Database) -> None:
    """Cells as the first releases kept them (rowid, keyed by their keys) into the keyed-by-position table."""
    _labels(db)
    with transaction(db):
        db.execute("drop table if exists cells_upgraded")  # left by an upgrade that was interrupted
        for view in ("figures_long", "applications_totals"):  # they read cells; _create_views puts them back
            db.execute(f"drop view if exists [{view}]")
        db.execute(_CELLS_SQL.format(name="cells_upgraded", if_not_exists=""))
        db.execute(
            f"""insert into cells_upgraded
                select c.report_id, {cell_position_sql("c")}, c.table_key, c.row_key, c.column_key, c.value,
                  c.unit, c.label
                from cells c
                left join labels t on t.table_key = c.table_key and t.kind = 'table' and t.key = c.table_key
                left join labels rl on rl.table_key = c.table_key and rl.kind = 'row' and rl.key = c.row_key
                left join labels cl on cl.table_key = c.table_key and cl.kind = 'column' and cl.key = c.column_key"""
        )
        db.execute("drop table cells")
        db.execute("alter table cells_upgraded rename to cells")


def _labels(db: sqlite_utils.Database) -> None:
    """The labels table as the code has them (rewritten only when they differ)."""
    db["labels"].create(LABEL_COLUMNS, pk=("table_key", "kind", "key"), if_not_exists=True)
    wanted = label_rows()
    if list(db.query("select * from labels order by rowid")) != wanted:
        with transaction(db):
            db["labels"].delete_where()
            db["labels"].insert_all(wanted)


def _derived_tables(db: sqlite_utils.Database, rebuild: bool = True) -> None:
    """labels (rewritten when the code's labels change) and report_figures (rebuilt from cells when its
    columns change: it is derived, so nothing is lost)."""
    _labels(db)
    columns = [column.name for column in figure_columns()]
    if db["report_figures"].exists() and list(db["report_figures"].columns_dict) != columns:
        db["report_figures"].drop()
    if not db["report_figures"].exists():
        definitions = ",\n".join(
            f"  [{name}] " + ("text" if name == "report_id" else _figure_type(name)) for name in columns
        )
        db.execute(
            f"create table report_figures (\n{definitions},\n"
            "  primary key (report_id),\n  foreign key (report_id) references reports(id)\n)"
        )
        if rebuild:
            rebuild_figures(db)
    for index in _FIGURE_INDEXES:
        db["report_figures"].create_index(list(index), if_not_exists=True)


def _figure_type(name: str) -> str:
    if name in dict(REPORT_COLUMNS):
        return _FIGURE_TYPES.get(name, "text")
    return "numeric"


def _create_views(db: sqlite_utils.Database) -> None:
    views = {
        # One row per cell with Chinese labels and the forms' order, for pivoting. A view, not a table: the
        # numbers live once (cells), the labels once (labels); the joins are primary-key look-ups, and a
        # report's cells come in the forms' order from cells' key, with no sort (which would make SQLite
        # trade the indexes of a filter for a scan in sort order: seconds at 100,000 reports).
        "figures_long": """select c.report_id, r.agency, r.province, r.level, r.year, r.template,
  c.table_key, t.label_zh as table_zh,
  c.row_key, coalesce(rl.label_zh, c.label, c.row_key) as row_zh, rl.sort_order as row_order,
  c.column_key, coalesce(cl.label_zh, c.column_key) as column_zh, cl.sort_order as column_order,
  c.value, c.unit
from cells c
join reports r on r.id = c.report_id
left join labels t on t.table_key = c.table_key and t.kind = 'table' and t.key = c.table_key
left join labels rl on rl.table_key = c.table_key and rl.kind = 'row' and rl.key = c.row_key
left join labels cl on cl.table_key = c.table_key and cl.kind = 'column' and cl.key = c.column_key""",
        # Table 三's 总计 column as the first releases had it; report_figures has every cell.
        "applications_totals": """select f.report_id, f.agency, r.region, f.level, f.year, f.template,
  f.t3_new_received_total as new_received, f.t3_carried_over_total as carried_over,
  f.t3_granted_total as granted, f.t3_partially_granted_total as partially_granted,
  f.t3_other_handling_total as other_handling, f.t3_total_handled_total as total_handled,
  f.t3_carried_forward_total as carried_forward
from report_figures f join reports r on r.id = f.report_id
where f.t3_new_received_total is not null or f.t3_total_handled_total is not null""",
    }
    for name, sql in views.items():
        existing = db.execute(
            "select sql from sqlite_master where type = 'view' and name = ?", [name]
        ).fetchone()
        if not existing or existing[0] != f"CREATE VIEW [{name}] AS {sql}":
            db.create_view(name, sql, replace=True)


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
    requested_url: str | None = None,
    outcome: str | None = None,
    outcome_detail: str | None = None,
    charset_note: str | None = None,
) -> bool:
    """Store one response. The same bytes fetched twice (or from two URLs) are stored once; a 304 (not
    modified) is a fetch without a document, and so is an error page or a challenge (``outcome``). True
    when the bytes were new to the archive."""
    fetched_at = fetched_at or now()
    sha256 = None
    new_document = False
    if status != 304 and not outcome:
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
            "requested_url": requested_url,
            "outcome": outcome,
            "outcome_detail": outcome_detail,
            "charset_note": charset_note,
        }
    )
    return new_document


def known_documents(db: sqlite_utils.Database) -> dict[str, dict]:
    """Every URL fetched successfully before (an error page is no success), with the validators of its
    latest good fetch; a URL that redirected there is known too."""
    known = {}
    for row in db.query(
        """select url, requested_url, kind, etag, last_modified, sha256 from fetches where id in (
             select max(id) from fetches where status = 200 and outcome is null group by url)"""
    ):
        asked = row.pop("requested_url")
        known[row["url"]] = row
        if asked:
            known.setdefault(asked, row)
    return known


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


ABANDONED_REASON = "the crawl stopped without closing its run (killed, or the machine went down)"


def close_abandoned_runs(db: sqlite_utils.Database) -> list[dict]:
    """Runs still ``running`` when no crawl is (the caller holds the crawl lock): their process died
    without a word. They become ``interrupted``; returns them, so their job directories can be dropped."""
    abandoned = list(db.query("select id, source_id, start_url from crawl_runs where status = 'running'"))
    with transaction(db):
        for run in abandoned:
            db["crawl_runs"].update(run["id"], {"status": "interrupted", "reason": ABANDONED_REASON})
    return abandoned


# ------------------------------------------------------------------------------------ fetch failures
# Which failed URLs to ask again, and when, is the crawler's policy (crawler/failures.py); these store it.


def failure_of(db: sqlite_utils.Database, url: str) -> dict | None:
    rows = list(db.query("select * from fetch_failures where url = ?", [url]))
    return rows[0] if rows else None


def save_failure(db: sqlite_utils.Database, row: dict) -> None:
    """Write one URL's failure record (``row`` holds every column it sets, ``url`` first)."""
    db["fetch_failures"].upsert(row, pk="url")


def want_urls(
    db: sqlite_utils.Database,
    links: Iterable[tuple[str, str | None]],
    *,
    kind: str,
    referer: str | None,
    source_id: int | None,
    run_id: int | None,
) -> None:
    """Links (url, title) a run found and means to fetch, kept ``pending`` until they are answered: a run
    stopped before it asked for them leaves them to the next. Archived URLs and recorded ones are skipped."""
    with transaction(db):  # a bare executemany would leave sqlite3's implicit transaction open
        db.conn.executemany(
            """insert into fetch_failures (url, source_id, kind, referer, link_title, state, attempts, runs, run_id)
               select :url, :source_id, :kind, :referer, :title, 'pending', 0, 0, :run_id
               where not exists (select 1 from fetch_failures where url = :url)
                 and not exists (select 1 from fetches where (url = :url or requested_url = :url)
                                   and status = 200 and outcome is null)""",
            [
                {
                    "url": url,
                    "title": title,
                    "kind": kind,
                    "referer": referer,
                    "source_id": source_id,
                    "run_id": run_id,
                }
                for url, title in links
            ],
        )


def settle_failures(db: sqlite_utils.Database, urls: Iterable[str], at: str) -> int:
    """The URLs were answered: a pending one is simply done; a failing or gone one is ``recovered``.
    Returns how many had failed before."""
    recovered = 0
    for url in {url for url in urls if url}:
        db.execute("delete from fetch_failures where url = ? and state = 'pending'", [url])
        recovered += db.execute(
            "update fetch_failures set state = 'recovered', recovered_at = ?, next_retry_at = null "
            "where url = ? and state in ('failing', 'gone')",
            [at, url],
        ).rowcount
    return recovered


def due_failures(
    db: sqlite_utils.Database, source_id: int | None, at: str, kinds: Iterable[str]
) -> list[dict]:
    """Pending and failing URLs of a source whose back-off has passed, oldest first."""
    kinds = list(kinds)
    return list(
        db.query(
            f"""select * from fetch_failures where source_id is ? and state in ('pending', 'failing')
                  and (next_retry_at is null or next_retry_at <= ?)
                  and kind in ({", ".join("?" * len(kinds))})
                order by first_failed_at is null, first_failed_at, rowid""",
            [source_id, at, *kinds],
        )
    )


def waiting_urls(db: sqlite_utils.Database, source_id: int | None, at: str) -> set[str]:
    """URLs not to ask for now: failing ones still in their back-off, and gone ones."""
    return {
        row[0]
        for row in db.execute(
            "select url from fetch_failures where source_id is ? and "
            "(state = 'gone' or (state = 'failing' and next_retry_at > ?))",
            [source_id, at],
        )
    }


def has_failing(db: sqlite_utils.Database, source_id: int | None, kinds: Iterable[str]) -> bool:
    kinds = list(kinds)
    return bool(
        db.execute(
            f"select 1 from fetch_failures where source_id is ? and state in ('pending', 'failing') "
            f"and kind in ({', '.join('?' * len(kinds))}) limit 1",
            [source_id, *kinds],
        ).fetchone()
    )


def retire_unlinked(
    db: sqlite_utils.Database, source_id: int | None, run_id: int, kinds: Iterable[str], at: str
) -> int:
    """Failed pages of ``kinds`` (list pages, discovery steps) that a complete walk no longer reached: judged
    gone (reason not_linked), since no run will ask for them again. Returns how many."""
    kinds = list(kinds)
    return db.execute(
        f"""update fetch_failures set state = 'gone', reason = 'not_linked', gone_at = ?, next_retry_at = null,
              run_id = ?
            where source_id is ? and state in ('pending', 'failing') and run_id is not ?
              and kind in ({", ".join("?" * len(kinds))})""",
        [at, run_id, source_id, run_id, *kinds],
    ).rowcount


def failure_tally(db: sqlite_utils.Database, source_id: int | None, run_id: int) -> dict:
    """A run's failed list pages, report pages and attachments (a discovery step that failed is recorded,
    not counted: it is no document): lost (failed in this run, still wanted), gone (judged so in this run),
    failing (everything the source still wants, whenever it failed), and this run's failures by reason."""
    counted = "source_id is :source and kind in ('list', 'report_page', 'attachment')"
    lost, gone, failing = db.execute(
        f"""select sum(run_id = :run and state = 'failing'), sum(run_id = :run and state = 'gone'),
                  sum(state in ('pending', 'failing'))
           from fetch_failures where {counted}""",
        {"run": run_id, "source": source_id},
    ).fetchone()
    by_reason = dict(
        db.execute(
            f"select reason, count(*) from fetch_failures where {counted} and run_id = :run "
            "and state in ('failing', 'gone') group by reason order by reason",
            {"run": run_id, "source": source_id},
        ).fetchall()
    )
    return {"lost": lost or 0, "gone": gone or 0, "failing": failing or 0, "by_reason": by_reason}


def record_column(db: sqlite_utils.Database, source_id: int | None, column: dict) -> None:
    """A column found by discovery (url, title, cms, depth); found again, it is kept as first seen."""
    db["columns"].insert({"source_id": source_id, **column, "found_at": now()}, ignore=True)


def document_bytes(db: sqlite_utils.Database, sha256: str) -> bytes:
    return db["documents"].get(sha256)["content"]


def latest_fetches(db: sqlite_utils.Database, kind: str, referer: str | None = None) -> Iterator[dict]:
    """The newest successful fetch of each URL of one kind (optionally linked from one page)."""
    where = "kind = ? and status = 200 and outcome is null" + (" and referer = ?" if referer else "")
    params = [kind, referer] if referer else [kind]
    yield from db.query(
        f"""select * from fetches where id in (
              select max(id) from fetches where {where} group by url
            ) order by id""",
        params,
    )


def queue_report_pages(
    db: sqlite_utils.Database, *, only_new: bool = False, pages: Iterable[str] | None = None
) -> int:
    """Queue the report pages to extract, first seen first, in a temporary table of this connection (on
    disk, not in memory, whatever the archive's size); returns how many. Each is the page's newest
    successful fetch. ``only_new``: only pages whose page or attachments were fetched after their copy was
    last extracted (fetch ids only grow). ``pages``: only these URLs."""
    db.execute("drop table if exists temp.extraction_queue")
    conditions = ["p.fetch_id is not null"]
    params: list = []
    if pages is not None:
        conditions.append("p.url in (select value from json_each(?))")
        params.append(json.dumps(sorted(pages)))
    if only_new:
        conditions.append(
            """max(p.fetch_id, coalesce((
                 select max(a.id) from fetches a where a.referer = p.url and a.kind = 'attachment'
                 and a.status = 200 and a.outcome is null), 0))
               > coalesce((select c.newest_fetch_id from report_copies c where c.page_url = p.url), -1)"""
        )
    db.execute(
        f"""create temp table extraction_queue as
            with p as (
              select url, min(id) as first_id, max(case when outcome is null then id end) as fetch_id
              from fetches where kind = 'report_page' and status = 200 group by url
            )
            select p.fetch_id from p where {" and ".join(conditions)} order by p.first_id""",
        params,
    )
    return db.execute("select count(*) from temp.extraction_queue").fetchone()[0]


def queued_report_pages(db: sqlite_utils.Database, batch: int = 500) -> Iterator[dict]:
    """The fetches queued by ``queue_report_pages``, in order, read a batch at a time (no cursor stays open
    across the writes made meanwhile)."""
    after = 0
    while True:
        rows = list(
            db.query(
                "select q.rowid as queued, f.* from temp.extraction_queue q join fetches f on f.id = q.fetch_id "
                "where q.rowid > ? order by q.rowid limit ?",
                [after, batch],
            )
        )
        if not rows:
            return
        after = rows[-1].pop("queued")
        for row in rows:
            row.pop("queued", None)
            yield row


# --------------------------------------------------------------------------------------------- reports
def report_id(url: str) -> str:
    """The id of a report whose agency or year is unknown: from its first page's URL (as ids always were)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def report_key_id(agency: str, year: int) -> str:
    """The id of the report of one agency for one year: the same wherever and however often it is found,
    so links to it survive a re-crawl from another address."""
    return hashlib.sha256(f"{agency}\x1f{year}".encode()).hexdigest()[:16]


def store_report(
    db: sqlite_utils.Database,
    report: dict,
    *,
    url: str,
    document_url: str,
    source_id: int | None = None,
    newest_fetch_id: int | None = None,
) -> str:
    """Write one extracted copy of a report (found on the page ``url``, read from ``document_url``), in one
    transaction; returns the report's id.

    The copy is recorded in ``report_copies`` under the report it belongs to: the report of the same agency
    and year; when either is unknown, the report holding the same bytes (or, for a known year, whose title
    is this title and names that report's agency), else a report of its own keyed by the URL. The copy
    first seen (lowest fetch id of its page) is canonical: its extraction is the report's numbers, sections
    and findings, written here when this copy is canonical. A page re-extracted into another report leaves
    its old report: deleted when no copy is left, else awaiting its next canonical copy (``stale_pages``).
    """
    sha256 = (report.get("source") or {}).get("sha256")
    with transaction(db):
        copy = _copy_row(db, report, url, document_url, sha256, source_id, newest_fetch_id)
        rid = _report_for(db, report, url, sha256)
        previous = db.execute("select report_id from report_copies where page_url = ?", [url]).fetchone()
        _upsert(db, "report_copies", {**copy, "report_id": rid}, pk="page_url")
        if previous and previous[0] != rid:
            _copy_left(db, previous[0], url)
        if report["agency"] and report["year"] and sha256:
            _absorb_same_bytes(db, rid, sha256)
        holder = db.execute("select url from reports where id = ?", [rid]).fetchone()
        # The canonical copy writes the numbers; so does any copy while the report has none that are its own.
        if _settle_canonical(db, rid) == url or not holder or holder[0] is None:
            _write_content(db, rid, report, url, document_url, source_id, newest_fetch_id)
        _count_copies(db, rid)
    return rid


def rewrite_report(db: sqlite_utils.Database, rid: str, report: dict) -> None:
    """Write a stored report's content again from the copy it was read from: a check against another
    report (the same agency's year before, extracted later) changed its findings."""
    row = db.execute(
        "select url, document_url, source_id, newest_fetch_id from reports where id = ?", [rid]
    ).fetchone()
    if row and row[0]:
        with transaction(db):
            _write_content(db, rid, report, *row)


def _copy_row(
    db: sqlite_utils.Database,
    report: dict,
    url: str,
    document_url: str,
    sha256: str | None,
    source_id: int | None,
    newest_fetch_id: int | None,
) -> dict:
    first_id, first_seen = db.execute(
        "select min(id), min(fetched_at) from fetches where url = ? and status = 200", [url]
    ).fetchone()
    fetched = db.execute(
        "select fetched_at from fetches where url = ? and sha256 = ? order by id desc limit 1",
        [document_url, sha256],
    ).fetchone()
    return {
        "page_url": url,
        "url": document_url,
        "host": urlsplit(url).netloc.lower() or None,
        "sha256": sha256,
        "media_type": (report.get("source") or {}).get("media_type"),
        "fetched_at": fetched[0] if fetched else now(),
        "kind": "page" if document_url == url else "attachment",
        "title": report["title"],
        "first_seen": first_seen or now(),
        "first_fetch_id": first_id,
        "newest_fetch_id": newest_fetch_id,
        "source_id": source_id,
    }


def _report_for(db: sqlite_utils.Database, report: dict, url: str, sha256: str | None) -> str:
    agency, year = report["agency"], report["year"]
    if agency and year:
        return report_key_id(agency, year)
    # A title alone is no key: 「2019年政府信息公开工作年度报告」 is every agency's. Bytes are.
    held = db.execute(
        "select r.id from report_copies c join reports r on r.id = c.report_id "
        "where c.page_url = ? and (r.agency is null or r.year is null)",
        [url],
    ).fetchone()
    if held:
        return held[0]
    if sha256:
        same = db.execute(
            "select report_id from report_copies where sha256 = ? and page_url != ? order by rowid limit 1",
            [sha256, url],
        ).fetchone()
        if same:
            return same[0]
    if year and report["title"]:
        named = db.execute(
            "select id from reports where title = ? and year = ? and agency is not null "
            "and instr(title, agency) > 0 limit 1",
            [report["title"], year],
        ).fetchone()
        if named:
            return named[0]
    return report_id(url)


def _absorb_same_bytes(db: sqlite_utils.Database, rid: str, sha256: str) -> None:
    """Copies of the same bytes that went to a report of unknown agency or year belong to this one."""
    for url, old in db.execute(
        "select c.page_url, c.report_id from report_copies c join reports r on r.id = c.report_id "
        "where c.sha256 = ? and c.report_id != ? and (r.agency is null or r.year is null)",
        [sha256, rid],
    ).fetchall():
        db.execute("update report_copies set report_id = ? where page_url = ?", [rid, url])
        _copy_left(db, old, url)


def _copy_left(db: sqlite_utils.Database, rid: str, url: str) -> None:
    """The copy at ``url`` has left report ``rid``: a report without copies goes; one whose numbers came from
    that copy awaits re-extraction of its next canonical copy (its url is null meanwhile)."""
    if not db.execute("select 1 from report_copies where report_id = ? limit 1", [rid]).fetchone():
        delete_report(db, rid)
        return
    db.execute("update reports set url = null where id = ? and url = ?", [rid, url])
    _settle_canonical(db, rid)
    _count_copies(db, rid)


def _settle_canonical(db: sqlite_utils.Database, rid: str) -> str | None:
    """Mark the first-seen copy of the report canonical; returns its page URL."""
    row = db.execute(
        "select page_url from report_copies where report_id = ? "
        "order by first_fetch_id is null, first_fetch_id, rowid limit 1",
        [rid],
    ).fetchone()
    canonical = row[0] if row else None
    db.execute("update report_copies set canonical = (page_url = ?) where report_id = ?", [canonical, rid])
    return canonical


def _count_copies(db: sqlite_utils.Database, rid: str) -> None:
    db.execute(
        """update reports set
             copies = (select count(*) from report_copies where report_id = :id),
             hosts = (select count(distinct host) from report_copies where report_id = :id)
           where id = :id""",
        {"id": rid},
    )


_REPORT_TABLES = ("sections", "cells", "findings", "report_json", "report_figures")


def delete_report(db: sqlite_utils.Database, rid: str) -> None:
    """A report and everything written for it (its copies too)."""
    unindex_report(db, rid)
    for table in (*_REPORT_TABLES, "report_copies"):
        db.execute(f"delete from [{table}] where report_id = ?", [rid])
    db.execute("delete from reports where id = ?", [rid])


def _write_content(
    db: sqlite_utils.Database,
    rid: str,
    report: dict,
    url: str,
    document_url: str,
    source_id: int | None,
    newest_fetch_id: int | None,
) -> None:
    severities = [finding["severity"] for finding in report["findings"]]
    unindex_report(db, rid)  # no-op for a new report
    for table in _REPORT_TABLES:
        db.execute(f"delete from [{table}] where report_id = ?", [rid])
    db.execute("update reports set url = null where url = ? and id != ?", [url, rid])
    _upsert(
        db,
        "reports",
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
        },
        pk="id",
    )
    _insert(db, "report_json", [{"report_id": rid, "json": json.dumps(report, ensure_ascii=False)}])
    _insert(
        db,
        "sections",
        [
            {"report_id": rid, **{key: s[key] for key in ("number", "key", "heading", "text")}}
            for s in report["sections"]
        ],
    )
    _insert(db, "cells", _cells(rid, report))
    _insert(db, "findings", list(_finding_rows(rid, report["findings"])))
    _insert(db, "report_figures", [figures_row(rid, report, url)])
    index_report(db, rid)


def _upsert(db: sqlite_utils.Database, table: str, row: dict, pk: str) -> None:
    """Insert the row, or update the given columns of the row with its key (others keep their values), in
    plain SQL: sqlite-utils' upsert reads the table's schema on every call, a fifth of storing a report."""
    columns = ", ".join(f"[{c}]" for c in row)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in row if c != pk)
    db.conn.execute(
        f"insert into [{table}] ({columns}) values ({', '.join('?' * len(row))}) "
        f"on conflict([{pk}]) do update set {updates}",
        list(row.values()),
    )


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """Plain executemany: sqlite-utils' insert_all costs 5× more per row (type checks, JSON), and these
    tables' columns are fixed by the schema."""
    if rows:
        columns = list(rows[0])
        db.conn.executemany(
            f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
            f"values ({', '.join('?' * len(columns))})",
            [[row[c] for c in columns] for row in rows],
        )


def _finding_rows(rid: str, findings: Iterable[dict]) -> Iterator[dict]:
    for f in findings:
        table_key, row_key, column_key = finding_anchor(f["check"], f["where"])
        yield {
            "report_id": rid,
            "check_name": f["check"],
            "severity": f["severity"],
            "location": f["where"],
            "message": f["message"],
            "table_key": table_key,
            "row_key": row_key,
            "column_key": column_key,
        }


def _region_columns(parts: dict) -> dict:
    return {
        "province": parts.get("province"),
        "prefecture": parts.get("prefecture"),
        "county": parts.get("county"),
        "region_code": parts.get("code"),
    }


def _cells(rid: str, report: dict) -> list[dict]:
    """The report's cells in the forms' order (tables 二, 三, 四, then the legacy 统计表 as printed), each
    with its position (the key of the cells table, with report_id)."""

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

    cells = [
        cell("disclosure", item["item"], item["metric"], item["value"], item["unit"], item["label"])
        for item in report["disclosure"]
    ]
    for row_key, columns in report["applications"].items():
        for column_key, value in columns.items():
            cells.append(cell("applications", row_key, column_key, value))
    for key, value in report["reviews"].items():
        cells.append(cell("reviews", *split_review_key(key), value))
    seen: set[str] = set()
    for entry in report.get("statistics", []):
        # A known indicator under its key, so series join across years; the rest under its label path.
        row_key = entry["key"] if entry["key"] and entry["key"] not in seen else entry["path"]
        if row_key in seen:
            continue  # the same label twice in one table: the first is kept, as for table rows
        seen.add(row_key)
        cells.append(cell("statistics", row_key, "value", entry["value"], entry["unit"], entry["path"]))
        if "cumulative" in entry:
            cells.append(
                cell("statistics", row_key, "cumulative", entry["cumulative"], entry["unit"], entry["path"])
            )
    kept: dict[tuple[str, str, str], dict] = {}
    for sequence, c in enumerate(cells, start=1):
        c["position"] = cell_position(c["table_key"], c["row_key"], c["column_key"], sequence)
        kept.setdefault((c["table_key"], c["row_key"], c["column_key"]), c)  # a repeated cell: the first
    return sorted(kept.values(), key=lambda c: c["position"])


def stale_pages(db: sqlite_utils.Database) -> list[str]:
    """Report pages to extract again: canonical copies of reports whose numbers are not (or no longer)
    theirs — left so when the page they came from was re-extracted into another report."""
    return [
        row[0]
        for row in db.execute(
            "select c.page_url from report_copies c join reports r on r.id = c.report_id "
            "where c.canonical = 1 and (r.url is null or r.url != c.page_url) order by c.first_fetch_id"
        )
    ]


def report_json(db: sqlite_utils.Database, rid: str) -> dict | None:
    """The parse JSON of a report."""
    row = db.execute("select json from report_json where report_id = ?", [rid]).fetchone()
    return json.loads(row[0]) if row else None


# --------------------------------------------------------------------------------- extraction failures
def _extraction_tables(db: sqlite_utils.Database) -> None:
    db["extraction_failures"].create(
        {
            "sha256": str,  # the document (documents.sha256)
            "url": str,  # where it was fetched
            "page_url": str,  # the report page it was read for (itself, or the page linking it)
            "media_type": str,
            # unreadable: no document at all | timeout, memory: past the limit of govreports/limits.py |
            # crashed: its worker died | error: the extractor raised | store: the report could not be written
            "kind": str,
            "message": str,
            "attempts": int,  # extractions that failed on it
            "first_failed_at": str,
            "last_failed_at": str,
        },
        pk="sha256",
        foreign_keys=[("sha256", "documents", "sha256")],
        if_not_exists=True,
    )


def record_extraction_failure(db: sqlite_utils.Database, failure: dict) -> None:
    """One more failed extraction of a document: ``failure`` has sha256, url, page_url, media_type, kind
    and message."""
    at = now()
    db.execute(
        """insert into extraction_failures
             (sha256, url, page_url, media_type, kind, message, attempts, first_failed_at, last_failed_at)
           values (:sha256, :url, :page_url, :media_type, :kind, :message, 1, :at, :at)
           on conflict (sha256) do update set url = :url, page_url = :page_url, media_type = :media_type,
             kind = :kind, message = :message, attempts = attempts + 1, last_failed_at = :at""",
        {**failure, "at": at},
    )


def clear_extraction_failures(db: sqlite_utils.Database, sha256s: Iterable[str]) -> None:
    """Documents that extracted: no longer failing."""
    db.conn.executemany("delete from extraction_failures where sha256 = ?", [[sha] for sha in sha256s])


# --------------------------------------------------------------------------------------------- derived
def rebuild_figures(db: sqlite_utils.Database, batch: int = 2000) -> int:
    """Materialise report_figures afresh from reports, cells and findings (after an upgrade, or to check
    it against the writes); returns the number of rows."""
    names = [column.name for column in figure_columns()]
    meta = {name for name, _ in REPORT_COLUMNS}
    counts = {
        row[0]: (row[1], row[2])
        for row in db.execute(
            "select report_id, count(*), sum(severity = 'error') from findings group by report_id"
        )
    }
    rows: dict[str, dict] = {}
    for report in db.query(
        f"select id, {', '.join(meta - {'report_id', 'findings', 'errors'})} from reports"
    ):
        findings, errors = counts.get(report["id"], (0, 0))
        rows[report["id"]] = {
            **dict.fromkeys(names),
            **{k: v for k, v in report.items() if k in meta},
            "report_id": report["id"],
            "findings": findings,
            "errors": errors or 0,
        }
    for rid, table, row_key, column_key, value in db.execute(
        "select report_id, table_key, row_key, column_key, value from cells "
        "where table_key in ('disclosure', 'applications', 'reviews')"
    ):
        name = CELL_COLUMNS.get((table, row_key, column_key))
        if name and rid in rows:
            rows[rid][name] = value
    with transaction(db):
        db.execute("delete from report_figures")
        values = list(rows.values())
        for start in range(0, len(values), batch):
            db["report_figures"].insert_all(values[start : start + batch], batch_size=batch)
    return len(rows)


def upgrade_reports(db: sqlite_utils.Database) -> None:
    """Bring reports written by an earlier version to one per (agency, year) with their copies: each old
    row becomes a copy; rows of one agency and year merge into the first seen; ids follow report_key_id;
    findings gain their anchors; report_figures is filled (ensure_schema rebuilds the search indexes)."""
    for row in list(db.query("select * from reports where id not in (select report_id from report_copies)")):
        if not row["url"]:
            continue
        report = {
            "title": row["title"],
            "source": {"sha256": row.get("document_sha256"), "media_type": _media_type(db, row)},
        }
        copy = _copy_row(
            db,
            report,
            row["url"],
            row.get("document_url") or row["url"],
            row.get("document_sha256"),
            row.get("source_id"),
            row.get("newest_fetch_id"),
        )
        db["report_copies"].insert(
            {**copy, "report_id": row["id"], "canonical": 1}, pk="page_url", replace=True
        )
    groups: dict[str, list[str]] = {}
    for rid, agency, year in db.execute("select id, agency, year from reports"):
        if agency and year:
            groups.setdefault(report_key_id(agency, year), []).append(rid)
    for key, members in groups.items():
        first = db.execute(
            f"select report_id from report_copies where report_id in ({', '.join('?' * len(members))}) "
            "order by first_fetch_id is null, first_fetch_id, rowid limit 1",
            members,
        ).fetchone()
        keep = first[0] if first else members[0]
        for rid in members:
            if rid != keep:
                db.execute("update report_copies set report_id = ? where report_id = ?", [keep, rid])
                delete_report(db, rid)
        if keep != key:
            for table in (*_REPORT_TABLES, "report_copies"):
                db.execute(f"update [{table}] set report_id = ? where report_id = ?", [key, keep])
            db.execute("update reports set id = ? where id = ?", [key, keep])
    for rid in [row[0] for row in db.execute("select id from reports")]:
        canonical = _settle_canonical(db, rid)
        db.execute("update reports set url = ? where id = ? and url is not ?", [canonical, rid, canonical])
        _count_copies(db, rid)
    for fid, check, location in db.execute("select id, check_name, location from findings").fetchall():
        db.execute(
            "update findings set table_key = ?, row_key = ?, column_key = ? where id = ?",
            [*finding_anchor(check or "", location), fid],
        )
    rebuild_figures(db)


def _media_type(db: sqlite_utils.Database, row: dict) -> str | None:
    found = db.execute(
        "select media_type from documents where sha256 = ?", [row.get("document_sha256")]
    ).fetchone()
    return found[0] if found else None


def _move_report_json(db: sqlite_utils.Database) -> None:
    db["report_json"].create({"report_id": str, "json": str}, pk="report_id", if_not_exists=True)
    with transaction(db):
        db.execute(
            "insert or replace into report_json (report_id, json) "
            "select id, report_json from reports where report_json is not null"
        )


def summary(db: sqlite_utils.Database) -> dict:
    """Counts a user checks after a crawl: what was fetched, what was read, what looked wrong."""

    def scalar(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    return {
        "fetches": scalar("select count(*) from fetches"),
        "documents": scalar("select count(*) from documents"),
        "reports": scalar("select count(*) from reports"),
        "report_copies": scalar("select count(*) from report_copies"),
        "agencies": scalar("select count(distinct agency) from reports"),
        "years": [
            row[0]
            for row in db.execute("select distinct year from reports where year is not null order by year")
        ],
        "reports_with_errors": scalar("select count(*) from reports where errors > 0"),
        "findings": scalar("select count(*) from findings"),
        "cells": scalar("select count(*) from cells"),
    }

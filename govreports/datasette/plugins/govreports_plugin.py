"""The govreports Datasette plugin: report pages, original downloads, Chinese search, streamed CSV with a
BOM, links to report pages, and the archive's metadata. Loaded with ``--plugins-dir`` (``govreports serve``
does that); the code lives in the importable package ``govreports.datasette``."""

from __future__ import annotations

import sqlite3
import urllib.parse

from datasette import hookimpl
from markupsafe import Markup, escape

from govreports.datasette import metadata as archive_metadata
from govreports.datasette import pages
from govreports.datasette.downloads import BOM, DownloadsMiddleware
from govreports.search import fts_query


@hookimpl
async def startup(datasette):
    """Find the archive among the served databases and build its metadata once."""
    datasette._govreports_metadata = {}
    for name, db in datasette.databases.items():
        if db.is_memory or name.startswith("_"):
            continue
        tables = set(await db.table_names()) | set(await db.view_names())
        if "reports" not in tables:
            continue
        datasette._govreports_archive = getattr(datasette, "_govreports_archive", None) or name
        datasette._govreports_metadata = archive_metadata.datasette_metadata(
            name, tables, datasette.setting("max_returned_rows")
        )
        break


@hookimpl
def get_metadata(datasette, key, database, table):
    # Called for every cell some plugins render (plugin_config): the same dict, never a copy. Nothing
    # here is rewritten by a plugin (the charts avoid datasette-dashboards' [[ ]], see metadata.py).
    return getattr(datasette, "_govreports_metadata", None) or {}


# A query can ask SQLite for any amount of memory: length(randomblob(9e8)) builds 900 MB. No string or
# blob a page makes may exceed MAX_VALUE_BYTES (SQLite answers "string or blob too big"): above the largest
# document the crawler keeps (DOWNLOAD_MAXSIZE, 64 MB), which /-/original streams in chunks anyway. And
# SQLite's heap in the whole server stops at HEAP_LIMIT_BYTES ("out of memory" for that query, not for
# the machine); sorts and GROUP BYs past their cache spill to temporary files, well below it.
MAX_VALUE_BYTES = 100 * 1024 * 1024
HEAP_LIMIT_BYTES = 1024 * 1024 * 1024


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT_BYTES}")
    # Replaces Datasette's escape_fts (registered before this hook): a typed term becomes the query the
    # shadow columns' pairs of characters answer (街道 → "街道", 复 → "复" *, see govreports.search).
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)


@hookimpl
def register_routes():
    return [
        (r"^/-/report/(?P<report_id>[^/]+)$", pages.report_page),
        (r"^/-/find$", pages.find),
        (r"^/-/original/(?P<sha256>[0-9a-f]{64})$", pages.original),
    ]


# figures_long has ~200 rows a report: counting it (20 M rows at 100,000 reports) always runs into the time
# limit — a second lost on every page — except under the filters its indexes serve.
_LONG_VIEW = "figures_long"
_COUNTABLE_FILTERS = ({"report_id"}, {"agency"}, {"province", "year"})


def needs_no_count(path: str, query: bytes, archive: str | None) -> bool:
    """Whether a request is a figures_long page whose row count could never be counted in time."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[0] != archive or parts[1] not in (_LONG_VIEW, f"{_LONG_VIEW}.json"):
        return False  # downloads count nothing
    args = urllib.parse.parse_qs(query.decode("latin-1"))
    if "_nocount" in args:
        return False
    filtered = {name.split("__")[0] for name in args if not name.startswith("_")}
    return not any(needed <= filtered for needed in _COUNTABLE_FILTERS)


def skip_hopeless_counts(app, datasette):
    """``_nocount=1`` on broad figures_long pages (Datasette 0.65 has no metadata for it)."""

    async def inner(scope, receive, send):
        if scope["type"] == "http" and needs_no_count(
            scope.get("path", ""),
            scope.get("query_string", b""),
            getattr(datasette, "_govreports_archive", None),
        ):
            query = scope.get("query_string", b"")
            scope = {**scope, "query_string": query + (b"&" if query else b"") + b"_nocount=1"}
        await app(scope, receive, send)

    return inner


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        return skip_hopeless_counts(DownloadsMiddleware(app, datasette), datasette)

    return wrap


def _csv_with_bom(columns, rows):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [row[c] if not isinstance(row[c], bytes) else f"<{len(row[c])} bytes>" for c in columns]
        )
    return BOM + buffer.getvalue()


@hookimpl
def register_output_renderer(datasette):
    # Tables and queries are answered (streamed) by DownloadsMiddleware before Datasette sees them;
    # this renders the rest (a row page) and puts the link on every page.
    def render(columns, rows, request, table, query_name, database):
        from datasette.utils.asgi import Response

        from govreports.datasette.downloads import content_disposition

        name = table or query_name or database
        return Response(
            _csv_with_bom(columns, rows),
            content_type="text/csv; charset=utf-8",
            headers={"content-disposition": content_disposition(f"{name}.csv")},
        )

    return {"extension": "csvbom", "render": render}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Report ids and report titles link to the report page, wherever they appear."""
    if database != getattr(datasette, "_govreports_archive", None):
        return None
    if column == "report_id" and isinstance(value, dict) and value.get("value"):
        # A foreign key Datasette expanded to the report's title: link the title to the report page.
        target, text = value["value"], value.get("label") or value["value"]
        return Markup(f'<a href="/-/report/{escape(target)}">{escape(text)}</a>')
    if not isinstance(value, str):
        return None
    if column == "report_id" and value:
        return Markup(f'<a href="/-/report/{escape(value)}">{escape(value)}</a>')
    if column in ("sha256", "document_sha256") and len(value) == 64:
        # The raw bytes under the file's own name (the documents table itself is closed).
        return Markup(f'<a href="/-/original/{escape(value)}" title="下载原件">{escape(value[:16])}…</a>')
    if table in ("reports", "report_figures") and column == "title":
        keys = row.keys() if hasattr(row, "keys") else []
        report_id = row["id"] if "id" in keys else row["report_id"] if "report_id" in keys else None
        if report_id:
            return Markup(f'<a href="/-/report/{escape(report_id)}">{escape(value)}</a>')
    return None


def _download_links(request, columns) -> dict[str, str]:
    from datasette.utils import path_with_format

    links = {
        "JSON": path_with_format(request=request, format="json"),
        "CSV（Excel，UTF-8 BOM）": path_with_format(request=request, format="csvbom"),
        "Excel .xlsx": path_with_format(request=request, format="xlsx"),
    }
    if {"atom_id", "atom_title", "atom_updated"} <= set(columns or ()):
        links["Atom"] = path_with_format(request=request, format="atom")
    return links


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    if template in ("table.html", "query.html") and request is not None:
        from datasette.utils import path_with_format

        # The page's own links give every row: a table's CSV streams page after page; a query's CSV is
        # streamed whole by DownloadsMiddleware. (These names override Datasette's own context.)
        # _size=max: pages of max_returned_rows rows, not of default_page_size.
        extra = {"_stream": "on", "_size": "max", "_dl": "1"} if template == "table.html" else {"_dl": "1"}
        return {
            "url_csv": path_with_format(request=request, format="csv", extra_qs=extra),
            "renderers": _download_links(request, columns),
        }
    if template == "index.html":

        async def home():
            name = getattr(datasette, "_govreports_archive", None)
            if name is None:
                return {"archive": None}
            db = datasette.get_database(name)
            tables = set(await db.table_names()) | set(await db.view_names())
            counts = (
                await db.execute(
                    "select count(*) as reports, count(distinct agency) as agencies, "
                    "min(year) as first_year, max(year) as last_year from reports"
                )
            ).first()
            provinces = [
                dict(r)
                for r in await db.execute(
                    "select province, count(*) as n from reports where province is not null "
                    "group by province order by n desc limit 40"
                )
            ]
            queries = await datasette.get_canned_queries(name, request.actor if request else None)
            return {
                "archive": name,
                "archive_tables": tables,
                "archive_counts": dict(counts) if counts else {},
                "archive_provinces": provinces,
                "archive_queries": queries,
                "archive_dashboards": bool(datasette.plugin_config("datasette-dashboards")),
            }

        return home
    return None

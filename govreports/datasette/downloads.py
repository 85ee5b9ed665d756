"""Downloads of every table and query: CSV of all rows, streamed, and an Excel-safe CSV with a UTF-8 BOM.

Datasette streams a *table's* CSV page after page with ``?_stream=on``, but a *query's* CSV (canned or
``?sql=``) stops at ``max_returned_rows``. So an ASGI wrapper in front of Datasette
- answers ``/db/query.csv`` and ``/db.csv?sql=`` itself: the SQL runs on a connection of its own (read
  only, in a thread, with a time limit) and its rows are streamed as they come, all of them;
- answers ``….csvbom`` (tables, views and queries): the same CSV with a BOM first, so Excel reads it
  as UTF-8 instead of showing mojibake. For a table it is Datasette's own streamed CSV with the BOM
  put in front of the first chunk.
Everything else passes through untouched.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable

from datasette.utils import derive_named_parameters, tilde_decode

BOM = "\ufeff"
# A download may run longer than a page's SQL time limit, but not for ever.
EXPORT_TIME_LIMIT_S = 300
# Each export holds a thread and a connection: a few at a time, the others wait their turn.
_EXPORT_SLOTS = 2
_ROWS_PER_CHUNK = 500

Send = Callable[[dict], Awaitable[None]]


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the real (UTF-8) name, as browsers expect."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(filename)}"


def _unsorted(args: dict) -> bytes:
    """The query string without a sort. Datasette 0.65 orders a sorted table's first page by the sort
    column alone, so rows tied with the page's last row can fall between pages: a download of every row
    comes in key order instead (tables served here have no default sort)."""
    kept = {key: value for key, value in args.items() if key not in ("_sort", "_sort_desc")}
    return urllib.parse.urlencode(kept).encode("latin-1")


def _cell(value):
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


class DownloadsMiddleware:
    """ASGI wrapper: query CSVs and ``.csvbom`` downloads, as the module says; the rest to Datasette."""

    def __init__(self, app, datasette):
        self.app = app
        self.datasette = datasette
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        if not path.endswith((".csv", ".csvbom", ".xlsx")):
            return await self.app(scope, receive, send)
        target = await self._target(path, scope)
        if target is None:
            return await self.app(scope, receive, send)
        kind, database, name = target
        bom = path.endswith(".csvbom")
        args = dict(
            urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        )
        if path.endswith(".xlsx"):  # datasette-xlsx pages through the table: every row, in key order
            if kind == "table":
                scope = {**scope, "query_string": _unsorted(args)}
            return await self.app(scope, receive, send)
        if kind == "table":
            if not bom:
                if "_stream" in args:
                    scope = {**scope, "query_string": _unsorted(args)}
                return await self.app(scope, receive, send)
            return await self._table_with_bom(scope, receive, send, name, args)
        if kind == "query":
            query = await self.datasette.get_canned_query(database, name, None)
            sql, filename = query["sql"], name
        else:
            sql, filename = args.get("sql", ""), database
        db = self.datasette.get_database(database)
        names = await derive_named_parameters(db, sql)
        params = {key: args.get(key, "") for key in names}
        attachment = bom or "_dl" in args
        await self._stream_sql(send, database, sql, params, f"{filename}.csv" if attachment else None, bom)

    async def _target(self, path: str, scope) -> tuple[str, str, str] | None:
        """("table", db, table) | ("query", db, name) | ("sql", db, "") for a CSV path, else None."""
        stem = path.rsplit(".", 1)[0].strip("/")  # .csv, .csvbom or .xlsx
        parts = [tilde_decode(part) for part in stem.split("/")]
        if len(parts) == 1:
            query_string = scope.get("query_string", b"").decode("latin-1")
            if parts[0] in self.datasette.databases and "sql" in urllib.parse.parse_qs(query_string):
                return ("sql", parts[0], "")
            return None
        if len(parts) != 2 or parts[0] not in self.datasette.databases:
            return None
        database, name = parts
        if await self.datasette.get_canned_query(database, name, None):
            return ("query", database, name)
        db = self.datasette.get_database(database)
        if name in await db.table_names() or name in await db.view_names():
            return ("table", database, name)
        return None

    async def _table_with_bom(self, scope, receive, send, table: str, args: dict) -> None:
        """Datasette's own streamed CSV of the table (all rows), a BOM in front, as a download."""
        args = {key: value for key, value in args.items() if key not in ("_next", "_stream", "_dl", "_size")}
        args.update({"_stream": "on", "_size": "max", "_dl": "1"})  # pages of max_returned_rows rows
        args = dict(urllib.parse.parse_qsl(_unsorted(args).decode("latin-1"), keep_blank_values=True))
        inner = dict(scope)
        inner["path"] = scope["path"][: -len("bom")]
        inner["raw_path"] = inner["path"].encode("latin-1", "replace")
        inner["query_string"] = urllib.parse.urlencode(args).encode("latin-1")
        state = {"status": 200, "first": True}

        async def send_with_bom(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                if message["status"] == 200:
                    headers = [
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() not in (b"content-type", b"content-disposition", b"content-length")
                    ]
                    headers += [
                        (b"content-type", b"text/csv; charset=utf-8"),
                        (b"content-disposition", content_disposition(f"{table}.csv").encode("latin-1")),
                    ]
                    message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and state["status"] == 200 and state["first"]:
                state["first"] = False
                message = {**message, "body": BOM.encode("utf-8") + message.get("body", b"")}
            await send(message)

        await self.app(inner, receive, send_with_bom)

    async def _stream_sql(
        self, send: Send, database: str, sql: str, params: dict, filename: str | None, bom: bool
    ) -> None:
        """Run ``sql`` on a read-only connection of its own and stream every row as CSV."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(_EXPORT_SLOTS)
        db = self.datasette.get_database(database)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue(maxsize=8)
        stop = threading.Event()

        def put(item) -> None:
            asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()

        def produce() -> None:
            deadline = time.monotonic() + EXPORT_TIME_LIMIT_S
            conn = None
            try:
                conn = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True, check_same_thread=False)
                self.datasette._prepare_connection(conn, database)  # the SQL functions pages have
                conn.set_progress_handler(lambda: int(stop.is_set() or time.monotonic() > deadline), 10_000)
                cursor = conn.execute(sql, params)
                put(("columns", [d[0] for d in cursor.description or []]))
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                while rows := cursor.fetchmany(_ROWS_PER_CHUNK):
                    writer.writerows([_cell(v) for v in row] for row in rows)
                    put(("chunk", buffer.getvalue()))
                    buffer.seek(0)
                    buffer.truncate()
            except sqlite3.Error as error:
                reason = "time limit" if time.monotonic() > deadline else str(error)
                put(("error", reason))
            finally:
                if conn is not None:
                    conn.close()
                put(("end", None))

        async with self._slots:
            worker = loop.run_in_executor(None, produce)
            try:
                kind, value = await queue.get()
                if kind == "error":
                    body = f"SQL error: {value}".encode()
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 400,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
                headers = [
                    (
                        b"content-type",
                        b"text/csv; charset=utf-8" if filename else b"text/plain; charset=utf-8",
                    )
                ]
                if filename:
                    headers.append((b"content-disposition", content_disposition(filename).encode("latin-1")))
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                buffer = io.StringIO()
                csv.writer(buffer).writerow(value)
                first = (BOM if bom else "") + buffer.getvalue()
                await send({"type": "http.response.body", "body": first.encode("utf-8"), "more_body": True})
                while True:
                    kind, value = await queue.get()
                    if kind == "chunk":
                        await send(
                            {"type": "http.response.body", "body": value.encode("utf-8"), "more_body": True}
                        )
                    elif kind == "error":
                        # Headers are gone: say so at the end of the file rather than end it silently.
                        note = f"\n# export stopped: {value}\n"
                        await send(
                            {"type": "http.response.body", "body": note.encode("utf-8"), "more_body": True}
                        )
                    else:
                        break
                await send({"type": "http.response.body", "body": b""})
            finally:
                stop.set()
                while not worker.done():  # let the producer finish its puts and close its connection
                    try:
                        queue.get_nowait()
                    except asyncio.QueueEmpty:
                        await asyncio.sleep(0.01)

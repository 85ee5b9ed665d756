"""Downloads of every table and query: CSV of all rows, streamed, and an Excel-safe CSV with a UTF-8 BOM.

Datasette streams a *table's* CSV page after page with ``?_stream=on``, but a *query's* CSV (canned or
``?sql=``) stops at ``max_returned_rows``. So an ASGI wrapper in front of Datasette
- answers ``/db/query.csv`` and ``/db.csv?sql=`` itself: the SQL runs on a connection of its own (read
  only, in a thread, with a time limit) and its rows are streamed as they come, all of them;
- answers ``….csvbom`` (tables, views and queries): the same CSV with a BOM first, so Excel reads it
  as UTF-8 instead of showing mojibake. For a table it is Datasette's own streamed CSV with the BOM
  put in front of the first chunk.
- makes the Excel-oriented downloads (``.csvbom`` and ``.xlsx``) safe to open: a text Excel would run
  as a formula (``=HYPERLINK(…)``, ``-1+2``, ``@SUM(…)``: government pages are copied into the cells)
  gets OWASP's leading apostrophe in ``.csvbom``; in ``.xlsx`` it is a text cell marked as Excel marks a
  typed ``'`` (``quotePrefix``), its text unchanged. Numbers are never touched, and plain ``.csv`` (for
  programs, not Excel) is Datasette's, byte for byte;
- gives datasette-xlsx's workbook an information sheet in Chinese and English (``关于本导出``) with the
  archive's source and licence, where the package writes one in Swedish.
Everything else passes through untouched.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import functools
import io
import re
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable

import datasette_xlsx
from datasette.utils import derive_named_parameters, tilde_decode
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

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


# ------------------------------------------------------------------------ formula injection (Excel)
# Excel runs a cell starting with one of these as a formula; a tab or CR first is OWASP's list too
# (some importers drop it, and what follows runs).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number (-1, +2.5, 1e-05, -inf) starts like a formula but runs nothing: left alone, so numbers
# stay numbers, also in a table's CSV, where the number -1 and a text "-1" are the same characters.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf", re.ASCII)


def is_formula_like(text: str) -> bool:
    """Whether Excel would run ``text`` as a formula (a plain number is not one)."""
    return text.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def guard_formula(value):
    """A formula-like text with OWASP's leading apostrophe (Excel then shows it as text); anything else,
    numbers first of all, as it is."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def _csv_row(values, excel: bool) -> list:
    """A row's CSV values: bytes as their size; for Excel, formula-like text guarded."""
    cells = [_cell(value) for value in values]
    return [guard_formula(value) for value in cells] if excel else cells


# Where a CSV field may start with one of _FORMULA_STARTS: after the start, a comma or a line's end,
# unquoted or quoted (a field starting with CR is always quoted). Records without one (most: numbers,
# dates, names) are not parsed, which would cost a third of a table's streaming rate.
_MAYBE_FORMULA = re.compile(r'(?:\A|[,\n])(?:[=+\-@\t]|"[=+\-@\t\r])')


def guard_csv(text: str) -> str:
    """Whole CSV records with their formula-like fields guarded; ``text`` itself when none is, so an
    untouched record keeps Datasette's bytes."""
    if not _MAYBE_FORMULA.search(text):
        return text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(is_formula_like(field) for row in rows for field in row):
        return text
    buffer = io.StringIO()
    csv.writer(buffer).writerows([guard_formula(field) for field in row] for row in rows)
    return buffer.getvalue()


def _records_end(text: str) -> int:
    """Where the last whole CSV record of ``text`` ends (0: none does): after a newline outside quotes."""
    end = text.rfind("\n")
    while end >= 0 and text.count('"', 0, end) % 2:
        end = text.rfind("\n", 0, end)
    return end + 1


class ExcelCsv:
    """Datasette's CSV body, arriving in pieces, as the Excel download: a BOM first, formula-like text
    guarded. Only whole records are parsed; a record a piece cuts waits for the rest (Datasette sends a
    record a piece, so this is a safeguard)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._pending = ""
        self._started = False

    def feed(self, body: bytes, more: bool) -> bytes:
        text = self._pending + self._decoder.decode(body, final=not more)
        if not self._started:
            text = text.removeprefix(BOM)  # a row page's renderer puts one first: guard what follows
        end = _records_end(text) if more else len(text)
        self._pending = text[end:]
        out = guard_csv(text[:end])
        if not self._started and (out or not more):
            out, self._started = BOM + out, True
        return out.encode("utf-8")


def _start_with(message: dict, content_type: str | None, filename: str | None) -> dict:
    """A response start without its length (the body changes), with this type and attachment name."""
    replaced = {b"content-length"}
    added = []
    if content_type:
        replaced.add(b"content-type")
        added.append((b"content-type", content_type.encode("latin-1")))
    if filename:
        replaced.add(b"content-disposition")
        added.append((b"content-disposition", content_disposition(filename).encode("latin-1")))
    kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in replaced]
    return {**message, "headers": kept + added}


def _excel_csv_send(send: Send, filename: str | None = None) -> Send:
    """``send`` turning Datasette's CSV answer into the Excel download (``ExcelCsv``), as an attachment
    named ``filename`` when one is given (else only a text/csv answer is one); any other answer passes as
    it is."""
    body = ExcelCsv()
    ok = False

    async def send_excel(message: dict) -> None:
        nonlocal ok
        if message["type"] == "http.response.start":
            headers = {k.lower(): v for k, v in message.get("headers", [])}
            is_csv = filename is not None or headers.get(b"content-type", b"").startswith(b"text/csv")
            ok = message["status"] == 200 and is_csv
            if ok:
                message = _start_with(message, "text/csv; charset=utf-8" if filename else None, filename)
        elif message["type"] == "http.response.body" and ok:
            more = message.get("more_body", False)
            message = {**message, "body": body.feed(message.get("body", b""), more)}
        await send(message)

    return send_excel


def _renamed_send(send: Send, filename: str) -> Send:
    """``send`` with the download's attachment name replaced."""

    async def send_renamed(message: dict) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            message = _start_with(message, None, filename)
        await send(message)

    return send_renamed


# ------------------------------------------------------------------------------------------ .xlsx
INFO_SHEET = "关于本导出"
SQL_EXPORT_NAME = "{database}-查询"  # an ?sql= export's sheet and file; datasette-xlsx says "-fraga"
_XLSX_SQL_SUFFIX = "-fraga"
_TRUNCATED = " …[已截断 truncated]"
# datasette-xlsx's information labels (render_xlsx writes them) in Chinese with English: what was
# exported, listed first…
_WHAT_LABELS = {
    "Databas": "数据库（Database）",
    "Tabell/vy": "表或视图（Table / view）",
    "Sparad fråga": "查询（Query）",
    "SQL": "SQL",
    "URL": "网址（URL）",
}
# … and when, by whom, with what, after the row count.
_WHEN_LABELS = {
    "Exporterad": "导出时间（Exported）",
    "Användare": "用户（User）",
    "Datasette-version": "Datasette 版本（Datasette version）",
}


class ArchiveXlsxWriter(datasette_xlsx._Writer):
    """datasette-xlsx's writer with formula-like text marked and the information sheet in Chinese and
    English, naming the archive's source and licence.

    Not a fork: the package looks its writer up in its module at each export, so ``use_archive_xlsx_writer``
    puts this subclass there and paging, limits and the Excel table stay the package's own. ``_Writer`` is
    private, hence datasette-xlsx pinned (0.2.2, pyproject.toml) and tests that open the workbook.
    """

    def __init__(self, columns, sheet_title: str, max_rows: int, *, datasette) -> None:
        if sheet_title.endswith(_XLSX_SQL_SUFFIX):
            sheet_title = SQL_EXPORT_NAME.format(database=sheet_title.removesuffix(_XLSX_SQL_SUFFIX))
        super().__init__(columns, sheet_title, max_rows)
        self.datasette = datasette

    def _cell(self, value):
        if isinstance(value, (bytes, bytearray, memoryview)):
            value = _cell(bytes(value))
        elif isinstance(value, str):
            value = self._fitted(ILLEGAL_CHARACTERS_RE.sub("", value))
        cell = super()._cell(value)
        if isinstance(cell, Cell) and isinstance(cell.value, str):
            # openpyxl would write "=…" as a formula: text it stays, whatever the package does. And marked
            # as Excel marks a typed leading ', so editing the cell does not make it a formula either.
            cell.data_type = "s"
            if is_formula_like(cell.value):
                cell.quotePrefix = True
        return cell

    def _fitted(self, text: str) -> str:
        """Text cut to the most a cell holds, saying so in Chinese and English."""
        if len(text) <= datasette_xlsx.EXCEL_MAX_CELL:
            return text
        self.truncated_cells += 1
        return text[: datasette_xlsx.EXCEL_MAX_CELL - len(_TRUNCATED)] + _TRUNCATED

    def finish(self, info: dict) -> bytes:
        self._flush()
        self._close_table()
        sheet = self.wb.create_sheet(INFO_SHEET)
        rows = [(label, value) for label, value in self._information(info) if value not in (None, "")]
        datasette_xlsx._set_widths(sheet, datasette_xlsx._column_widths(["", ""], rows, max_width=100))
        for label, value in rows:
            sheet.append([label, self._cell(value)])
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()

    def _information(self, info: dict) -> list[tuple[str, object]]:
        database, table, query = info.get("Databas"), info.get("Tabell/vy"), info.get("Sparad fråga")
        meta = functools.partial(self.datasette.metadata, database=database, table=table)
        rows = [("标题（Title）", self._title(database, table, query))]
        rows += [(label, info.get(key)) for key, label in _WHAT_LABELS.items()]
        rows += [("行数（Rows）", self.rows), ("数据工作表数（Data sheets）", self.sheets)]
        if self.hit_limit:
            note = f"导出在 max_rows = {self.max_rows} 行处停止（export stopped at max_rows）"
            rows.append(("注意（Note）", note))
        if self.truncated_cells:
            limit = datasette_xlsx.EXCEL_MAX_CELL
            note = (
                f"{self.truncated_cells}（一个单元格最多 {limit} 个字符 / at most {limit} characters a cell）"
            )
            rows.append(("截断的单元格（Truncated cells）", note))
        rows += [
            (_WHEN_LABELS.get(key, key), value) for key, value in info.items() if key not in _WHAT_LABELS
        ]
        rows += [
            ("数据来源（Source）", meta("source")),
            ("来源网址（Source URL）", meta("source_url")),
            ("许可（Licence）", meta("license")),
            ("许可网址（Licence URL）", meta("license_url")),
        ]
        return rows

    def _title(self, database: str | None, table: str | None, query: str | None) -> str | None:
        """The title the archive's metadata gives the table or canned query."""
        if not database:
            return None
        if table:
            return self.datasette.table_metadata(database, table).get("title")
        queries = self.datasette.metadata("queries", database=database, fallback=False) or {}
        return (queries.get(query) or {}).get("title") if query else None


def use_archive_xlsx_writer(datasette) -> None:
    """Every .xlsx export of this process written by ``ArchiveXlsxWriter`` (see there why)."""
    datasette_xlsx._Writer = functools.partial(ArchiveXlsxWriter, datasette=datasette)


class DownloadsMiddleware:
    """ASGI wrapper: query CSVs and ``.csvbom`` downloads, as the module says; the rest to Datasette."""

    def __init__(self, app, datasette):
        self.app = app
        self.datasette = datasette
        self._slots: asyncio.Semaphore | None = None
        use_archive_xlsx_writer(datasette)

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        if not path.endswith((".csv", ".csvbom", ".xlsx")):
            return await self.app(scope, receive, send)
        bom = path.endswith(".csvbom")
        target = await self._target(path, scope)
        if target is None:  # a row page's .csvbom (the plugin renders it) is for Excel too
            return await self.app(scope, receive, _excel_csv_send(send) if bom else send)
        kind, database, name = target
        args = dict(
            urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        )
        if path.endswith(".xlsx"):  # datasette-xlsx pages through the table: every row, in key order
            if kind == "table":
                scope = {**scope, "query_string": _unsorted(args)}
            elif kind == "sql":
                send = _renamed_send(send, SQL_EXPORT_NAME.format(database=database) + ".xlsx")
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
        """Datasette's own streamed CSV of the table (all rows) as the Excel download (``ExcelCsv``)."""
        args = {key: value for key, value in args.items() if key not in ("_next", "_stream", "_dl", "_size")}
        args.update({"_stream": "on", "_size": "max", "_dl": "1"})  # pages of max_returned_rows rows
        args = dict(urllib.parse.parse_qsl(_unsorted(args).decode("latin-1"), keep_blank_values=True))
        inner = dict(scope)
        inner["path"] = scope["path"][: -len("bom")]
        inner["raw_path"] = inner["path"].encode("latin-1", "replace")
        inner["query_string"] = urllib.parse.urlencode(args).encode("latin-1")
        await self.app(inner, receive, _excel_csv_send(send, f"{table}.csv"))

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
                    writer.writerows(_csv_row(row, excel=bom) for row in rows)
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
                csv.writer(buffer).writerow(_csv_row(value, excel=bom))
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

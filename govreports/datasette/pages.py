"""Pages of the plugin: a report read as a report (``/-/report/{id}``) and its original bytes
(``/-/original/{sha256}``), streamed from ``documents.content`` under the file's real name and type."""

from __future__ import annotations

import json
import posixpath
import urllib.parse

from datasette.database import Database, QueryInterrupted
from datasette.utils.asgi import NotFound, Response

from extract.template import SECTION_NAMES, SECTION_ORDER
from govreports.datasette import forms
from govreports.datasette.downloads import content_disposition
from govreports.search import FULL_WIDTH

LEVEL_LABELS = {
    "national": "国家级",
    "province": "省级",
    "prefecture": "地市级",
    "county": "县级",
    "township": "乡镇",
    "street": "街道",
    "department": "部门",
}
TEMPLATE_LABELS = {
    "2019": "2019 年模板（国办公开办函〔2019〕60号）",
    "2021": "2021 年模板（国办公开办函〔2021〕30号）",
    "legacy": "2019 年以前（统计表）",
    "unknown": "未识别",
}
KIND_LABELS = {
    "page": "报告页面",
    "report_page": "报告页面",
    "attachment": "附件",
    "list": "列表页",
    "discovery": "栏目发现",
}
_EXTENSIONS = {
    "text/html": ".html",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/wps-office.wps": ".wps",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
}
_CHUNK = 1 << 20


def archive_database(datasette) -> Database:
    """The served archive: the first database with a ``reports`` table (found at startup)."""
    name = getattr(datasette, "_govreports_archive", None)
    if name is None or name not in datasette.databases:
        raise NotFound("no govreports archive is served")
    return datasette.get_database(name)


def original_filename(url: str | None, media_type: str | None, sha256: str) -> str:
    """The name a browser would save: the URL's last path segment (or a download script's
    ``filename=``), else the sha256 with the extension of the media type."""
    name = ""
    if url:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qs(parts.query)
        for key in ("filename", "fileName", "name", "file"):
            if query.get(key) and "." in query[key][0]:
                name = posixpath.basename(query[key][0])
                break
        if not name:
            name = urllib.parse.unquote(posixpath.basename(parts.path))
    name = name.replace("/", "_").replace("\\", "_").strip()
    if not name or name.startswith("."):
        base = (media_type or "").split(";")[0].strip().lower()
        name = sha256[:16] + _EXTENSIONS.get(base, ".bin")
    return name


async def _report_json(db: Database, report_id: str) -> dict:
    row = (await db.execute("select json from report_json where report_id = ?", [report_id])).first()
    return json.loads(row["json"]) if row and row["json"] else {}


async def _copies(db: Database, report_id: str) -> list[dict]:
    rows = await db.execute(
        "select * from report_copies where report_id = ? order by first_fetch_id is null, first_fetch_id, page_url",
        [report_id],
    )
    return [dict(row) for row in rows]


def _section_order(row: dict) -> tuple[int, int]:
    key = row["key"]
    return (SECTION_ORDER.index(key) if key in SECTION_ORDER else len(SECTION_ORDER), row["number"] or 0)


async def report_page(request, datasette) -> Response:
    db = archive_database(datasette)
    report_id = request.url_vars["report_id"]
    row = (await db.execute("select * from reports where id = ?", [report_id])).first()
    if row is None:
        raise NotFound(f"报告 {report_id} 不存在")
    report = dict(row)
    parsed = await _report_json(db, report_id)
    copies = await _copies(db, report_id)
    # Each copy's page and the document its numbers were read from (an attachment, or the page itself).
    urls = list(dict.fromkeys(u for c in copies for u in (c.get("page_url"), c["url"]) if u))
    fetches = [
        dict(r)
        for r in await db.execute(
            f"""select id, url, fetched_at, status, media_type, sha256, kind from fetches
                where url in ({",".join("?" * len(urls))}) order by fetched_at, id""",
            urls,
        )
    ]
    sections = sorted(
        (dict(r) for r in await db.execute("select * from sections where report_id = ?", [report_id])),
        key=_section_order,
    )
    findings = [
        dict(r)
        for r in await db.execute("select * from findings where report_id = ? order by id", [report_id])
    ]
    notes = forms.notes_of(findings)
    grids = forms.report_grids(parsed, notes)
    claimed = {n.number for grid in grids.values() for row in grid.rows for cell in row for n in cell.notes}
    section_notes: dict[str, list[forms.Note]] = {}
    for note in notes:
        if note.table == "sections" and note.row and note.number not in claimed:
            section_notes.setdefault(note.row, []).append(note)
            claimed.add(note.number)
    for grid in grids.values():
        claimed.update(n.number for n in grid.notes)
    general_notes = [n for n in notes if n.number not in claimed]
    for copy in copies:
        source = copy["url"]  # where the bytes came from: the page itself or its attachment
        copy["filename"] = original_filename(source, copy.get("media_type"), copy.get("sha256") or "")
        copy["kind_label"] = KIND_LABELS.get(copy.get("kind"), copy.get("kind"))
    distinct_versions = {}
    for fetch in fetches:
        fetch["kind_label"] = KIND_LABELS.get(fetch.get("kind"), fetch.get("kind"))
        if fetch["sha256"]:
            distinct_versions.setdefault(fetch["url"], set()).add(fetch["sha256"])
    changed = sorted(url for url, shas in distinct_versions.items() if len(shas) > 1)
    region = "".join(p for p in (report.get("province"), report.get("prefecture"), report.get("county")) if p)
    context = {
        "report": report,
        "parsed": parsed,
        "region": region or report.get("region") or "",
        "level_label": LEVEL_LABELS.get(report.get("level"), report.get("level") or ""),
        "template_label": TEMPLATE_LABELS.get(report.get("template"), report.get("template") or ""),
        "fetched_first": min((c["fetched_at"] for c in copies if c.get("fetched_at")), default=None),
        "copies": copies,
        "fetches": fetches,
        "changed_urls": changed,
        "sections": sections,
        "section_names": SECTION_NAMES,
        "section_notes": section_notes,
        "grids": grids,
        "general_notes": general_notes,
        "notes": notes,
        "database": db.name,
    }
    return Response.html(await datasette.render_template("report.html", context, request=request))


async def original(request, datasette):
    """The archived bytes of one document, streamed in chunks, as the file the portal served."""
    db = archive_database(datasette)
    sha256 = request.url_vars["sha256"]
    row = (
        await db.execute(
            "select rowid, media_type, length(content) as size from documents where sha256 = ?", [sha256]
        )
    ).first()
    if row is None:
        raise NotFound("no such document")
    # The URL these bytes were fetched from first names the file (an attachment's own name).
    found = (
        await db.execute("select url from fetches where sha256 = ? order by id limit 1", [sha256])
    ).first()
    url = found["url"] if found else None
    media_type = row["media_type"] or "application/octet-stream"
    rowid, size = row["rowid"], row["size"] or 0

    def read(offset: int):
        def inner(conn):
            with conn.blobopen("documents", "content", rowid, readonly=True) as blob:
                blob.seek(offset)
                return blob.read(_CHUNK)

        return inner

    async def chunks():
        for offset in range(0, size, _CHUNK):
            yield await db.execute_fn(read(offset))

    headers = {
        "content-disposition": content_disposition(original_filename(url, media_type, sha256)),
        "content-length": str(size),
        # Archived pages carry their own scripts: never run them under this site's origin.
        "content-security-policy": "sandbox",
        "x-content-type-options": "nosniff",
    }
    return BytesStream(chunks(), headers, media_type)


class BytesStream:
    """A streamed binary response (Datasette's AsgiStream writes text only)."""

    def __init__(self, chunks, headers: dict[str, str], content_type: str):
        self.chunks, self.headers, self.content_type = chunks, headers, content_type

    async def asgi_send(self, send) -> None:
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        headers.append((b"content-type", self.content_type.encode("latin-1")))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        async for chunk in self.chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


# A report's title, agency and region (column ``title`` of the index) weigh 4× its text (``body``): a search
# for 街道 wants street offices first. Ranked in the index alone; only the 50 shown are read from tables.
_TITLE_WEIGHT = 4
_FIND_LIMIT = 50
_FIND_COUNT_SQL = "select count(*) from report_search_fts where report_search_fts match escape_fts(:q)"
_FIND_SQL = """
with ranked as materialized (
  select rowid, bm25(report_search_fts, {weight}, 1) as score from report_search_fts
  where report_search_fts match escape_fts(:q) order by score limit {limit}
)
select r.id, r.title, r.agency, r.region, r.year, r.province, r.level, r.published, ranked.score
from ranked join reports r on r.rowid = ranked.rowid
order by ranked.score, r.year desc
"""


def snippet(text: str | None, terms: list[str], width: int = 40) -> tuple[str, str, str]:
    """(before, the first term found, after) around its first occurrence in ``text``."""
    text = " ".join((text or "").split())
    for term in terms:
        index = text.find(term)
        if index >= 0:
            start = max(0, index - width)
            end = index + len(term) + width
            return (
                ("…" if start else "") + text[start:index],
                term,
                text[index + len(term) : end] + ("…" if end < len(text) else ""),
            )
    return (text[: 2 * width] + ("…" if len(text) > 2 * width else ""), "", "")


def search_terms(typed: str) -> list[str]:
    """The words of a query as they appear in text: quotes and ``OR`` dropped, full-width folded."""
    return [t.strip('"').translate(FULL_WIDTH) for t in typed.split() if t != "OR" and t.strip('"')]


def best_section(sections: list[dict], terms: list[str]) -> tuple[dict | None, int]:
    """The section where the terms occur most often, and how many sections hold any of them."""
    counted = [(sum(s["text"].count(t) for t in terms), s) for s in sections if s.get("text")]
    matching = [(n, s) for n, s in counted if n]
    if not matching:
        return None, 0
    return max(matching, key=lambda pair: pair[0])[1], len(matching)


async def find(request, datasette) -> Response:
    """Reports ranked by how well their title and sections match what was typed (1, 2 or n characters)."""
    db = archive_database(datasette)
    typed = (request.args.get("q") or "").strip()
    results: list[dict] = []
    total = 0
    timed_out = False
    if typed:
        try:
            total = (await db.execute(_FIND_COUNT_SQL, {"q": typed})).first()[0]
            rows = [
                dict(r)
                for r in await db.execute(
                    _FIND_SQL.format(weight=_TITLE_WEIGHT, limit=_FIND_LIMIT), {"q": typed}
                )
            ]
        except QueryInterrupted:  # the time limit: say so, not fail
            rows, timed_out = [], True
        terms = search_terms(typed)
        sections: dict[str, list[dict]] = {}
        if rows:
            ids = [row["id"] for row in rows]
            for section in await db.execute(
                f"select report_id, number, key, heading, text from sections "
                f"where report_id in ({','.join('?' * len(ids))}) order by report_id, number",
                ids,
            ):
                sections.setdefault(section["report_id"], []).append(dict(section))
        for result in rows:
            best, matching = best_section(sections.get(result["id"], []), terms)
            heading_line = " ".join(filter(None, (result["title"], result["agency"], result["region"])))
            result["in_title"] = any(t in heading_line.translate(FULL_WIDTH) for t in terms)
            result["sections"] = matching
            result["snippet"] = snippet(best["text"], terms) if best else None
            result["section_name"] = SECTION_NAMES.get(best["key"], best["heading"] or "") if best else ""
            result["level_label"] = LEVEL_LABELS.get(result["level"], result["level"] or "")
            results.append(result)
    context = {
        "q": typed,
        "results": results,
        "total": total,
        "limit": _FIND_LIMIT,
        "database": db.name,
        "timed_out": timed_out,
    }
    return Response.html(await datasette.render_template("find.html", context, request=request))

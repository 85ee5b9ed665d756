"""`govreports export --warc`: the crawled sample portal exported as a WACZ, then read back with zipfile and
warcio and compared with the archive byte for byte; revisits, filters, and failures that leave no file."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from warcio.archiveiterator import ArchiveIterator

from govreports.portal import PortalServer
from tests.conftest import GOVREPORTS
from tests.test_datasette_browser import CHROMIUM, browser  # noqa: F401  (the shared chromium)

WARC_PATH = "archive/govreports.warc.gz"


def export(db: Path, out: Path, *options: str, expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*GOVREPORTS, "export", "--warc", str(out), "--db", str(db), *options],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == expect, result.stderr[-3000:]
    return result


@dataclass
class Wacz:
    """What a WACZ holds, read back with zipfile and warcio only."""

    names: list[str]
    captures: list[dict] = field(default_factory=list)  # responses and revisits, in the WARC's order
    responses: list[dict] = field(default_factory=list)  # type, url, date, digest, status, http, payload
    revisits: list[dict] = field(default_factory=list)  # type, url, date, digest, status, http, refers_to
    requests: list[dict] = field(default_factory=list)  # url, concurrent_to, request line
    pages: list[dict] = field(default_factory=list)
    cdxj: list[dict] = field(default_factory=list)
    datapackage: dict = field(default_factory=dict)
    zip_bytes: dict[str, bytes] = field(default_factory=dict)


def read_wacz(path: Path) -> Wacz:
    with zipfile.ZipFile(path) as wacz:
        read = Wacz(names=wacz.namelist())
        read.zip_bytes = {name: wacz.read(name) for name in read.names}
        with wacz.open(WARC_PATH) as stream:
            for record in ArchiveIterator(stream):
                read_record(read, record)
    lines = read.zip_bytes["pages/pages.jsonl"].decode("utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "json-pages-1.0"
    read.pages = [json.loads(line) for line in lines[1:]]
    for line in gzip.decompress(read.zip_bytes["indexes/index.cdx.gz"]).decode("utf-8").splitlines():
        read.cdxj.append(json.loads(line.split(" ", 2)[2]))
    read.datapackage = json.loads(read.zip_bytes["datapackage.json"])
    return read


def read_record(read: Wacz, record) -> None:
    headers = record.rec_headers
    url, date = headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date")
    if record.rec_type in ("response", "revisit"):
        capture = {
            "type": record.rec_type,
            "url": url,
            "date": date,
            "digest": headers.get_header("WARC-Payload-Digest"),
            "id": headers.get_header("WARC-Record-ID"),
            "status": record.http_headers.get_statuscode(),
            "http": dict(record.http_headers.headers),
        }
        if record.rec_type == "response":
            capture["payload"] = record.content_stream().read()
            read.responses.append(capture)
        else:
            refers_to = ("WARC-Refers-To-Target-URI", "WARC-Refers-To-Date")
            capture["refers_to"] = tuple(headers.get_header(name) for name in refers_to)
            read.revisits.append(capture)
        read.captures.append(capture)
    elif record.rec_type == "request":
        read.requests.append(
            {
                "url": url,
                "concurrent_to": headers.get_header("WARC-Concurrent-To"),
                "line": f"{record.http_headers.protocol} {record.http_headers.statusline}",
            }
        )


def archive_rows(db: Path, sql: str, *values) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql, values).fetchall()


@pytest.fixture(scope="module")
def exported(crawled_archive, tmp_path_factory) -> tuple[Path, Wacz, str]:
    out = tmp_path_factory.mktemp("export") / "reports.wacz"
    result = export(crawled_archive, out)
    return out, read_wacz(out), result.stderr


def test_every_document_comes_back_byte_for_byte(crawled_archive, exported):
    _, wacz, _ = exported
    documents = dict(
        archive_rows(
            crawled_archive,
            "select sha256, content from documents where sha256 in (select sha256 from fetches)",
        )
    )
    assert documents
    by_digest = {response["digest"]: response for response in wacz.responses}
    assert len(by_digest) == len(wacz.responses) == len(documents)
    for sha256, content in documents.items():
        response = by_digest[f"sha256:{sha256}"]
        assert response["payload"] == content
        assert hashlib.sha256(response["payload"]).hexdigest() == sha256


def test_every_fetch_is_a_capture_with_its_url_time_and_headers(crawled_archive, exported):
    """One record per fetch, in fetch order: a response the first time its bytes come, else a revisit."""
    _, wacz, _ = exported
    fetches = archive_rows(
        crawled_archive,
        "select f.url, f.fetched_at, f.status, f.media_type, f.etag, f.last_modified, f.sha256, d.size "
        "from fetches f join documents d using (sha256) order by f.id",
    )
    assert [(c["url"], c["date"]) for c in wacz.captures] == [
        (row[0], row[1].replace("+00:00", "Z")) for row in fetches
    ]
    seen = set()
    for capture, (_, _, status, media_type, etag, modified, sha256, size) in zip(
        wacz.captures, fetches, strict=True
    ):
        assert capture["type"] == ("revisit" if sha256 in seen else "response")
        seen.add(sha256)
        assert capture["digest"] == f"sha256:{sha256}" and capture["status"] == str(status)
        assert capture["http"]["Content-Type"] == media_type
        assert capture["http"]["Content-Length"] == str(size)
        assert capture["http"].get("ETag") == etag and capture["http"].get("Last-Modified") == modified
    # Each capture has its GET beside it.
    ids = {capture["id"] for capture in wacz.captures}
    assert len(wacz.requests) == len(wacz.captures)
    assert all(r["concurrent_to"] in ids and r["line"].startswith("GET /") for r in wacz.requests)


def test_every_report_page_is_listed_once(crawled_archive, exported, expected_portal):
    _, wacz, stderr = exported
    reports = dict(archive_rows(crawled_archive, "select url, title from reports"))
    assert len(reports) == len(expected_portal["reports"])
    urls = [page["url"] for page in wacz.pages]
    assert sorted(urls) == sorted(reports) and len(set(urls)) == len(urls)
    captured = {(r["url"], r["date"]) for r in wacz.responses}
    for page in wacz.pages:
        assert page["title"] == reports[page["url"]]
        assert (page["url"], page["ts"]) in captured  # ts: the page's capture, so replay opens it
    assert f"{len(reports)} report pages" in stderr


def test_the_index_lists_every_url(crawled_archive, exported):
    _, wacz, _ = exported
    urls = {
        row[0] for row in archive_rows(crawled_archive, "select url from fetches where sha256 is not null")
    }
    indexed = {entry["url"] for entry in wacz.cdxj}
    assert urls <= indexed
    assert {entry["filename"] for entry in wacz.cdxj} == {Path(WARC_PATH).name}


def test_datapackage_hashes_match(exported):
    path, wacz, _ = exported
    resources = {resource["path"]: resource for resource in wacz.datapackage["resources"]}
    assert set(resources) == set(wacz.names) - {"datapackage.json", "datapackage-digest.json"}
    assert {WARC_PATH, "pages/pages.jsonl", "indexes/index.cdx.gz"} <= set(resources)
    for name, resource in resources.items():
        content = wacz.zip_bytes[name]
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest(), name
        assert resource["bytes"] == len(content)
    digest = json.loads(wacz.zip_bytes["datapackage-digest.json"])
    assert digest["hash"] == "sha256:" + hashlib.sha256(wacz.zip_bytes["datapackage.json"]).hexdigest()
    # And the wacz package's own validator agrees.
    result = subprocess.run(
        [str(Path(GOVREPORTS[0]).parent / "wacz"), "validate", "-f", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "is valid" in result.stdout, result.stdout


def test_bytes_fetched_again_are_revisits(crawled_archive, tmp_path):
    """The same page fetched again and the same file under another URL: revisit records that point at
    the first capture, carrying no second copy of the bytes."""
    db = tmp_path / "archive.db"
    shutil.copy(crawled_archive, db)
    with sqlite3.connect(db) as conn:
        first_id, url, sha256 = conn.execute(
            "select id, url, sha256 from fetches where kind = 'report_page' order by id limit 1"
        ).fetchone()
        columns = "url, fetched_at, status, media_type, sha256, kind"
        for copy_url, at in (
            (url, "2031-01-01T00:00:00+00:00"),
            (url + "?copy=1", "2031-02-01T00:00:00+00:00"),
        ):
            conn.execute(
                f"insert into fetches ({columns}) select ?, ?, status, media_type, sha256, kind "
                "from fetches where id = ?",
                [copy_url, at, first_id],
            )
    out = tmp_path / "out.wacz"
    export(db, out)
    wacz = read_wacz(out)
    original = next(r for r in wacz.responses if r["digest"] == f"sha256:{sha256}")
    assert [r["url"] for r in wacz.responses].count(url) == 1
    revisits = [r for r in wacz.revisits if r["digest"] == f"sha256:{sha256}"]
    assert [(r["url"], r["date"]) for r in revisits] == [
        (url, "2031-01-01T00:00:00Z"),
        (url + "?copy=1", "2031-02-01T00:00:00Z"),
    ]
    assert all(r["refers_to"] == (url, original["date"]) for r in revisits)
    assert sum(entry["mime"] == "warc/revisit" for entry in wacz.cdxj) == 2
    # Exported on their own, the later fetches' first capture is a full response again.
    out = tmp_path / "since.wacz"
    export(db, out, "--since", "2031-01-01")
    wacz = read_wacz(out)
    assert [(r["url"], r["date"]) for r in wacz.responses] == [(url, "2031-01-01T00:00:00Z")]
    assert (
        wacz.responses[0]["payload"]
        == archive_rows(db, "select content from documents where sha256 = ?", sha256)[0][0]
    )
    assert [r["refers_to"] for r in wacz.revisits] == [(url, "2031-01-01T00:00:00Z")]
    assert [page["url"] for page in wacz.pages] == [url]


def test_source_filter(crawled_archive, tmp_path, exported):
    _, everything, _ = exported
    (source_id,) = archive_rows(crawled_archive, "select id from sources")[0]
    out = tmp_path / "source.wacz"
    export(crawled_archive, out, "--source", str(source_id))
    assert len(read_wacz(out).responses) == len(everything.responses)
    result = export(crawled_archive, out, "--source", str(source_id + 100))
    wacz = read_wacz(out)
    assert not wacz.responses and not wacz.pages
    assert "reports not listed" in result.stderr


def sqlite_without_archive_tables(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("create table notes (text)")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (None, "no such archive"),
        (
            lambda path: path.write_text("not a database\n"),
            "not a govreports archive (file is not a database)",
        ),
        (sqlite_without_archive_tables, "not a govreports archive (fetches lacks"),
    ],
    ids=["missing", "text file", "other sqlite"],
)
def test_no_archive_is_an_error_and_leaves_no_file(tmp_path, make, says):
    db = tmp_path / "archive.db"
    if make:
        make(db)
    result = export(db, tmp_path / "out.wacz", expect=1)
    assert f"Error: {db}: {says}" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == (["archive.db"] if make else [])


def test_a_failed_export_keeps_the_previous_one(crawled_archive, tmp_path):
    out = tmp_path / "out.wacz"
    export(crawled_archive, out)
    before = out.read_bytes()
    export(tmp_path / "missing.db", out, expect=1)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wacz"]  # no temporary left behind


# ------------------------------------------------------------------------------ ReplayWeb.page itself
REPLAYWEBPAGE = "replaywebpage@2.5.3"  # the app's static build, as published on npm


@pytest.fixture(scope="module")
def replaywebpage(tmp_path_factory) -> Path:
    """ReplayWeb.page's files (index.html, ui.js, sw.js): GOVREPORTS_REPLAYWEBPAGE, or npm's package."""
    if folder := os.environ.get("GOVREPORTS_REPLAYWEBPAGE"):
        return Path(folder)
    npm = shutil.which("npm")
    if not npm:
        pytest.skip("no npm to fetch ReplayWeb.page (apt-get install npm, or set GOVREPORTS_REPLAYWEBPAGE)")
    work = tmp_path_factory.mktemp("replaywebpage")
    try:
        result = subprocess.run(
            [npm, "pack", REPLAYWEBPAGE, "--pack-destination", str(work)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:  # a registry that does not answer is not a failure of ours
        pytest.skip(f"npm pack {REPLAYWEBPAGE} did not finish in 120 s")
    if result.returncode != 0:
        pytest.skip(f"npm pack {REPLAYWEBPAGE} failed: {result.stderr[-500:]}")
    shutil.unpack_archive(next(work.glob("replaywebpage-*.tgz")), work)
    return work / "package"


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}")
def test_replaywebpage_lists_the_reports_and_replays_one(exported, replaywebpage, browser, tmp_path):  # noqa: F811
    """The WACZ opened in ReplayWeb.page in chromium: its page list counts every report, and a report page
    replays from the archived bytes (a GBK one: the charset comes through)."""
    path, wacz, _ = exported
    site = tmp_path / "site"
    shutil.copytree(replaywebpage, site)
    shutil.copy(path, site / "reports.wacz")
    gbk = next(
        r
        for r in wacz.responses
        if "gb2312" in r["http"]["Content-Type"] and r["url"] in {p["url"] for p in wacz.pages}
    )
    report = next(p for p in wacz.pages if p["url"] == gbk["url"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        with PortalServer(site) as server:
            app = f"{server.url}/index.html?source={server.url}/reports.wacz"
            page.goto(app)
            page.get_by_text(f"{len(wacz.pages)} pages").wait_for(timeout=60_000)
            ts = "".join(ch for ch in report["ts"] if ch.isdigit())
            page.goto(f"{app}#view=pages&url={quote(report['url'], safe='')}&ts={ts}")
            assert replayed_text(page, report["title"]), "the report page was not replayed"
    finally:
        context.close()


def replayed_text(page, text: str, seconds: float = 60) -> bool:
    """Whether some frame (the replay draws the archived page in nested iframes) shows ``text``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for frame in page.frames:
            with contextlib.suppress(Exception):  # a frame may navigate away while read
                if text in frame.inner_text("body", timeout=1000):
                    return True
        page.wait_for_timeout(500)
    return False

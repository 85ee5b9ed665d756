"""The ``govreports`` command: crawl, extract, parse, serve — and a demo on the bundled sample portal."""

from __future__ import annotations

import fcntl
import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

from govreports.archive import DEFAULT_PATH, open_archive, summary

db_option = click.option(
    "--db",
    "db_path",
    default=DEFAULT_PATH,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Archive (SQLite) to write or read.",
)
# Options of every command that crawls (crawl, worker).
contact_url_option = click.option(
    "--contact-url",
    envvar="GOVREPORTS_CONTACT_URL",
    help="Contact URL for the User-Agent, so portal operators can reach you [env GOVREPORTS_CONTACT_URL].",
)
render_option = click.option(
    "--render/--no-render",
    default=True,
    show_default=True,
    help="Draw in a headless browser (chromium) the column pages whose list only JavaScript builds.",
)


@click.group()
@click.version_option(package_name="govreports")
def cli() -> None:
    """Crawl, extract and archive Chinese government information-disclosure annual reports
    (政府信息公开工作年度报告), and serve the archive with Datasette.

    \b
    Quick start, offline, on the bundled sample portal:
        govreports demo
    """


@cli.command()
@click.option(
    "--start-url",
    "start_urls",
    multiple=True,
    help="URL of an annual-report column, or of a portal page to find it from (repeatable).",
)
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML file of sources to crawl (start_url, agency, region, level, cms, kind, evidence).",
)
@db_option
@click.option(
    "--extract/--no-extract", default=True, show_default=True, help="Extract new reports after crawling."
)
@click.option("--log-level", default="INFO", show_default=True, help="Scrapy's log level.")
@click.option(
    "--log-file", type=click.Path(dir_okay=False), help="Append Scrapy's log here instead of stderr."
)
@click.option(
    "--lock",
    "lock_path",
    type=click.Path(dir_okay=False),
    help="Lock file that keeps two crawls of one archive apart [default: the archive's path + .lock].",
)
@click.option(
    "--jobdir",
    type=click.Path(file_okay=False),
    help="Keep each source's pending requests here, so a killed crawl resumes where it stopped.",
)
@click.option(
    "--revalidate",
    is_flag=True,
    help="Ask again (conditionally) for every archived report and attachment, to catch changed versions.",
)
@contact_url_option
@click.option(
    "--resolve",
    "resolve",
    multiple=True,
    metavar="NAME:ADDRESS",
    help="Answer host NAME with ADDRESS instead of DNS, like curl (a mirror or test copy of a portal).",
)
@render_option
@click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="A Scrapy setting, as `scrapy crawl -s` takes it: DOWNLOAD_TIMEOUT=20, DOWNLOAD_MAXSIZE=… (repeatable).",
)
@click.option(
    "--distributed",
    metavar="REDIS_URL",
    help="Put the crawl on Redis (redis://HOST:6379/N) for `govreports worker`s to crawl; this process "
    "writes the archive. Run again after a stop: it resumes the crawl on Redis.",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Crawl processes on this machine, each taking the next site's sources as its crawlers finish, "
    "each running CONCURRENT_SOURCES sources at once. For many sources one per core is the fastest.",
)
def crawl(
    start_urls: tuple[str, ...],
    sources_file: str | None,
    db_path: str,
    extract: bool,
    log_level: str,
    log_file: str | None,
    lock_path: str | None,
    jobdir: str | None,
    revalidate: bool,
    contact_url: str | None,
    resolve: tuple[str, ...],
    render: bool,
    overrides: tuple[str, ...],
    distributed: str | None,
    processes: int,
) -> None:
    """Crawl annual reports into the archive: find the column, walk its list, fetch reports and attachments.

    Every response's raw bytes are stored (once per sha256) with URL, time, status and media type;
    then new reports are extracted. robots.txt is obeyed and AutoThrottle is on for real hosts. A recrawl
    fetches list pages (conditionally) and only reports not yet archived, and stops paging at the first
    list page it already knows. Each source's run is recorded in the crawl_runs table.

    Each source's run ends with a status (crawl_runs.status, and the summary line on stderr):
    finished; incomplete (lists walked, but report pages or attachments failed and wait in
    fetch_failures for the next run); partial (a list reached fewer items than it announced, a list
    page failed, a paging mechanism was not followed, or a page could not be rendered); empty (a column
    with no report); no_column (no annual-report column found from the start URL); blocked (a firewall
    answered with a challenge, never bypassed); failed; interrupted. What failed is asked for again on
    later runs, with a back-off, until it answers or is judged gone (fetch_failures).

    Exit status: 0 when every source finished, 1 when a source failed outright (its start page did
    not answer, or the spider raised) or a crawl process died (--processes), 3 when another crawl holds
    the lock, 4 when a source is partial, empty or no_column (reports may be missing: see
    crawl_runs.reason), 5 when a site is blocked by a firewall challenge, 6 when report pages or
    attachments were lost this run or are still failing (fetch_failures). The first that applies, in
    the order 1, 5, 4, 6.

    \b
    Examples:
        govreports crawl --start-url http://127.0.0.1:8000/zfxxgk/zfxxgknb/index.html
        govreports crawl --sources sources/registry.yaml --db archive.db --log-file crawl.log
        govreports crawl --sources sources/registry.yaml --db archive.db --processes 2
    """
    from crawler.runner import CrawlOptions, run_crawl
    from crawler.sources import Source, SourcesFileError, load_sources

    sources = [Source(start_url=url) for url in start_urls]
    if sources_file:
        try:
            sources += load_sources(sources_file)
        except SourcesFileError as error:
            raise click.UsageError(str(error)) from error
    if not sources:
        raise click.UsageError("give --start-url URL or --sources FILE")
    if distributed and processes > 1:
        raise click.UsageError("--processes crawls on this machine: with --distributed, start more workers")
    from crawler.resolver import parse_host_addresses

    try:
        host_addresses = parse_host_addresses(resolve)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    try:
        settings = dict(_setting(entry) for entry in overrides)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    options = CrawlOptions(
        db_path, log_level, log_file, jobdir, revalidate, contact_url, host_addresses, render, settings
    )
    deaths: list[str] = []  # crawl processes (--processes) that died

    def died(line: str) -> None:
        deaths.append(line)
        click.echo(f"govreports crawl: {line}", err=True)

    with _exclusive(lock_path or f"{db_path}.lock"):
        runs = (
            _crawl_distributed(distributed, db_path, sources, revalidate)
            if distributed
            else run_crawl(sources, options, processes, on_death=died)
        )
        for run in runs:
            click.echo(run_summary_line(run), err=True)
        if extract:
            _extract(db_path, only_new=True)
    status = EXIT_FAILED if deaths else crawl_exit_status(runs, len(sources))
    if status:
        sys.exit(status)


def _crawl_distributed(redis_url: str, db_path: str, sources: list, revalidate: bool) -> list[dict]:
    from crawler.distributed.writer import run_distributed

    runs, writer = run_distributed(redis_url, db_path, sources, revalidate)
    click.echo(f"writer: {writer.messages} messages applied in {writer.applying:.1f} s", err=True)
    return runs


@cli.command()
@click.option("--distributed", "redis_url", metavar="REDIS_URL", required=True, help="The crawl's Redis.")
@click.option(
    "--groups", default=2, show_default=True, help="Hosts crawled at once (each by its own Scrapy crawler)."
)
@click.option(
    "--lease",
    default=15.0,
    show_default=True,
    help="Seconds a killed worker's hosts stay claimed before another worker resumes them.",
)
@click.option("--log-level", default="INFO", show_default=True, help="Scrapy's log level.")
@click.option(
    "--log-file", type=click.Path(dir_okay=False), help="Append Scrapy's log here instead of stderr."
)
@contact_url_option
@render_option
@click.option(
    "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting (repeatable)."
)
def worker(
    redis_url: str,
    groups: int,
    lease: float,
    log_level: str,
    log_file: str | None,
    contact_url: str | None,
    render: bool,
    overrides: tuple[str, ...],
) -> None:
    """Take part in a distributed crawl (`govreports crawl --distributed`): claim hosts, crawl them, hand
    what was fetched to the writer through Redis. Needs no archive; waits for a crawl to be put on Redis,
    and exits when it is done.

    \b
    Example, on each machine:
        govreports worker --distributed redis://crawl-master:6379/0
    """
    launched_at = time.time()  # before Scrapy's imports: a crawl ending meanwhile is this worker's
    from crawler.distributed.worker import run_worker
    from crawler.runner import CrawlOptions

    try:
        settings = dict(_setting(entry) for entry in overrides)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    options = CrawlOptions(
        "", log_level, log_file, contact_url=contact_url, render=render, overrides=settings
    )
    run_worker(redis_url, options, groups, lease, launched_at)


# Exit statuses of `govreports crawl` (README: Crawling real portals): the first that applies.
EXIT_FAILED, EXIT_LOCKED, EXIT_INCOMPLETE_LISTS, EXIT_BLOCKED, EXIT_FAILING = 1, 3, 4, 5, 6


def crawl_exit_status(runs: list[dict], sources: int) -> int:
    """1 a source failed, has no run, or its run is still ``running`` (its crawl process died), 5 a site is
    blocked, 4 a list is incomplete, 6 URLs were lost or are still failing; 0 when none of these."""
    from crawler.completeness import INCOMPLETE_STATUSES

    statuses = {run["status"] for run in runs}
    if statuses & {"failed", "running"} or len(runs) < sources:
        return EXIT_FAILED
    if "blocked" in statuses:
        return EXIT_BLOCKED
    if statuses & set(INCOMPLETE_STATUSES):
        return EXIT_INCOMPLETE_LISTS
    if any(run.get("lost") or run.get("failing") for run in runs):
        return EXIT_FAILING
    return 0


def _setting(entry: str) -> tuple[str, str]:
    name, _, value = entry.partition("=")
    if not name.strip() or not _:
        raise ValueError(f"-s wants NAME=VALUE, got {entry!r}")
    return name.strip(), value


def run_summary_line(run: dict) -> str:
    """One source's run as a cron log shows it: status, why, and what its lists announced and gave."""
    if run["status"] == "running":
        return f"{run['start_url']}: running (its crawl process died: the next crawl closes the run)"
    reached = f"reached {run['reached'] or 0}"
    if run.get("announced") is not None:
        reached += f" of {run['announced']} announced"
    rendered = json.loads(run.get("rendered") or "[]")
    skipped = json.loads(run.get("skipped_hosts") or "{}")
    extras = [f"{len(rendered)} rendered"] if rendered else []
    if skipped:
        extras.append(f"skipped other sites: {', '.join(sorted(skipped))}")
    return (
        f"{run['start_url']}: {run['status']} ({run['reason']}), {reached}, {run['requests']} requests, "
        f"{run['new_reports']} new reports, {run['errors']} errors {run['errors_by_kind']}, "
        f"{fetch_failures_summary(run)}" + "".join(f", {extra}" for extra in extras)
    )


def fetch_failures_summary(run: dict) -> str:
    """What the run retried and got, and what it lost: 「2 retried, 1 recovered from earlier runs, 3 lost
    (failed {"http_404": 1, "http_503": 2, "timeout": 1}), 4 still failing, 1 judged gone, 1 error pages」
    (this run's failures by reason count the URLs judged gone too)."""
    parts = [f"{run.get('retried') or 0} retried", f"{run.get('recovered') or 0} recovered from earlier runs"]
    parts.append(f"{run.get('lost') or 0} lost (failed {run.get('failures_by_reason') or '{}'})")
    parts.append(f"{run.get('failing') or 0} still failing")
    for key, label in (("gone", "judged gone"), ("blocked", "blocked"), ("error_pages", "error pages")):
        if run.get(key):
            parts.append(f"{run[key]} {label}")
    return ", ".join(parts)


@contextmanager
def _exclusive(lock_path: str):
    """Hold an exclusive lock for the crawl; a second crawl of the same archive exits with status 3."""
    with open(lock_path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            click.echo(f"govreports crawl: another crawl holds {lock_path}; not starting", err=True)
            sys.exit(EXIT_LOCKED)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _extract(db_path: str, *, only_new: bool = False, workers: int | None = None) -> None:
    import time

    from govreports.ingest import extract_archive

    db = open_archive(db_path)
    started = time.monotonic()
    stats = extract_archive(db, only_new=only_new, workers=workers, progress=_progress_printer())
    seconds = time.monotonic() - started
    click.echo(
        f"extracted {stats.reports} reports in {seconds:.1f} s ({stats.from_attachments} from attachments, "
        f"{stats.unreadable} unreadable pages, {stats.cross_year_checked} comparisons with the year before)",
        err=True,
    )
    if stats.failed:  # documents past their limits, unreadable or raising: rows of extraction_failures
        failed = ", ".join(f"{count} {kind}" for kind, count in sorted(stats.failed.items()))
        click.echo(f"documents not extracted: {failed} (see the extraction_failures table)", err=True)


def _progress_printer():
    """Progress on stderr: one updating line on a terminal, a line every 10 % in a log file."""
    interactive = sys.stderr.isatty()
    shown = {"tenth": 0}

    def show(done: int, total: int) -> None:
        if interactive:
            click.echo(f"\rextracting {done}/{total}", nl=done == total, err=True)
        elif done * 10 // total > shown["tenth"] or done == total:
            shown["tenth"] = done * 10 // total
            click.echo(f"extracting {done}/{total}", err=True)

    return show


@cli.command()
@db_option
@click.option(
    "--all/--new",
    "everything",
    default=True,
    show_default=True,
    help="Re-extract every report, or only pages fetched since their last extraction.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes for parsing [default: one per core].",
)
def extract(db_path: str, everything: bool, workers: int | None) -> None:
    """Re-extract reports from their stored raw bytes (no network), in parallel, with progress.

    \b
    Examples:
        govreports extract --all
        govreports extract --new --workers 1
    """
    _extract(db_path, only_new=not everything, workers=workers)


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="URL the document came from (used for metadata such as the publication date).")
@click.option(
    "--media-type", help="Media type, when the bytes alone do not tell (e.g. 'text/html; charset=gbk')."
)
def parse(path: str, url: str | None, media_type: str | None) -> None:
    """Print the report JSON of one document. No network, no database.

    HTML, DOCX, DOC, WPS, PDF (a scan goes through OCR), XLS, XLSX, PNG/JPEG, text flattened
    from DOCX, or .md (a PDF-to-markdown converter's output); the type is read from the bytes.

    Exit status 0 when a report was read (even with findings), 2 when the file is not a document.

    \b
    Example:
        govreports parse ../shared/seeds/002_5d3d4df38d2ce363.txt | jq .applications.new_received
    """
    from extract import UnreadableDocument, parse_document

    try:
        report = parse_document(Path(path).read_bytes(), path=path, url=url, media_type=media_type)
    except UnreadableDocument as error:
        click.echo(f"govreports parse: {path}: not readable: {error}", err=True)
        sys.exit(2)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))


@cli.command()
@db_option
@click.option("--port", default=8001, show_default=True, help="Port for Datasette.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--setting",
    "settings",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="A Datasette setting, e.g. --setting sql_time_limit_ms 3000 (repeatable).",
)
def serve(db_path: str, port: int, host: str, settings: tuple[tuple[str, str], ...]) -> None:
    """Serve the archive with Datasette, read-only: report pages, Chinese search, canned queries,
    charts, an Atom feed, CSV (with a BOM for Excel) and .xlsx downloads of every table and query.

    The archive must exist: a missing path or a file that is not an archive is an error (exit 1),
    never a new empty archive.

    \b
    Examples:
        govreports serve --db archive.db
        govreports serve --db archive.db --host 0.0.0.0 --port 8080
        govreports serve --db archive.db --setting sql_time_limit_ms 5000
    """
    from govreports.serve import ArchiveError, check_archive, run_datasette

    try:
        check_archive(db_path)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"serving {db_path} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    run_datasette(db_path, host, port, dict(settings))


@cli.command("export")
@click.option(
    "--warc",
    "out_path",
    required=True,
    metavar="OUT.wacz",
    type=click.Path(dir_okay=False),
    help="Write the raw captures as WARC records packed in this WACZ file (replaced if it exists).",
)
@db_option
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Only fetches at or after this date or time (UTC), e.g. 2025-01-01.",
)
@click.option("--source", "source_id", type=int, help="Only fetches of this source (sources.id).")
def export_command(out_path: str, db_path: str, since, source_id: int | None) -> None:
    """Export the archive's raw captures as a web archive (WACZ) that ReplayWeb.page opens.

    Every fetch with a stored document becomes a WARC response record (status, Content-Type, ETag,
    Last-Modified and the exact stored bytes) with its request; the same bytes fetched again are
    revisit records. pages/pages.jsonl lists each report once: its canonical page at its first capture.
    The archive is only read (a crawl may write meanwhile); the WACZ appears only when complete.

    Exit status 1, with no file written, when the archive is missing or not an archive.

    \b
    Examples:
        govreports export --warc reports.wacz --db archive.db
        govreports export --warc 2025.wacz --since 2025-01-01 --source 3
    Open it at https://replayweb.page/ (Choose File), or serve it and load ?source=URL.
    """
    from govreports.export import ExportError, Selection, export_wacz

    selection = Selection(since=since.isoformat(timespec="seconds") if since else None, source_id=source_id)
    progress = _export_progress()
    try:
        stats = export_wacz(db_path, out_path, selection, progress=progress)
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    if progress:
        click.echo(err=True)  # end the updating line
    click.echo(
        f"wrote {out_path}: {stats.responses} responses and {stats.revisits} revisits "
        f"({stats.payload_bytes / 1e6:.1f} MB of documents), {stats.pages} report pages, "
        f"{stats.wacz_bytes / 1e6:.1f} MB; WARC {stats.warc_seconds:.1f} s, packing {stats.pack_seconds:.1f} s",
        err=True,
    )
    if stats.reports_left_out:
        left_out = stats.reports_left_out
        click.echo(f"{left_out} reports not listed: no capture of their page selected", err=True)


def _export_progress():
    """An updating line on a terminal; nothing in a log (the closing line says it all)."""
    if not sys.stderr.isatty():
        return None

    def show(captures: int, payload_bytes: int) -> None:
        click.echo(f"\rexported {captures} captures ({payload_bytes / 1e6:.0f} MB)", nl=False, err=True)

    return show


@cli.command("summary")
@db_option
def summary_command(db_path: str) -> None:
    """Print what the archive holds, as JSON."""
    click.echo(json.dumps(summary(open_archive(db_path)), ensure_ascii=False, indent=2))


@cli.command()
@click.option(
    "--directory", default=None, help="Site directory to serve (default: the bundled sample portal)."
)
@click.option("--port", default=8000, show_default=True)
def portal(directory: str | None, port: int) -> None:
    """Serve the bundled sample portal (or another static site) on 127.0.0.1 until Ctrl-C."""
    from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer

    server = PortalServer(directory or SAMPLE_PORTAL, port=port)
    click.echo(f"serving at {server.url}{'' if directory else SAMPLE_COLUMN}", err=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


@cli.command()
@db_option
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the archive when done.")
@click.option("--port", default=8001, show_default=True, help="Port for Datasette.")
@click.option(
    "--portal-port",
    default=8000,
    show_default=True,
    help="Port for the sample portal; fixed so that re-runs see the same report URLs.",
)
def demo(db_path: str, serve: bool, port: int, portal_port: int) -> None:
    """Offline demo: crawl the bundled sample portal on 127.0.0.1, extract, summarise, serve.

    The sample portal stays up while the archive is served, so the reports' source links work.
    """
    from crawler.runner import CrawlOptions, run_crawl
    from crawler.sources import Source
    from govreports.portal import SAMPLE_COLUMN, PortalServer

    with PortalServer(port=portal_port) as server:
        start_url = server.url + SAMPLE_COLUMN
        click.echo(f"sample portal at {start_url}", err=True)
        source = Source(start_url=start_url, agency="示例区人民政府", level="county", cms="trs")
        run_crawl([source], CrawlOptions(db_path, log_level="WARNING"))
        _extract(db_path)
        db = open_archive(db_path)
        click.echo(json.dumps(summary(db), ensure_ascii=False, indent=2))
        db.close()
        if serve:
            from govreports.serve import run_datasette

            click.echo(f"serving {db_path} at http://127.0.0.1:{port}/ (Ctrl-C to stop)", err=True)
            run_datasette(db_path, "127.0.0.1", port)

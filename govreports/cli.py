"""The ``govreports`` command: crawl, extract, parse, serve — and a demo on the bundled sample portal."""

from __future__ import annotations

import json
import sys
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
@click.option("--start-url", "start_urls", multiple=True, help="URL of an annual-report column (repeatable).")
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML file of columns to crawl (agency, region, level, start_url, cms).",
)
@db_option
@click.option(
    "--extract/--no-extract", default=True, show_default=True, help="Extract reports after crawling."
)
@click.option("--log-level", default="INFO", show_default=True, help="Scrapy's log level.")
def crawl(
    start_urls: tuple[str, ...], sources_file: str | None, db_path: str, extract: bool, log_level: str
) -> None:
    """Crawl annual-report columns into the archive: list pages, report pages, attachments.

    Every response's raw bytes are stored (once per sha256) with URL, time, status and media type;
    then reports are extracted from them. robots.txt is obeyed and AutoThrottle is on for real hosts.

    \b
    Examples:
        govreports crawl --start-url http://127.0.0.1:8000/zfxxgk/zfxxgknb/index.html
        govreports crawl --sources sources.yaml --db archive.db
    """
    from crawler.runner import run_crawl
    from crawler.sources import Source, SourcesFileError, load_sources

    sources = [Source(start_url=url) for url in start_urls]
    if sources_file:
        try:
            sources += load_sources(sources_file)
        except SourcesFileError as error:
            raise click.UsageError(str(error)) from error
    if not sources:
        raise click.UsageError("give --start-url URL or --sources FILE")
    stats = run_crawl(sources, db_path, log_level=log_level)
    for url, crawl_stats in stats.items():
        click.echo(
            f"{url}: {crawl_stats.get('downloader/response_count', 0)} responses, "
            f"{crawl_stats.get('item_scraped_count', 0)} documents stored",
            err=True,
        )
    if extract:
        _extract(db_path)


def _extract(db_path: str, *, only_new: bool = False, workers: int | None = None) -> None:
    import time

    from govreports.ingest import extract_archive

    db = open_archive(db_path)
    started = time.monotonic()
    stats = extract_archive(db, only_new=only_new, workers=workers, progress=_progress_printer())
    seconds = time.monotonic() - started
    click.echo(
        f"extracted {stats.reports} reports in {seconds:.1f} s ({stats.from_attachments} from attachments, "
        f"{stats.unreadable} unreadable pages, {stats.cross_year_checked} checked against the year before)",
        err=True,
    )


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

    HTML, DOCX, DOC, WPS, PDF (a scan goes through OCR), XLS, XLSX, PNG/JPEG or text flattened
    from DOCX; the type is read from the bytes.

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
def serve(db_path: str, port: int, host: str) -> None:
    """Serve the archive with Datasette (facets, canned queries, CSV and JSON export)."""
    from govreports.serve import exec_datasette

    open_archive(db_path).close()  # an empty archive still shows its tables
    click.echo(f"serving {db_path} at http://{host}:{port}/", err=True)
    exec_datasette(db_path, host, port)


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
    """Offline demo: crawl the bundled sample portal on 127.0.0.1, extract, summarise, serve."""
    from crawler.runner import run_crawl
    from crawler.sources import Source
    from govreports.portal import SAMPLE_COLUMN, PortalServer

    with PortalServer(port=portal_port) as server:
        start_url = server.url + SAMPLE_COLUMN
        click.echo(f"sample portal at {start_url}", err=True)
        run_crawl([Source(start_url=start_url, agency="示例区人民政府", level="county")], db_path, "WARNING")
    _extract(db_path)
    db = open_archive(db_path)
    click.echo(json.dumps(summary(db), ensure_ascii=False, indent=2))
    db.close()
    if serve:
        from govreports.serve import exec_datasette

        click.echo(f"serving {db_path} at http://127.0.0.1:{port}/ (Ctrl-C to stop)", err=True)
        exec_datasette(db_path, "127.0.0.1", port)

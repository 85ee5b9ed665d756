"""Serving the archive with Datasette: the project's plugin, templates and metadata, read-only.

Datasette runs in this process (no temporary metadata file, nothing left behind): the plugin in
``govreports/datasette/plugins`` finds the archive at startup and supplies its metadata (titles, Chinese
labels, units, canned queries, charts, the feed). The archive is opened read-only (``mode=ro``), so a
crawl may write to it while it is served; every page's SQL has a time limit.
"""

from __future__ import annotations

from pathlib import Path

from govreports.archive import SCHEMA_VERSION
from govreports.datasette import PLUGINS_DIR, TEMPLATES_DIR
from govreports.datasette.metadata import datasette_metadata  # noqa: F401  (its home before the plugin)

SQLITE_HEADER = b"SQLite format 3\x00"

# Pages answer within a second or say so; downloads stream under their own limit (downloads.py).
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 500,
    # Suggested facets run a query per column: on the wide table that is hundreds per page view.
    "suggest_facets": False,
    "max_csv_mb": 0,  # a whole table streams as CSV, however large
    "allow_download": False,  # the archive holds every raw document: not a click away
    "default_page_size": 50,
}


class ArchiveError(Exception):
    """The path given is not an archive that can be served."""


def check_archive(db_path: str | Path) -> Path:
    """The archive's path, or ArchiveError saying why it cannot be served: Datasette would otherwise
    create an empty database at a mistyped path, or fail obscurely on a file that is not SQLite."""
    path = Path(db_path)
    if not path.exists():
        raise ArchiveError(f"{path}: no such archive (crawl into it first: govreports crawl --db {path} …)")
    if not path.is_file():
        raise ArchiveError(f"{path}: not a file")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise ArchiveError(f"{path}: not an SQLite database")
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            names = {row[0] for row in conn.execute("select name from sqlite_master")}
            version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"{path}: unreadable SQLite database: {error}") from error
    if "reports" not in names:
        raise ArchiveError(f"{path}: an SQLite database, but not a govreports archive (no reports table)")
    if version < SCHEMA_VERSION:
        # Made by an earlier version: brought up to date once (a write), then served read-only.
        from govreports.archive import open_archive

        open_archive(path).close()
    return path


def _quiet_handled_errors() -> None:
    """Datasette prints every error it answers (a 404, a query past its time limit) as a traceback with
    its locals when `rich` is importable — and wacz brings rich in. That is ~100 KB of log per error, the
    query and its values included, and a server whose output is a pipe nobody reads blocks on it. The
    error page itself is unchanged."""
    import datasette.handle_exception

    datasette.handle_exception.rich = None


def make_datasette(db_path: str | Path, settings: dict[str, str | int | bool] | None = None):
    """A Datasette for the archive with the project's plugin and templates, started up."""
    from datasette.app import SETTINGS as KNOWN_SETTINGS
    from datasette.app import Datasette
    from datasette.cli import check_databases, run_sync

    path = check_archive(db_path)
    _quiet_handled_errors()
    defaults = {setting.name: setting.default for setting in KNOWN_SETTINGS}
    chosen = dict(SETTINGS)
    for name, value in (settings or {}).items():
        if name not in defaults:
            raise ArchiveError(f"unknown Datasette setting {name!r}")
        # Typed like the setting's default, as `datasette --setting` does.
        default = defaults[name]
        chosen[name] = (
            value.lower() in ("1", "on", "true")
            if isinstance(default, bool) and isinstance(value, str)
            else type(default)(value)
        )
    datasette = Datasette(
        [str(path)],
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        settings=chosen,
    )
    run_sync(datasette.invoke_startup)
    run_sync(lambda: check_databases(datasette))
    return datasette


def run_datasette(db_path: str | Path, host: str, port: int, settings: dict[str, str] | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM (uvicorn handles both and shuts down cleanly)."""
    import uvicorn

    datasette = make_datasette(db_path, settings)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")

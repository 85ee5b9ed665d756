"""Serving a static portal directory on 127.0.0.1 — the bundled sample portal, or a test fixture.

Like real GBK portals, a page that declares its charset in a <meta> tag is also served with that
charset in its Content-Type header.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from extract.readers.html import META_CHARSET

SAMPLE_PORTAL = Path(__file__).resolve().parent.parent / "sample_portal" / "site"
SAMPLE_COLUMN = "/zfxxgk/zfxxgknb/index.html"
_MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".pdf": "application/pdf",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class PortalRequestHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **_MEDIA_TYPES}

    def guess_type(self, path: str | Path) -> str:
        media_type = super().guess_type(path)
        if media_type == "text/html":
            with open(path, "rb") as page:
                match = META_CHARSET.search(page.read(4096))
            return f"text/html; charset={match.group(1).decode('ascii') if match else 'utf-8'}"
        return media_type

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # a crawl makes hundreds of requests; the crawler logs them already


class PortalServer:
    """A threaded static server; ``with PortalServer(directory) as server: server.url``."""

    def __init__(self, directory: str | Path = SAMPLE_PORTAL, port: int = 0, host: str = "127.0.0.1") -> None:
        handler = functools.partial(PortalRequestHandler, directory=str(directory))
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> PortalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

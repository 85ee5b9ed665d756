"""Serving a portal on 127.0.0.1 — the bundled sample portal, or a test fixture.

Like real GBK portals, a page that declares its charset in a <meta> tag is also served with that
charset in its Content-Type header. Files carry Last-Modified and ETag and answer conditional GETs
with 304, as real portals' web servers do. Dynamic routes (a CMS's list API answering POST or
``?page=N``) are functions given to the server.

With ``virtual_hosts=True`` one server plays several hosts of a government (``www.qingxi.gov.cn``,
``zfxxgk.qingxi.gov.cn``): a request's Host header picks the site folder ``directory/<host name>/`` and the
routes keyed ``"<host name>/path"``. The crawler reaches such names through ``--resolve NAME:127.0.0.1``.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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


@dataclass
class PortalRequest:
    """What a dynamic route sees of a request."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]  # an url-encoded POST body
    headers: dict[str, str]
    body: str = ""  # the raw POST body (JSON bodies are read from here)


@dataclass
class PortalResponse:
    body: bytes
    media_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[PortalRequest], PortalResponse]


class PortalRequestHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **_MEDIA_TYPES}

    def __init__(
        self, *args, routes: dict[str, Route] | None = None, virtual_hosts: bool = False, **kwargs
    ) -> None:
        self.routes = routes or {}
        self.virtual_hosts = virtual_hosts
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        translated = super().translate_path(path)
        if not self.virtual_hosts:
            return translated
        relative = os.path.relpath(translated, self.directory)
        return os.path.join(self.directory, self._host_name(), relative)

    def _host_name(self) -> str:
        return (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()

    def do_GET(self) -> None:
        if not self._route("GET"):
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._route("HEAD"):
            super().do_HEAD()

    def do_POST(self) -> None:
        if not self._route("POST"):
            self.send_error(405)

    def _route(self, method: str) -> bool:
        parts = urlsplit(self.path)
        route = self.routes.get(parts.path)
        if self.virtual_hosts:
            route = self.routes.get(f"{self._host_name()}{parts.path}", route)
        if route is None:
            return False
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        request = PortalRequest(
            method,
            parts.path,
            parse_qs(parts.query),
            parse_qs(body),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        response = route(request)
        self.send_response(response.status)
        self.send_header("Content-Type", response.media_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(response.body)
        return True

    def send_head(self):
        # ETag beside the base class's Last-Modified, and 304 for a matching If-None-Match.
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            stat = os.stat(path)
            etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None
            self._etag = etag
        return super().send_head()

    def end_headers(self) -> None:
        if etag := getattr(self, "_etag", None):
            self.send_header("ETag", etag)
            self._etag = None
        super().end_headers()

    def guess_type(self, path: str | Path) -> str:
        media_type = super().guess_type(path)
        if media_type == "text/html":
            try:
                with open(path, "rb") as page:
                    match = META_CHARSET.search(page.read(4096))
            except OSError:  # a missing page: the base class answers 404 next
                return media_type
            return f"text/html; charset={match.group(1).decode('ascii') if match else 'utf-8'}"
        return media_type

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # a crawl makes hundreds of requests; the crawler logs them already


class _PortalHTTPServer(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when a crawler opens 8 at once (each costs a 1 s retry).
    request_queue_size = 128


class PortalServer:
    """A threaded static server; ``with PortalServer(directory) as server: server.url``."""

    def __init__(
        self,
        directory: str | Path = SAMPLE_PORTAL,
        port: int = 0,
        host: str = "127.0.0.1",
        routes: dict[str, Route] | None = None,
        virtual_hosts: bool = False,
    ) -> None:
        handler = functools.partial(
            PortalRequestHandler, directory=str(directory), routes=routes, virtual_hosts=virtual_hosts
        )
        self.httpd = _PortalHTTPServer((host, port), handler)
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

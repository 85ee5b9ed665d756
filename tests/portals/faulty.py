"""A portal on a bad night: a TRS-style annual-report column whose pages fail the way real portals do
(portal-patterns.md §I), at configurable rates, deterministic per seed, with the truth of what a crawl
can reach under the crawler's retry policy.

``FaultyPortal(FaultConfig(seed=7, rate=0.3))`` serves, on 127.0.0.1:

- ``/zfxxgk/zfxxgknb/`` (also ``index.html``; ``/zfxxgk/zfxxgknb`` without its slash answers 301 there):
  a column of ``reports`` annual reports and a few notices, ``per_page`` to a page (``index_N.html``,
  TRS's ``createPageHTML`` pager and 「总记录」 count), newest first; each report page links a PDF and
  every third a DOC too (on ``files_host`` when one is set, for tests of one host's pauses).
- Random faults: each list page after the first, report page and attachment (of ``targets``) draws a
  fault with probability ``rate`` from ``kinds``, and how long it lasts (``Fault.lasts``, or ``lasts``):
  ``flaky`` fails the first 1–2 requests of every night (Scrapy's retries get it), ``night`` fails every
  request of night 1 and clears from night 2, ``permanent`` never clears.
  Kinds: ``http_500``, ``http_502``, ``http_503`` (Retry-After on every other), ``http_429`` (always with
  Retry-After), ``http_404``, ``stall`` (answers after ``stall_seconds``, beyond the crawl's timeout),
  ``reset`` (the connection closed with RST), ``truncated`` (Content-Length larger than what is sent),
  ``error_page`` (a 200 「您访问的页面不存在」), ``busy_page`` (a 200 「系统繁忙，请稍后再试」),
  ``challenge`` (加速乐's 200 cookie script), ``challenge_412`` (瑞数 ``$_ts``), ``challenge_521`` (加速乐).
- Fixed faults (``fixed=True``): a report moved with a 301 (its list link is the old address), a report
  whose link loops 302 → 302 → back, an attachment over ``oversize_bytes`` (set the crawl's
  DOWNLOAD_MAXSIZE below it), and list page ``index_1.html`` in GBK served as ``charset=ISO-8859-1``.
- ``waf="jsl" | "rs" | "jsl-521"``: the whole site answers a firewall challenge (a blocked site).

Pages answer conditional GETs (ETag) like real web servers. ``portal.night`` is the night being crawled
(1, 2 …): set it before each run. ``portal.log`` keeps every request (monotonic time, host, path, what
was answered). Truth: ``reachable_reports(night)`` / ``reachable_attachments(night)`` — what a crawl on
that night can fetch, given what earlier nights fetched and left failing — and the ``reports`` themselves.
"""

from __future__ import annotations

import hashlib
import html
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.portals.common import attachment_bytes, report_opening

COLUMN = "/zfxxgk/zfxxgknb/"
AGENCIES = (
    "清河县人民政府",
    "清河县财政局",
    "清河县教育局",
    "清河县卫生健康委员会",
    "清河县自然资源局",
    "清河县市场监督管理局",
)
RETRYABLE = ("http_500", "http_502", "http_503", "http_429", "stall", "reset", "truncated")
NOT_RETRIED = ("http_404", "error_page", "busy_page", "challenge", "challenge_412", "challenge_521")
KINDS = RETRYABLE + NOT_RETRIED
# How long each kind may last: transport and 5xx failures may be flaky (cleared by Scrapy's retries).
_LASTS = {kind: ("flaky", "flaky", "night", "night", "permanent") for kind in RETRYABLE} | {
    "http_404": ("permanent",),
    "error_page": ("night", "permanent"),
    "busy_page": ("night",),
    "challenge": ("night", "night", "permanent"),
    "challenge_412": ("night", "night", "permanent"),
    "challenge_521": ("night", "night", "permanent"),
}
RETRIES = 2  # the crawler's RETRY_TIMES: a flaky fault fails at most this many requests a night


@dataclass(frozen=True)
class Fault:
    kind: str
    lasts: str  # flaky | night | permanent
    times: int = 1  # for flaky: requests failed each night before the answer comes

    def fires(self, night: int, asked: int) -> bool:
        """Does the ``asked``-th request (from 1) of ``night`` fail?"""
        if self.lasts == "flaky":
            return asked <= self.times
        return self.lasts == "permanent" or night == 1

    def blocks(self, night: int) -> bool:
        """Does it keep the URL from a crawl on ``night`` (flaky ones are got by retrying)?"""
        return self.lasts == "permanent" or (self.lasts == "night" and night == 1)


@dataclass
class FaultConfig:
    seed: int = 1
    rate: float = 0.3
    kinds: tuple[str, ...] = KINDS
    targets: tuple[str, ...] = ("list", "report", "attachment")  # what random faults may hit
    lasts: tuple[str, ...] | None = None  # how long random faults last (None: as each kind may)
    fixed: bool = True
    reports: int = 30
    notices: int = 3
    per_page: int = 10
    stall_seconds: float = 4.0
    oversize_bytes: int = 400_000
    retry_after: int = 1
    files_host: str | None = None  # attachments on another host name (resolve it to 127.0.0.1)
    waf: str | None = None  # jsl | rs | jsl-521: every answer a firewall challenge
    latency: float = 0.0  # seconds each report page takes to answer


@dataclass(frozen=True)
class Report:
    number: int
    agency: str
    year: int
    published: str  # ISO date
    attachments: tuple[str, ...]  # paths
    link_path: str  # as the list links it (an old address for the moved report, a loop for another)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    @property
    def path(self) -> str:
        stamp = self.published.replace("-", "")
        return f"{COLUMN}{stamp[:6]}/t{stamp}_{7100 + self.number}.html"


@dataclass
class Logged:
    at: float  # time.monotonic()
    host: str
    path: str
    answer: str  # a status, or the fault


@dataclass
class FaultyPortal:
    config: FaultConfig = field(default_factory=FaultConfig)
    night: int = 1

    def __post_init__(self) -> None:
        self.reports = self._make_reports()
        self.items = self._list_items()
        self.pages = [
            self.items[n : n + self.config.per_page] for n in range(0, len(self.items), self.config.per_page)
        ]
        self.faults = self._fixed_faults() | self._random_faults()
        self.log: list[Logged] = []
        self._asked: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        self.moved = {f"{COLUMN}old/t{r.number}.html": r.path for r in self.reports if "/old/" in r.link_path}
        self.loops = {r.link_path for r in self.reports if "/loop/" in r.link_path}

    # ---------------------------------------------------------------------------------------- content
    def _make_reports(self) -> list[Report]:
        reports = []
        for number in range(self.config.reports):
            agency = AGENCIES[number % len(AGENCIES)]
            year = 2024 - number // len(AGENCIES)
            published = f"{year + 1}-0{1 + number % 3}-{10 + number % 18:02d}"
            attachments = [f"/uploadfiles/{year + 1}/{7100 + number}_0.pdf"]
            if number % 3 == 0:
                attachments.append(f"/uploadfiles/{year + 1}/{7100 + number}_1.doc")
            link = None
            if self.config.fixed and number == 2:
                link = f"{COLUMN}old/t{number}.html"  # moved: 301 to its page
            elif self.config.fixed and number == 4:
                link = f"{COLUMN}loop/t{number}.html"  # 302 → 302 → back here
            if self.config.fixed and number == 6:
                attachments.append(f"/uploadfiles/{year + 1}/{7100 + number}_big.pdf")
            report = Report(number, agency, year, published, tuple(attachments), "")
            reports.append(Report(number, agency, year, published, tuple(attachments), link or report.path))
        return sorted(reports, key=lambda r: (r.published, r.number), reverse=True)

    def _list_items(self) -> list[tuple[str, str, str]]:
        """(link path, title, date) of every item, newest first: the reports and a few notices."""
        items = [(r.link_path, r.title, r.published) for r in self.reports]
        for n in range(self.config.notices):
            year = 2024 - n
            items.append(
                (
                    f"{COLUMN}{year}12/t{year}1205_{9000 + n}.html",
                    f"关于报送{year}年政府信息公开工作年度报告的通知",
                    f"{year}-12-05",
                )
            )
        return sorted(items, key=lambda item: item[2], reverse=True)

    def list_path(self, page: int) -> str:
        return f"{COLUMN}index.html" if page == 0 else f"{COLUMN}index_{page}.html"

    def attachment_url(self, path: str) -> str:
        return f"http://{self.config.files_host}:{{port}}{path}" if self.config.files_host else path

    # ----------------------------------------------------------------------------------------- faults
    def _fixed_faults(self) -> dict[str, Fault]:
        if not self.config.fixed:
            return {}
        big = next(path for r in self.reports for path in r.attachments if path.endswith("_big.pdf"))
        loop = next(r.link_path for r in self.reports if "/loop/" in r.link_path)
        return {big: Fault("oversize", "permanent"), loop: Fault("redirect_loop", "permanent")}

    def _random_faults(self) -> dict[str, Fault]:
        rng = random.Random(self.config.seed)
        paths = [("list", self.list_path(page)) for page in range(1, len(self.pages))]
        for report in sorted(self.reports, key=lambda r: r.number):
            paths += [("report", report.path), *(("attachment", path) for path in report.attachments)]
        faults = {}
        for target, path in paths:
            draw, kind_draw, lasts_draw, times_draw = rng.random(), rng.random(), rng.random(), rng.random()
            if draw >= self.config.rate or target not in self.config.targets or path.endswith("_big.pdf"):
                continue
            kind = self.config.kinds[int(kind_draw * len(self.config.kinds))]
            choices = self.config.lasts or _LASTS[kind]
            lasts = choices[int(lasts_draw * len(choices))]
            faults[path] = Fault(kind, lasts, 1 + int(times_draw * RETRIES))
        return faults

    # ------------------------------------------------------------------------------------------ truth
    def reachable_reports(self, night: int) -> set[str]:
        """Report page paths a crawl has archived after ``night`` (each night's crawl following its
        predecessors'): a report is got on the first night both its list page and its page answer."""
        return {r.path for r in self.reports if self._got_by(r, night) is not None}

    def reachable_attachments(self, night: int) -> set[str]:
        got = set()
        for report in self.reports:
            first = self._got_by(report, night)
            if first is None:
                continue
            for path in report.attachments:
                fault = self.faults.get(path)
                if fault is None or any(not fault.blocks(n) for n in range(first, night + 1)):
                    got.add(path)
        return got

    def _got_by(self, report: Report, night: int) -> int | None:
        """The first night ≤ ``night`` whose crawl archives the report page, or None."""
        page = next(
            n for n, items in enumerate(self.pages) if any(item[0] == report.link_path for item in items)
        )
        for n in range(1, night + 1):
            listed = any(self._list_walked(page, m) for m in range(1, n + 1))
            if listed and not self._blocked(report.link_path, n) and not self._blocked(report.path, n):
                return n
        return None

    def _list_walked(self, page: int, night: int) -> bool:
        """Does the crawl of ``night`` reach list page ``page``? Only through every page before it."""
        return not any(self._blocked(self.list_path(n), night) for n in range(1, page + 1))

    def _blocked(self, path: str, night: int) -> bool:
        if self.config.waf:
            return True
        fault = self.faults.get(path)
        return fault is not None and fault.blocks(night)

    # ---------------------------------------------------------------------------------------- serving
    def asked(self, path: str) -> int:
        """Count a request for ``path`` tonight; returns its number (from 1)."""
        with self._lock:
            key = (self.night, path)
            self._asked[key] = self._asked.get(key, 0) + 1
            return self._asked[key]

    def answer(self, path: str) -> Answer:
        if self.config.waf:
            return _challenge(self.config.waf)
        if path == "/robots.txt":
            return Answer(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == COLUMN.rstrip("/"):
            return Answer(301, b"", headers={"Location": COLUMN})
        if path in self.moved:
            return Answer(301, b"", headers={"Location": self.moved[path]})
        if path in self.loops:
            return Answer(302, b"", headers={"Location": path.replace("/loop/", "/loop2/")})
        if path.replace("/loop2/", "/loop/") in self.loops:
            return Answer(302, b"", headers={"Location": path.replace("/loop2/", "/loop/")})
        fault = self.faults.get(path)
        if (
            fault is None
            or fault.kind in ("oversize", "redirect_loop")
            or not fault.fires(self.night, self.asked(path))
        ):
            return self._page(path)
        if fault.kind in ("stall", "truncated"):  # the page itself, late or cut short by the handler
            page = self._page(path)
            page.fault = fault.kind
            return page
        return self._fault_answer(fault)

    def _page(self, path: str) -> Answer:
        if path in (COLUMN, f"{COLUMN}index.html"):
            return self._list_page(0)
        for page in range(1, len(self.pages)):
            if path == self.list_path(page):
                return self._list_page(page)
        for report in self.reports:
            if path == report.path:
                if self.config.latency:
                    time.sleep(self.config.latency)
                return Answer(200, _report_page(report, self.attachment_url).encode("utf-8"))
            if path in report.attachments:
                size = self.config.oversize_bytes if path.endswith("_big.pdf") else 0
                body = attachment_bytes(path, report.title)
                return Answer(200, body + b"\0" * max(size - len(body), 0), _media_type(path))
        if any(path == item[0] for item in self.items):
            return Answer(200, _notice_page(path).encode("utf-8"))
        return Answer(404, b"<html><body>404 Not Found</body></html>")

    def _list_page(self, page: int) -> Answer:
        markup = _list_page(self.pages[page], page, len(self.pages), len(self.items))
        if self.config.fixed and page == 1:  # GBK bytes, a header that says Latin-1
            return Answer(
                200,
                markup.replace('charset="utf-8"', 'charset="gbk"').encode("gbk"),
                "text/html; charset=ISO-8859-1",
            )
        return Answer(200, markup.encode("utf-8"))

    def _fault_answer(self, fault: Fault) -> Answer:
        kind = fault.kind
        if kind == "http_429":
            return Answer(
                429, b"Too Many Requests", "text/plain", {"Retry-After": str(self.config.retry_after)}
            )
        if kind == "http_503":
            retry = {"Retry-After": str(self.config.retry_after)} if fault.times == 1 else {}
            return Answer(503, b"<html><body>Service Unavailable</body></html>", headers=retry)
        if kind.startswith("http_"):
            return Answer(int(kind[5:]), f"<html><body>{kind[5:]}</body></html>".encode())
        if kind == "error_page":
            return Answer(200, _error_page("您访问的页面不存在或已被删除").encode("utf-8"))
        if kind == "busy_page":
            return Answer(200, _error_page("系统繁忙，请稍后再试").encode("utf-8"))
        if kind.startswith("challenge"):
            return _challenge({"challenge": "jsl", "challenge_412": "rs", "challenge_521": "jsl-521"}[kind])
        return Answer(200, b"", fault=kind)  # reset: the handler acts it out

    # --------------------------------------------------------------------------------------- server
    def serve(self) -> FaultyServer:
        return FaultyServer(self)


@dataclass
class Answer:
    status: int
    body: bytes
    media_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # stall | reset | truncated


class _Handler(BaseHTTPRequestHandler):
    portal: FaultyPortal
    server_port: int

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        path = urlsplit(self.path).path
        answer = self.portal.answer(path)
        body = answer.body.replace(b"{port}", str(self.server_port).encode())
        etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
        unchanged = answer.status == 200 and not answer.fault and self.headers.get("If-None-Match") == etag
        self.portal.log.append(
            Logged(time.monotonic(), host, path, "304" if unchanged else answer.fault or str(answer.status))
        )
        if answer.fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if answer.fault == "stall":
            time.sleep(self.portal.config.stall_seconds)
        if unchanged:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.media_type)
        length = len(body) * 2 + 100 if answer.fault == "truncated" else len(body)
        self.send_header("Content-Length", str(length))
        if answer.status == 200:
            self.send_header("ETag", etag)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if answer.fault == "truncated" else body)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # a connection this handler reset, or the crawler gave up on

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


class _QuietServer(ThreadingHTTPServer):
    request_queue_size = 128  # a crawler opens 8 connections at once

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up on a stalled answer, or a connection reset on purpose


class FaultyServer:
    """``with FaultyPortal(config).serve() as server: server.url``."""

    def __init__(self, portal: FaultyPortal, host: str = "127.0.0.1") -> None:
        handler = type("Handler", (_Handler,), {"portal": portal})
        self.httpd = _QuietServer((host, 0), handler)
        handler.server_port = self.httpd.server_address[1]
        self.portal = portal
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def column(self) -> str:
        return self.url + COLUMN

    def __enter__(self) -> FaultyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ------------------------------------------------------------------------------------------- markup
def _list_page(items: list[tuple[str, str, str]], page: int, pages: int, total: int) -> str:
    rows = "\n".join(
        f'<li><a href="{path}" target="_blank" title="{html.escape(title)}">{html.escape(title)}</a><span>{date}</span></li>'
        for path, title, date in items
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政府信息公开年报_清河县人民政府</title>
<meta name="ColumnName" content="政府信息公开年报"></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/zfxxgk/">政府信息公开</a> &gt; 政府信息公开年报</div>
<div class="list-box"><div class="list-title"><h2>政府信息公开年报</h2></div>
<ul class="list">
{rows}
</ul>
<div class="page">
<!--wcm分页，总记录：{total}-->
<script>createPageHTML({pages}, {page}, "index", "html");</script>
</div></div>
<div class="footer"><p>主办：清河县人民政府办公室　版权所有：清河县人民政府</p></div>
</body></html>
"""


def _report_page(report: Report, attachment_url) -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in report_opening(report.agency, report.year))
    body = (
        "<p>一、总体情况</p><p>"
        + f"{report.year}年，{report.agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外。"
        * 4
        + "</p>"
    )
    links = "".join(
        f'<p><a href="{attachment_url(path)}">附件{n + 1}：{html.escape(report.title)}{path[path.rindex(".") :]}</a></p>'
        for n, path in enumerate(report.attachments)
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(report.title)}</title>
<meta name="ArticleTitle" content="{html.escape(report.title)}"><meta name="PubDate" content="{report.published} 09:00">
<meta name="ContentSource" content="{report.agency}"></head>
<body><div class="article"><h1>{html.escape(report.title)}</h1>
<div class="content">{paragraphs}{body}</div>
<div class="attachments">{links}</div></div>
<div class="footer"><p>版权所有：清河县人民政府</p></div></body></html>
"""


def _notice_page(path: str) -> str:
    text = "请各单位按时报送政府信息公开工作年度报告。" * 10
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>通知</title></head><body><p>{text}</p></body></html>"


def _error_page(message: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head>
<body><div class="error"><h2>{message}</h2><p><a href="/">返回首页</a></p></div></body></html>"""


def _challenge(waf: str) -> Answer:
    """A firewall's first answer: a script that sets a cookie and reloads (never run by the crawler)."""
    if waf == "rs":
        script = '<script>$_ts=window["$_ts"];if(!$_ts)$_ts={};$_ts.nsd=84711;$_ts.cd="qEkcrrA";</script>'
        return Answer(
            412,
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">{script}</head><body></body></html>'.encode(),
        )
    script = (
        "<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')"
        "+('n')+('c')+('e')+('_')+('s')+('=')+(-~[]+'')+'6'+';max-age=3600;path=/';"
        "location.href=location.pathname+location.search</script>"
    )
    return Answer(521 if waf == "jsl-521" else 200, f"<html><body>{script}</body></html>".encode())


def _media_type(path: str) -> str:
    return "application/pdf" if path.endswith(".pdf") else "application/msword"

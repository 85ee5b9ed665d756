"""Downloader middlewares for portals on a bad night: redirect loops, 429/503 with Retry-After, and
200 answers that are not documents (error pages, firewall challenges) or lie about their charset.

Their places in DOWNLOADER_MIDDLEWARES (crawler/settings.py) matter: responses pass middlewares from the
highest number down, so the loop check (610) sees a 3xx before Scrapy's RedirectMiddleware (600) follows
it, and the pause (555) sees a 429 before Scrapy's RetryMiddleware (550) asks again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from time import monotonic
from urllib.parse import urljoin

from scrapy import Request
from scrapy.http import Response
from w3lib.url import safe_url_string

from crawler.charsets import page_charset
from crawler.failures import RedirectLoop, retry_after_seconds
from crawler.verdicts import page_verdict

_REDIRECTS = {301, 302, 303, 307, 308}
# Answers that tell a client to slow down: the host is paused, not only the request retried.
_SLOW_DOWN = {429, 503}
# A slot with no download delay never waits (Scrapy skips the check): a pause gives it this one.
_MIN_DELAY = 0.001
_TEXT_TYPES = ("html", "text/", "xml", "json", "javascript")


class RedirectLoopMiddleware:
    """A redirect to a URL the request already passed through is a loop: failed as ``redirect_loop``
    (the request's errback records it) instead of followed until REDIRECT_MAX_TIMES."""

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status not in _REDIRECTS or not location or request.meta.get("dont_redirect"):
            return response
        target = _without_fragment(urljoin(request.url, safe_url_string(location)))
        passed = [*request.meta.get("redirect_urls", ()), request.url]
        if target in {_without_fragment(url) for url in passed}:
            raise RedirectLoop(f"redirect loop: {' → '.join([*passed, target])}")
        return response


class RetryAfterMiddleware:
    """A 429 or 503 pauses its host — Scrapy's downloader slot, so other hosts go on — for the
    Retry-After the server asked (capped at RETRY_AFTER_MAX), or RETRY_AFTER_DEFAULT when it named none.
    RetryMiddleware then asks again, and the request waits in the slot with every other one of its host."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.default = crawler.settings.getfloat("RETRY_AFTER_DEFAULT")
        self.cap = crawler.settings.getfloat("RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in _SLOW_DOWN:
            asked = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
            self.pause(request, min(asked if asked is not None else self.default, self.cap))
        return response

    def pause(self, request: Request, seconds: float) -> None:
        slot = self.crawler.engine.downloader.slots.get(request.meta.get("download_slot"))
        if slot is None or seconds <= 0:
            return
        slot.delay = max(slot.delay, _MIN_DELAY)
        # The slot waits until ``lastseen + delay`` before its next download.
        slot.lastseen = max(slot.lastseen, monotonic() + seconds)
        self.crawler.stats.inc_value("govreports/host_paused")
        self.crawler.stats.max_value("govreports/host_paused_max_seconds", seconds)


class NotADocumentMiddleware:
    """Reads each text answer once, in the charset its bytes are in (crawler/charsets.py), and marks the
    request when the answer is an error page or a firewall challenge (crawler/verdicts.py):
    ``meta["charset"]`` = (codec, note when it overrules the declared one), ``meta["verdict"]``."""

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in _REDIRECTS or response.status == 304:
            return response
        text = None
        if _is_text(response):
            charset, note = page_charset(response.body, _header(response, "Content-Type"))
            request.meta["charset"] = (charset, note)
            text = response.body.decode(charset, errors="replace")
        verdict = page_verdict(response.status, text)
        if verdict is not None:
            request.meta["verdict"] = verdict
        return response


def _is_text(response: Response) -> bool:
    media_type = (_header(response, "Content-Type") or "").lower()
    if media_type:
        return any(kind in media_type for kind in _TEXT_TYPES)
    return response.body[:1024].lstrip()[:1] == b"<"


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]

"""Drawing a page in a headless browser, for lists that only JavaScript builds.

Some columns hold an empty ``<ul>`` and a script that fetches the list from an API no adapter knows
(shared/docs/portal-patterns.md, section H: 「lists drawn only by JavaScript from an API no adapter
knows」). For those the spider asks scrapy-playwright to load the page in Debian's chromium, waits until
the script has drawn its list, and reads the rendered DOM with the ``generic`` adapter.

The spider asks for a rendering with ``scrapy.Request(url, meta={**render_meta(), …})`` and first checks
``rendering_available(crawler.settings)`` (``rendering_problem`` says why not), so a machine without
chromium records 「could not render」 instead of failing the crawl.

A browser costs seconds and hundreds of MB, so it is paid for only where a page is rendered:

- ``RenderingDownloadHandler`` is scrapy-playwright's handler, which serves every request without
  ``meta["playwright"]`` through Scrapy's own HTTP/1.1 handler (it subclasses it), except that it
  starts Playwright's driver on the first request that asks for rendering. scrapy-playwright 0.0.48
  launches chromium lazily, but starts a driver (a node process, ~90 MB) at engine start for every
  handler instance — one for ``http`` and one for ``https``, per crawler — whether anything is rendered
  or not: measured here, 8 crawlers that rendered nothing ran 16 drivers (1.2 GB) and took 5–6 s
  instead of under 1.5 s.
- ``SharedBrowserProvider`` gives every handler of the process one driver and one chromium (one browser
  context per crawler, so cookies stay apart) and closes them when the last handler closes: 8 crawlers
  rendering a page each used 0.6 GB in 4 s, where the stock handler ran 16 drivers and 8 browsers
  (2.2 GB, 11 s).

Requests the page itself makes (scripts, the list API) come from chromium: they carry our User-Agent
but are not checked against robots.txt nor counted by Scrapy's throttling; images, media and fonts are
not fetched at all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from typing import Any

from playwright._impl._errors import TargetClosedError
from playwright.async_api import PlaywrightContextManager
from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy import signals
from scrapy.exceptions import NotSupported
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.headers import use_scrapy_headers
from scrapy_playwright.page import PageMethod

logger = logging.getLogger(__name__)

# How long the page's scripts get to draw the list, in ms: the network going quiet, then the DOM.
NETWORK_IDLE_TIMEOUT_MS = 10_000
DOM_QUIET_MS = 300
DOM_QUIET_TIMEOUT_MS = 3_000
# Resources that never change the DOM's links: not asked of the portal at all.
SKIPPED_RESOURCE_TYPES = frozenset({"image", "media", "font"})
# A rendered list is as fresh as the API reply the script read, not as the page shell: never ask the
# shell conditionally (a 304 would leave nothing to draw and hide a changed list).
_CONDITIONAL_HEADERS = frozenset({"if-none-match", "if-modified-since"})

# Resolves once no DOM mutation has happened for `quiet` ms, or after `limit` ms.
_DOM_QUIET_SCRIPT = """([quiet, limit]) => new Promise((resolve) => {
  let timer = setTimeout(done, quiet);
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
  const cap = setTimeout(done, limit);
  function done() { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(true); }
  observer.observe(document.documentElement, {childList: true, subtree: true, attributes: true});
})"""


def render_meta(idle_ms: int = NETWORK_IDLE_TIMEOUT_MS) -> dict[str, Any]:
    """Request meta asking scrapy-playwright to draw the page and wait until its script has drawn it
    (at most ``idle_ms`` for the network to go quiet, then at most DOM_QUIET_TIMEOUT_MS for the DOM).

    A fresh dict each call (scrapy-playwright stores results on the PageMethod objects); everything in
    it pickles, so rendered requests survive a JOBDIR queue.
    """
    return {
        "playwright": True,
        # "load": the page's own scripts have run; settle() then waits for what they fetch and draw.
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        "playwright_page_methods": [PageMethod(settle, idle_ms)],
    }


async def settle(page, idle_ms: int = NETWORK_IDLE_TIMEOUT_MS) -> None:
    """Wait until the network is idle (bounded: pages that poll never are), then until the DOM is quiet
    (a script may draw after its last reply, e.g. from a timer)."""
    try:
        await page.wait_for_load_state("networkidle", timeout=idle_ms)
    except PlaywrightTimeout:
        logger.info(
            "rendering %s: network still busy after %d ms, reading the page as it is", page.url, idle_ms
        )
    await page.evaluate(_DOM_QUIET_SCRIPT, [DOM_QUIET_MS, DOM_QUIET_TIMEOUT_MS])


def chromium_path(settings: BaseSettings) -> str | None:
    """The browser the settings launch (None when they connect to a remote one or use Playwright's own)."""
    options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    return options.get("executable_path")


def rendering_problem(settings: BaseSettings) -> str | None:
    """Why pages cannot be rendered with these settings (None when they can)."""
    if not settings.getbool("RENDER_JS"):
        return "rendering is switched off (RENDER_JS = False)"
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        path = handlers.get(scheme)
        try:
            handler = load_object(path) if isinstance(path, str) else path
        except (ImportError, NameError, ValueError) as error:
            return f"the {scheme} download handler {path!r} does not load ({error})"
        if not (isinstance(handler, type) and issubclass(handler, ScrapyPlaywrightDownloadHandler)):
            return f"the {scheme} download handler is not scrapy-playwright's ({path!r})"
    if settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL"):
        return None  # a remote browser: whether it answers shows at the first rendering
    executable = chromium_path(settings)
    if not executable:
        return "no browser configured (PLAYWRIGHT_LAUNCH_OPTIONS has no executable_path)"
    found = shutil.which(executable)
    if not found or not os.access(found, os.X_OK):
        return f"no browser at {executable} (apt-get install chromium, or set GOVREPORTS_CHROMIUM)"
    return None


def rendering_available(settings: BaseSettings) -> bool:
    return rendering_problem(settings) is None


def host_resolver_rules(addresses: dict[str, str]) -> str:
    """chromium's --host-resolver-rules for the HOST_ADDRESSES table (crawler/resolver.py)."""
    return ", ".join(f"MAP {name} {address}" for name, address in sorted(addresses.items()))


# --- scrapy-playwright hooks (named in crawler/settings.py) ---------------------------------------------


async def browser_headers(*, browser_type_name: str, playwright_request, scrapy_request_data: dict) -> dict:
    """scrapy-playwright's own header policy (Scrapy's headers for the page, its User-Agent for every
    request the page makes), minus conditional headers: see _CONDITIONAL_HEADERS."""
    headers = await use_scrapy_headers(
        browser_type_name=browser_type_name,
        playwright_request=playwright_request,
        scrapy_request_data=scrapy_request_data,
    )
    return {name: value for name, value in headers.items() if name.lower() not in _CONDITIONAL_HEADERS}


def skip_resource(playwright_request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, media and fonts are not fetched (the list's links need none)."""
    return playwright_request.resource_type in SKIPPED_RESOURCE_TYPES


# --- One driver and one browser per process -------------------------------------------------------------


@dataclass
class _Shared:
    users: int = 0
    manager: Any = None  # playwright's PlaywrightContextManager
    playwright: Any = None
    browser: Any = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class SharedBrowserProvider:
    """PLAYWRIGHT_BROWSER_PROVIDER: every handler with the same launch options gets the same driver and
    browser. Handlers are per crawler and per scheme; a process crawls many sources at once."""

    _shared: dict[str, _Shared] = {}

    def __init__(self, config) -> None:
        self.config = config
        self.key = json.dumps(
            [config.browser_type_name, config.launch_options, config.cdp_url, config.connect_url],
            sort_keys=True,
            default=str,
        )
        self.shared: _Shared | None = None
        self.playwright = None

    async def start(self) -> None:
        shared = self._shared.setdefault(self.key, _Shared())
        async with shared.lock:
            if shared.playwright is None:
                shared.manager = PlaywrightContextManager()
                shared.playwright = await shared.manager.start()
            shared.users += 1
        self.shared, self.playwright = shared, shared.playwright

    @property
    def browser_type(self):
        return getattr(self.playwright, self.config.browser_type_name)

    async def launch_browser(self):
        shared = self._require()
        async with shared.lock:
            if shared.browser is None or not shared.browser.is_connected():
                shared.browser = await self._launch()
            return shared.browser

    async def _launch(self):
        if self.config.cdp_url:
            return await self.browser_type.connect_over_cdp(self.config.cdp_url, **self.config.cdp_kwargs)
        if self.config.connect_url:
            return await self.browser_type.connect(self.config.connect_url, **self.config.connect_kwargs)
        logger.info(
            "launching %s (%s)",
            self.config.browser_type_name,
            self.config.launch_options.get("executable_path"),
        )
        return await self.browser_type.launch(**self.config.launch_options)

    async def launch_persistent_context(self, context_kwargs: dict):
        return await self.browser_type.launch_persistent_context(**context_kwargs)

    async def close(self) -> None:
        shared, self.shared = self.shared, None
        if shared is None:
            return
        async with shared.lock:
            shared.users -= 1
            if shared.users > 0:
                return
            self._shared.pop(self.key, None)
            if shared.browser is not None and shared.browser.is_connected():
                await shared.browser.close()
            await shared.manager.__aexit__()

    def _require(self) -> _Shared:
        if self.shared is None:
            raise RuntimeError("start() must be awaited before launch_browser()")
        return self.shared


class RenderingDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, started on the first request that asks for rendering (not at engine
    start), refusing such requests with a reason when rendering is off or no browser is installed."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        # The stock handler starts Playwright's driver when the engine starts, rendering or not.
        for method in ("_maybe_launch_in_thread", "_engine_started"):
            if hasattr(self, method):
                crawler.signals.disconnect(getattr(self, method), signals.engine_started)
        self.problem = rendering_problem(crawler.settings)
        self._start_lock = asyncio.Lock()
        # Names the crawl answers without DNS (--resolve): chromium must reach the same addresses.
        if rules := host_resolver_rules(crawler.settings.getdict("HOST_ADDRESSES")):
            options = self.config.launch_options
            options["args"] = [*options.get("args", []), f"--host-resolver-rules={rules}"]

    async def download_request(self, request):
        if request.meta.get("playwright"):
            if self.problem:
                raise NotSupported(f"could not render {request.url}: {self.problem}")
            await self._ensure_started()
        return await super().download_request(request)

    async def _ensure_started(self) -> None:
        async with self._start_lock:
            if getattr(self, "browser_provider", None) is None:
                try:
                    await self._maybe_future_from_coro(self._launch())
                except Exception:
                    self.__dict__.pop("browser_provider", None)  # the next rendering tries again
                    raise

    async def _close(self) -> None:
        """Close this handler's contexts; the browser is the provider's to close (it may be shared)."""
        try:
            await asyncio.gather(*[ctx.context.close() for ctx in self.context_wrappers.values()])
        except TargetClosedError:
            pass
        self.context_wrappers.clear()
        browser = getattr(self, "browser", None)
        if browser is not None:
            browser.remove_listener("disconnected", self._browser_disconnected_callback)
            del self.browser
        if getattr(self, "browser_provider", None) is not None:
            await self.browser_provider.close()

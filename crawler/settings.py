"""Scrapy settings: politeness lives here, not in spiders."""

import os

BOT_NAME = "govreports"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves; operators of real portals can reach us through the contact URL. Set
# GOVREPORTS_CONTACT_URL (or `govreports crawl --contact-url`) to your own page before crawling.
CONTACT_URL = "https://github.com/govreports/govreports"
# ASCII only: requests followed from a GBK page encode their headers as GB18030, and Scrapy's
# robots.txt check then fails to decode a non-ASCII User-Agent.
USER_AGENT_TEMPLATE = "govreports/0.1 (+{contact}; archive of government disclosure annual reports)"
USER_AGENT = USER_AGENT_TEMPLATE.format(contact=CONTACT_URL)

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Crawls of 127.0.0.1 (tests, the demo) drop the delay and the throttle; True keeps them as for real
# portals (bench/fleet.py measures a fleet of loopback portals under the real politeness).
LOOPBACK_POLITE = False
# Sources crawled at once by one process (crawler/runner.py): the next starts when one finishes. Each
# source is a crawler of its own; with the download delay above, 100 busy hosts keep 2 cores busy.
CONCURRENT_SOURCES = 100
# Outputs of one response processed at once: Scrapy starts this many tasks for every response, and a page
# yields a few dozen links at most (100, Scrapy's default, cost 40 % of a thousand-portal crawl's CPU).
CONCURRENT_ITEMS = 16
RETRY_TIMES = 2
# A 429 or 503 pauses its host for the Retry-After asked (at most RETRY_AFTER_MAX seconds), or for
# RETRY_AFTER_DEFAULT when none was named (crawler/middlewares.py).
RETRY_AFTER_DEFAULT = 10.0
RETRY_AFTER_MAX = 120.0
# Moves are followed (a column's new address, a trailing slash); a loop fails at once (redirect_loop).
REDIRECT_MAX_TIMES = 5
# What failed is asked again on later runs (fetch_failures, crawler/failures.py): after 12 h, then 24 h,
# 48 h … at most 4 days; judged gone after 6 failed runs, or 2 for a 404/410 or an oversize file.
FAILED_RETRY_BACKOFF = 12 * 3600
FAILED_RETRY_BACKOFF_MAX = 4 * 24 * 3600
FAILED_GONE_AFTER = 6
FAILED_GONE_AFTER_404 = 2
DOWNLOAD_TIMEOUT = 60
# Reports are rarely over a few MB; scanned PDFs can reach tens. Larger responses are dropped.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
ARCHIVE_PATH = "archive.db"

# Recrawls: conditional GETs, no refetching of archived documents, stop at the first known list page.
# Responses pass from the highest number down: loops are caught before RedirectMiddleware (600) follows
# them, and a 429 pauses its host before RetryMiddleware (550) asks again.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.RedirectLoopMiddleware": 610,
    "crawler.middlewares.NotADocumentMiddleware": 570,
    "crawler.incremental.ConditionalGetMiddleware": 560,
    "crawler.middlewares.RetryAfterMiddleware": 555,
}
SPIDER_MIDDLEWARES = {"crawler.incremental.IncrementalMiddleware": 560}
# True: ask again for every archived report and attachment (conditionally), to catch changed versions.
REVALIDATE = False
EXTENSIONS = {"crawler.runs.CrawlRunRecorder": 500}

# Rendering (crawler/rendering.py): pages whose list only JavaScript draws are loaded in Debian's chromium
# through scrapy-playwright when a request's meta says "playwright". Every other request goes through
# Scrapy's own HTTP/1.1 handler unchanged, and no browser (nor Playwright's driver) starts until a page
# is rendered; all crawlers of a process share one driver and one chromium.
RENDER_JS = True  # False: never render (the spider then reports 「could not render」)
DOWNLOAD_HANDLERS = {
    "http": "crawler.rendering.RenderingDownloadHandler",
    "https": "crawler.rendering.RenderingDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_BROWSER_PROVIDER = "crawler.rendering.SharedBrowserProvider"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    # Playwright's own browser download does not work here: use the distribution's chromium.
    "executable_path": os.environ.get("GOVREPORTS_CHROMIUM", "/usr/bin/chromium"),
    "args": [
        "--headless",
        "--no-sandbox",  # root in containers; the pages are government portals' own
        "--disable-gpu",
        "--disable-background-networking",  # no calls home to Google from a crawler
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ],
    "timeout": 30_000,  # ms to start the browser
}
# A crawler renders a column page or two: one page at a time per crawler bounds the memory.
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 1
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000  # ms, as DOWNLOAD_TIMEOUT bounds plain requests
# Images, media and fonts draw no links: not asked of the portal.
PLAYWRIGHT_ABORT_REQUEST = "crawler.rendering.skip_resource"
# Our User-Agent on every request the page makes; the page shell is never asked conditionally.
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = "crawler.rendering.browser_headers"

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

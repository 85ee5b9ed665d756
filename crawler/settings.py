"""Scrapy settings: politeness lives here, not in spiders."""

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
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60
# Reports are rarely over a few MB; scanned PDFs can reach tens. Larger responses are dropped.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
ARCHIVE_PATH = "archive.db"

# Recrawls: conditional GETs, no refetching of archived documents, stop at the first known list page.
DOWNLOADER_MIDDLEWARES = {"crawler.incremental.ConditionalGetMiddleware": 560}
SPIDER_MIDDLEWARES = {"crawler.incremental.IncrementalMiddleware": 560}
# True: ask again for every archived report and attachment (conditionally), to catch changed versions.
REVALIDATE = False
EXTENSIONS = {"crawler.runs.CrawlRunRecorder": 500}

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

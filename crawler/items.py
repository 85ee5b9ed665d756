"""What flows from spiders to the archive pipeline."""

import scrapy


class FetchedDocument(scrapy.Item):
    """One response, kept whole: the archive stores its bytes so extraction can be re-run."""

    url = scrapy.Field()
    status = scrapy.Field()  # 304: a conditional GET found the archived version current
    media_type = scrapy.Field()
    body = scrapy.Field()
    fetched_at = scrapy.Field()
    kind = scrapy.Field()  # list | report_page | attachment | discovery
    referer = scrapy.Field()  # the page that linked to it
    link_title = scrapy.Field()  # the link's title on that page
    report_year = scrapy.Field()  # for a report page: the year its link's title says it covers
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    requested_url = scrapy.Field()  # the URL asked for, when redirects led to ``url``
    attempts = scrapy.Field()  # requests this run spent on it (Scrapy's retries included)
    # error_page | blocked: a response that is not the document (crawler/verdicts.py); None otherwise
    outcome = scrapy.Field()
    outcome_detail = scrapy.Field()
    transient = scrapy.Field()  # for an error page: one that says to come back later (「系统繁忙」)
    retry_after = scrapy.Field()  # seconds a 429/503 asked to wait
    charset_note = scrapy.Field()  # the bytes' charset overruled the declared one (crawler/charsets.py)
    attachments = scrapy.Field()  # for a report page: (url, title) of the attachments it links


class FailedFetch(scrapy.Item):
    """A request that got no usable response (timeout, reset, truncated body, size cap, redirect loop …):
    recorded in fetch_failures and asked for again on a later run."""

    url = scrapy.Field()  # as asked for
    final_url = scrapy.Field()  # where redirects had led, when they had
    kind = scrapy.Field()
    referer = scrapy.Field()
    link_title = scrapy.Field()
    reason = scrapy.Field()  # crawler/failures.py: timeout, transport, truncated, size_cap, redirect_loop …
    detail = scrapy.Field()
    attempts = scrapy.Field()


class DiscoveredColumn(scrapy.Item):
    """An annual-report column found from a portal's home or 政府信息公开 page."""

    url = scrapy.Field()
    title = scrapy.Field()
    cms = scrapy.Field()  # the list adapter family that reads it
    depth = scrapy.Field()  # links followed from the start page


class ListPageRead(scrapy.Item):
    """What one page (or API reply) of a column's list showed: the crawl's record of how much it reached.

    The run recorder adds these up per column, beside what the list announced, to tell a complete crawl
    from a partial one (crawler/completeness.py).
    """

    column = scrapy.Field()  # the column page's URL: every page of one list carries the same
    cms = scrapy.Field()
    url = scrapy.Field()  # this page's URL
    status = scrapy.Field()  # HTTP status; 304 means unchanged since the last run
    announced = scrapy.Field()  # the item count the list states, if it states one
    items = scrapy.Field()  # URLs of the list's items on this page
    reports = scrapy.Field()  # URLs of the items that are annual reports
    unfollowed = scrapy.Field()  # a paging mechanism no adapter followed, described
    rendered = scrapy.Field()  # True when this page was drawn in a browser
    failure = scrapy.Field()  # why the page gave no list: timeout, error_page, blocked … (None: it did)
    report_links = scrapy.Field()  # (url, title) of its reports, kept pending until they are fetched


class SkippedLink(scrapy.Item):
    """A link towards a column or a report on a site outside the source's registrable domain."""

    url = scrapy.Field()
    title = scrapy.Field()

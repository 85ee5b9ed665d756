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


class SkippedLink(scrapy.Item):
    """A link towards a column or a report on a site outside the source's registrable domain."""

    url = scrapy.Field()
    title = scrapy.Field()

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

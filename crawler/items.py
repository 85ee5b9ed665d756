"""What flows from spiders to the archive pipeline."""

import scrapy


class FetchedDocument(scrapy.Item):
    """One response, kept whole: the archive stores its bytes so extraction can be re-run."""

    url = scrapy.Field()
    status = scrapy.Field()
    media_type = scrapy.Field()
    body = scrapy.Field()
    fetched_at = scrapy.Field()
    kind = scrapy.Field()  # list | report_page | attachment
    referer = scrapy.Field()  # the page that linked to it
    link_title = scrapy.Field()  # the link's title on that page

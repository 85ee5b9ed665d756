"""The Scrapy project: spiders find and fetch reports; the pipeline stores raw responses in the archive."""

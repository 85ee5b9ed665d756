"""Which adapter reads a column: the source's ``cms`` when given, otherwise detection, most specific first."""

from __future__ import annotations

from crawler.cms import Adapter, ListResponse, ewb, generic, gkmlpt, hanweb, jpaas, trs, trs_search

# Tried in this order; generic accepts anything, so it comes last.
# trs-search before trs: its column pages are TRS pages that also configure a search API.
ADAPTERS: tuple[Adapter, ...] = (hanweb, gkmlpt, jpaas, ewb, trs_search, trs, generic)
# Families whose column page may show no items itself: its list comes from the CMS's API.
LISTED_BY_API: tuple[Adapter, ...] = (hanweb, gkmlpt, jpaas, ewb, trs_search)


def adapter_named(name: str) -> Adapter:
    for adapter in ADAPTERS:
        if adapter.name == name:
            return adapter
    raise ValueError(f"unknown CMS family {name!r}: one of {', '.join(a.name for a in ADAPTERS)}")


def detect_adapter(response: ListResponse) -> Adapter:
    return next(adapter for adapter in ADAPTERS if adapter.detect(response))

"""Which adapter reads a column: the source's ``cms`` when given, otherwise detection, most specific first."""

from __future__ import annotations

from crawler.cms import Adapter, ListResponse, generic, gkmlpt, hanweb, trs

# Tried in this order; generic accepts anything, so it comes last.
ADAPTERS: tuple[Adapter, ...] = (hanweb, gkmlpt, trs, generic)
# Families whose column page shows no items itself: its list comes from the CMS's API.
LISTED_BY_API: tuple[Adapter, ...] = (hanweb, gkmlpt)


def adapter_named(name: str) -> Adapter:
    for adapter in ADAPTERS:
        if adapter.name == name:
            return adapter
    raise ValueError(f"unknown CMS family {name!r}: one of {', '.join(a.name for a in ADAPTERS)}")


def detect_adapter(response: ListResponse) -> Adapter:
    return next(adapter for adapter in ADAPTERS if adapter.detect(response))

"""List adapters for the CMS families of Chinese government portals.

An adapter reads one response of an annual-report column — a list page, or the reply of the column's
list API — and says what it lists and where the next page of the list is. Adapters are pure functions of
the response (URL, decoded text, raw bytes): no network and no Scrapy objects, so each can be tested on
a fixture's bytes alone. The spider turns their answers into requests; the incremental middleware
decides whether the next page is worth fetching.

Families (see shared/docs/portal-patterns.md): ``trs`` (TRS WCM static pages, createPageHTML),
``hanweb`` (大汉 JCMS: records embedded in the column page, then POST /module/web/jpage/dataproxy.jsp),
``gkmlpt`` (a JSON list API, /gkmlpt/api/all/{id}?page=N), and ``generic`` (same-site links whose text
looks like a report, and a 下一页 link).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ListedLink:
    """One item a list shows: its absolute URL, its title as the list prints it, and its date if shown."""

    url: str
    title: str
    published: str | None = None  # ISO date


@dataclass(frozen=True)
class ListRequest:
    """A further page of the same list, as the CMS wants it asked for."""

    url: str
    method: str = "GET"
    body: str | None = None  # url-encoded form body for POST
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ListPage:
    links: list[ListedLink] = field(default_factory=list)
    # The next page of the list (one at a time, so a recrawl can stop at the first page it knows).
    next: ListRequest | None = None


@dataclass(frozen=True)
class ListResponse:
    """What an adapter reads: the response's final URL, its body decoded (GB18030 for GBK), and bytes."""

    url: str
    text: str
    body: bytes
    media_type: str | None = None


class Adapter(Protocol):
    name: str

    def detect(self, response: ListResponse) -> bool:
        """True when the response is this family's column page (or list API reply)."""
        ...

    def parse(self, response: ListResponse) -> ListPage:
        """The links the page lists (every link; the spider picks the reports) and the next page."""
        ...

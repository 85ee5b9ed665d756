"""List adapters for the CMS families of Chinese government portals.

An adapter reads one response of an annual-report column — a list page, or the reply of the column's
list API — and says what it lists and where the next page of the list is. Adapters are pure functions of
the response (URL, decoded text, raw bytes): no network and no Scrapy objects, so each can be tested on
a fixture's bytes alone. The spider turns their answers into requests; the incremental middleware
decides whether the next page is worth fetching.

Families (see shared/docs/portal-patterns.md): ``trs`` (TRS WCM static pages, createPageHTML),
``trs-search`` (TRS 「动静结合」: static first pages, then POST /fjdzapp/search configured by listModel),
``hanweb`` (大汉 JCMS: records embedded in the column page, then POST /module/web/jpage/dataproxy.jsp),
``gkmlpt`` (a JSON list API, /gkmlpt/api/all/{id}?page=N), ``jpaas`` (a unitbuild.js shell whose list
is an HTML fragment inside a JSON reply), ``ewb`` (Epoint WebBuilder govInfoPub: POST
rest/lightfrontaction/getgovinfolist), and ``generic`` (same-site links whose text looks like a report,
and a 下一页 link).

An adapter that needs to remember something from one response to read the next (the column's form, a
site id read from a script) puts it in ``ListRequest.carry``; the spider hands it back as
``ListResponse.carry`` with the reply, so adapters stay pure functions of what they are given.
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
    body: str | None = None  # the POST body (url-encoded form, or JSON) exactly as sent
    headers: dict[str, str] = field(default_factory=dict)
    # Strings the adapter wants back with the reply (ListResponse.carry): e.g. the column's form.
    carry: dict[str, str] = field(default_factory=dict)


@dataclass
class ListPage:
    links: list[ListedLink] = field(default_factory=list)
    # The next page of the list (one at a time, so a recrawl can stop at the first page it knows).
    next: ListRequest | None = None
    # How many items the whole list says it has (共N条, totalrecord, total, recordCount …), when it says.
    announced: int | None = None
    # True when every link is one item of the list (an API reply's records), not page furniture.
    links_are_items: bool = False
    # A paging mechanism the page configures that the adapter could not follow (a pager script it does
    # not know, a search API without its parameters): the crawl is then reported partial, not finished.
    unfollowed: str | None = None


@dataclass(frozen=True)
class ListResponse:
    """What an adapter reads: the response's final URL, its body decoded (GB18030 for GBK), and bytes."""

    url: str
    text: str
    body: bytes
    media_type: str | None = None
    # The request that got this response: its POST body, and what the adapter carried (ListRequest.carry).
    request_body: str | None = None
    carry: dict[str, str] = field(default_factory=dict)


class Adapter(Protocol):
    name: str

    def detect(self, response: ListResponse) -> bool:
        """True when the response is this family's column page (or list API reply)."""
        ...

    def parse(self, response: ListResponse) -> ListPage:
        """The links the page lists (every link; the spider picks the reports) and the next page."""
        ...

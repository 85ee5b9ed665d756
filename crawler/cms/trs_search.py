"""(being written) the trs-search list adapter."""

from __future__ import annotations

from crawler.cms import ListPage, ListResponse

name = "trs-search"


def detect(response: ListResponse) -> bool:
    return False


def parse(response: ListResponse) -> ListPage:
    return ListPage()

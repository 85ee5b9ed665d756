"""(being written) the jpaas list adapter."""

from __future__ import annotations

from crawler.cms import ListPage, ListResponse

name = "jpaas"


def detect(response: ListResponse) -> bool:
    return False


def parse(response: ListResponse) -> ListPage:
    return ListPage()

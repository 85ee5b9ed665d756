"""TRS WCM: static list pages ``index.html``, ``index_1.html`` …, drawn by ``createPageHTML(count, current,
"index", "html")``; articles at ``./YYYYMM/tYYYYMMDD_id.html``. Templates without the pager script link
their pages plainly (下一页, list_1.shtml): those are followed as the generic adapter follows them."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.cms import ListPage, ListRequest, ListResponse, generic
from crawler.cms.html_lists import announced_total, listed_links

name = "trs"

# createPageHTML(pageCount, currentIndex, "index", "html") or createPage(…); page i>0 is index_i.html.
_PAGER = re.compile(r'createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"')
_ARTICLE = re.compile(r"/t\d{8}_\d+\.s?html?")


def detect(response: ListResponse) -> bool:
    return bool(_PAGER.search(response.text)) or bool(_ARTICLE.search(response.text))


def next_page(response: ListResponse) -> ListRequest | None:
    match = _PAGER.search(response.text)
    if not match:
        return None
    count, current, page_name, extension = int(match[1]), int(match[2]), match[3], match[4]
    if current + 1 >= count:
        return None
    return ListRequest(urljoin(response.url, f"{page_name}_{current + 1}.{extension}"))


def parse(response: ListResponse) -> ListPage:
    return ListPage(
        links=listed_links(response.text, response.url),
        next=next_page(response) or generic.next_page(response.url, response.text),
        announced=announced_total(response.text),
    )

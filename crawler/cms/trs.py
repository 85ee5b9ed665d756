"""TRS WCM: static list pages ``index.html``, ``index_1.html`` …, drawn by ``createPageHTML(count, current,
"index", "html")``; articles at ``./YYYYMM/tYYYYMMDD_id.html``. Templates without the pager script link
their pages plainly (下一页, list_1.shtml): those are followed as the generic adapter follows them."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.cms import ListPage, ListRequest, ListResponse, generic
from crawler.cms.html_lists import announced_total, listed_links

name = "trs"

# createPageHTML(pageCount, currentIndex, "index", "html") or createPage(…); page i>0 is index_i.html.
_PAGER = re.compile(r'createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"')
_ARTICLE = re.compile(r"/t\d{8}_\d+\.s?html?")
_COUNT_VAR = re.compile(r"\bvar\s+countPage\s*=\s*(\d+)")
_CURRENT_VAR = re.compile(r"\bvar\s+currentPage\s*=\s*(\d+)")
_PAGE_FILE = re.compile(r"/([a-z]+)(?:_\d+)?\.(s?html?)$")


def detect(response: ListResponse) -> bool:
    return bool(_PAGER.search(response.text)) or bool(_ARTICLE.search(response.text))


def next_page(response: ListResponse) -> ListRequest | None:
    if match := _PAGER.search(response.text):
        count, current, page_name, extension = int(match[1]), int(match[2]), match[3], match[4]
    elif (count_var := _COUNT_VAR.search(response.text)) and (
        current_var := _CURRENT_VAR.search(response.text)
    ):
        # 「var countPage = 5 //共多少页」 「var currentPage = 0」: the pages of the URL's own name.
        name = _PAGE_FILE.search(urlsplit(response.url).path)
        page_name, extension = (name[1], name[2]) if name else ("index", "html")
        count, current = int(count_var[1]), int(current_var[1])
    else:
        return None
    if current + 1 >= count:
        return None
    return ListRequest(urljoin(response.url, f"{page_name}_{current + 1}.{extension}"))


def parse(response: ListResponse) -> ListPage:
    following = next_page(response) or generic.next_page(response.url, response.text)
    return ListPage(
        links=listed_links(response.text, response.url),
        next=following,
        announced=announced_total(response.text),
        unfollowed=None if following else generic.hidden_pages(response.text),
    )

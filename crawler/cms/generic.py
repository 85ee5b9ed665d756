"""The fallback for CMSs no other adapter knows: the page's same-site links, and a 下一页 link.

Every same-site link is listed (the spider keeps those titled like a report). The next page is a link
whose text is 「下一页」 (or 下页/后页/>, or ``rel=next``), else the numbered page after this one when the
page links to it: ``index_{n+1}.html``, ``list_{n+1}.html`` or ``{n+1}.html``. A link back to this page
or an earlier one is never taken, so a last page whose 下一页 points to itself (a common template
quirk) ends the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from crawler.cms import ListPage, ListRequest, ListResponse
from crawler.cms.html_lists import (
    announced_total,
    link_title,
    listed_links,
    pages_left_by_script,
    parse_markup,
)
from crawler.links import same_site

name = "generic"

_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后页|下一頁)[>»›]*$|^[>›]$")
# A numbered list page: list_3.html, index_2.shtml, or 3.html; the number is what orders the pages.
_NUMBERED = re.compile(r"^(?:(?P<stem>index|list)(?:_(?P<n>\d+))?|(?P<bare>\d+))\.s?html?$")
# lxml refuses str input that starts with an encoding declaration (XHTML templates have one).
_PAGE_PARAMS = ("page", "pageNum", "pageNo", "pageIndex", "curPage", "p", "pn")


def detect(response: ListResponse) -> bool:
    return True  # tried last: any page can be read as a list of links


def parse(response: ListResponse) -> ListPage:
    links = [link for link in listed_links(response.text, response.url) if same_site(link.url, response.url)]
    following = next_page(response.url, response.text)
    return ListPage(
        links=links,
        next=following,
        announced=announced_total(response.text),
        unfollowed=None if following else hidden_pages(response.text),
    )


def hidden_pages(text: str) -> str | None:
    """For a page with no next page found: a pager script that still announces pages to come."""
    left = pages_left_by_script(text)
    return f"a pager script announces {left} more page(s) and links none" if left else None


def next_page(page_url: str, markup: str) -> ListRequest | None:
    root = parse_markup(markup)
    if root is None:
        return None
    candidates = [urljoin(page_url, href) for href in _pager_links(root)]
    candidates += _numbered_successors(root, page_url)
    for url in candidates:
        if same_site(url, page_url) and _comes_after(url, page_url):
            return ListRequest(url)
    return None


def _pager_links(root) -> list[str]:
    """hrefs of 下一页-like links and of rel=next / class=next, in page order."""
    hrefs = []
    for element in root.iter("a", "link"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        marks = (element.get("rel") or "").lower().split() + (element.get("class") or "").lower().split()
        text = "".join(link_title(element).split()) if element.tag == "a" else ""
        if "next" in marks or _NEXT_TEXT.match(text):
            hrefs.append(href)
    return hrefs


def _numbered_successors(root, url: str) -> list[str]:
    """The page numbered one after this one, among the numbered pages the page links to."""
    current = _page_number(url)
    if current is None:
        return []
    wanted = {current.number + 1} if current.number else {1, 2}  # after the first page: _1 (TRS) or _2
    found = []
    for anchor in root.iter("a"):
        target = urljoin(url, (anchor.get("href") or "").strip())
        page = _page_number(target)
        if page and page.series_of(current) and page.number in wanted:
            found.append((page.number, target))
    return [target for _, target in sorted(found)]


@dataclass(frozen=True)
class _Page:
    """Where a list page stands: its directory, its name's stem, and its number (the first page is 0)."""

    directory: str
    stem: str  # "index", "list", "" for bare numbers, "*" for the directory itself
    number: int

    def series_of(self, other: _Page) -> bool:
        return self.directory == other.directory and (
            self.stem == other.stem or "*" in (self.stem, other.stem)
        )


def _page_number(url: str) -> _Page | None:
    directory, _, filename = urlsplit(url).path.rpartition("/")
    if not filename:
        return _Page(directory, "*", 0)  # the column's directory: its first page
    match = _NUMBERED.match(filename)
    if not match:
        return None
    if match["bare"]:
        return _Page(directory, "", int(match["bare"]))
    return _Page(directory, match["stem"], int(match["n"] or 0))


def _comes_after(candidate: str, current: str) -> bool:
    """Not this page, and not an earlier one when both carry page numbers."""
    if _without_fragment(candidate) == _without_fragment(current):
        return False
    before, after = _page_number(current), _page_number(candidate)
    if before and after and after.series_of(before) and not _query_page(candidate):
        return after.number > before.number
    before_page, after_page = _query_page(current), _query_page(candidate)
    if before_page is not None or after_page is not None:
        return (after_page or 1) > (before_page or 1)
    return True


def _query_page(url: str) -> int | None:
    for key, value in parse_qsl(urlsplit(url).query):
        if key in _PAGE_PARAMS and value.isdigit():
            return int(value)
    return None


def _without_fragment(url: str) -> str:
    return urlsplit(url)._replace(fragment="").geturl()

"""Reading the links of an HTML list (a whole page or a fragment of one), shared by the adapters."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from lxml import html as lxml_html

from crawler.cms import ListedLink

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# List APIs give epochs, instants that portals print as dates in China time.
_CHINA = timezone(timedelta(hours=8))
_DATE = re.compile(r"((?:19|20)\d{2})[-年/.](\d{1,2})[-月/.](\d{1,2})")
# How lists state their size: 「共 25 条」, 「总记录：25」, and the counts pager scripts are given.
_ANNOUNCED = (
    re.compile(r"共\s*(\d+)\s*条"),
    re.compile(r"总记录数?\s*[:：]?\s*(\d+)"),
    re.compile(r"""\b(?:totalRecord|recordCount|totalCount|totalrecord|totalNum)['"]?\s*[:=]\s*['"]?(\d+)"""),
    re.compile(r"laypage\.render\(\s*\{[^}]*?\bcount\s*:\s*['\"]?(\d+)"),  # layui's pager: count = items
)
# Pager scripts that state the number of pages, and the page shown: 「var totalPage = 5; var currentPage = 1」.
_PAGE_COUNT = re.compile(r"""\b(?:totalPages?|pageCount|countPage|pageTotal)['"]?\s*[:=]\s*['"]?(\d+)""")
_CURRENT_PAGE = re.compile(r"""\b(?:currentPage|curPage|nowPage|pageNo|curr)['"]?\s*[:=]\s*['"]?(\d+)""")


def link_title(anchor) -> str:
    """A link's full title: lists cut long titles with 「…」 in the text but keep them in @title."""
    return " ".join((anchor.get("title") or anchor.text_content() or "").split())


def parse_markup(markup: str):
    """The markup's lxml tree, or None when there is nothing to parse."""
    # lxml refuses a str that still declares its encoding (XHTML pages, CDATA fragments).
    markup = _XML_DECLARATION.sub("", markup, count=1)
    return lxml_html.fromstring(markup) if markup.strip() else None


def printed_dates(text: str) -> list[str]:
    """Every date the text prints (「2020-01-31」, 「2020年1月31日」, 「2020/1/31」), as ISO dates."""
    return [f"{year}-{int(month):02d}-{int(day):02d}" for year, month, day in _DATE.findall(text)]


def listed_links(markup: str, base_url: str) -> list[ListedLink]:
    """Every link of the markup with its title and, when the list item prints one, its date."""
    root = parse_markup(markup)
    if root is None:
        return []
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        links.append(ListedLink(urljoin(base_url, href), link_title(anchor), _item_date(anchor)))
    return links


def _item_date(anchor) -> str | None:
    # The date sits beside the link (「<a>…</a><span>2020-01-31</span>」) or inside it (「<i>…</i>」).
    # In table lists it sits in the row's next cell: 「<tr><td><a>…</a></td><td>2020-01-31</td></tr>」.
    item = anchor.getparent()
    text = item.text_content() if item is not None else anchor.text_content()
    dates = printed_dates(text or "")
    row = item.getparent() if item is not None and item.tag in ("td", "th", "span", "div") else None
    if not dates and row is not None and row.tag in ("tr", "li", "dl"):
        dates = printed_dates(row.text_content() or "")
    return dates[0] if dates else None


def announced_total(text: str) -> int | None:
    """The number of items a list page says its list has, if it says (the largest statement wins)."""
    counts = [int(match) for pattern in _ANNOUNCED for match in pattern.findall(text)]
    return max(counts) if counts else None


def pages_left_by_script(text: str) -> int | None:
    """Pages a pager script says come after the one shown (「var countPage = 5 //共多少页」,
    「currentPage = 2」, pages counted from 1, or from 0 when it says 0), when it says both."""
    count, current = _PAGE_COUNT.search(text), _CURRENT_PAGE.search(text)
    if not count or not current:
        return None
    shown = int(current[1]) + (1 if current[1] == "0" else 0)
    return max(int(count[1]) - shown, 0)


def iso_date(value: object) -> str | None:
    """An epoch (seconds or milliseconds, number or digits) or a printed date, as an ISO date."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        seconds = float(value)
        if seconds <= 0:
            return None
        if seconds > 1e11:  # milliseconds: 1e11 seconds is the year 5138
            seconds /= 1000
        return datetime.fromtimestamp(seconds, _CHINA).date().isoformat()
    dates = printed_dates(str(value))
    return dates[0] if dates else None

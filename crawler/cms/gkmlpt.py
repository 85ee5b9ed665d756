"""Guangdong's 政府信息公开目录平台 (gkmlpt): a script-drawn column page and a JSON list API.

The column page (``…/gkmlpt/index#{catid}``) lists nothing in its HTML; its script carries the site id
(``SID: '755031'``) and asks ``…/gkmlpt/api/all/{catid}?page={n}&sid={sid}`` (catid 0 = every category)
for ``{"total": N, "articles": [{"id", "title", "url", "display_publish_time", …}]}``, pages from 1.
Some sites keep gkmlpt under a sub-path (``/bureau/gkmlpt/…``), so the API is built beside the page's
own ``/gkmlpt/``, not at the host root.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.cms import ListedLink, ListPage, ListRequest, ListResponse
from crawler.cms.html_lists import iso_date, listed_links

name = "gkmlpt"

_SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
_CATID = re.compile(r"""\b(?:CAT_?ID|cat_?id|catId)\s*[:=]\s*['"]?(\d+)""")
_API_PATH = re.compile(r"/gkmlpt/api/all/(\d+)")
_GKMLPT_LINK = re.compile(r"""['"(]([^'"()\s]*?/gkmlpt/)""")
# lxml refuses str input that starts with an encoding declaration (XHTML templates have one).
# Publication time fields, most telling first (display_publish_time is what the page shows).
_TIME_FIELDS = (
    "display_publish_time",
    "first_publish_time",
    "publish_time",
    "create_time",
    "created_at",
    "date",
)
_API_HEADERS = {
    "Accept": "application/json, text/javascript, */*; q=0.01",
    "X-Requested-With": "XMLHttpRequest",
}


def detect(response: ListResponse) -> bool:
    if _is_api_reply(response):
        return _reply(response) is not None
    # The SID config alone could be another product's; a page of gkmlpt also names gkmlpt somewhere.
    return bool(_SID.search(response.text)) and ("gkmlpt" in response.text or "/gkmlpt/" in response.url)


def parse(response: ListResponse) -> ListPage:
    if _is_api_reply(response):
        return _parse_reply(response)
    return ListPage(links=listed_links(response.text, response.url), next=first_request(response))


def first_request(response: ListResponse) -> ListRequest | None:
    """Page 1 of the column's category, asked of the API beside the page's /gkmlpt/."""
    sid = _SID.search(response.text)
    if not sid:
        return None
    query = urlencode({"page": 1, "sid": sid[1]})
    return ListRequest(f"{_gkmlpt_base(response)}api/all/{_category(response)}?{query}", headers=_API_HEADERS)


def _category(response: ListResponse) -> int:
    # The column URL's fragment (/gkmlpt/index#2811) names the category the user chose; the page's
    # script may name one too; otherwise 0, every category.
    fragment = urlsplit(response.url).fragment
    if fragment.isdigit():
        return int(fragment)
    match = _CATID.search(response.text)
    return int(match[1]) if match else 0


def _gkmlpt_base(response: ListResponse) -> str:
    url = urlsplit(response.url)._replace(query="", fragment="").geturl()
    if "/gkmlpt/" in url:
        return url[: url.index("/gkmlpt/") + len("/gkmlpt/")]
    link = _GKMLPT_LINK.search(response.text)
    return urljoin(url, link[1]) if link else urljoin(url, "/gkmlpt/")


def _is_api_reply(response: ListResponse) -> bool:
    return bool(_API_PATH.search(urlsplit(response.url).path)) or response.text.lstrip().startswith("{")


def _reply(response: ListResponse) -> dict | None:
    try:
        reply = json.loads(response.text)
    except ValueError:
        return None
    if not isinstance(reply, dict) or not isinstance(reply.get("articles"), list):
        return None
    return reply


def _parse_reply(response: ListResponse) -> ListPage:
    reply = _reply(response)
    if reply is None:
        return ListPage()  # an error page or a half-sent reply: nothing to list, nowhere to go
    articles = [article for article in reply["articles"] if isinstance(article, dict)]
    links = [link for article in articles if (link := _article_link(article, response.url))]
    total = reply.get("total")
    return ListPage(
        links=links,
        next=_next_request(response.url, len(articles), total),
        announced=int(total) if isinstance(total, int | str) and str(total).isdigit() else None,
        links_are_items=True,
    )


def _article_link(article: dict, base_url: str) -> ListedLink | None:
    url = article.get("url") or article.get("post_url")
    if not isinstance(url, str) or not url.strip():
        return None
    title = " ".join(str(article.get("title") or "").split())
    return ListedLink(urljoin(base_url, url.strip()), title, _published(article))


def _published(article: dict) -> str | None:
    for field in _TIME_FIELDS:
        if (day := iso_date(article.get(field))) is not None:
            return day
    return None


def _next_request(url: str, count: int, total: object) -> ListRequest | None:
    # Every page but the last is full, so this page's size is the page size. A short last page can't
    # tell itself apart from a full one without knowing the size, so it may cost one more (empty) page.
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    page = int(query["page"]) if query.get("page", "").isdigit() else 1
    if count == 0 or not isinstance(total, int | str) or not str(total).isdigit():
        return None
    if page * count >= int(total):
        return None
    query["page"] = str(page + 1)
    return ListRequest(urlunsplit(parts._replace(query=urlencode(query), fragment="")), headers=_API_HEADERS)

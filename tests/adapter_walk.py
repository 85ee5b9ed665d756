"""Walking a fixture portal's list with a CMS adapter, as the spider does, with or without a server.

Without one, a list request is answered by calling the portal's route as ``PortalServer`` would
(``answer``), and the answer is handed to the adapter as the spider hands a response (``reply``): decoded,
with the body that was sent and what the adapter carried. Over HTTP, ``fetch_over_http`` does the same
with a real request. ``walk`` follows ``ListPage.next`` from a first response to the list's end.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from crawler.cms import Adapter, ListedLink, ListPage, ListRequest, ListResponse
from extract.readers.html import decode_html
from govreports.portal import PortalRequest, PortalResponse

BASE = "http://127.0.0.1:8080"  # never contacted: an adapter is a pure function of the response
MAX_REQUESTS = 20  # more requests than any fixture list needs: the list never ends


def page_response(root: Path, path: str, base: str = BASE) -> ListResponse:
    """A static page of the site under ``root`` (its query ignored, a directory served its index file)."""
    file = root / urlsplit(path).path.lstrip("/")
    if path.endswith("/"):
        file = next(file / name for name in ("index.html", "index.htm") if (file / name).exists())
    data = file.read_bytes()
    text, _ = decode_html(data)
    return ListResponse(base + path, text, data, "text/html")


def portal_request(method: str, url: str, body: str | None, headers: dict[str, str]) -> PortalRequest:
    """What a route sees of a request: the body read as a form too, headers in lower case, the host."""
    parts = urlsplit(url)
    return PortalRequest(
        method,
        parts.path,
        parse_qs(parts.query),
        parse_qs(body or ""),
        {name.lower(): value for name, value in headers.items()} | {"host": parts.netloc},
        body=body or "",
    )


def answer(portal: dict, request: ListRequest) -> PortalResponse:
    """The fixture's answer to a list request: the route for its path, else the static file there."""
    path = urlsplit(request.url).path
    if path in portal["routes"]:
        return portal["routes"][path](
            portal_request(request.method, request.url, request.body, request.headers)
        )
    data = (portal["root"] / path.lstrip("/")).read_bytes()
    return PortalResponse(data, "application/javascript" if path.endswith(".js") else "text/html")


def reply(portal: dict, request: ListRequest, *, body: bool = True, carry: bool = True) -> ListResponse:
    """The answer as the spider hands it to the adapter: with the body sent and the carry, unless told."""
    response = answer(portal, request)
    assert response.status == 200, response.body
    text, _ = decode_html(response.body, response.media_type)
    return ListResponse(
        request.url,
        text,
        response.body,
        response.media_type,
        request_body=request.body if body else None,
        carry=dict(request.carry) if carry else {},
    )


def fetch_over_http(request: ListRequest) -> ListResponse:
    """``request`` sent for real (a GET, or a POST with its body), its reply as the spider hands it back."""
    data = request.body.encode("utf-8") if request.body is not None else None
    http_request = urllib.request.Request(request.url, data, request.headers, method=request.method)
    with urllib.request.urlopen(http_request, timeout=10) as response:
        body, media_type = response.read(), response.headers.get("Content-Type")
    text, _ = decode_html(body, media_type)
    return ListResponse(request.url, text, body, media_type, request.body, dict(request.carry))


def walk(
    adapter: Adapter, first: ListResponse, fetch: Callable[[ListRequest], ListResponse]
) -> tuple[list[ListPage], list[ListRequest]]:
    """Every page from ``first`` to the list's end, one request at a time, and the requests asked."""
    pages, requests = [adapter.parse(first)], []
    while pages[-1].next is not None:
        assert len(requests) < MAX_REQUESTS, "the list never ends"
        requests.append(pages[-1].next)
        pages.append(adapter.parse(fetch(requests[-1])))
    return pages, requests


def links_of(pages: list[ListPage]) -> list[ListedLink]:
    return [link for page in pages for link in page.links]


def as_truth(links: list[ListedLink], base: str = BASE) -> list[dict]:
    """Links as the portal's truth lists its items."""
    return [
        {"url_path": link.url.removeprefix(base), "title": link.title, "published": link.published}
        for link in links
    ]

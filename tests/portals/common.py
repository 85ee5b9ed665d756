"""What the fixture portals build alike, whatever their CMS: a column's items (numbered in publication
order, listed newest first), files written as bytes, the PDF and DOC attachments stored beside reports,
JSON replies, an article page's meta tags and a report's opening, and the truth a column's list is checked
against. Each portal module keeps what is its CMS's own: page chrome, URL schemes, list markup and the
list endpoint's rules.

Deterministic: no clock, no randomness.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from govreports.portal import PortalResponse

JSON_MEDIA_TYPE = "application/json;charset=UTF-8"
ColumnItemT = TypeVar("ColumnItemT", bound="ColumnItem")


@dataclass(frozen=True)
class ColumnItem:
    """One item of an annual-report column: a report, or a notice titled like one. Each portal's ``Item``
    adds its article ids and gives ``url_path`` and ``attachments`` (URL paths) as its CMS spells them."""

    title: str
    published: date
    kind: str  # "report" or "notice"
    agency: str
    year: int

    @property
    def url_path(self) -> str:
        raise NotImplementedError

    @property
    def attachments(self) -> list[str]:
        raise NotImplementedError


def newest_first(
    items: Sequence[ColumnItemT], numbered: Callable[[int, ColumnItemT], ColumnItemT]
) -> list[ColumnItemT]:
    """The items numbered in publication order (``numbered(n, item)``: the item with its ids), so that ids
    rise with the date; then listed newest first, as columns list them."""
    ordered = sorted(items, key=lambda item: (item.published, item.title))
    return list(reversed([numbered(n, item) for n, item in enumerate(ordered)]))


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> None:
    """Write ``content`` at ``path`` (text as ``encoding`` bytes, newlines untouched), making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)


def write_articles(
    root: Path,
    items: Sequence[ColumnItem],
    article_page: Callable,
    encoding: Callable[[ColumnItem], str] = lambda item: "utf-8",
) -> None:
    """Each item's article page at its ``url_path`` under ``root``, and its attachments beside it."""
    for item in items:
        write(root / item.url_path.lstrip("/"), article_page(item), encoding(item))
        for path in item.attachments:
            write(root / path.lstrip("/"), attachment_bytes(path, item.title))


def attachment_bytes(path: str, title: str) -> bytes:
    """A report's attachment: a one-page PDF for ``….pdf``, else the header of a Word 97 ``.doc``."""
    if path.endswith(".pdf"):
        return tiny_pdf(f"Annual report {hashlib.sha1(title.encode()).hexdigest()[:8]}")
    # An OLE compound-file header: enough for a stored .doc to be recognised as one, not a readable file.
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
        + b"\x00" * 480
    )


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing one line of ASCII text."""
    stream = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def json_response(value: object, status: int = 200, media_type: str = JSON_MEDIA_TYPE) -> PortalResponse:
    """``value`` as a JSON reply, Chinese left unescaped as the portals send it."""
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return PortalResponse(body, media_type, status)


def article_meta(column: str, title: str, pub_date: str, source: str) -> str:
    """The meta tags TRS, Hanweb, JPaaS and Epoint article pages carry, each on a line of its own."""
    return (
        f'\n<meta name="ColumnName" content="{column}">'
        f'\n<meta name="ArticleTitle" content="{html.escape(title)}">'
        f'\n<meta name="PubDate" content="{pub_date}">'
        f'\n<meta name="ContentSource" content="{source}">'
    )


def report_opening(agency: str, year: int) -> list[str]:
    """The first two paragraphs of an annual report: who drew it up under the regulation, and its outline."""
    return [
        f"本报告根据《中华人民共和国政府信息公开条例》要求，由{agency}编制。",
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
    ]


def list_truth(items: Sequence[ColumnItem], *report_fields: str) -> dict:
    """The truth about a column's list: its reports (with ``report_fields`` of the item besides the usual
    ones), the paths of its other items, and every item as listed, in list order."""
    return {
        "reports": [
            {
                "url_path": item.url_path,
                "title": item.title,
                "year": item.year,
                "agency": item.agency,
                "published": item.published.isoformat(),
                **{field: getattr(item, field) for field in report_fields},
                "attachments": item.attachments,
            }
            for item in items
            if item.kind == "report"
        ],
        "non_reports": [item.url_path for item in items if item.kind == "notice"],
        # The whole list in the order the column (or its API) lists it, for checks on titles and dates.
        "items": [
            {"url_path": item.url_path, "title": item.title, "published": item.published.isoformat()}
            for item in items
        ],
    }

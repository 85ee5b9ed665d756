"""Recognising, from a link's title and URL, what a portal's pages point to."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

_REPORT_WORDS = ("年度报告", "年报", "工作报告")
_DISCLOSURE_WORDS = ("政府信息公开", "政务公开", "信息公开")
# Items that share the column with reports: notices about reports, guides, work plans, forms.
# 图解/一图读懂 of a report are graphics about it, not the report.
_NOT_A_REPORT = (
    "通知", "指南", "要点", "申请表", "报表", "目录", "意见", "方案", "公告", "解读", "图解", "一图读懂", "落实情况的函",
)  # fmt: skip
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".zip", ".rar", ".ofd")

# Where a portal keeps its annual reports: link words and URL parts (zfxxgknb = 政府信息公开年报).
COLUMN_WORDS = ("政府信息公开年报", "政府信息公开工作年度报告", "信息公开年报", "年度报告", "年报")
COLUMN_URL_PARTS = ("zfxxgknb", "xxgknb", "gknb", "ndbg", "zwgknb")
# Pages on the way to it: the 政府信息公开 (or 政务公开, or just 公开) section.
DISCLOSURE_URL_PARTS = ("zfxxgk", "xxgk", "zwgk", "gkml", "gongkai", "govinfo")
# Suffixes under which a registrable domain has three labels: 「gjj.nanjing.gov.cn」 belongs to nanjing.gov.cn.
_SECOND_LEVEL_SUFFIXES = ("gov.cn", "com.cn", "net.cn", "org.cn", "edu.cn", "ac.cn")


def compact(text: str) -> str:
    return "".join(text.split())


def looks_like_annual_report(title: str) -> bool:
    title = compact(title)
    return (
        any(word in title for word in _REPORT_WORDS)
        and any(word in title for word in _DISCLOSURE_WORDS)
        and bool(re.search(r"(?:19|20)\d{2}", title))
        and not any(word in title for word in _NOT_A_REPORT)
    )


def report_year(title: str) -> int | None:
    """The year a report covers, as its title states it (「2019年政府信息公开工作年度报告」 → 2019)."""
    match = _YEAR.search(compact(title))
    return int(match.group(1)) if match else None


def is_attachment(url: str, link_text: str = "") -> bool:
    """A document file: by its path, a ``filename=`` parameter (download scripts), or the link's text."""
    parts = urlsplit(url)
    names = [parts.path, *(value for values in parse_qs(parts.query).values() for value in values)]
    names.append(compact(link_text))
    return any(name.lower().endswith(ATTACHMENT_EXTENSIONS) for name in names)


# List pages: index.html, index_3.shtml, list.shtml, nlist.htm, default.htm, and numbered 1.html.
_LIST_FILE = re.compile(r"^(?:(?:index|list|nlist|default)(?:_\d+)?|\d{1,3})\.\w+$")


def column_directory(url: str) -> str:
    """The directory a column URL names: 「/zfxxgk/zfxxgknb/index.html」 → zfxxgknb; an article → its folder."""
    segments = [segment for segment in urlsplit(url).path.lower().split("/") if segment]
    if segments and "." in segments[-1]:
        if not _LIST_FILE.match(segments[-1]):
            return ""  # an article or a file, not a column
        segments = segments[:-1]
    return segments[-1] if segments else ""


def same_column(url: str, other: str) -> bool:
    """Two addresses of one list: 「…/ndbg/」, 「…/ndbg/index.html」, 「…/ndbg/list.html」."""
    if same_page(url, other):
        return True
    directory = column_directory(url)
    return (
        bool(directory)
        and directory == column_directory(other)
        and urlsplit(url).hostname == urlsplit(other).hostname
    )


def same_page(url: str, other: str) -> bool:
    """「…/zfxxgknb/」 and 「…/zfxxgknb/index.html」 are one page."""

    def key(address: str) -> tuple[str | None, str]:
        parts = urlsplit(address)
        path = re.sub(r"/(index|default)\.s?html?$", "/", parts.path)
        return parts.hostname, path.rstrip("/")

    return key(url) == key(other)


def looks_like_column(title: str, url: str) -> bool:
    """A link to an annual-report column (not to one report)."""
    title = compact(title)
    if (looks_like_annual_report(title) and _YEAR.search(title)) or any(
        word in title for word in _NOT_A_REPORT
    ):
        return False  # one report (or a notice about one), not the column
    directory = column_directory(url)
    return any(word in title for word in COLUMN_WORDS) or any(part in directory for part in COLUMN_URL_PARTS)


def looks_like_disclosure_section(title: str, url: str) -> bool:
    """A link towards the 政府信息公开 section, where the column usually hangs: 政府信息公开, 信息公开,
    政务公开, or just 公开, or a path such as /zfxxgk/ or /gongkai/."""
    title, path = compact(title), urlsplit(url).path.lower()
    return (
        "信息公开" in title
        or "政务公开" in title
        or title in ("公开", "政府公开", "公开专栏")
        or any(f"/{part}" in path for part in DISCLOSURE_URL_PARTS)
    )


def registrable_domain(url: str) -> str:
    """The domain a government registers, which its hosts share: 「zfxxgk.nanjing.gov.cn」 → nanjing.gov.cn.

    Discovery treats hosts under one registrable domain as one site: a bureau's own site often links its
    annual-report column on the city's disclosure platform. An IP address or a one-label host is itself.
    """
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    labels = host.split(".")
    if not host or host.replace(".", "").isdigit() or ":" in host or len(labels) < 2:
        return host
    size = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL_SUFFIXES else 2
    return ".".join(labels[-size:])


def same_site(url: str, other: str) -> bool:
    """Both under one registrable domain (see registrable_domain)."""
    return registrable_domain(url) == registrable_domain(other)

"""Recognising, from a link's title and URL, what a portal's list and article pages point to."""

from __future__ import annotations

import re

_REPORT_WORDS = ("年度报告", "年报", "工作报告")
_DISCLOSURE_WORDS = ("政府信息公开", "政务公开", "信息公开")
# Items that share the column with reports: notices about reports, guides, work plans, forms.
_NOT_A_REPORT = ("通知", "指南", "要点", "申请表", "报表", "目录", "意见", "方案", "公告")
_YEAR = re.compile(r"(?:19|20)\d{2}")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".zip", ".rar", ".ofd")
# TRS pagination: createPageHTML(pageCount, currentIndex, "index", "html"); page i>0 is index_i.html.
_TRS_PAGER = re.compile(r'createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"')


def looks_like_annual_report(title: str) -> bool:
    title = "".join(title.split())
    return (
        any(word in title for word in _REPORT_WORDS)
        and any(word in title for word in _DISCLOSURE_WORDS)
        and bool(_YEAR.search(title))
        and not any(word in title for word in _NOT_A_REPORT)
    )


def is_attachment(url: str) -> bool:
    return url.lower().split("?")[0].endswith(ATTACHMENT_EXTENSIONS)


def trs_list_pages(page_text: str) -> list[str]:
    """Relative URLs of the other list pages a TRS pager script would draw."""
    match = _TRS_PAGER.search(page_text)
    if not match:
        return []
    count, _current, name, extension = (
        int(match.group(1)),
        int(match.group(2)),
        match.group(3),
        match.group(4),
    )
    return [f"{name}_{index}.{extension}" for index in range(1, count)]

"""Report metadata — title, agency, region, level, year, publication date — from what the document says."""

from __future__ import annotations

import re

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_DISCLOSURE_WORDS = ("政府信息公开", "政务公开", "信息公开")
_STATISTICS_PERIOD = re.compile(r"统计期限[^。]{0,12}?自\s*((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_TRS_URL_DATE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+")


def title_agency_year(title: str) -> tuple[str | None, int | None]:
    """「X2020年政府信息公开工作年度报告」 and 「2021年X政府信息公开…」 → (X, year)."""
    match = _YEAR.search(title)
    if not match:
        return None, None
    year = int(match.group(1))
    agency = title[: match.start()].strip(" 　:：《")
    if not agency:
        after = title[match.end() :]
        ends = [after.find(word) for word in _DISCLOSURE_WORDS if word in after]
        agency = after[: min(ends)].strip() if ends else ""
    agency = re.sub(r"(关于)$", "", agency)
    return agency or None, year


def title_from_lines(lines: list[str]) -> str | None:
    """A title printed as the first short lines of a text (often broken over two lines)."""
    joined = ""
    for line in lines[:4]:
        if len(line) > 40:
            break
        joined += line.strip()
        if "报告" in joined and _YEAR.search(joined):
            return joined
    return None


def year_from_text(text: str) -> int | None:
    """「本报告所列数据的统计期限自2019年1月1日起」 names the year even when the title is missing."""
    match = _STATISTICS_PERIOD.search(text)
    return int(match.group(1)) if match else None


def iso_date(text: str | None) -> str | None:
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def date_from_url(url: str | None) -> str | None:
    match = _TRS_URL_DATE.search(url or "")
    return iso_date("-".join(match.groups())) if match else None

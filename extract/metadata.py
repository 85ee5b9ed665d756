"""Report metadata — title, agency, region, level, year, publication date — from what the document says."""

from __future__ import annotations

import re

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_DISCLOSURE_WORDS = ("政府信息公开", "政务公开", "信息公开")
_STATISTICS_PERIOD = re.compile(r"统计期限[^。]{0,12}?自\s*((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_TRS_URL_DATE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_PROVINCE = re.compile(
    r"^(?:北京市|天津市|上海市|重庆市|[^省市县区]{2,7}?(?:省|自治区)|香港特别行政区|澳门特别行政区)"
)
_PREFECTURE = re.compile(r"^[^省市县区]{1,8}?(?:自治州|市|州|盟|地区)")
_COUNTY = re.compile(r"^[^省市县区]{1,10}?(?:自治县|区|县|旗|市)")
_LEVEL_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"(街道办事处|街道|地区办事处)$", "street"),
    (r"(乡|镇|苏木)(人民政府)?$", "township"),
    (r"^(国务院|中华人民共和国)", "national"),
    (r"^(北京市|天津市|上海市|重庆市|[^市县区]{2,7}(省|自治区))人民政府(办公厅)?$", "province"),
    (r"(区|县|旗|县级市)人民政府$", "county"),
    (r"(市|州|盟)人民政府$", "prefecture"),
    (r"(厅|局|委员会|委|办公室|办|中心|院|所|署|馆)$", "department"),
)


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


def region_of(agency: str | None) -> str | None:
    """The administrative place names an agency's name starts with: 「北京市东城区永定门外…」 → 北京市东城区."""
    if not agency:
        return None
    rest, parts = agency, []
    for pattern in (_PROVINCE, _PREFECTURE, _COUNTY):
        if rest.startswith(_MUNICIPALITIES) and pattern is _PREFECTURE:
            continue  # a municipality's districts sit directly below it
        match = pattern.match(rest)
        if match and len(rest) > match.end():
            parts.append(match.group(0))
            rest = rest[match.end() :]
    return "".join(parts) or None


def level_of(agency: str | None) -> str | None:
    if not agency:
        return None
    for pattern, level in _LEVEL_PATTERNS:
        if re.search(pattern, agency):
            return level
    return None

"""Report metadata — title, agency, region, level, year, publication date — from what the document says."""

from __future__ import annotations

import re

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_DISCLOSURE_WORDS = ("政府信息公开", "政务公开", "信息公开")
# The year a report covers, as its period sentence says it: 「统计期限为2024年1月1日至12月31日」,
# 「统计时限为2023年…」, 「统计周期为 2024 年…」, 「本报告所列数据的统计期限自2019年1月1日起至…」.
_STATISTICS_PERIOD = re.compile(r"统计(?:期限|时限|周期|期间|区间|时间)[^。]{0,12}?((?:19|20)\d{2})\s*年")
# 「自2019年1月1日起至…」, 「从2019年1月1日到…」: a whole year from its first day.
_WHOLE_YEAR_FROM = re.compile(
    r"(?:自|从)\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起\s*)?(?:至|到|止|—|-|－)"
)
# The label of the archiver's header line (「标题: …」), never part of the title itself.
_TITLE_LABEL = re.compile(r"^\s*(?:标\s*题|题\s*名|文章标题)\s*[:：]\s*")
# A title printed at the opening of a body run into one line: 「平潭综合实验区2016年度政府信息公开工作年度报告 根据…」.
_OPENING_TITLE = re.compile(
    r"(?<!\S)([^\s，。,；;：:《》“”]{2,40}?(?:19|20)\d{2}\s*年度?\S{0,24}?报告)(?!\S)"
)
_OPENING_LENGTH = 160
# Chinese-numeral dates: 「二○一二年二月二十日」 (○, 〇 and 零 all write zero).
_CHINESE_DIGITS = dict(zip("零〇○一二三四五六七八九", "000123456789", strict=True))
_CHINESE_YEAR = re.compile(r"([零〇○一二三四五六七八九]{4})(?=\s*年)")
_CHINESE_MONTH_DAY = re.compile(
    r"(?<=年)\s*([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# A signature closes the body: 「平潭县人民政府 二○一二年二月二十日」, its date standing apart from the prose.
_SIGNATURE_SPAN = 600
_AGENCY_SUFFIXES = "人民政府|政府|办公室|办公厅|管委会|委员会|办事处|局|厅|委|办|中心|院|署"
_SIGNED_BY = re.compile(rf"(?:{_AGENCY_SUFFIXES})$")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_TRS_URL_DATE = re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+")


def title_agency_year(title: str) -> tuple[str | None, int | None]:
    """「X2020年政府信息公开工作年度报告」 and 「2021年X政府信息公开…」 → (X, year)."""
    title = _arabic_dates(_TITLE_LABEL.sub("", title))
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
    """A title printed as the first short lines of a text (often broken over two lines), or at the opening
    of a body run into one long line."""
    joined = ""
    for line in lines[:4]:
        line = _TITLE_LABEL.sub("", line.strip())
        if len(line) > 40:
            if not joined:
                opening = _OPENING_TITLE.search(line[:_OPENING_LENGTH])
                return opening.group(1) if opening else None
            break
        joined += line
        if "报告" in joined and _YEAR.search(joined):
            return joined
    return None


def year_from_text(text: str) -> int | None:
    """The year a report covers from its own text when no title gives it: the period sentence
    (「本报告所列数据的统计期限自2019年1月1日起」, 「统计期限为2024年…」, 「自2019年1月1日起至…」), else the
    signature date when the body bears it out."""
    text = _arabic_dates(text)
    for pattern in (_STATISTICS_PERIOD, _WHOLE_YEAR_FROM):
        if match := pattern.search(text):
            return int(match.group(1))
    return _year_before_signature(text)


def _year_before_signature(text: str) -> int | None:
    """A report is signed early in the next year (「二○一二年二月二十日」 under the 2011 report): the year
    before the signature's, but only when the body speaks of that year at least as often as the signature's."""
    closing = text[-_SIGNATURE_SPAN:]
    signed = [
        match for match in _FULL_DATE.finditer(closing) if _stands_apart(closing, match.start(), match.end())
    ]
    if not signed:
        return None
    year = int(signed[-1].group(1))
    covered = text.count(f"{year - 1}年")
    signed_year = text.count(f"{year}年") - 1  # not counting the signature itself
    return year - 1 if covered and covered >= signed_year else None


def _stands_apart(text: str, start: int, end: int) -> bool:
    """A date on its own, as signatures print it: white space (or a signing name) before, nothing after
    but white space or an attachment."""
    before = text[:start].rstrip(" \u3000\t")
    after = text[end:].lstrip(" \u3000\t")
    return (not before or before[-1] in "\n。" or bool(_SIGNED_BY.search(before))) and (
        not after or after[0] == "\n" or after.startswith("附")  # 「附件1：…统计表」
    )


def _arabic_dates(text: str) -> str:
    """「二○一二年二月二十日」 → 「2012年2月20日」, so one set of patterns reads both."""
    if not _CHINESE_YEAR.search(text):
        return text
    text = _CHINESE_YEAR.sub(lambda match: "".join(_CHINESE_DIGITS[c] for c in match.group(1)), text)
    return _CHINESE_MONTH_DAY.sub(
        lambda match: f"{_chinese_number(match.group(1))}月{_chinese_number(match.group(2))}日", text
    )


def _chinese_number(text: str) -> int:
    """一 … 三十一: the numbers a month or a day is written with."""
    if "十" not in text:
        return int(_CHINESE_DIGITS[text])
    tens, _, units = text.partition("十")
    return (int(_CHINESE_DIGITS[tens]) if tens else 1) * 10 + (int(_CHINESE_DIGITS[units]) if units else 0)


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

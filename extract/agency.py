"""Who wrote a report, and the year it covers, from the body's own words when no title survives.

A saved article body keeps neither the page's <title> nor its meta tags, and many bodies open straight
with 「根据《条例》…」. The body still names its author: in the signature under the last section
(「平潭综合实验区公安局」 then 「2020年1月17日」), or in the opening (「根据…要求，XX县人民政府办公室编制了
本报告」); and the opening often names the report itself (「我局编制了2019年度政府信息公开年度报告」).

Only full names are taken: 「区管委会办公室」, 「我局」, 「市政府办公室」 say who wrote it only to a reader who
already knows where, so they give None rather than a name no place can be read from.
"""

from __future__ import annotations

import re

# A date line of the signature: 「2020年1月17日」, 「2020年1月」, 「二〇二〇年一月十七日」, 「2020-01-17」.
_CHINESE_DIGITS = "〇○零一二三四五六七八九十"
_DATE = (
    rf"(?:(?:19|20)\d{{2}}|[{_CHINESE_DIGITS}]{{4}})\s*年\s*[\d{_CHINESE_DIGITS}]{{1,3}}\s*月"
    rf"(?:\s*[\d{_CHINESE_DIGITS}]{{1,3}}\s*日)?"
    r"|(?:19|20)\d{2}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}"
)
_DATE_LINE = re.compile(rf"^(?:{_DATE})$")
# The name and the date on one line: 「平潭综合实验区公安局 2020年1月17日」.
_NAME_AND_DATE = re.compile(rf"^(?P<name>\S.*?)\s*(?:{_DATE})$")
# Page furniture and notes that may follow the signature: 「— 4 —」, 「第 4 页 共 9 页」, 「（此件公开发布）」.
_TRAILER = re.compile(r"^(?:[-—–－\s]*\d+[-—–－\s]*|第\s*\d+\s*页.*|[（(]此件.*[）)])$")
_SIGNATURE_WINDOW = 6  # the signature sits within the last few lines
_OPENING_WINDOW = 3  # the sentence naming the author is in the first paragraphs

# A full agency name starts with its place — a division (「平潭综合实验区」, 「北京市东城区」, 「某某县」, at least
# two characters before its level word) or the central government — and ends with a word for an agency.
_FULL_NAME = re.compile(
    r"^(?:国家|国务院|中华人民共和国|中国|\S{2,}?(?:省|市|县|区|州|盟|旗|镇|乡|街道))\S*?"
    r"(?:人民政府|政府|办公室|办公厅|委员会|管委会|办事处|中心|局|厅|委|办|部|署|院|所|站|馆|队|处|会)$"
)
# Sentence punctuation never sits inside a name; a line holding it is text, not a signature.
_NOT_IN_NAME = re.compile(r"[。，,；;：:！？!?、《》“”\"]")
_MAX_NAME = 40
# 「根据…，XX编制完成了本报告」, 「由XX编制」, 「XX编制了XX县2020年政府信息公开工作年度报告」.
_OPENING_AUTHOR = re.compile(
    r"(?:^|[，,。；;])\s*(?:由|现由)?(?P<name>[^，,。；;：:《》“”]{2,40}?)\s*(?:现|特|已|共同|负责)?"
    r"(?:编制|编写|撰写|起草)(?:完成|形成)?了?[^，,。；;]{0,30}?(?:报告|年报)"
)
# The report named in the opening: 「编制了2019年度政府信息公开年度报告」; quoted documents (《…》) are
# other documents (a notice 「关于编制2021年…年度报告有关事项的通知」 names the year, but not always).
_REPORT_NAME_YEAR = re.compile(
    r"((?:19|20)\d{2})\s*年度?[^。，,；;]{0,20}?(?:政府信息公开|政务公开|信息公开)[^。，,；;]{0,12}?(?:报告|年报)"
)
_QUOTED = re.compile(r"《[^》]*》")


def agency_from_body(paragraphs: list[str]) -> str | None:
    """The agency a body names as its author: the signature at its end first, then its opening sentence."""
    return _signature_name(paragraphs) or _opening_name(paragraphs)


def year_from_opening(paragraphs: list[str]) -> int | None:
    """The year of the report the opening names (「我局编制了2019年度政府信息公开年度报告」), quotes aside."""
    for paragraph in paragraphs[:_OPENING_WINDOW]:
        if match := _REPORT_NAME_YEAR.search(_QUOTED.sub("", paragraph)):
            return int(match.group(1))
    return None


def full_agency_name(text: str) -> str | None:
    """``text`` as an agency name when it is one in full (its place included), else None."""
    name = "".join(text.split())
    if not name or len(name) > _MAX_NAME or _NOT_IN_NAME.search(name) or name[0] in "（(":
        return None
    return name if _FULL_NAME.match(name) else None


def _signature_name(paragraphs: list[str]) -> str | None:
    lines = [line.strip() for line in paragraphs if line.strip()]
    while lines and _TRAILER.match(lines[-1]):
        lines.pop()
    tail = lines[-_SIGNATURE_WINDOW:]
    for index in range(len(tail) - 1, -1, -1):
        line = tail[index]
        if _DATE_LINE.match(line):
            # A joint signature stacks several names above one date: the first is the lead author.
            names: list[str] = []
            for above in reversed(tail[:index]):
                name = full_agency_name(above)
                if name is None:
                    break
                names.insert(0, name)
            return names[0] if names else None
        if (match := _NAME_AND_DATE.match(line)) and (name := full_agency_name(match.group("name"))):
            return name
    return None


def _opening_name(paragraphs: list[str]) -> str | None:
    for paragraph in paragraphs[:_OPENING_WINDOW]:
        for match in _OPENING_AUTHOR.finditer(_QUOTED.sub("《》", paragraph)):
            if name := full_agency_name(match.group("name")):
                return name
    return None

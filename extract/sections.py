"""Cutting the report's text into its sections by their headings.

Real reports renumber headings (「1、 总体情况」), repeat them, and paste them into the wrong section
(a second 「一、总体情况」 inside section 五). A heading counts only when it moves forward; one that
goes back is kept as text and reported. Legacy reports (2008–2018) add a section on fees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.findings import finding
from extract.template import SECTION_HEADING_WORDS, SECTION_KEYS, SECTION_NAMES, SECTION_ORDER

_NUMERALS = "一二三四五六七八九十"
_ENUMERATOR = re.compile(r"^\s*([一二三四五六七八九十]{1,2}|\d{1,2})\s*[、.．,，]\s*")
_MAX_HEADING_LENGTH = 40


def heading_key(line: str) -> str | None:
    """The section a line heads, or None when the line is not a section heading."""
    line = line.strip()
    match = _ENUMERATOR.match(line)
    if not match or len(line) > _MAX_HEADING_LENGTH:
        return None
    rest = line[match.end() :]
    for key, words in SECTION_HEADING_WORDS.items():
        if any(word in rest for word in words):
            return key
    return None


def heading_number(line: str) -> int | None:
    """The number a heading prints: 「六、」 → 6, 「1、」 → 1."""
    match = _ENUMERATOR.match(line.strip())
    if not match:
        return None
    numeral = match.group(1)
    if numeral.isdigit():
        return int(numeral)
    tens, ten, ones = numeral.partition("十")
    if not ten:
        return _NUMERALS.index(numeral) + 1
    return (_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (_NUMERALS.index(ones) + 1 if ones else 0)


@dataclass
class SectionSplit:
    preamble: list[str] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)


def split_sections(lines: list[str], *, expect_standard: bool = True) -> SectionSplit:
    """Sections in order; with ``expect_standard`` every one of the six standard sections must be there."""
    result = SectionSplit()
    current: dict | None = None
    body: list[str] = result.preamble
    for line in lines:
        key = heading_key(line)
        position = SECTION_ORDER.index(key) if key else -1
        current_position = SECTION_ORDER.index(current["key"]) if current else -1
        if key and position > current_position:
            heading = line.strip()
            current = {"key": key, "number": heading_number(heading), "heading": heading, "text": ""}
            result.sections.append(current)
            body = []
            current["_lines"] = body
            continue
        if key and current and position == current_position and not body:
            result.findings.append(
                finding("section.duplicate_heading", key, f"标题「{line.strip()}」连续出现两次", "warning")
            )
            continue
        if key and current:
            result.findings.append(
                finding(
                    "section.misplaced_heading",
                    current["key"],
                    f"「{SECTION_NAMES[current['key']]}」部分中出现了「{SECTION_NAMES[key]}」部分的标题"
                    f"「{line.strip()}」，按正文处理",
                    "warning",
                )
            )
        body.append(line.strip())
    for section in result.sections:
        section["text"] = "\n".join(section.pop("_lines"))
    if expect_standard:
        found = {section["key"] for section in result.sections}
        for number, key in enumerate(SECTION_KEYS, start=1):
            if key not in found:
                result.findings.append(
                    finding(
                        "section.missing",
                        key,
                        f"未找到第{_NUMERALS[number - 1]}部分「{SECTION_NAMES[key]}」的标题",
                        "warning",
                    )
                )
    return result

"""Cutting the report's text into its six sections by their headings.

Real reports renumber headings (「1、 总体情况」), repeat them, and paste them into the wrong section
(a second 「一、总体情况」 inside section 五). A heading counts only when it moves forward; one that
goes back is kept as text and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.findings import finding
from extract.template import SECTION_HEADING_WORDS, SECTION_KEYS, SECTION_NUMERALS

_ENUMERATOR = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,2}|\d{1,2})\s*[、.．,，]\s*")
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


@dataclass
class SectionSplit:
    preamble: list[str] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)


def split_sections(lines: list[str]) -> SectionSplit:
    result = SectionSplit()
    current: dict | None = None
    body: list[str] = result.preamble
    for line in lines:
        key = heading_key(line)
        position = SECTION_KEYS.index(key) if key else -1
        current_position = SECTION_KEYS.index(current["key"]) if current else -1
        if key and position > current_position:
            current = {"key": key, "number": position + 1, "heading": line.strip(), "text": ""}
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
                    f"第{SECTION_NUMERALS[current_position]}部分中出现了第{SECTION_NUMERALS[position]}部分的标题"
                    f"「{line.strip()}」，按正文处理",
                    "warning",
                )
            )
        body.append(line.strip())
    for section in result.sections:
        section["text"] = "\n".join(section.pop("_lines"))
    found = {section["key"] for section in result.sections}
    for number, key in enumerate(SECTION_KEYS):
        if key not in found:
            result.findings.append(
                finding("section.missing", key, f"未找到第{SECTION_NUMERALS[number]}部分的标题", "warning")
            )
    return result

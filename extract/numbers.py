"""Reading the numbers printed in report tables.

Real cells hold full-width digits (「１２」), signed changes (「＋10」, 「-2」), money with its unit inside
the cell (「185277.44元」), thousands separators and blanks written as ``&nbsp;`` or dashes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Cells that print nothing: inside a row the document gives, they mean 0.
_BLANK_MARKS = {"", "-", "--", "—", "——", "－", "/", "／", "无", "\\"}

_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(万元|元|件|条|个|项|万)?$")
# Footnote marks after a number (「12*」, 「12①」, 「12¹」): removed before NFKC, which would turn ① and ¹
# into digits and 12¹ into 121.
_FOOTNOTE_MARKS = re.compile(r"[*＊※†‡\u2460-\u2473\u00b9\u00b2\u00b3\u2070-\u2079]+$")
# Minus signs NFKC leaves alone.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-"})
# 「1,234」 or 「1，234」: a separator between groups of exactly three digits.
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")
# No report prints a number of more integer digits; a longer run (int() refuses past 4,300 digits, SQLite's
# INTEGER past 19) reads as TOO_LONG, beyond every bound of believable values, so it is left out with a finding.
MAX_DIGITS = 18
TOO_LONG = 10**MAX_DIGITS


@dataclass(frozen=True)
class CellNumber:
    """A number read from a cell; ``unit`` is the unit printed inside the cell, if any."""

    value: int | float
    unit: str | None = None


# A report repeats the same few cell texts (「0」, blanks, labels) thousands of times: cache them.
@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """NFKC (full-width digits, letters and brackets become ASCII) with all white space removed."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=65536)
def is_blank(text: str) -> bool:
    return normalize_text(text) in _BLANK_MARKS


@lru_cache(maxsize=65536)
def read_number(text: str) -> CellNumber | None:
    """The number a cell prints, or None when the cell holds words (a label) or nothing."""
    cleaned = _FOOTNOTE_MARKS.sub("", text.strip())
    cleaned = _THOUSANDS.sub("", normalize_text(cleaned).translate(_MINUS_SIGNS))
    match = _NUMBER.match(cleaned)
    if not match:
        return None
    sign, digits, unit = match.groups()
    whole = digits.split(".")[0]
    if len(whole.lstrip("0")) > MAX_DIGITS:
        value: int | float = TOO_LONG
    else:
        value = float(digits) if "." in digits else int(digits)
    if sign == "-":
        value = -value
    return CellNumber(value, unit)


def to_wan_yuan(number: CellNumber) -> float:
    """Money as 万元, the unit of the official templates; a cell saying 元 is divided by 10,000."""
    if number.unit == "元":
        return round(number.value / 10000, 6)
    return float(number.value)

"""Which charset a page's bytes are in, when the HTTP header or the page's <meta> says otherwise.

Portals declare charsets they do not use (portal-patterns.md §I): a GBK page served with
``charset=ISO-8859-1`` decodes without an error into Latin mojibake, and every Chinese title on it is lost.
The bytes win: valid UTF-8 is UTF-8, and bytes that read as Chinese in GB18030 are GB18030 whatever a
single-byte declaration says. The choice is recorded with the fetch when it overrules the declaration.
"""

from __future__ import annotations

import codecs
import re

from extract.readers.html import declared_encoding

# Declarations that decode any bytes at all, so a wrong one never fails: only the bytes can overrule them.
_SINGLE_BYTE = {"latin_1", "iso8859_1", "cp1252", "ascii", "iso8859_15"}
_CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
# Share of non-ASCII characters that must be common CJK for GB18030 to be the bytes' own charset.
_CJK_SHARE = 0.6


def page_charset(body: bytes, media_type: str | None) -> tuple[str, str | None]:
    """(codec to decode ``body`` with, a note when that overrules what the header or <meta> declared)."""
    declared = declared_encoding(body, media_type)
    if body.startswith(b"\xef\xbb\xbf") or _decodes(body, "utf-8"):
        chosen = "utf-8"
    elif declared and _codec(declared) not in _SINGLE_BYTE and _decodes(body, declared):
        chosen = declared
    elif _reads_as_chinese(body):
        chosen = "gb18030"
    else:
        chosen = declared if declared and _decodes(body, declared) else "gb18030"
    if declared and not body.isascii() and _codec(declared) != _codec(chosen):
        return chosen, f"declared {declared}, bytes are {chosen}"
    return chosen, None


def charset_media_type(media_type: str | None, charset: str) -> str:
    """The response's media type with ``charset`` in place of whatever it declared."""
    base = (media_type or "text/html").split(";", 1)[0].strip() or "text/html"
    return f"{base}; charset={charset}"


def _reads_as_chinese(body: bytes) -> bool:
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [char for char in text if ord(char) > 127]
    return bool(wide) and len(_CJK.findall("".join(wide))) >= _CJK_SHARE * len(wide)


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name

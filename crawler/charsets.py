"""Which charset a page's bytes are in, when the HTTP header or the page's <meta> says otherwise.

Portals declare charsets they do not use (portal-patterns.md §I): a GBK page served with
``charset=ISO-8859-1`` decodes without an error into Latin mojibake, and every Chinese title on it is lost.
The bytes win: valid UTF-8 is UTF-8, and bytes that read as Chinese in GB18030 are GB18030 whatever a
single-byte declaration says. The choice is recorded with the fetch when it overrules the declaration.
"""

from __future__ import annotations

import codecs

from extract.readers.html import bytes_encoding, declared_encoding


def page_charset(body: bytes, media_type: str | None) -> tuple[str, str | None]:
    """(codec to decode ``body`` with, a note when that overrules what the header or <meta> declared).
    The rule is the extractor's (``bytes_encoding``): crawler and extractor read a page alike."""
    declared = declared_encoding(body, media_type)
    if body.startswith(b"\xef\xbb\xbf"):
        chosen = "utf-8"
    else:
        chosen = bytes_encoding(body, declared) or "gb18030"
    if declared and not body.isascii() and _codec(declared) != _codec(chosen):
        return chosen, f"declared {declared}, bytes are {chosen}"
    return chosen, None


def charset_media_type(media_type: str | None, charset: str) -> str:
    """The response's media type with ``charset`` in place of whatever it declared."""
    base = (media_type or "text/html").split(";", 1)[0].strip() or "text/html"
    return f"{base}; charset={charset}"


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name

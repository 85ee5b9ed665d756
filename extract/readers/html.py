"""HTML report pages: clean text from trafilatura, table grids from the raw markup with lxml.

trafilatura loses rowspan/colspan and the nesting of row labels, so tables are read here with a
span-aware grid; trafilatura gives the clean body text (site chrome removed) that sections are cut from.
"""

from __future__ import annotations

import codecs
import re

import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from extract.document import Cell, Document, Table
from extract.findings import finding

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)
# GB2312 and GBK pages routinely use characters only GB18030 defines; it is a superset of both.
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030"}
# Labels of the 索引号 metadata table that portals print above the article.
_INDEX_TABLE_LABELS = (
    "索引号",
    "发布机构",
    "发文机关",
    "成文日期",
    "发布日期",
    "主题分类",
    "文号",
    "标题",
    "名称",
)
_PAGE_META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "Keywords", "Description")
_MAX_SPAN = 200


def declared_encoding(data: bytes, media_type: str | None) -> str | None:
    """The charset the HTTP header or the page itself declares, as a Python codec name."""
    found = None
    if media_type and (match := _HEADER_CHARSET.search(media_type)):
        found = match.group(1)
    elif match := META_CHARSET.search(data[:4096]):
        found = match.group(1).decode("ascii")
    if not found:
        return None
    found = found.lower()
    return _ENCODING_ALIASES.get(found, found)


def decode_html(data: bytes, media_type: str | None = None) -> tuple[str, list[dict]]:
    """Decode once, so trafilatura and lxml both see text (given bytes, trafilatura may ignore <meta>).

    Bytes that are valid UTF-8 are UTF-8 whatever the page declares: GBK text is almost never valid
    UTF-8, while GB18030 decodes UTF-8 bytes into plausible-looking garbage. A wrong declaration is a
    finding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    declared = declared_encoding(data, media_type)
    for encoding in ("utf-8", declared, "gb18030"):
        if not encoding:
            continue
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        findings = []
        if declared and _codec(declared) != _codec(encoding) and not data.isascii():
            findings.append(_encoding_finding(f"页面声明的编码 {declared} 与内容不符，已按 {encoding} 解码"))
        return text, findings
    return data.decode("gb18030", errors="replace"), [
        _encoding_finding("字节无法按声明的编码解码，已按 GB18030 替换无法识别的字节")
    ]


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def _encoding_finding(message: str) -> dict:
    return finding("document.encoding", "document", message, "warning")


def cell_text(element) -> str:
    # <br> inside a header splits a label across lines (「结<br>果<br>维<br>持」): join without a gap.
    return " ".join(etree.tostring(element, method="text", encoding=str, with_tail=False).split())


def table_grid(table) -> Table:
    """Resolve rowspan/colspan into a rectangular-ish grid; positions after a span's first are marked."""
    grid: dict[tuple[int, int], Cell] = {}
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    widths = [0] * len(rows)
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.iterchildren("td", "th", "TD", "TH"):
            while (r, c) in grid:
                c += 1
            text = cell_text(td)
            rowspan = min(_span(td.get("rowspan")), len(rows) - r)
            colspan = min(_span(td.get("colspan")), _MAX_SPAN)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = Cell(text, spanned=bool(dr or dc))
                widths[r + dr] = max(widths[r + dr], c + colspan)
            c += colspan
    return Table([[grid.get((r, c)) or Cell("") for c in range(width)] for r, width in enumerate(widths)])


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, int(value.strip()))
    except ValueError:
        return 1


def page_metadata(tree) -> dict[str, str]:
    """<title>, the TRS <meta> tags, and the label/value pairs of the 索引号 table."""
    meta: dict[str, str] = {}
    title = tree.findtext(".//title")
    if title and title.strip():
        meta["page_title"] = title.strip()
    for name in _PAGE_META_NAMES:
        for element in tree.xpath(f'//meta[@name="{name}"]'):
            content = (element.get("content") or "").strip()
            if content:
                meta[name] = content
                break
    for table in tree.iter("table"):
        if "索引号" not in (table.text_content() or ""):
            continue
        cells = [cell_text(td) for td in table.iter("td", "th")]
        for label, value in zip(cells, cells[1:], strict=False):
            key = label.rstrip(":： ").replace(" ", "")
            if key in _INDEX_TABLE_LABELS and value and key not in meta:
                meta[key] = value
        break
    return meta


# A JavaScript string literal, double- or single-quoted, and the 「+」 that joins literals.
_JS_STRING = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""")
_JS_JOIN = re.compile(r"^\s*\+\s*$")


def html_in_scripts(tree) -> str | None:
    """A report body some portals ship inside a script (「var content = "<p>…" + "<table>…"」)."""
    best = ""
    for script in tree.iter("script"):
        code = script.text or ""
        if "<t" not in code and "\\u003c" not in code.lower() and "\\x3c" not in code.lower():
            continue
        pieces: list[str] = []
        last_end = None
        for match in _JS_STRING.finditer(code):
            literal = _unescape_js(match.group(1) if match.group(1) is not None else match.group(2))
            joined = last_end is not None and _JS_JOIN.match(code[last_end : match.start()])
            pieces = [*pieces, literal] if joined else [literal]
            last_end = match.end()
            candidate = "".join(pieces)
            if "<table" in candidate.lower() and len(candidate) > len(best):
                best = candidate
    return best or None


_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_JS_CONTROL = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unescape_js(literal: str) -> str:
    def replace(match: re.Match) -> str:
        escape = match.group(1)
        if escape[0] in "ux" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return _JS_CONTROL.get(escape, escape)

    return _JS_ESCAPE.sub(replace, literal)


def load_html_fragment(text: str):
    """trafilatura's parse of a page or of a saved article body (「<div class=TRS_Editor>…」 alone).

    load_html takes a fragment with one top element and no 「html」 in its first 50 characters for not-HTML
    (and logs an error); wrapped in <html><body>, the same body parses as the page it was cut from.
    """
    if "html" not in text[:50].lower():
        text = f"<html><body>{text}</body></html>"
    return load_html(text)


def read_html(data: bytes, media_type: str | None = None) -> Document:
    text, findings = decode_html(data, media_type)
    document = Document(media_type="text/html", findings=findings)
    # Parsed once, with trafilatura's own parser, so trafilatura can take the same tree at the end.
    tree = load_html_fragment(text) if text.strip() else None
    if tree is None:
        return document
    document.meta = page_metadata(tree)
    grids = table_grids(tree)
    if not any("申请" in grid.text() for _, grid in grids) and (scripted := html_in_scripts(tree)):
        # The body is a script's string: read that instead, keeping the page's own metadata.
        tree = load_html_fragment(scripted)
        grids = table_grids(tree)
    document.blocks = [grid for _, grid in grids]
    # Data tables are read already and trafilatura drops them (include_tables=False): spare it the
    # work. A layout table holding the article itself has long cells and stays.
    for element, grid in grids:
        if is_data_table(grid) and element.getparent() is not None:
            element.drop_tree()
    # What remains are layout tables (old portals put the article in a cell): as plain blocks, so
    # trafilatura keeps their paragraphs apart instead of flattening them into one table line.
    for element in list(tree.iter(*_TABLE_TAGS)):
        element.tag = "div"
    # Last: trafilatura changes the tree it is given.
    extracted = trafilatura.extract(tree, include_tables=False, include_comments=False, favor_recall=True)
    if extracted:
        document.text_lines = [line.strip() for line in extracted.splitlines() if line.strip()]
    return document


def table_grids(tree) -> list[tuple[object, Table]]:
    # Innermost tables only: old pages nest the article in layout tables.
    return [(table, table_grid(table)) for table in tree.iter("table") if not table.xpath(".//table")]


_TABLE_TAGS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")
_DATA_CELL_MAX = 120  # characters: the longest label of the standard tables is about 30


def is_data_table(grid: Table) -> bool:
    """Rows of short cells (labels and numbers), not a layout cell holding paragraphs of text."""
    return len(grid.rows) >= 2 and all(len(cell.text) <= _DATA_CELL_MAX for row in grid.rows for cell in row)

"""HTML report pages: clean text from trafilatura, table grids from the raw markup with lxml.

trafilatura loses rowspan/colspan and the nesting of row labels, so tables are read here with a
span-aware grid; trafilatura gives the clean body text (site chrome removed) that sections are cut from.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from extract.document import Cell, Document, Table
from extract.findings import finding
from extract.readers.expansion import too_large_finding

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
_MAX_WIDTH = 200  # grid columns: the standard tables have 10, a legacy 统计表 a few more
# Grid positions of one page's tables together; past them, tables are left out with a finding. The
# largest real 统计表 has a few thousand.
_MAX_CELLS = 200_000


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

    The bytes win over what the header or <meta> declares: bytes that are valid UTF-8 are UTF-8 (GBK
    text is almost never valid UTF-8, while GB18030 decodes UTF-8 bytes into plausible-looking garbage),
    and bytes that read as Chinese in GB18030 are GB18030 whatever a single-byte charset (ISO-8859-1,
    which decodes anything) says. A declaration the bytes contradict is a finding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    declared = declared_encoding(data, media_type)
    encoding = bytes_encoding(data, declared)
    if encoding is None:
        return data.decode("gb18030", errors="replace"), [
            _encoding_finding("字节无法按声明的编码解码，已按 GB18030 替换无法识别的字节")
        ]
    findings = []
    if declared and _codec(declared) != _codec(encoding) and not data.isascii():
        findings.append(_encoding_finding(f"页面声明的编码 {declared} 与内容不符，已按 {encoding} 解码"))
    return data.decode(encoding), findings


# Declarations that decode any bytes at all, so a wrong one never fails: only the bytes can overrule them.
_SINGLE_BYTE = {"latin_1", "iso8859_1", "iso8859_15", "cp1252", "ascii"}
_COMMON_CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
_CJK_SHARE = 0.6  # of the non-ASCII characters, for GB18030 to be the bytes' own charset


def bytes_encoding(data: bytes, declared: str | None) -> str | None:
    """The codec ``data`` is in: UTF-8 when valid, a declared multi-byte charset the bytes decode in,
    GB18030 when they read as Chinese in it, else a declared single-byte charset; None when none decodes."""
    if _decodes(data, "utf-8"):
        return "utf-8"
    single_byte = declared is not None and _codec(declared).replace("-", "_") in _SINGLE_BYTE
    if declared and not single_byte and _decodes(data, declared):
        return declared
    if _reads_as_chinese(data):
        return "gb18030"
    for encoding in (declared, "gb18030"):
        if encoding and _decodes(data, encoding):
            return encoding
    return None


def _reads_as_chinese(data: bytes) -> bool:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [char for char in text if ord(char) > 127]
    return bool(wide) and len(_COMMON_CJK.findall("".join(wide))) >= _CJK_SHARE * len(wide)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


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


def table_grid(table, room: int = _MAX_CELLS) -> Table | None:
    """Resolve rowspan/colspan into a rectangular-ish grid; positions after a span's first are marked.

    A row stops at ``_MAX_WIDTH`` columns; a grid of more than ``room`` positions is None (a page of
    cells spanning 200 columns each would otherwise take gigabytes)."""
    grid: dict[tuple[int, int], Cell] = {}
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    widths = [0] * len(rows)
    filled = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.iterchildren("td", "th", "TD", "TH"):
            while (r, c) in grid:
                c += 1
            if c >= _MAX_WIDTH:
                break
            text = cell_text(td)
            rowspan = min(_span(td.get("rowspan")), len(rows) - r)
            colspan = min(_span(td.get("colspan")), _MAX_WIDTH - c)
            filled += rowspan * colspan
            if filled > room:
                return None
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = Cell(text, spanned=bool(dr or dc))
                widths[r + dr] = max(widths[r + dr], c + colspan)
            c += colspan
    if sum(widths) > room:  # the blanks that square the grid count too
        return None
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
_JS_JOIN = re.compile(r"\s*\+\s*$")


def html_in_scripts(tree) -> str | None:
    """A report body some portals ship inside a script (「var content = "<p>…" + "<table>…"」)."""
    best = ""
    for script in tree.iter("script"):
        code = script.text or ""
        if "<t" not in code and "\\u003c" not in code.lower() and "\\x3c" not in code.lower():
            continue
        for run in _joined_literals(code):
            candidate = "".join(run)  # once per run: joining at every literal is quadratic
            if "<table" in candidate.lower() and len(candidate) > len(best):
                best = candidate
    return best or None


def _joined_literals(code: str) -> Iterator[list[str]]:
    """The string literals of a script, unescaped, in runs joined by 「+」."""
    run: list[str] = []
    last_end = 0
    for match in _JS_STRING.finditer(code):
        literal = _unescape_js(match.group(1) if match.group(1) is not None else match.group(2))
        if run and _JS_JOIN.match(code, last_end, match.start()):
            run.append(literal)
        else:
            if run:
                yield run
            run = [literal]
        last_end = match.end()
    if run:
        yield run


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
    grids = table_grids(tree, document.findings)
    if not any("申请" in grid.text() for _, grid in grids) and (scripted := html_in_scripts(tree)):
        # The body is a script's string: read that instead, keeping the page's own metadata.
        tree = load_html_fragment(scripted)
        grids = table_grids(tree, document.findings)
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


def table_grids(tree, findings: list[dict] | None = None) -> list[tuple[object, Table]]:
    """The grids of the innermost tables (old pages nest the article in layout tables), within
    ``_MAX_CELLS`` positions in all; a table past them is dropped, with a finding in ``findings``."""
    grids = []
    room = _MAX_CELLS
    for table in tree.iter("table"):
        if table.xpath(".//table"):
            continue
        grid = table_grid(table, room)
        if grid is None:
            if table.getparent() is not None:
                table.drop_tree()  # out of the text too: trafilatura takes minutes over such a table
            if findings is not None and not any(f["check"] == "document.too_large" for f in findings):
                findings.append(too_large_finding(f"表格超过 {_MAX_CELLS:,} 个单元格，未读取"))
            continue
        room -= sum(len(row) for row in grid.rows)
        grids.append((table, grid))
    return grids


_TABLE_TAGS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")
_DATA_CELL_MAX = 120  # characters: the longest label of the standard tables is about 30


def is_data_table(grid: Table) -> bool:
    """Rows of short cells (labels and numbers), not a layout cell holding paragraphs of text."""
    return len(grid.rows) >= 2 and all(len(cell.text) <= _DATA_CELL_MAX for row in grid.rows for cell in row)

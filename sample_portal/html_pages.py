"""HTML of the sample portal: chrome, list pages, article pages and the report tables.

The shapes copy TRS WCM portals: relative article links ./YYYYMM/tYYYYMMDD_id.html, pagination that
only exists as a createPageHTML() call, an 索引号 table above the article, the article inside
div.TRS_Editor / div.trs_editor_view / #zoom, and Word-exported tables (MsoNormalTable, p.MsoNormal).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date

from narrative import ReportText
from report_style import ReportStyle
from report_tables import SPAN, Cell, Grid

SITE_NAME = "示例区人民政府门户网站"
SITE_TITLE = "示例区人民政府门户网站（样例站点）"
COLUMN_DIR = "/zfxxgk/zfxxgknb/"
COLUMN_NAME = "政府信息公开年报"
GB_META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
NAV = (
    ("/index.html", "首页"),
    ("/zwdt/index.html", "政务动态"),
    ("/zfxxgk/index.html", "政府信息公开"),
    ("/bsfw/index.html", "办事服务"),
    ("/zmhd/index.html", "政民互动"),
)
XXGK_COLUMNS = (
    ("/zfxxgk/zfxxgkzn/index.html", "政府信息公开指南"),
    ("/zfxxgk/zfxxgkzd/index.html", "政府信息公开制度"),
    ("/zfxxgk/fdzdgknr/index.html", "法定主动公开内容"),
    ("/zfxxgk/zfxxgknb/index.html", COLUMN_NAME),
)
CONTAINERS = {
    "TRS_Editor": '<div class="TRS_Editor">',
    "trs_editor_view TRS_UEDITOR": '<div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">',
    "zoom": '<div id="zoom">',
}
# The pagination script of TRS WCM list templates: links exist only once document.write runs.
PAGINATION_JS = r"""<script language="javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount <= 1){
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0)
		document.write("<span class=\"disabled\">首页</span>&nbsp;<span class=\"disabled\">上一页</span>&nbsp;");
	else if(nCurrIndex == 1)
		document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">首页</a>&nbsp;<a href=\""+_sPageName+"."+_sPageExt+"\">上一页</a>&nbsp;");
	else
		document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">首页</a>&nbsp;<a href=\""+_sPageName+"_"+(nCurrIndex-1)+"."+_sPageExt+"\">上一页</a>&nbsp;");
	if(nCurrIndex == _nPageCount-1)
		document.write("<span class=\"disabled\">下一页</span>&nbsp;<span class=\"disabled\">尾页</span>");
	else
		document.write("<a href=\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\">下一页</a>&nbsp;<a href=\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\">尾页</a>");
	document.write("&nbsp;&nbsp;共"+_nPageCount+"页&nbsp;当前第"+(nCurrIndex+1)+"页");
}
</script>"""


@dataclass
class Article:
    """One page of the 年报 column (a report or not) with its TRS metadata."""

    doc_id: int
    published: date
    time: str
    title: str
    publisher: str
    index_code: str
    written: date
    doc_number: str = ""
    topic: str = "综合政务/政务公开"
    encoding: str = "utf-8"
    container: str = "TRS_Editor"
    body: str = ""
    related: list[Article] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return f"{self.published:%Y%m}"

    @property
    def path(self) -> str:
        return f"{COLUMN_DIR}{self.folder}/t{self.published:%Y%m%d}_{self.doc_id}.html"

    def href_from_column(self) -> str:
        return f"./{self.folder}/t{self.published:%Y%m%d}_{self.doc_id}.html"

    def href_from(self, other: Article) -> str:
        name = f"t{self.published:%Y%m%d}_{self.doc_id}.html"
        return f"./{name}" if other.folder == self.folder else f"../{self.folder}/{name}"


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def link_text(title: str) -> str:
    """List templates cut long titles; the title attribute keeps the full one."""
    return title if len(title) <= 28 else title[:26] + "…"


# --- chrome -----------------------------------------------------------------------------------------


def head(title: str, encoding: str, metas: tuple[tuple[str, str], ...] = ()) -> str:
    if encoding == "utf-8":
        opening = '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">'
    else:
        opening = (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n{GB_META}'
        )
    meta_lines = "".join(f'<meta name="{name}" content="{attr(value)}">\n' for name, value in metas)
    return (
        f"{opening}\n<title>{esc(title)}</title>\n{meta_lines}"
        '<link rel="stylesheet" type="text/css" href="/css/style.css">\n</head>\n<body>\n'
    )


def header(search: bool) -> str:
    box = (
        '<div class="search"><form action="/search/index.html" method="get" target="_blank">'
        '<input type="text" name="searchword" placeholder="请输入关键字">'
        '<input type="submit" value="搜索"></form><a href="/search/index.html" target="_blank">站内搜索</a></div>\n'
        if search
        else ""
    )
    nav = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in NAV)
    return (
        f'<div class="header"><div class="logo"><a href="/index.html">{SITE_TITLE}</a></div>\n{box}</div>\n'
        f'<div class="nav"><ul>{nav}</ul></div>\n'
    )


def footer() -> str:
    return (
        '<div class="footer">\n'
        "<p>主办：示例区人民政府办公室　版权所有：示例区人民政府</p>\n"
        "<p>网站标识码：9999000001　ICP备案号：示ICP备20190001号</p>\n"
        "<p>本站为自动生成的样例站点：除五篇年度报告的表格数字取自真实报告外，其余数字均为合成数据。</p>\n"
        "</div>\n</body>\n</html>\n"
    )


def xxgk_menu(prefix: str) -> str:
    """Left menu of the 政府信息公开 columns, linked relative to the page as TRS templates do."""
    items = "".join(
        f'<li><a href="{prefix}{href.removeprefix("/zfxxgk/")}">{label}</a></li>'
        for href, label in XXGK_COLUMNS
    )
    return f'<div class="left-menu"><h3>政府信息公开</h3><ul>{items}</ul></div>\n'


# --- list pages -------------------------------------------------------------------------------------


def list_page(items: list[Article], index: int, count: int, encoding: str, total: int) -> str:
    lines = "\n".join(
        f'<li><a href="{item.href_from_column()}" target="_blank" title="{attr(item.title)}">'
        f"{esc(link_text(item.title))}</a><span>{item.published:%Y-%m-%d}</span></li>"
        for item in items
    )
    return (
        head(f"{COLUMN_NAME}_{SITE_NAME}", encoding, (("ColumnName", COLUMN_NAME), ("SiteName", SITE_NAME)))
        + header(search=True)
        + '<div class="position">当前位置：<a href="../../index.html">首页</a> &gt; '
        f'<a href="../index.html">政府信息公开</a> &gt; {COLUMN_NAME}</div>\n'
        + '<div class="main">\n'
        + xxgk_menu("../")
        + f'<div class="list-box">\n<div class="list-title"><h2>{COLUMN_NAME}</h2></div>\n'
        + f'<ul class="list">\n{lines}\n</ul>\n'
        + f'<div class="page">\n<!--wcm分页，总记录：{total}-->\n{PAGINATION_JS}\n'
        + f'<script>createPageHTML({count}, {index}, "index", "html");</script>\n</div>\n'
        + "</div>\n</div>\n"
        + footer()
    )


# --- article pages ----------------------------------------------------------------------------------


def xxgk_table(article: Article) -> str:
    return (
        '<div class="xxgk_info">\n<table class="xxgk_table" width="100%" cellspacing="0" cellpadding="0">\n'
        f"<tr><th>索引号：</th><td>{article.index_code}</td><th>主题分类：</th><td>{article.topic}</td></tr>\n"
        f"<tr><th>发布机构：</th><td>{esc(article.publisher)}</td>"
        f"<th>成文日期：</th><td>{article.written:%Y-%m-%d}</td></tr>\n"
        f"<tr><th>文　　号：</th><td>{esc(article.doc_number)}</td>"
        f"<th>发布日期：</th><td>{article.published:%Y-%m-%d}</td></tr>\n"
        f'<tr><th>标　　题：</th><td colspan="3">{esc(article.title)}</td></tr>\n</table>\n</div>\n'
    )


def related_links(article: Article) -> str:
    if not article.related:
        return ""
    items = "".join(
        f'<li><a href="{other.href_from(article)}" target="_blank" title="{attr(other.title)}">'
        f"{esc(link_text(other.title))}</a></li>"
        for other in article.related
    )
    return f'<div class="related"><h3>相关链接</h3><ul>{items}</ul></div>\n'


def article_page(article: Article) -> str:
    metas = (
        ("SiteName", SITE_NAME),
        ("ColumnName", COLUMN_NAME),
        ("ArticleTitle", article.title),
        ("PubDate", f"{article.published:%Y-%m-%d} {article.time}"),
        ("ContentSource", article.publisher),
    )
    return (
        head(f"{article.title}_{SITE_NAME}", article.encoding, metas)
        + header(search=False)
        + '<div class="position">当前位置：<a href="../../../index.html">首页</a> &gt; '
        f'<a href="../../index.html">政府信息公开</a> &gt; <a href="../index.html">{COLUMN_NAME}</a></div>\n'
        + xxgk_table(article)
        + f'<div class="article">\n<h1 class="article-title">{esc(article.title)}</h1>\n'
        + f'<div class="article-info"><span>发布时间：{article.published:%Y-%m-%d} {article.time}</span>'
        f"<span>来源：{esc(article.publisher)}</span>"
        '<span>字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
        '<a href="javascript:doZoom(14)">小</a></span></div>\n'
        + f"{CONTAINERS[article.container]}\n{article.body}\n</div>\n</div>\n"
        + related_links(article)
        + '<div class="article-tools"><a href="javascript:window.print()">打印本页</a> '
        '<a href="javascript:window.close()">关闭窗口</a></div>\n' + footer()
    )


# --- report body ------------------------------------------------------------------------------------


def paragraph(text: str, style: ReportStyle) -> str:
    if style.markup == "word":
        return (
            '<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt">'
            f'<span style="font-family:仿宋_GB2312;font-size:16.0pt">{esc(text)}</span></p>'
        )
    return f'<p style="text-indent:2em;">{esc(text)}</p>'


def heading(text: str, style: ReportStyle) -> str:
    if style.markup == "word":
        return (
            '<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt"><b>'
            f'<span style="font-family:黑体;font-size:16.0pt">{esc(text)}</span></b></p>'
        )
    return f'<p style="text-indent:2em;"><strong>{esc(text)}</strong></p>'


def title_paragraph(text: str, style: ReportStyle) -> str:
    if style.markup == "word":
        return (
            '<p class="MsoNormal" align="center" style="text-align:center"><b>'
            f'<span style="font-family:方正小标宋简体;font-size:22.0pt">{esc(text)}</span></b></p>'
        )
    return f'<p style="text-align:center;"><strong>{esc(text)}</strong></p>'


def report_body(title: str, text: ReportText, tables: dict[str, Grid], style: ReportStyle) -> str:
    parts = [title_paragraph(title, style), paragraph(text.preface, style)]
    for section in text.sections:
        parts.append(heading(section.heading, style))
        if section.key == "overview" and style.duplicate_overview:
            parts.append(heading(section.heading, style))
        if section.key in tables:
            parts.append(table_html(tables[section.key], style))
        parts.extend(paragraph(p, style) for p in section.paragraphs)
    body = "\n".join(parts)
    return f'<div class="WordSection1">\n{body}\n</div>' if style.markup == "word" else body


def attachment_body(title: str, href: str, style: ReportStyle) -> str:
    """The page of a report published only as an attachment."""
    return "\n".join(
        [
            paragraph(f"{title}详见附件。", style),
            f'<p>附件：<a href="{href}">{esc(title)}.docx</a></p>',
        ]
    )


# --- tables -----------------------------------------------------------------------------------------

WORD_TABLE = (
    '<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable" '
    'style="border-collapse:collapse;border:none;width:100%">'
)
PLAIN_TABLE = (
    '<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable" '
    'style="width:100%;border-collapse:collapse;text-align:center">'
)
WORD_SPAN = '<span style="font-family:宋体">'
BLANKS = {"nbsp": "&nbsp;", "op": "<o:p></o:p>", "empty": ""}


def table_html(grid: Grid, style: ReportStyle) -> str:
    rows = "\n".join("<tr>" + "".join(cell_html(cell, style) for cell in row) + "</tr>" for row in grid)
    opening = WORD_TABLE if style.markup == "word" else PLAIN_TABLE
    table = f"{opening}\n<tbody>\n{rows}\n</tbody>\n</table>"
    return f'<div align="center">\n{table}\n</div>' if style.markup == "word" else table


def cell_inner(cell: Cell, style: ReportStyle, span_break: str) -> str:
    if cell.blank:
        return BLANKS[style.blank_markup]
    return esc(cell.text).replace("\n", "<br>").replace(SPAN, span_break)


def cell_html(cell: Cell, style: ReportStyle) -> str:
    spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    )
    if style.markup == "word":
        inner = cell_inner(cell, style, f"</span>{WORD_SPAN}")
        return f'<td{spans} valign="center"><p class="MsoNormal" align="center">{WORD_SPAN}{inner}</span></p></td>'
    if SPAN in cell.text and not cell.blank:
        inner = "".join(f"<span>{esc(part)}</span>" for part in cell.text.split(SPAN))
        return f"<td{spans}>{inner}</td>"
    return f"<td{spans}>{cell_inner(cell, style, '')}</td>"


# --- other pages ------------------------------------------------------------------------------------


def simple_page(title: str, body: str, crumbs: str, search: bool = False) -> str:
    return (
        head(f"{title}_{SITE_NAME}", "utf-8", (("SiteName", SITE_NAME), ("ColumnName", title)))
        + header(search)
        + f'<div class="position">当前位置：{crumbs}</div>\n'
        + f'<div class="main">\n<h2>{esc(title)}</h2>\n{body}\n</div>\n'
        + footer()
    )


def home_page(latest: list[Article]) -> str:
    news = "".join(
        f'<li><a href="{item.path}" target="_blank" title="{attr(item.title)}">'
        f"{esc(link_text(item.title))}</a><span>{item.published:%m-%d}</span></li>"
        for item in latest
    )
    columns = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in XXGK_COLUMNS)
    body = (
        f'<div class="block"><h3><a href="/zfxxgk/index.html">政府信息公开</a></h3><ul>{columns}</ul></div>\n'
        f'<div class="block"><h3>最新公开</h3><ul class="list">{news}</ul></div>\n'
        '<div class="block"><h3><a href="/zwdt/index.html">政务动态</a></h3>'
        "<p>本样例站点只设政府信息公开年报一个完整栏目。</p></div>\n"
    )
    return (
        head(SITE_TITLE, "utf-8", (("SiteName", SITE_NAME),))
        + header(search=True)
        + f'<div class="main">\n{body}</div>\n'
        + footer()
    )


STYLE_CSS = """body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333}
.header{background:#b5121b;color:#fff;padding:16px 40px}.header a{color:#fff;text-decoration:none}
.logo{font-size:26px;font-weight:bold}.search{float:right;margin-top:-36px}
.nav ul{margin:0;padding:0 40px;background:#8f0e15;list-style:none}.nav li{display:inline-block}
.nav a{display:block;padding:8px 18px;color:#fff;text-decoration:none}
.position,.main,.article,.xxgk_info,.related,.article-tools{margin:10px 40px}
.left-menu{float:left;width:200px}.list-box{margin-left:220px}
ul.list li{list-style:none;border-bottom:1px dashed #ddd}ul.list li span{float:right;color:#999}
.xxgk_table{border-collapse:collapse}.xxgk_table th,.xxgk_table td{border:1px solid #ddd;padding:4px}
.article-title{text-align:center;font-size:22px}.article-info span{margin-right:20px;color:#999}
.MsoNormalTable td{border:1px solid #000;padding:2px}.footer{clear:both;background:#eee;padding:10px 40px}
"""

"""A portal on a CMS no adapter knows, for crawl tests of the generic adapter.

The column ``/xxgk/ndbg/list.html`` is a table-layout list of 28 items over three pages, linked by
「下一页」 to ``list_2.html`` and ``list_3.html``. The last page's 下一页 points to itself, a common
template quirk. Every list page carries site chrome (首页, 联系我们, 站内搜索) and links to other hosts,
one of them titled like a report. Articles are ``/xxgk/ndbg/content_{id}.html``, linked relatively or
by absolute path; half of them and ``list_2.html`` are GBK bytes declaring gb2312. Other hosts use the
reserved ``.invalid`` domain, so nothing can reach them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.portals.common import tiny_pdf, write

COLUMN_DIR = "/xxgk/ndbg/"
COLUMN_PATH = COLUMN_DIR + "list.html"
SITE_NAME = "示例县人民政府"
PER_PAGE = 10
GB_META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
AGENCIES = {
    "示例县人民政府": range(2016, 2025),
    "示例县财政局": range(2018, 2025),
    "示例县卫生健康局": range(2021, 2025),
}
OTHER_DOCUMENTS = (
    ("关于报送2023年度政府信息公开工作年度报告的通知", date(2023, 12, 5)),
    ("示例县政府信息公开指南", date(2020, 6, 12)),
    ("示例县2024年政务公开工作要点", date(2024, 4, 18)),
    ("示例县2022年政府工作报告", date(2022, 2, 10)),
    ("示例县政府信息公开申请表", date(2019, 5, 20)),
    ("2021年示例县政府信息公开工作年度报告解读", date(2022, 1, 28)),
    ("示例县人民政府关于公布2023年度行政权力事项目录的公告", date(2023, 3, 9)),
    ("示例县2020年度法治政府建设情况报告", date(2021, 3, 30)),
)
# Links to other hosts: the adapter must drop them, even the one titled like a report.
CROSS_SITE = (
    ("http://www.gov.example.invalid/", "中国政府网"),
    (
        "http://sjzf.example.invalid/xxgk/ndbg/content_9001.html",
        "示例市人民政府2023年政府信息公开工作年度报告",
    ),
    ("https://www.zwfw.example.invalid/index.html", "政务服务网"),
)
CHROME = (("/index.html", "首页"), ("/xxgk/index.html", "信息公开"), ("/lxwm.html", "联系我们"))


@dataclass(frozen=True)
class Item:
    doc_id: int
    title: str
    published: date
    report_year: int | None
    encoding: str
    href_style: str  # "relative", "dot" or "absolute"
    attachment: str | None = None

    @property
    def path(self) -> str:
        return f"{COLUMN_DIR}content_{self.doc_id}.html"

    @property
    def href(self) -> str:
        name = f"content_{self.doc_id}.html"
        return {"relative": name, "dot": f"./{name}", "absolute": self.path}[self.href_style]


def build_generic_portal(root: Path, items: list[Item] | None = None) -> dict:
    """Write the portal under ``root``; return its (empty) routes and the crawl's ground truth. ``items``
    (newest first) replaces the column's own 28 (tests/portals/fleet.py lists other agencies)."""
    items = _items() if items is None else items
    pages = [items[start : start + PER_PAGE] for start in range(0, len(items), PER_PAGE)]
    write(root / "robots.txt", "User-agent: *\nDisallow: /search/\n")
    write(root / "index.html", _page(SITE_NAME, _home_body()))
    write(root / "xxgk" / "index.html", _page("信息公开", _section_body()))
    write(root / "lxwm.html", _page("联系我们", "<p>地址：示例县人民路1号</p>"))
    write(root / "search" / "index.html", _page("站内搜索", "<p>请输入关键字</p>"))
    for number, page_items in enumerate(pages, start=1):
        encoding = "gbk" if number == 2 else "utf-8"
        write(
            root / _list_path(number).lstrip("/"),
            _list_page(page_items, number, len(pages), len(items), encoding),
            encoding,
        )
    for item in items:
        write(root / item.path.lstrip("/"), _article_page(item), item.encoding)
        if item.attachment:
            write(root / item.attachment.lstrip("/"), tiny_pdf(f"Annual report {item.report_year}"))
    return {
        "routes": {},
        "column_path": COLUMN_PATH,
        "home_path": "/",
        "list_pages": [_list_path(number) for number in range(1, len(pages) + 1)],
        "reports": [
            {
                "url_path": item.path,
                "title": item.title,
                "year": item.report_year,
                "attachments": [item.attachment] if item.attachment else [],
                "published": item.published.isoformat(),
            }
            for item in items
            if item.report_year
        ],
        "non_reports": [item.path for item in items if not item.report_year],
        "gbk_paths": [_list_path(2)] + [item.path for item in items if item.encoding == "gbk"],
        "cross_site": [url for url, _ in CROSS_SITE],
    }


def _items() -> list[Item]:
    """28 items, newest first: 20 reports of three agencies and 8 other documents."""
    drafts = []
    for agency, years in AGENCIES.items():
        for year in years:
            title = (
                f"{agency}{year}年政府信息公开工作年度报告"
                if year % 2
                else f"{agency}{year}年度政府信息公开工作报告"
            )
            drafts.append((title, date(year + 1, 1, 8 + len(drafts) % 20), year))
    drafts += [(title, published, None) for title, published in OTHER_DOCUMENTS]
    drafts.sort(key=lambda draft: draft[1], reverse=True)
    items = []
    for number, (title, published, year) in enumerate(drafts):
        doc_id = 58_013 + 29 * number
        attachment = f"{COLUMN_DIR}P0{published:%Y%m%d}{doc_id}.pdf" if year == 2023 else None
        href_style = ("relative", "absolute", "dot")[number % 3]
        items.append(
            Item(doc_id, title, published, year, ("utf-8", "gbk")[number % 2], href_style, attachment)
        )
    return items


def _list_path(number: int) -> str:
    return COLUMN_PATH if number == 1 else f"{COLUMN_DIR}list_{number}.html"


# --- pages ------------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _page(title: str, body: str, encoding: str = "utf-8") -> str:
    meta = '<meta charset="utf-8">' if encoding == "utf-8" else GB_META
    chrome = "".join(f'<a href="{href}">{label}</a> ' for href, label in CHROME)
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{_esc(title)}</title>\n</head>\n<body>\n"
        f'<div class="top">{chrome}<a href="/search/index.html?q=">站内搜索</a></div>\n{body}\n'
        f'<div class="foot">{SITE_NAME}主办 <a href="/lxwm.html">联系我们</a></div>\n</body>\n</html>\n'
    )


def _home_body() -> str:
    return '<div class="main"><a href="/xxgk/index.html">信息公开</a> <a href="/zwdt/index.html">政务动态</a></div>'


def _section_body() -> str:
    return (
        '<table class="menu"><tr><td><a href="/xxgk/zn/index.html">信息公开指南</a></td></tr>'
        f'<tr><td><a href="{COLUMN_PATH}">信息公开年度报告</a></td></tr></table>'
    )


def _short(title: str) -> str:
    return title if len(title) <= 24 else title[:22] + "…"


def _list_page(items: list[Item], number: int, count: int, total: int, encoding: str) -> str:
    rows = "".join(
        f'<tr><td class="bt"><a href="{item.href}" target="_blank" title="{_esc(item.title)}">'
        f'{_esc(_short(item.title))}</a></td><td class="rq">{item.published:%Y-%m-%d}</td></tr>\n'
        for item in items
    )
    related = "".join(
        f'<li><a href="{url}" target="_blank">{_esc(label)}</a></li>' for url, label in CROSS_SITE
    )
    body = (
        f'<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/xxgk/index.html">信息公开</a>'
        f' &gt; 年度报告</div>\n<table class="list" width="100%" cellspacing="0" cellpadding="0">\n{rows}</table>\n'
        f"{_pager(number, count, total)}\n"
        f'<div class="side"><h3>相关链接</h3><ul>{related}</ul></div>'
    )
    return _page("信息公开年度报告", body, encoding)


def _pager(number: int, count: int, total: int) -> str:
    def name(page: int) -> str:
        return "list.html" if page == 1 else f"list_{page}.html"

    previous = f'<a href="{name(number - 1)}">上一页</a>' if number > 1 else "<span>上一页</span>"
    # The last page's 下一页 links to the page itself, as many templates draw it.
    following = f'<a href="{name(min(number + 1, count))}">下一页</a>'
    numbers = " ".join(f'<a href="{name(page)}">{page}</a>' for page in range(1, count + 1))
    return (
        f'<div class="pagination">共{total}条 第{number}/{count}页 <a href="{name(1)}">首页</a> {previous} '
        f'{numbers} {following} <a href="{name(count)}">尾页</a></div>'
    )


def _article_page(item: Item) -> str:
    attachment = (
        f'<p>附件：<a href="{item.attachment}">{_esc(item.title)}.pdf</a></p>' if item.attachment else ""
    )
    text = (
        f"<p>本报告所列数据统计期限自{item.report_year}年1月1日起至{item.report_year}年12月31日止。</p>"
        "<p>一、总体情况</p><p>本年度本机关认真贯彻落实政府信息公开条例。</p>"
        if item.report_year
        else "<p>（正文略）</p>"
    )
    body = (
        f'<div class="article"><h1>{_esc(item.title)}</h1><div class="info">发布日期：{item.published:%Y-%m-%d}</div>'
        f'<div class="text">{text}{attachment}</div></div>'
    )
    return _page(item.title, body, item.encoding)

"""A city government whose bureau links its annual-report column on the city's disclosure platform,
on another host (portal-patterns.md, section H), and columns that must not end quietly as ``finished``.

Served by one ``PortalServer(root, virtual_hosts=True)``, built once its port is known (links between the
hosts are absolute); the crawler reaches the names with ``--resolve NAME:127.0.0.1`` (``truth["resolve"]``):

- ``gjj.qingxi.gov.cn`` — the 住房公积金管理中心's own site. Its home page has a 「最新公开」 box linking
  the newest report (one report link does not make a column), 「一图读懂」 of a report, a 「政务公开」
  entrance (``/zwgk/``) and a link to another government's column (``www.hexi.gov.cn``, never fetched,
  recorded as skipped). The 政务公开 page links 「政府信息公开年报」 on the platform.
- ``zfxxgk.qingxi.gov.cn`` — the city's platform, as Beijing's ``zfxxgk.beijing.gov.cn/110016/zfxxgknb/
  list.shtml``:
  - ``/11007/zfxxgknb/list.shtml`` (the bureau): 26 items over ``list.shtml``, ``list_1.shtml``,
    ``list_2.shtml``, 「共26条」 and 下一页 links; reports 2008–2024 mixed with 图解/一图读懂/解读 of
    reports, 通知 and 工作要点. Reports from 2021 link a PDF.
  - ``/11008/zfxxgknb/list.shtml``: 「共25条」 but only its first 10 items; the rest sit behind a pager a
    script draws (``laypage.render``) that no adapter knows — the crawl must end ``partial``.
  - ``/11009/zfxxgknb/index.html``: a shell whose list is a same-site ``<iframe>``.
  - ``/11010/zfxxgknb/list.shtml``: a column with no report yet — ``empty``.
  - ``/11011/jgzn/index.html``: a page with no way to any column — ``no_column``.

Deterministic: no clock, no randomness.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from tests.portals.common import tiny_pdf, write

BUREAU_HOST = "gjj.qingxi.gov.cn"
PLATFORM_HOST = "zfxxgk.qingxi.gov.cn"
OTHER_GOVERNMENT_COLUMN = "http://www.hexi.gov.cn/zfxxgk/zfxxgknb/index.html"
AGENCY = "青溪市住房公积金管理中心"
PER_PAGE = 10
COLUMN = "/11007/zfxxgknb/"
PARTIAL_COLUMN = "/11008/zfxxgknb/"
FRAMED_COLUMN = "/11009/zfxxgknb/"
EMPTY_COLUMN = "/11010/zfxxgknb/"
NO_COLUMN_PAGE = "/11011/jgzn/index.html"
LOOK_ALIKES = (
    "图解：{agency}2023年政府信息公开工作年度报告",
    "一图读懂{agency}2022年政府信息公开工作年度报告",
    "一图读懂{agency}2021年度政府信息公开工作年度报告",
    "图解{agency}2020年政府信息公开工作年度报告",
    "{agency}2023年政府信息公开工作年度报告解读",
    "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
    "关于报送2022年度政务公开工作年度报告的通知",
    "{agency}2024年政务公开工作要点",
    "{agency}2023年政务公开工作要点",
)


@dataclass(frozen=True)
class Item:
    title: str
    path: str  # on the platform host
    published: str
    year: int | None  # the year a report covers; None for a look-alike

    @property
    def attachments(self) -> list[str]:
        return [self.path.replace(".html", ".pdf").replace("/t", "/P0")] if (self.year or 0) >= 2021 else []


def column_items(column: str, agency: str, first_id: int) -> list[Item]:
    """Reports 2008–2024 and the look-alikes, newest first, TRS-style article paths under the column."""
    items = []
    for number, year in enumerate(range(2008, 2025)):
        month = 1 + number % 3
        items.append(
            Item(
                f"{agency}{year}年政府信息公开工作年度报告",
                f"{column}{year + 1}0{month}/t{year + 1}0{month}15_{first_id + number}.html",
                f"{year + 1}-0{month}-15",
                year,
            )
        )
    for number, pattern in enumerate(LOOK_ALIKES):
        year = 2024 - number // 2
        items.append(
            Item(
                pattern.format(agency=agency),
                f"{column}{year}02/t{year}0220_{first_id + 100 + number}.html",
                f"{year}-02-20",
                None,
            )
        )
    return sorted(items, key=lambda item: (item.published, item.path), reverse=True)


def build_sibling_hosts_portal(root: Path, port: int) -> dict:
    """Write both hosts' sites under ``root/<host>/`` for a server on ``port``; return the truth the
    crawls are checked against."""
    platform_origin = f"http://{PLATFORM_HOST}:{port}"
    bureau, platform = root / BUREAU_HOST, root / PLATFORM_HOST
    items = column_items(COLUMN, AGENCY, 8_812_000)
    newest = items[0] if items[0].year else next(item for item in items if item.year)
    write(bureau / "index.html", _page(AGENCY, _bureau_home(newest, platform_origin)))
    write(bureau / "zwgk" / "index.html", _page("政务公开", _bureau_disclosure_page(platform_origin)))
    write(bureau / "robots.txt", "User-agent: *\nDisallow: /search/\n")
    write(platform / "robots.txt", "User-agent: *\nDisallow:\n")
    _write_list(platform, COLUMN, items, pages=None)
    partial_items = column_items(PARTIAL_COLUMN, "青溪市医疗保障局", 8_813_000)[:25]
    _write_list(platform, PARTIAL_COLUMN, partial_items, pages=1)
    framed_items = column_items(FRAMED_COLUMN, "青溪市审计局", 8_814_000)[:PER_PAGE]
    write(platform / FRAMED_COLUMN.strip("/") / "index.html", _framed_shell())
    write(platform / FRAMED_COLUMN.strip("/") / "list_frame.html", _page("列表", _list_markup(framed_items)))
    for item in framed_items:
        _write_article(platform, item)
    write(
        platform / EMPTY_COLUMN.strip("/") / "list.shtml",
        _page("政府信息公开年报", '<ul class="list"></ul><p class="nodata">暂无信息</p>'),
    )
    write(
        platform / NO_COLUMN_PAGE.strip("/"),
        _page("机构职能", "<p>负责全市住房公积金的归集、管理和使用。</p>"),
    )

    def reports(column_items_: list[Item]) -> list[dict]:
        return [
            {"url_path": item.path, "title": item.title, "year": item.year, "attachments": item.attachments}
            for item in column_items_
            if item.year
        ]

    return {
        "resolve": [BUREAU_HOST, PLATFORM_HOST],
        "home_url": f"http://{BUREAU_HOST}:{port}/",
        "column_url": f"http://{PLATFORM_HOST}:{port}{COLUMN}list.shtml",
        "reports": reports(items),
        "non_reports": [item.path for item in items if not item.year],
        "announced": len(items),
        "partial_url": f"http://{PLATFORM_HOST}:{port}{PARTIAL_COLUMN}list.shtml",
        "partial_reached": PER_PAGE,
        "partial_announced": len(partial_items),
        "framed_url": f"http://{PLATFORM_HOST}:{port}{FRAMED_COLUMN}index.html",
        "framed_reports": reports(framed_items),
        "empty_url": f"http://{PLATFORM_HOST}:{port}{EMPTY_COLUMN}list.shtml",
        "no_column_url": f"http://{PLATFORM_HOST}:{port}{NO_COLUMN_PAGE}",
        "skipped_host": "www.hexi.gov.cn",
    }


def _bureau_home(newest: Item, platform: str) -> str:
    # The 最新公开 box links one report, on the platform; the column itself is one level further down.
    return f"""
<div class="nav"><a href="/">首页</a><a href="/jggk/">机构概况</a><a href="/zwgk/index.html">政务公开</a>
<a href="/bsfw/">办事服务</a></div>
<div class="zxgk"><h3>最新公开</h3><ul>
<li><a href="{platform}{newest.path}" title="{newest.title}">{newest.title}</a><span>{newest.published}</span></li>
<li><a href="/zwgk/202402/t20240220_51.html" title="一图读懂{AGENCY}2023年政府信息公开工作年度报告">一图读懂年报</a></li>
</ul></div>
<div class="links"><a href="{OTHER_GOVERNMENT_COLUMN}">河西县政府信息公开年报</a>
<a href="http://www.gov.cn/">中国政府网</a></div>"""


def _bureau_disclosure_page(platform: str) -> str:
    return f"""
<ul class="gknav">
<li><a href="{platform}/11007/zfxxgkzn/index.html">政府信息公开指南</a></li>
<li><a href="{platform}/11007/zfxxgkzd/index.html">政府信息公开制度</a></li>
<li><a href="{platform}{COLUMN}list.shtml">政府信息公开年报</a></li>
<li><a href="{OTHER_GOVERNMENT_COLUMN}">河西县政府信息公开年报</a></li>
</ul>"""


def _write_list(site: Path, column: str, items: list[Item], pages: int | None) -> None:
    """The column's list pages; ``pages``: how many are reachable by links (None: all of them)."""
    chunks = [items[start : start + PER_PAGE] for start in range(0, len(items), PER_PAGE)]
    for number, chunk in enumerate(chunks):
        name = "list.shtml" if number == 0 else f"list_{number}.shtml"
        if pages is None:
            pager = _pager(number, len(chunks))
        else:  # a pager only a script we don't know draws
            pager = (
                '<div id="page"></div><script src="/js/laypage.js"></script><script>laypage.render({'
                f"elem:'page', count:{len(items)}, limit:{PER_PAGE}, curr:{number + 1}, jump:function(o,first){{"
                "if(!first){location.href=(o.curr==1?'list':'list_'+(o.curr-1))+'.shtml';}}});</script>"
            )
        body = _list_markup(chunk) + f'<div class="total">共{len(items)}条</div>' + pager
        write(site / column.strip("/") / name, _page("政府信息公开年报", body))
    for item in items:
        _write_article(site, item)


def _list_markup(items: list[Item]) -> str:
    rows = "".join(
        f'<li><a href="{item.path}" target="_blank" title="{html.escape(item.title)}">'
        f"{html.escape(item.title)}</a><span>{item.published}</span></li>\n"
        for item in items
    )
    return f'<ul class="list">\n{rows}</ul>'


def _pager(number: int, count: int) -> str:
    links = ['<a href="list.shtml">首页</a>']
    if number + 1 < count:
        links.append(f'<a href="list_{number + 1}.shtml">下一页</a>')
    links.append(f'<a href="{"list" if count == 1 else f"list_{count - 1}"}.shtml">尾页</a>')
    return f'<div class="page">{"".join(links)}</div>'


def _framed_shell() -> str:
    body = (
        '<div class="main"><h2>政府信息公开年报</h2>'
        f'<iframe src="{FRAMED_COLUMN}list_frame.html" width="100%" height="800" frameborder="0"></iframe></div>'
    )
    return _page("政府信息公开年报", body)


def _write_article(site: Path, item: Item) -> None:
    files = "".join(
        f'<p><a href="{path.rsplit("/", 1)[1]}">附件：{html.escape(item.title)}.pdf</a></p>'
        for path in item.attachments
    )
    body = f"<h1>{html.escape(item.title)}</h1><p>发布日期：{item.published}</p><p>一、总体情况</p>{files}"
    write(site / item.path.lstrip("/"), _page(item.title, body))
    for path in item.attachments:
        write(site / path.lstrip("/"), tiny_pdf(f"report {item.year}"))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>{body}</body></html>"
    )

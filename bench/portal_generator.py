"""A large TRS-style district portal for bench/crawl.py: news columns, a 政府信息公开 section, and an
annual-report column of a few hundred reports, with the ground truth a crawl is judged against.

Shapes follow sample_portal/site and shared/docs/portal-patterns.md (section A): list pages
``index.html``, ``index_1.html`` … paginated only by ``createPageHTML``, articles at
``./YYYYMM/tYYYYMMDD_id.html``, attachments ``./P0….pdf`` beside them. Every page carries the site's
navigation and every article links back to its column, to its neighbours (上一篇/下一篇) and to related
articles, so a crawler that follows every link reaches every page. Deterministic: a seeded
``random.Random`` and a fixed calendar, no clock.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path

SITE_NAME = "示例区人民政府门户网站"
LAST_DAY = date(2025, 3, 31)  # the newest item of the site
PER_PAGE = 20
HOME = "/index.html"
SECTION = "/zfxxgk/index.html"  # 政府信息公开
COLUMN = "/zfxxgk/zfxxgknb/"  # 政府信息公开年报
ROBOTS = "User-agent: *\nDisallow: /search/\n"

# (directory, name, articles): the news centre's columns hold the bulk of the site.
NEWS_COLUMNS = (
    ("ywdt", "要闻动态", 400),
    ("bmdt", "部门动态", 360),
    ("xzdt", "乡镇动态", 320),
    ("tzgg", "通知公告", 240),
    ("zcjd", "政策解读", 160),
)
# The 政府信息公开 section's columns besides the annual reports.
DISCLOSURE_COLUMNS = (
    ("zfxxgkzn", "政府信息公开指南", 3),
    ("zfxxgkzd", "政府信息公开制度", 25),
    ("fdzdgknr", "法定主动公开内容", 260),
)
REPORT_COLUMN_NAME = "政府信息公开年报"
REPORT_YEARS = range(2020, 2025)
AGENCIES = (
    "示例区人民政府", "示例区人民政府办公室", "示例区发展和改革委员会", "示例区教育局", "示例区科学技术局",
    "示例区工业和信息化局", "示例区公安分局", "示例区民政局", "示例区司法局", "示例区财政局",
    "示例区人力资源和社会保障局", "示例区自然资源局", "示例区生态环境局", "示例区住房和城乡建设局",
    "示例区交通运输局", "示例区水务局", "示例区农业农村局", "示例区商务局", "示例区文化和旅游局",
    "示例区卫生健康委员会", "示例区退役军人事务局", "示例区应急管理局", "示例区审计局",
    "示例区市场监督管理局", "示例区统计局", "示例区医疗保障局", "示例区城市管理局", "示例区体育局",
    "示例区林业局", "示例区政务服务管理局", "城关街道办事处", "东城街道办事处", "西城街道办事处",
    "南关街道办事处", "北关街道办事处", "新华街道办事处", "和平街道办事处", "青山镇人民政府",
    "白水镇人民政府", "石桥镇人民政府", "清河镇人民政府", "柳林镇人民政府", "杨庄乡人民政府",
    "桃园乡人民政府",
)  # fmt: skip
TOWNS = ("城关街道", "东城街道", "西城街道", "青山镇", "白水镇", "石桥镇", "清河镇", "柳林镇", "杨庄乡")
TOPICS = (
    "安全生产", "森林防火", "防汛抗旱", "营商环境", "乡村振兴", "文明城市创建", "河长制", "疫情防控",
    "人居环境整治", "就业创业", "食品安全", "消防安全", "招商引资", "耕地保护", "扫黑除恶", "养老服务",
)  # fmt: skip
NEWS_FORMS = (
    "{town}召开{topic}工作推进会", "区领导调研{topic}工作", "{town}开展{topic}专项行动",
    "我区召开{topic}工作会议", "{town}扎实推进{topic}工作", "区政府常务会议研究部署{topic}工作",
    "{town}组织{topic}培训", "我区{topic}工作取得阶段性成效",
)  # fmt: skip
NOTICE_FORMS = ("关于做好{topic}工作的通知", "关于开展{topic}检查的公告", "关于印发{topic}工作方案的通知")
EXPLAINER_FORMS = ("《示例区{topic}实施办法》政策解读", "图解：示例区{topic}工作", "一图读懂{topic}新政")
DISCLOSURE_FORMS = (
    "示例区{topic}工作情况", "示例区{year}年{topic}资金使用情况", "示例区{topic}行政处罚信息",
    "示例区{year}年度{topic}工作总结", "示例区{topic}重大项目批准和实施信息",
)  # fmt: skip
# Items of the report column that are not reports (as on real portals).
COLUMN_NOTICES = (
    "关于报送{year}年政府信息公开工作年度报告的通知",
    "{year}年示例区政务公开工作要点",
    "关于做好{year}年政府信息公开工作年度报告编制发布工作的通知",
    "示例区政府信息主动公开基本目录（{year}年版）",
)
SENTENCES = (
    "会议强调，要进一步提高政治站位，压紧压实工作责任。",
    "各部门要加强协调配合，形成工作合力，确保各项任务落到实处。",
    "下一步，将持续完善工作机制，推动工作常态化、长效化。",
    "会上，相关部门负责同志汇报了近期工作进展情况。",
    "活动现场发放宣传资料，接受群众咨询，营造了良好氛围。",
    "据统计，今年以来共排查问题隐患，均已整改完毕。",
    "要坚持问题导向，聚焦重点领域和关键环节，补齐短板弱项。",
)
REPORT_PARAGRAPHS = (
    "一、总体情况",
    "本年度，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，不断完善政府信息公开工作机制。",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
    "本报告的统计期限自{year}年1月1日起至{year}年12月31日止。",
)
PAGER_SCRIPT = """<script language="javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount <= 1){ return; }
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0)
		document.write("<span class=\\"disabled\\">首页</span>&nbsp;<span class=\\"disabled\\">上一页</span>&nbsp;");
	else if(nCurrIndex == 1)
		document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;<a href=\\""+_sPageName+"."+_sPageExt+"\\">上一页</a>&nbsp;");
	else
		document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;<a href=\\""+_sPageName+"_"+(nCurrIndex-1)+"."+_sPageExt+"\\">上一页</a>&nbsp;");
	if(nCurrIndex == _nPageCount-1)
		document.write("<span class=\\"disabled\\">下一页</span>&nbsp;<span class=\\"disabled\\">尾页</span>");
	else
		document.write("<a href=\\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\\">下一页</a>&nbsp;<a href=\\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\\">尾页</a>");
	document.write("&nbsp;&nbsp;共"+_nPageCount+"页&nbsp;当前第"+(nCurrIndex+1)+"页");
}
</script>"""


@dataclass
class Article:
    title: str
    published: date
    doc_id: int
    is_report: bool = False
    year: int | None = None
    agency: str | None = None
    attachments: list[str] = field(default_factory=list)  # file names beside the page

    @property
    def relative(self) -> str:
        """The page, relative to its column's directory."""
        return f"{self.published:%Y%m}/t{self.published:%Y%m%d}_{self.doc_id}.html"


@dataclass
class Column:
    directory: str  # site path of its directory, 「/xwzx/ywdt/」
    name: str
    section: tuple[str, str]  # (name, path) of the section it belongs to
    siblings: list[tuple[str, str]]  # (name, path) of the section's columns: the left menu
    articles: list[Article]  # newest first

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.articles) // PER_PAGE))

    def list_page(self, index: int) -> str:
        return f"{self.directory}index{'_' + str(index) if index else ''}.html"

    def article_path(self, article: Article) -> str:
        return self.directory + article.relative


@dataclass(frozen=True)
class Truth:
    """What the site holds at one moment, as site paths: what a crawl is judged against."""

    html_pages: int
    files: int
    column: str
    reports: tuple[str, ...]
    notices: tuple[str, ...]
    attachments: tuple[str, ...]
    report_list_pages: tuple[str, ...]
    discovery_path: tuple[str, ...]  # the shortest way from the home page to the column

    def minimum_requests(self) -> list[str]:
        """What a crawler that knew the site would fetch: robots.txt, the way to the column, its list
        pages, the reports and their attachments."""
        return [
            "/robots.txt",
            *self.discovery_path,
            *self.report_list_pages,
            *self.reports,
            *self.attachments,
        ]


@dataclass
class Portal:
    """The generated site and its ground truth: every path is a site path (「/zfxxgk/index.html」)."""

    root: Path
    columns: dict[str, Column]  # by directory
    rng: random.Random
    next_id: int
    html_pages: int = 0
    files: int = 0

    @property
    def report_column(self) -> Column:
        return self.columns[COLUMN]

    def truth(self) -> Truth:
        column = self.report_column
        reports = [a for a in column.articles if a.is_report]
        return Truth(
            html_pages=self.html_pages,
            files=self.files,
            column=column.directory,
            reports=tuple(column.article_path(a) for a in reports),
            notices=tuple(column.article_path(a) for a in column.articles if not a.is_report),
            attachments=tuple(
                column.article_path(a).rsplit("/", 1)[0] + "/" + name
                for a in reports
                for name in a.attachments
            ),
            report_list_pages=tuple(column.list_page(i) for i in range(column.page_count)),
            discovery_path=(HOME, SECTION),  # home → 政府信息公开 → the column
        )

    def write(self, path: str, data: str | bytes) -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.files += 1
        self.html_pages += path.endswith(".html")

    def new_id(self) -> int:
        self.next_id += self.rng.randint(1, 40)
        return self.next_id


def generate_portal(root: Path, seed: int = 2025) -> Portal:
    """Write the whole site under ``root`` and return it with its truth."""
    rng = random.Random(seed)
    portal = Portal(root=root, columns={}, rng=rng, next_id=1_300_000)
    news_section = ("新闻中心", "/xwzx/index.html")
    disclosure_section = ("政府信息公开", SECTION)
    news_menu = [(name, f"/xwzx/{code}/index.html") for code, name, _ in NEWS_COLUMNS]
    disclosure_menu = [(name, f"/zfxxgk/{code}/index.html") for code, name, _ in DISCLOSURE_COLUMNS]
    disclosure_menu.append((REPORT_COLUMN_NAME, COLUMN + "index.html"))
    for code, name, count in NEWS_COLUMNS:
        articles = _dated(portal, [_news_title(rng, code) for _ in range(count)])
        portal.columns[f"/xwzx/{code}/"] = Column(f"/xwzx/{code}/", name, news_section, news_menu, articles)
    for code, name, count in DISCLOSURE_COLUMNS:
        articles = _dated(portal, [_disclosure_title(rng, code) for _ in range(count)])
        directory = f"/zfxxgk/{code}/"
        portal.columns[directory] = Column(directory, name, disclosure_section, disclosure_menu, articles)
    portal.columns[COLUMN] = Column(
        COLUMN, REPORT_COLUMN_NAME, disclosure_section, disclosure_menu, _report_items(portal)
    )
    for column in portal.columns.values():
        write_column(portal, column)
    _write_fixed_pages(portal, news_menu, disclosure_menu)
    return portal


def add_report(portal: Portal, agency: str, year: int) -> str:
    """Publish one more report at the top of the column, as the CMS would: the new page, and every list
    page written again (each item moves one place down). The rest of the site is left as it was."""
    column = portal.report_column
    newest = column.articles[0].published
    report = Article(
        _report_title(agency, year, 0), newest + timedelta(days=5), portal.new_id(), True, year, agency
    )
    column.articles.insert(0, report)
    _write_article(portal, column, 0)
    if len(column.articles) > 1:
        _write_article(portal, column, 1)  # its 上一篇 link now points to the new report
    for index in range(column.page_count):
        portal.write(column.list_page(index), _list_page(column, index))
    return column.article_path(report)


# --- Items -----------------------------------------------------------------------------------------


def _dated(portal: Portal, titles: list[str]) -> list[Article]:
    """Articles going back from LAST_DAY a day or so apart, newest first, doc ids rising with date."""
    day = LAST_DAY
    dates = []
    for _ in titles:
        dates.append(day)
        day -= timedelta(days=portal.rng.randint(0, 3))
    ids = sorted(portal.new_id() for _ in titles)
    return [Article(t, d, i) for t, d, i in zip(titles, dates, reversed(ids), strict=True)]


def _news_title(rng: random.Random, code: str) -> str:
    topic = rng.choice(TOPICS)
    if code == "tzgg":
        return rng.choice(NOTICE_FORMS).format(topic=topic)
    if code == "zcjd":
        return rng.choice(EXPLAINER_FORMS).format(topic=topic)
    return rng.choice(NEWS_FORMS).format(town=rng.choice(TOWNS), topic=topic)


def _disclosure_title(rng: random.Random, code: str) -> str:
    if code == "zfxxgkzn":
        return f"示例区{rng.choice(AGENCIES[2:30])[3:]}政府信息公开指南"
    if code == "zfxxgkzd":
        return f"示例区{rng.choice(TOPICS)}信息发布管理办法"
    return rng.choice(DISCLOSURE_FORMS).format(topic=rng.choice(TOPICS), year=rng.choice(REPORT_YEARS))


def _report_title(agency: str, year: int, form: int) -> str:
    if form == 1:
        return f"{agency}{year}年度政府信息公开工作报告"
    if form == 2:
        return f"{year}年{agency}政府信息公开工作年度报告"
    return f"{agency}{year}年政府信息公开工作年度报告"


def _report_items(portal: Portal) -> list[Article]:
    """Every agency's report for every year, published in the first quarter after it, with notices
    between them; about a third of the reports link a PDF, a DOCX or both."""
    rng = portal.rng
    items = []
    for year in REPORT_YEARS:
        for agency in AGENCIES:
            published = date(year + 1, 1, 10) + timedelta(days=rng.randint(0, 80))
            title = _report_title(agency, year, rng.choice((0, 0, 0, 1, 2)))
            items.append(Article(title, published, 0, True, year, agency))
        for form in COLUMN_NOTICES:
            items.append(
                Article(form.format(year=year), date(year, 12, 1) + timedelta(days=rng.randint(0, 20)), 0)
            )
    items.sort(key=lambda item: (item.published, item.title), reverse=True)
    ids = sorted(portal.new_id() for _ in items)
    for item, doc_id in zip(items, reversed(ids), strict=True):
        item.doc_id = doc_id
        if item.is_report:
            item.attachments = _attachment_names(rng, item)
    return items


def _attachment_names(rng: random.Random, report: Article) -> list[str]:
    stem = f"P0{report.published:%Y%m%d}{report.doc_id}"
    roll = rng.random()
    if roll < 0.2:
        return [f"{stem}.pdf"]
    if roll < 0.3:
        return [f"{stem}.docx"]
    if roll < 0.36:
        return [f"{stem}.pdf", f"{stem}1.docx"]
    return []


# --- Pages -----------------------------------------------------------------------------------------


def write_column(portal: Portal, column: Column) -> None:
    for index in range(column.page_count):
        portal.write(column.list_page(index), _list_page(column, index))
    for position in range(len(column.articles)):
        _write_article(portal, column, position)


def _write_article(portal: Portal, column: Column, position: int) -> None:
    article = column.articles[position]
    path = column.article_path(article)
    portal.write(path, _article_page(portal, column, position))
    folder = path.rsplit("/", 1)[0]
    for name in article.attachments:
        portal.write(
            f"{folder}/{name}", _pdf(article.title) if name.endswith(".pdf") else _docx(article.title)
        )


def _page(title: str, body: str, meta: dict[str, str] | None = None) -> str:
    metas = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in (meta or {}).items())
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}_{SITE_NAME}</title>
<meta name="SiteName" content="{SITE_NAME}">
{metas}<link rel="stylesheet" type="text/css" href="/css/style.css">
</head>
<body>
<div class="header"><div class="logo"><a href="/index.html">{SITE_NAME}</a></div>
<div class="search"><form action="/search/index.html" method="get" target="_blank"><input type="text" name="searchword"><input type="submit" value="搜索"></form><a href="/search/index.html" target="_blank">站内搜索</a></div>
</div>
<div class="nav"><ul><li><a href="/index.html">首页</a></li><li><a href="/xwzx/index.html">新闻中心</a></li><li><a href="/zfxxgk/index.html">政府信息公开</a></li><li><a href="/bsfw/index.html">办事服务</a></li><li><a href="/zmhd/index.html">政民互动</a></li></ul></div>
{body}
<div class="footer"><p>主办：示例区人民政府办公室　版权所有：示例区人民政府</p><p>网站标识码：9999000001</p></div>
</body>
</html>
"""


def _links(items: list[tuple[str, str]], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<ul{cls}>" + "".join(f'<li><a href="{p}">{escape(n)}</a></li>' for n, p in items) + "</ul>"


def _item(href: str, article: Article, shown: str) -> str:
    title = escape(article.title)
    short = title if len(article.title) <= 24 else escape(article.title[:23]) + "…"
    return f'<li><a href="{href}" target="_blank" title="{title}">{short}</a><span>{article.published:{shown}}</span></li>'


def _list_page(column: Column, index: int) -> str:
    items = column.articles[index * PER_PAGE : (index + 1) * PER_PAGE]
    rows = "\n".join(_item("./" + a.relative, a, "%Y-%m-%d") for a in items)
    section, section_path = column.section
    body = f"""<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="{section_path}">{section}</a> &gt; {column.name}</div>
<div class="main">
<div class="left-menu"><h3>{section}</h3>{_links(column.siblings)}</div>
<div class="list-box"><div class="list-title"><h2>{column.name}</h2></div>
<ul class="list">
{rows}
</ul>
<div class="page">
<!--wcm分页，总记录：{len(column.articles)}-->
{PAGER_SCRIPT}
<script>createPageHTML({column.page_count}, {index}, "index", "html");</script>
</div></div></div>"""
    return _page(column.name, body, {"ColumnName": column.name})


def _article_page(portal: Portal, column: Column, position: int) -> str:
    article = column.articles[position]
    depth_prefix = "../"  # articles sit in the column's YYYYMM folder
    neighbours = []
    if position > 0:
        neighbours.append(("上一篇", column.articles[position - 1]))
    if position + 1 < len(column.articles):
        neighbours.append(("下一篇", column.articles[position + 1]))
    rng = random.Random(article.doc_id)  # related links stay the same when the page is written again
    related = rng.sample(column.articles, min(3, len(column.articles)))
    section, section_path = column.section
    paragraphs = _report_text(article) if article.is_report else _news_text(rng)
    files = "".join(
        f'<p>附件：<a href="./{name}">{escape(article.title)}.{name.rsplit(".", 1)[1]}</a></p>'
        for name in article.attachments
    )
    nav = "".join(
        f'<p>{label}：<a href="{depth_prefix}{a.relative}">{escape(a.title)}</a></p>'
        for label, a in neighbours
    )
    related_items = "".join(_item(depth_prefix + a.relative, a, "%m-%d") for a in related if a is not article)
    body = f"""<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="{section_path}">{section}</a> &gt; <a href="{depth_prefix}index.html">{column.name}</a></div>
<div class="main article">
<h1>{escape(article.title)}</h1>
<div class="info">发布时间：{article.published:%Y-%m-%d}　来源：{escape(article.agency or "示例区人民政府办公室")}</div>
<div class="TRS_Editor">{paragraphs}{files}</div>
<div class="pager">{nav}</div>
<div class="related"><h3>相关链接</h3><ul class="list">{related_items}</ul></div>
<p><a href="{depth_prefix}index.html">返回{column.name}</a></p>
</div>"""
    meta = {
        "ArticleTitle": article.title,
        "PubDate": f"{article.published:%Y-%m-%d}",
        "ColumnName": column.name,
    }
    return _page(article.title, body, meta)


def _news_text(rng: random.Random) -> str:
    return "".join(f"<p>{''.join(rng.sample(SENTENCES, 3))}</p>" for _ in range(rng.randint(2, 4)))


def _report_text(report: Article) -> str:
    return "".join(
        f"<p>{escape(p.format(agency=report.agency, year=report.year))}</p>" for p in REPORT_PARAGRAPHS
    )


def _pdf(title: str) -> bytes:
    # Not a readable PDF: extraction is not measured, only that the bytes are fetched and stored.
    return b"%PDF-1.4\n% " + title.encode("utf-8") + b"\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _docx(title: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("word/document.xml", date_time=(2025, 1, 1, 0, 0, 0))  # same bytes each run
        archive.writestr(info, f"<w:document><w:body><w:p>{escape(title)}</w:p></w:body></w:document>")
    return buffer.getvalue()


def _write_fixed_pages(
    portal: Portal, news_menu: list[tuple[str, str]], disclosure_menu: list[tuple[str, str]]
) -> None:
    columns = portal.columns
    portal.write("/robots.txt", ROBOTS)
    portal.write("/css/style.css", "body{font-family:sans-serif}\n.list li span{float:right}\n")
    portal.write(HOME, _home(portal, news_menu, disclosure_menu))
    news = [columns[path.removesuffix("index.html")] for _, path in news_menu]
    latest_news = "".join(_latest_block(column, 5) for column in news)
    portal.write("/xwzx/index.html", _page("新闻中心", f'<div class="main">{latest_news}</div>'))
    section = f'<div class="main"><h2>政府信息公开</h2>{_links(disclosure_menu, "xxgk-columns")}</div>'
    portal.write(SECTION, _page("政府信息公开", section, {"ColumnName": "政府信息公开"}))
    for path, name, text in (
        ("/bsfw/index.html", "办事服务", "个人办事、法人办事请访问政务服务网。"),
        ("/zmhd/index.html", "政民互动", "区长信箱、在线咨询、意见征集。"),
        ("/search/index.html", "站内搜索", "请输入关键字。"),
    ):
        portal.write(path, _page(name, f'<div class="main"><h2>{name}</h2><p>{text}</p></div>'))


def _home(portal: Portal, news_menu: list[tuple[str, str]], disclosure_menu: list[tuple[str, str]]) -> str:
    """The home page: latest news, and a 政务公开 block linking the section and three of its columns (the
    annual-report column is one step further, on the 政府信息公开 page)."""
    columns = portal.columns
    ywdt, tzgg, fdzdgknr = columns["/xwzx/ywdt/"], columns["/xwzx/tzgg/"], columns["/zfxxgk/fdzdgknr/"]

    disclosure = [("政府信息公开", SECTION), *disclosure_menu[:3]]
    body = f"""<div class="main">
{_latest_block(ywdt, 8)}{_latest_block(tzgg, 6)}
<div class="block"><h3>新闻中心</h3>{_links(news_menu)}</div>
<div class="block"><h3><a href="{SECTION}">政务公开</a></h3>{_links(disclosure)}</div>
{_latest_block(fdzdgknr, 5)}
<div class="block"><h3>办事服务</h3><p><a href="/bsfw/index.html">个人办事</a> <a href="/zmhd/index.html">区长信箱</a></p></div>
</div>"""
    return _page("首页", body)


def _latest_block(column: Column, count: int) -> str:
    items = "".join(_item(column.article_path(a), a, "%m-%d") for a in column.articles[:count])
    heading = f'<h3><a href="{column.list_page(0)}">{column.name}</a></h3>'
    return f'<div class="block">{heading}<ul class="list">{items}</ul></div>'

"""What Datasette says about the archive: titles, Chinese labels and units, canned queries (ready
answers), the charts (datasette-dashboards) and the feed (datasette-atom).

Built once at startup for an archive served under the name ``database`` (the file's stem), from the
tables it holds: a query over a table the archive lacks is left out rather than shown broken.
"""

from __future__ import annotations

from collections.abc import Iterable

from extract.template import APPLICATION_GROUPS, REVIEW_KEYS
from govreports.datasette.forms import APPLICATION_LABELS, GROUP_LABELS
from govreports.figures import figure_columns

TITLE = "政府信息公开工作年度报告档案 · govreports"
LICENSE = "原始报告为政府公开信息（《中华人民共和国政府信息公开条例》第五十条）；抽取的数据与本档案按 CC BY 4.0 提供"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.zh-hans"
SOURCE = "各级行政机关门户网站的政府信息公开年报栏目，由 govreports 抓取"
ABOUT = "govreports：抓取、抽取并校验政府信息公开工作年度报告"

# Tables and views of an archive of the current schema (govreports/archive.py).
CURRENT_TABLES = frozenset(
    (
        "sources columns crawl_runs fetches documents reports report_copies report_json sections cells "
        "findings report_figures labels figures_long applications_totals fetch_failures extraction_failures"
    ).split()
)
# Tables a user never browses: raw bytes and the parse JSON are read through the report page.
PRIVATE_TABLES = ("documents", "report_json")

LEVELS = "national 国家级 / province 省级 / prefecture 地市级 / county 县级 / township 乡镇 / street 街道 / department 部门"

REPORT_COLUMNS = {
    "id": "报告编号（报告页面 /-/report/编号）",
    "title": "报告标题",
    "agency": "发布机关",
    "region": "地区（省、市、县连写）",
    "province": "省级行政区",
    "prefecture": "地级行政区（直辖市无）",
    "county": "县级行政区",
    "region_code": "最具体一级的行政区划代码（统计用区划代码 2023）",
    "level": f"层级：{LEVELS}",
    "year": "报告年度",
    "published": "发布日期（YYYY-MM-DD）",
    "template": "模板：2019 / 2021 / legacy（2019 年以前的统计表）/ unknown",
    "ocr": "1 = 数字由 OCR 从扫描件识别，请核对原件",
    "errors": "错误级校验结果的数量（勾稽关系不成立、行无法读取等）",
    "warnings": "提示级校验结果的数量",
    "findings": "校验结果的数量",
    "url": "报告的来源地址（发布页面）",
    "document_url": "数字所出自的文件地址（页面本身或其附件）",
    "document_sha256": "所读文件的 SHA-256",
    "extracted_at": "抽取时间（UTC）",
    "source_id": "抓取来源（sources 表）",
    "newest_fetch_id": "抽取时读到的最新一次抓取（fetches 表）",
    "copies": "找到这份报告的页面数（report_copies）",
    "hosts": "其中不同网站（平台）的个数：多平台发布",
}


def figure_descriptions() -> dict[str, str]:
    """The wide table's columns described by their Chinese label and unit (from ``figures.figure_columns``)."""
    return {
        column.name: f"{column.label_zh}（{column.unit}）" if column.unit else column.label_zh
        for column in figure_columns()
    }


def _sum(columns: Iterable[str]) -> str:
    return " + ".join(f"coalesce({c}, 0)" for c in columns)


def _total(expression: str) -> str:
    """A sum that stays an integer for counts (SQLite's total() is always a float) and is 0 over no rows."""
    return f"coalesce(sum({expression}), 0)"


def _t3(row: str, column: str = "total") -> str:
    return f"t3_{row}_{column}"


FILTERS = (
    "(:year = '' or year = cast(:year as integer)) and (:province = '' or province = :province) "
    "and (:level = '' or level = :level)"
)


def canned_queries(tables: set[str]) -> dict[str, dict]:
    """Ready answers, each with its parameters and a description in Chinese."""
    queries: dict[str, dict] = {}
    figures = "report_figures" in tables
    if figures:
        denied = _sum(_t3(k) for k in APPLICATION_GROUPS["denied"])
        unavailable = _sum(_t3(k) for k in APPLICATION_GROUPS["unavailable"])
        rejected = _sum(_t3(k) for k in APPLICATION_GROUPS["rejected"])
        queries["requests_per_agency_year"] = {
            "title": "各机关各年度依申请公开：收到与办理结果",
            "description": (
                "每份报告一行：表三“总计”列的本年新收、上年结转、各类办理结果与结转下年度（件）。"
                "参数均可留空：机关名称可填一部分（如“街道”），年度如 2023，省份如 北京市，层级如 county。"
            ),
            "sql": (
                "select report_id, agency as 机关, province as 省份, level as 层级, year as 年度, "
                f"{_t3('new_received')} as 本年新收, {_t3('carried_over')} as 上年结转, "
                f"{_t3('granted')} as 予以公开, {_t3('partially_granted')} as 部分公开, "
                f"({denied}) as 不予公开, ({unavailable}) as 无法提供, ({rejected}) as 不予处理, "
                f"{_t3('other_handling')} as 其他处理, {_t3('total_handled')} as 办理总计, "
                f"{_t3('carried_forward')} as 结转下年度 "
                "from report_figures where (:agency = '' or agency like '%' || :agency || '%') and "
                f"{FILTERS} order by agency, year"
            ),
        }
        reasons = [
            (GROUP_LABELS[group], APPLICATION_LABELS[key], key)
            for group in ("denied", "unavailable", "rejected")
            for key in APPLICATION_GROUPS[group]
        ]
        sums = ", ".join(f"{_total(_t3(key))} as {key}" for _, _, key in reasons)
        parts = " union all ".join(
            f"select {i} as 序号, '{group[3:]}' as 类别, '{label}' as 原因, {key} as 件数, "
            f"round(100.0 * {key} / nullif(handled, 0), 2) as 占办理总数百分比, "
            f"round(1.0 * {key} / nullif(reports, 0), 3) as 每份报告平均 from s"
            for i, (group, label, key) in enumerate(reasons, 1)
        )
        queries["refusal_reasons"] = {
            "title": "不予公开、无法提供、不予处理：各原因的件数与比例",
            "description": (
                "表三“总计”列按原因相加，占办理总数（（七）总计）的百分比。可按年度、省份、层级筛选（留空为全部）。"
            ),
            "sql": (
                f"with s as materialized (select count(*) as reports, {_total(_t3('total_handled'))} as handled, "
                f"{sums} from report_figures where {FILTERS}) {parts} order by 序号"
            ),
        }
        review_columns = ", ".join(f"{_total('t4_' + key)} as {key}" for key in REVIEW_KEYS)
        queries["reviews_and_suits"] = {
            "title": "行政复议、行政诉讼及其结果（按年度）",
            "description": (
                "表四按年度相加：复议与诉讼（未经复议直接起诉、复议后起诉）的维持、纠正、其他、尚未审结与总计（件），"
                "以及纠正率（纠正 ÷ 已审结）。可按省份、层级筛选。"
            ),
            "sql": (
                f"with s as (select year, count(*) as reports, {review_columns} from report_figures "
                "where (:province = '' or province = :province) and (:level = '' or level = :level) "
                "group by year) select year as 年度, reports as 报告数, "
                "review_total as 复议总计, review_upheld as 复议维持, review_corrected as 复议纠正, "
                "review_other as 复议其他, review_pending as 复议尚未审结, "
                "round(100.0 * review_corrected / nullif(review_total - review_pending, 0), 1) as 复议纠正率, "
                "suit_total + suit_after_review_total as 诉讼总计, "
                "suit_upheld + suit_after_review_upheld as 诉讼维持, "
                "suit_corrected + suit_after_review_corrected as 诉讼纠正, "
                "suit_other + suit_after_review_other as 诉讼其他, "
                "suit_pending + suit_after_review_pending as 诉讼尚未审结, "
                "round(100.0 * (suit_corrected + suit_after_review_corrected) / "
                "nullif(suit_total + suit_after_review_total - suit_pending - suit_after_review_pending, 0), 1) "
                "as 诉讼纠正率 from s order by year"
            ),
        }
        queries["applications_by_year"] = {
            "title": "各年度依申请公开总量",
            "description": "表三“总计”列按年度相加（件）。",
            "sql": (
                "select year, count(*) as reports, sum(t3_new_received_total) as new_received, "
                "sum(t3_granted_total) as granted, sum(t3_total_handled_total) as total_handled "
                "from report_figures group by year order by year"
            ),
        }
    elif "applications_totals" in tables:
        queries["applications_by_year"] = {
            "title": "各年度依申请公开总量",
            "sql": (
                "select year, count(*) as reports, sum(new_received) as new_received, "
                "sum(granted) as granted, sum(total_handled) as total_handled "
                "from applications_totals group by year order by year"
            ),
        }
    identity_checks = (
        "'applications.balance', 'applications.handled_sum', 'applications.row_total', "
        "'applications.other_sum', 'reviews.total'"
    )
    queries["broken_identities"] = {
        "title": "勾稽关系不成立的报告",
        "description": (
            "每条不成立的勾稽关系一行，点击 report_id 阅读报告（问题标在相关单元格旁）。"
            "check 可填 applications.balance（一+二=三(七)+四）、applications.handled_sum（（一）至（六）之和=（七））、"
            "applications.row_total（各类申请人之和=总计）、applications.other_sum（（六）1–3 之和）、reviews.total（表四）。"
        ),
        "sql": (
            "select f.report_id, r.agency, r.year, f.check_name, f.location, f.message, r.url "
            "from findings f join reports r on r.id = f.report_id "
            f"where f.check_name in ({identity_checks}) and (:check = '' or f.check_name = :check) "
            "order by r.agency, r.year"
        ),
    }
    queries["identity_summary"] = {
        "title": "各项勾稽关系不成立的报告数",
        "description": "每项勾稽关系：不成立的报告数与占全部报告的比例。",
        "sql": (
            "select check_name as 校验项, count(distinct report_id) as 报告数, "
            "round(100.0 * count(distinct report_id) / (select count(*) from reports), 2) as 占全部报告百分比 "
            f"from findings where check_name in ({identity_checks}) group by check_name order by 报告数 desc"
        ),
    }
    queries["missing_or_late"] = {
        "title": "缺报或逾期发布的年度报告",
        "description": (
            "每个机关自其第一份报告起的每个年度：档案中没有该年度报告的为“缺报”，"
            "发布日期晚于次年 3 月 31 日的为“逾期”。年度只取档案里出现过的年度；参数可留空。"
        ),
        "sql": (
            "with agencies as (select agency, min(year) as first_year, max(province) as province, "
            "max(level) as level from reports where year is not null group by agency), "
            "years as (select distinct year from reports where year is not null), "
            "expected as (select a.agency, a.province, a.level, y.year from agencies a "
            "join years y on y.year >= a.first_year) "
            "select r.id as report_id, e.agency as 机关, e.province as 省份, e.level as 层级, e.year as 年度, "
            "r.published as 发布日期, case when r.id is null then '缺报' "
            "when r.published > printf('%d-03-31', e.year + 1) then '逾期' end as 情况 "
            "from expected e left join reports r on r.agency = e.agency and r.year = e.year "
            "where 情况 is not null and (:province = '' or e.province = :province) "
            "and (:year = '' or e.year = cast(:year as integer)) order by e.agency, e.year"
        ),
    }
    copies = (
        "(select report_id, url from report_copies union select report_id, page_url from report_copies)"
        if "report_copies" in tables
        else "(select id as report_id, url from reports union select id, document_url from reports)"
    )
    queries["changed_after_publication"] = {
        "title": "发布后被修改的报告",
        "description": (
            "同一网址在不同时间抓到了不同内容（不止一个 SHA-256）的报告：报告或其附件在发布后被改动过。"
            "报告页面的抓取记录列出每个版本，可下载比对。"
        ),
        "sql": (
            "select c.report_id, r.agency as 机关, r.year as 年度, f.url as 网址, "
            "count(distinct f.sha256) as 版本数, min(f.fetched_at) as 首次抓取, max(f.fetched_at) as 最近抓取 "
            f"from fetches f join {copies} c on c.url = f.url join reports r on r.id = c.report_id "
            "where f.status = 200 and f.sha256 is not null "
            "group by c.report_id, f.url having count(distinct f.sha256) > 1 order by 最近抓取 desc"
        ),
    }
    first_seen = (
        "(select report_id, min(coalesce(first_seen, fetched_at)) as first_seen from report_copies group by report_id)"
        if "report_copies" in tables
        else "(select id as report_id, extracted_at as first_seen from reports)"
    )
    entries = (
        "select r.id as atom_id, r.title as atom_title, c.first_seen as atom_updated, "
        "'http://' || :_header_host || '/-/report/' || r.id as atom_link, r.agency as atom_author_name, "
        "'<p>' || r.agency || ' · ' || coalesce(r.province, '') || ' · ' || r.year || ' 年度 · 发布于 ' || "
        "coalesce(r.published, '未知') || '</p><p><a href=\"' || r.url || '\">原文</a></p>' as atom_content_html "
        f"from reports r join {first_seen} c on c.report_id = r.id "
        "where (:province = '' or r.province = :province)"
    )
    queries["new_reports_feed"] = {
        "title": "新归档的年度报告",
        "description": (
            "最近归档的 100 份报告，可按省份筛选；订阅 Atom：在网址的查询名后加 .atom，"
            "如 /archive/new_reports_feed.atom?province=北京市。"
        ),
        "sql": (
            f"select * from ({entries} order by c.first_seen desc limit 100) union all "
            "select 'none', '暂无归档的报告', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), "
            "'http://' || :_header_host || '/', null, '<p>该筛选条件下档案里还没有报告。</p>' "
            f"where not exists ({entries})"
        ),
    }
    queries["incomplete_crawls"] = {
        "title": "未抓全的来源（最近一次抓取）",
        "description": (
            "每个来源最近一次抓取的状态不是 finished 的：incomplete 列表走完但有报告页或附件失败（下次重试），"
            "blocked 被网站防火墙拦截（从不绕过），partial 抓到的少于列表声明的条数，"
            "empty 栏目内没有年报，no_column 未找到年报栏目，failed 失败，interrupted 中断。"
            "lost 本次失败的地址数，failing 仍待重试的地址数（见 fetch_failures 表）。"
        ),
        "sql": (
            "select r.start_url, s.agency, r.status, r.reason, r.announced, r.reached, r.lost, r.failing, "
            "r.blocked, r.failures_by_reason, r.rendered, r.skipped_hosts, r.started_at "
            "from crawl_runs r left join sources s on s.id = r.source_id "
            "where r.id in (select max(id) from crawl_runs group by start_url) "
            "and r.status != 'finished' order by r.started_at desc"
        ),
    }
    if "cells" in tables:
        queries["applications_long_run"] = {
            "title": "各机关历年收到申请数（含2019年前的统计表）",
            "description": "2019年起取表三本年新收总计，此前取统计表「收到申请数」。",
            "sql": (
                "select r.agency, r.year, r.template, c.value as applications_received "
                "from cells c join reports r on r.id = c.report_id "
                "where (c.table_key = 'applications' and c.row_key = 'new_received' "
                "and c.column_key = 'total') or (c.table_key = 'statistics' "
                "and c.row_key = 'applications_received' and c.column_key = 'value') "
                "order by r.agency, r.year"
            ),
        }
        queries["report_table"] = {
            "title": "一份报告的统计表（逐格）",
            "description": "填入 report_id；按表、行、列排列。读报告请用报告页面 /-/report/编号。",
            "sql": (
                "select table_key, row_key, column_key, value, unit from cells "
                "where report_id = :report_id order by table_key, row_key, column_key"
            ),
        }
    return queries


def _chart(title: str, query: str, display: dict, database: str) -> dict:
    return {"title": title, "db": database, "query": query, "library": "vega-lite", "display": display}


def dashboards(database: str) -> dict:
    """Charts over the wide table (datasette-dashboards): /-/dashboards/overview."""
    # Filters as (:x = '' or …), not datasette-dashboards' [[ … ]]: it rewrites [[ ]] in the configuration
    # it is given, in place, so the first visitor's filters would stick for everyone after.
    where = f"where {FILTERS}"
    denied = " + ".join(_total(_t3(k)) for k in APPLICATION_GROUPS["denied"])
    unavailable = " + ".join(_total(_t3(k)) for k in APPLICATION_GROUPS["unavailable"])
    rejected = " + ".join(_total(_t3(k)) for k in APPLICATION_GROUPS["rejected"])
    outcomes = [
        ("予以公开", _total(_t3("granted"))),
        ("部分公开", _total(_t3("partially_granted"))),
        ("不予公开", denied),
        ("无法提供", unavailable),
        ("不予处理", rejected),
        ("其他处理", _total(_t3("other_handling"))),
    ]
    outcome_sql = " union all ".join(
        f"select '{label}' as 结果, {expr} as 件数 from report_figures {where}" for label, expr in outcomes
    )
    reason_sql = " union all ".join(
        f"select '{GROUP_LABELS[g][3:]}' as 类别, '{APPLICATION_LABELS[k][2:]}' as 原因, {_total(_t3(k))} as 件数 "
        f"from report_figures {where}"
        for g in ("denied", "unavailable", "rejected")
        for k in APPLICATION_GROUPS[g]
    )
    return {
        "overview": {
            "title": "政府信息公开年报：图表",
            "description": "依申请公开的数量、办理结果、不予公开与无法提供的原因，按省份与层级比较。数据：表三“总计”列。",
            "layout": [["requests", "outcomes"], ["reasons", "reasons"], ["provinces", "levels"]],
            "filters": {
                "year": {
                    "name": "年度",
                    "type": "select",
                    "db": database,
                    "query": "select distinct year from report_figures where year is not null order by year desc",
                },
                "province": {
                    "name": "省份",
                    "type": "select",
                    "db": database,
                    "query": "select distinct province from report_figures where province is not null order by province",
                },
                "level": {
                    "name": "层级",
                    "type": "select",
                    "db": database,
                    "query": "select distinct level from report_figures where level is not null order by level",
                },
            },
            "charts": {
                "requests": _chart(
                    "历年收到的政府信息公开申请（本年新收，件）",
                    f"select year as 年度, {_total(_t3('new_received'))} as 本年新收, count(*) as 报告数 "
                    "from report_figures where (:province = '' or province = :province) "
                    "and (:level = '' or level = :level) "
                    "group by year order by year",
                    {
                        "mark": {"type": "line", "point": True, "tooltip": True},
                        "encoding": {
                            "x": {"field": "年度", "type": "ordinal"},
                            "y": {"field": "本年新收", "type": "quantitative"},
                        },
                    },
                    database,
                ),
                "outcomes": _chart(
                    "办理结果构成（件）",
                    outcome_sql,
                    {
                        "mark": {"type": "arc", "tooltip": True},
                        "encoding": {
                            "theta": {"field": "件数", "type": "quantitative", "stack": True},
                            "color": {"field": "结果", "type": "nominal", "sort": [o[0] for o in outcomes]},
                        },
                    },
                    database,
                ),
                "reasons": _chart(
                    "不予公开、无法提供、不予处理的原因（件）",
                    reason_sql,
                    {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "y": {"field": "原因", "type": "nominal", "sort": "-x"},
                            "x": {"field": "件数", "type": "quantitative"},
                            "color": {"field": "类别", "type": "nominal"},
                        },
                    },
                    database,
                ),
                "provinces": _chart(
                    "各省份：每份报告平均收到申请（件）",
                    f"select province as 省份, round(avg({_t3('new_received')}), 1) as 平均新收, count(*) as 报告数 "
                    f"from report_figures {where} and province is not null group by province order by 平均新收 desc",
                    {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "y": {"field": "省份", "type": "nominal", "sort": "-x"},
                            "x": {"field": "平均新收", "type": "quantitative"},
                        },
                    },
                    database,
                ),
                "levels": _chart(
                    "各层级：每份报告平均收到申请与予以公开比例",
                    f"select level as 层级, round(avg({_t3('new_received')}), 1) as 平均新收, "
                    f"round(100.0 * sum({_t3('granted')}) / nullif(sum({_t3('total_handled')}), 0), 1) as 予以公开百分比, "
                    f"count(*) as 报告数 from report_figures {where} group by level order by 平均新收 desc",
                    {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {"field": "层级", "type": "nominal", "sort": "-y"},
                            "y": {"field": "平均新收", "type": "quantitative"},
                            "color": {"field": "予以公开百分比", "type": "quantitative"},
                        },
                    },
                    database,
                ),
            },
        }
    }


def datasette_metadata(database: str, tables: set[str] | None = None, max_rows: int = 1000) -> dict:
    """Metadata for an archive served under the name ``database``, holding ``tables`` (default: every
    table and view of a current archive)."""
    tables = set(CURRENT_TABLES if tables is None else tables)
    figures = figure_descriptions()
    report_columns = dict(REPORT_COLUMNS)
    table_metadata: dict[str, dict] = {
        "reports": {
            "title": "年度报告 reports",
            "description": "每个机关每个年度一份报告：机关、地区、层级、年度、模板、发布日期、校验结果数量。点击标题阅读报告。",
            "label_column": "title",
            "facets": ["year", "province", "level", "template"],
            # The search box finds a report by its title, agency, region and the text of its sections.
            "fts_table": "report_search_fts",
            "fts_pk": "rowid",
            "columns": report_columns,
        },
        "report_figures": {
            "title": "报告数字宽表 report_figures",
            "description": (
                "每份报告一行，表二、表三、表四的每个单元格一列（t2_项目_指标、t3_行_列、t4_项），"
                "另有机关、地区、层级、年度、模板、校验结果数与来源地址。列的中文含义与单位见列说明。"
                "数量单位为件，金额为万元；空白 = 报告未给出该单元格。"
            ),
            "facets": ["year", "province", "level", "template"],
            # 250 columns a row: rendering them, not SQL, is the page's cost; pages of 10 rows stay
            # under 200 ms at 100k reports. Downloads give every row.
            "size": min(10, max_rows),
            "columns": {**report_columns, "report_id": "报告编号（点击阅读报告）", **figures},
        },
        "figures_long": {
            "title": "报告数字长表 figures_long",
            "description": (
                "每个单元格一行，中文表名、行名、列名，按模板顺序排列，便于透视（行：报告×表×行×列）。"
                "行数约为报告数的 200 倍：请先按 report_id 或 agency 筛选，"
                "或 province 与 year 一起筛选（走索引，很快）；"
                "只按 province、year、table_key 等一项筛选时，总行数在 1 秒内数不完，不显示；"
                "单独筛选少见的 table_key（如 statistics）可能超时。"
                "分面（facet）不预先计算，筛选后可在列的菜单中选择。"
            ),
            # No default facets: each one is a GROUP BY over the whole view, 20 M cells at 100,000
            # reports, where all four ran to the facet time limit and the page took 3 s (1.7 s filtered by
            # province and year). Datasette 0.65 still tries the count; it stops at sql_time_limit_ms.
            "columns": {
                "report_id": "报告编号（点击阅读报告）",
                "table_key": "表：disclosure 表二 / applications 表三 / reviews 表四 / statistics 统计表",
                "table_zh": "表（中文）",
                "row_key": "行的键（labels 表）",
                "row_zh": "行（中文）",
                "row_order": "行在表中的顺序",
                "column_key": "列的键（labels 表）",
                "column_zh": "列（中文）",
                "column_order": "列在表中的顺序",
                "value": "数值",
                "unit": "单位：件 / 万元",
            },
        },
        "labels": {
            "title": "键与中文名称 labels",
            "description": "每个表、行、列、章节与校验项的键、中文名称、官方表格中的文字与顺序。",
            "facets": ["table_key", "kind"],
            "columns": {
                "table_key": "表",
                "kind": "table 表 / row 行 / column 列 / section 章节 / finding 校验项 / severity 级别",
                "key": "键",
                "label_zh": "中文名称",
                "sort_order": "在表中的顺序",
                "unit": "单位",
                "form_zh": "官方表格中的文字",
                "group_zh": "所属的合并单元格（如（三）不予公开）",
                "templates": "适用的模板",
            },
        },
        "sections": {
            "title": "报告章节 sections",
            "description": "每份报告六个部分的正文（不含表格），按顺序。可全文检索。",
            "facets": ["key"],
            "fts_table": "sections_fts",
            "fts_pk": "rowid",
            "columns": {
                "report_id": "报告编号（点击阅读报告）",
                "number": "章节序号（一至六）",
                "key": "章节：overview 总体情况 / proactive 主动公开 / applications 依申请公开 / reviews 复议诉讼 / problems 问题与改进 / other 其他事项",
                "heading": "报告中的章节标题",
                "text": "章节正文",
            },
        },
        "findings": {
            "title": "校验结果 findings",
            "description": "抽取与勾稽关系校验发现的问题；发现问题不会修改任何数字。报告页面把每条结果标在相关单元格旁。",
            "facets": ["check_name", "severity"],
            "columns": {
                "report_id": "报告编号（点击阅读报告）",
                "check_name": "校验项，如 applications.balance（一+二=三(七)+四）",
                "severity": "error 错误 / warning 提示",
                "location": "位置：表三的行或列（granted、total）、单元格（granted.total）、表四的块（review）、表二的项目",
                "message": "说明（含所涉数字）",
            },
        },
        "report_copies": {
            "title": "报告副本 report_copies",
            "description": "同一份报告在各个网址、平台上的每个副本：页面网址、主机、所读文件的 SHA-256、媒体类型、抓取时间。",
            "facets": ["host", "kind", "media_type"],
            "columns": {
                "report_id": "报告编号（点击阅读报告）",
                "page_url": "找到报告的页面网址",
                "url": "所读文件的网址（页面本身或其附件）",
                "host": "网站主机（平台）",
                "sha256": "所读文件的 SHA-256（原始字节可在报告页面下载）",
                "media_type": "媒体类型",
                "fetched_at": "所读文件的抓取时间（UTC）",
                "kind": "page 页面本身 / attachment 页面的附件",
                "title": "这个副本抽取出的标题",
                "canonical": "1 = 报告的数字取自这个副本（最先发现的）",
                "first_seen": "页面首次抓取时间（UTC）",
                "first_fetch_id": "页面首次抓取（fetches 表）",
                "newest_fetch_id": "最近抽取时读到的最新抓取",
                "source_id": "抓取来源",
            },
        },
        "cells": {
            "title": "统计表逐格数字 cells",
            "description": "表二（disclosure）、表三（applications）、表四（reviews）每格一行，数字按原文记录。",
            "facets": ["table_key", "row_key", "column_key"],
            "columns": {
                "report_id": "报告编号（点击阅读报告）",
                "table_key": "表：disclosure 主动公开 / applications 依申请 / reviews 复议诉讼 / statistics 统计表",
                "row_key": "行（见 README 的键）",
                "column_key": "列",
                "value": "数值",
                "unit": "单位：件 / 万元",
                "label": "原文标签",
            },
        },
        "fetches": {
            "title": "抓取记录 fetches",
            "description": "每次抓取的 URL、时间、状态码（304 = 未改变）、媒体类型与正文 SHA-256。",
            "facets": ["kind", "status", "media_type"],
            "sort_desc": "id",
            "columns": {
                "url": "网址",
                "fetched_at": "抓取时间（UTC）",
                "status": "HTTP 状态码",
                "media_type": "媒体类型",
                "sha256": "正文的 SHA-256",
                "kind": "list 列表页 / report_page 报告页面 / attachment 附件 / discovery 栏目发现",
                "referer": "来自哪个页面",
                "link_title": "链接文字",
                "report_year": "链接标题所说的报告年度",
            },
        },
        "sources": {
            "title": "抓取来源 sources",
            "description": "各来源的起始地址、机关、地区、层级与 CMS 类型。",
        },
        "columns": {
            "title": "发现的年报栏目 columns",
            "description": "从门户首页或政府信息公开页面找到的年报栏目。",
        },
        "crawl_runs": {
            "title": "抓取运行 crawl_runs",
            "description": (
                "每个来源每次抓取一行：起止时间、状态（finished 完成；incomplete 有报告页或附件失败，下次重试；"
                "blocked 被防火墙拦截；partial 未抓全；empty 栏目内没有年报；no_column 未找到年报栏目；"
                "failed 失败；interrupted 中断，含被强行终止的）及原因、请求数、304 数、新文件与新报告数、"
                "按类型统计的错误、列表声明条数（announced）与实际抓到条数（reached）；"
                "retried 重试后成功、recovered 此前失败本次取得、lost 本次失败、gone 判定已不存在、"
                "failing 仍待重试的地址数，blocked 防火墙质询页数，error_pages 错误页数。"
            ),
            "facets": ["status", "start_url"],
            "sort_desc": "id",
        },
        "applications_totals": {
            "title": "表三总计列 applications_totals",
            "description": "每份报告表三“总计”列的主要行：本年新收、上年结转、办理结果、结转下年。",
            "facets": ["year", "level"],
        },
        "fetch_failures": {
            "title": "抓取失败的地址 fetch_failures",
            "description": (
                "抓取想要而（还）没有得到的每个地址一行：列表页、报告页或附件，失败原因（timeout 超时、"
                "transport 连接错误、truncated 不完整、size_cap 超过大小上限、http_NNN、error_page 错误页、"
                "blocked 防火墙质询、redirect_loop 重定向循环……）、尝试次数、下次重试时间（退避）。"
                "state：pending 已发现未取得，failing 失败待重试，gone 判定已不存在（不再请求），recovered 后来取得。"
            ),
            "facets": ["state", "reason", "kind"],
            "sort_desc": "last_failed_at",
        },
        "extraction_failures": {
            "title": "抽取失败的文件 extraction_failures",
            "description": (
                "抓到了、但没能读成报告的文件，每个文件一行：kind 为 unreadable 不是可读文件、"
                "timeout 超过时间上限、memory 超过内存上限、crashed 抽取进程崩溃、error 抽取出错、"
                "store 写入档案失败；message 为原因，attempts 为失败次数。原始文件仍在档案中，可重新抽取。"
            ),
            "facets": ["kind", "media_type"],
            "sort_desc": "last_failed_at",
        },
    }
    for name in PRIVATE_TABLES:
        # Hidden from lists and closed to table views; the report page reads them.
        table_metadata[name] = {"hidden": True, "allow": False}
    for name in tables:
        if name.endswith(("_fts", "_fts_data", "_fts_idx", "_fts_docsize", "_fts_config", "_fts_content")):
            table_metadata.setdefault(name, {"hidden": True})
    table_metadata = {k: v for k, v in table_metadata.items() if k in tables or k in PRIVATE_TABLES}
    return {
        "title": TITLE,
        "description": "各级行政机关政府信息公开工作年度报告：原始文件、六个部分、三张统计表的逐格数字与勾稽关系校验结果。",
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "source": SOURCE,
        "about": ABOUT,
        "databases": {
            database: {
                "title": "年报档案",
                "description": "报告、数字、校验结果与抓取记录。",
                "tables": table_metadata,
                "queries": canned_queries(tables),
            }
        },
        "plugins": {
            "datasette-dashboards": dashboards(database) if "report_figures" in tables else {},
            "datasette-xlsx": {"max_rows": 1_000_000, "time_limit_ms": 120_000},
        },
    }

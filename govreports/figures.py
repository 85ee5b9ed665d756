"""The figures of the three standard tables as a user reads them: Chinese labels in the forms' order, the
wide table (one column per cell), the label table behind the long view, and where each finding points.

Keys come from ``extract/template.py`` (report-template.md); this module adds what a reader of the archive
needs beside them: the official forms' labels, the order of rows and columns, units, and a short
self-contained label per cell for column headers. ``docs/keys.md`` is generated from it
(``python -m govreports.figures > docs/keys.md``; a test keeps it current).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from extract.template import APPLICANT_COLUMNS, APPLICATION_ROWS, REVIEW_KEYS, SECTION_KEYS

COUNT, MONEY = "件", "万元"

# (table_key, short name, official heading), in the report's order.
TABLES: tuple[tuple[str, str, str], ...] = (
    ("disclosure", "表二", "主动公开政府信息情况"),
    ("applications", "表三", "收到和处理政府信息公开申请情况"),
    ("reviews", "表四", "政府信息公开行政复议、行政诉讼情况"),
    ("statistics", "统计表", "政府信息公开统计表（2019年以前的自定格式）"),
)
TABLE_ZH = {key: f"{short} {heading}" for key, short, heading in TABLES}


@dataclass(frozen=True)
class Label:
    """One row or column of a form: its key, its own text in the form, the merged cell above or beside it
    (group), a self-contained short label, and the templates that have it."""

    key: str
    form: str
    short: str
    group: str | None = None
    templates: str = "2019,2021"
    unit: str | None = None


# --------------------------------------------------------------------------------------------- 表二
# Rows (items) in the form's order, with the article clause whose block they sit in.
DISCLOSURE_ITEMS: tuple[Label, ...] = (
    Label("rules", "规章", "规章", "第二十条第（一）项"),
    Label("normative_documents", "规范性文件（2021：行政规范性文件）", "规范性文件", "第二十条第（一）项"),
    Label("licensing", "行政许可", "行政许可", "第二十条第（五）项"),
    Label("other_services", "其他对外管理服务事项", "其他对外管理服务事项", "第二十条第（五）项", "2019"),
    Label("inspection", "行政检查", "行政检查（北京拆分）", "第二十条第（五）项", "2019"),
    Label("confirmation", "行政确认", "行政确认（北京拆分）", "第二十条第（五）项", "2019"),
    Label("penalty", "行政处罚", "行政处罚", "第二十条第（六）项"),
    Label("coercion", "行政强制", "行政强制", "第二十条第（六）项"),
    Label("fees", "行政事业性收费", "行政事业性收费", "第二十条第（八）项"),
    Label("procurement", "政府集中采购", "政府集中采购", "第二十条第（九）项", "2019"),
)
# Columns (metrics) in the forms' order: 2019's, then 2021's.
DISCLOSURE_METRICS: tuple[Label, ...] = (
    Label("made", "本年新制作数量", "本年新制作数量", templates="2019", unit=COUNT),
    Label("published", "本年新公开数量", "本年新公开数量", templates="2019", unit=COUNT),
    Label("public_total", "对外公开总数量", "对外公开总数量", templates="2019", unit=COUNT),
    Label("issued", "本年制发件数", "本年制发件数", templates="2021", unit=COUNT),
    Label("repealed", "本年废止件数", "本年废止件数", templates="2021", unit=COUNT),
    Label("in_force", "现行有效件数", "现行有效件数", templates="2021", unit=COUNT),
    Label("prior_items", "上一年项目数量", "上一年项目数量", templates="2019", unit=COUNT),
    Label("change", "本年增/减", "本年增/减", templates="2019", unit=COUNT),
    Label("decisions", "处理决定数量（2021：本年处理决定数量）", "处理决定数量", unit=COUNT),
    Label("fee_amount", "本年收费金额（单位：万元）", "本年收费金额", templates="2021", unit=MONEY),
    Label("procurement_items", "采购项目数量", "采购项目数量", templates="2019", unit=COUNT),
    Label("procurement_amount", "采购总金额", "采购总金额", templates="2019", unit=MONEY),
)
# The cells of table 二 over both templates: which metrics each item has.
_PUBLISHING = ("made", "published", "public_total", "issued", "repealed", "in_force")
_SERVICES = ("prior_items", "change", "decisions")
DISCLOSURE_CELLS: dict[str, tuple[str, ...]] = {
    "rules": _PUBLISHING,
    "normative_documents": _PUBLISHING,
    "licensing": _SERVICES,
    "other_services": _SERVICES,
    "inspection": _SERVICES,
    "confirmation": _SERVICES,
    "penalty": _SERVICES,
    "coercion": _SERVICES,
    "fees": ("prior_items", "change", "fee_amount"),
    "procurement": ("procurement_items", "procurement_amount"),
}

# --------------------------------------------------------------------------------------------- 表三
_RESULTS = "三、本年度办理结果"
APPLICATION_ROW_LABELS: tuple[Label, ...] = (
    Label("new_received", "一、本年新收政府信息公开申请数量", "一、本年新收申请"),
    Label("carried_over", "二、上年结转政府信息公开申请数量", "二、上年结转申请"),
    Label("granted", "（一）予以公开", "三（一）予以公开", _RESULTS),
    Label(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "三（二）部分公开",
        _RESULTS,
    ),
    Label("denied_state_secret", "1.属于国家秘密", "三（三）不予公开 1.国家秘密", "（三）不予公开"),
    Label(
        "denied_prohibited_by_law",
        "2.其他法律行政法规禁止公开",
        "三（三）不予公开 2.法律行政法规禁止公开",
        "（三）不予公开",
    ),
    Label(
        "denied_security_stability",
        "3.危及“三安全一稳定”",
        "三（三）不予公开 3.危及“三安全一稳定”",
        "（三）不予公开",
    ),
    Label(
        "denied_third_party",
        "4.保护第三方合法权益",
        "三（三）不予公开 4.保护第三方合法权益",
        "（三）不予公开",
    ),
    Label(
        "denied_internal_affairs",
        "5.属于三类内部事务信息",
        "三（三）不予公开 5.内部事务信息",
        "（三）不予公开",
    ),
    Label("denied_process_info", "6.属于四类过程性信息", "三（三）不予公开 6.过程性信息", "（三）不予公开"),
    Label(
        "denied_enforcement_file", "7.属于行政执法案卷", "三（三）不予公开 7.行政执法案卷", "（三）不予公开"
    ),
    Label("denied_inquiry", "8.属于行政查询事项", "三（三）不予公开 8.行政查询事项", "（三）不予公开"),
    Label(
        "unavailable_not_held",
        "1.本机关不掌握相关政府信息",
        "三（四）无法提供 1.本机关不掌握",
        "（四）无法提供",
    ),
    Label(
        "unavailable_needs_creation",
        "2.没有现成信息需要另行制作",
        "三（四）无法提供 2.需要另行制作",
        "（四）无法提供",
    ),
    Label(
        "unavailable_unclear",
        "3.补正后申请内容仍不明确",
        "三（四）无法提供 3.补正后仍不明确",
        "（四）无法提供",
    ),
    Label("rejected_petition", "1.信访举报投诉类申请", "三（五）不予处理 1.信访举报投诉类", "（五）不予处理"),
    Label("rejected_duplicate", "2.重复申请", "三（五）不予处理 2.重复申请", "（五）不予处理"),
    Label(
        "rejected_publication",
        "3.要求提供公开出版物",
        "三（五）不予处理 3.要求提供公开出版物",
        "（五）不予处理",
    ),
    Label(
        "rejected_excessive",
        "4.无正当理由大量反复申请",
        "三（五）不予处理 4.无正当理由大量反复申请",
        "（五）不予处理",
    ),
    Label(
        "rejected_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        "三（五）不予处理 5.要求确认或重新出具已获取信息",
        "（五）不予处理",
    ),
    Label("other_handling", "（六）其他处理", "三（六）其他处理", _RESULTS),
    Label(
        "other_no_supplement",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "三（六）其他处理 1.逾期不补正",
        "（六）其他处理",
        "2021",
    ),
    Label(
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "三（六）其他处理 2.逾期未缴纳费用",
        "（六）其他处理",
        "2021",
    ),
    Label("other_misc", "3.其他", "三（六）其他处理 3.其他", "（六）其他处理", "2021"),
    Label("total_handled", "（七）总计", "三（七）总计", _RESULTS),
    Label("carried_forward", "四、结转下年度继续办理", "四、结转下年度继续办理"),
)
_ORGANISATIONS = "法人或其他组织"
APPLICANT_COLUMN_LABELS: tuple[Label, ...] = (
    Label("natural_person", "自然人", "自然人", unit=COUNT),
    Label("commercial", "商业企业", "商业企业", _ORGANISATIONS, unit=COUNT),
    Label("research", "科研机构", "科研机构", _ORGANISATIONS, unit=COUNT),
    Label("social_org", "社会公益组织", "社会公益组织", _ORGANISATIONS, unit=COUNT),
    Label("legal_service", "法律服务机构", "法律服务机构", _ORGANISATIONS, unit=COUNT),
    Label("other_org", "其他", "其他组织", _ORGANISATIONS, unit=COUNT),
    Label("total", "总计", "总计", unit=COUNT),
)

# --------------------------------------------------------------------------------------------- 表四
_SUITS = "行政诉讼"
REVIEW_ROW_LABELS: tuple[Label, ...] = (
    Label("review", "行政复议", "行政复议"),
    Label("suit", "未经复议直接起诉", "行政诉讼（未经复议直接起诉）", _SUITS),
    Label("suit_after_review", "复议后起诉", "行政诉讼（复议后起诉）", _SUITS),
)
REVIEW_COLUMN_LABELS: tuple[Label, ...] = (
    Label("upheld", "结果维持", "结果维持", unit=COUNT),
    Label("corrected", "结果纠正", "结果纠正", unit=COUNT),
    Label("other", "其他结果", "其他结果", unit=COUNT),
    Label("pending", "尚未审结", "尚未审结", unit=COUNT),
    Label("total", "总计", "总计", unit=COUNT),
)

# --------------------------------------------------------------------------------------------- 统计表
# Legacy indicators that have keys (extract/template.py STATISTIC_KEYS); other indicators keep their label.
STATISTIC_ROW_LABELS: tuple[Label, ...] = (
    Label("proactive_published", "主动公开政府信息数", "主动公开政府信息数", templates="legacy"),
    Label("applications_received", "收到申请数", "收到申请数", templates="legacy"),
    Label("reviews", "申请行政复议数", "申请行政复议数", templates="legacy"),
    Label("suits", "提起行政诉讼数", "提起行政诉讼数", templates="legacy"),
    Label("complaints", "举报投诉数", "举报投诉数", templates="legacy"),
    Label("fees_amount", "收取的费用", "收取的费用", templates="legacy"),
)
STATISTIC_COLUMN_LABELS: tuple[Label, ...] = (
    Label("value", "本年度", "本年度", templates="legacy"),
    Label("cumulative", "累计", "累计", templates="legacy"),
)

# --------------------------------------------------------------------------------------------- sections
SECTION_LABELS: tuple[Label, ...] = (
    Label("overview", "一、总体情况", "总体情况"),
    Label("proactive", "二、主动公开政府信息情况", "主动公开"),
    Label("applications", "三、收到和处理政府信息公开申请情况", "依申请公开"),
    Label("fees", "收费及减免情况（2019年以前）", "收费及减免", templates="legacy"),
    Label("reviews", "四、政府信息公开行政复议、行政诉讼情况", "行政复议、行政诉讼"),
    Label("problems", "五、存在的主要问题及改进情况", "存在的主要问题"),
    Label("other", "六、其他需要报告的事项", "其他需要报告的事项"),
)

# --------------------------------------------------------------------------------------------- findings
# Every check extraction and validation can report, in Chinese; `location` says where (see keys.md).
FINDING_LABELS: dict[str, str] = {
    "applications.balance": "表三 一+二 ≠ 三（七）+四（收支不平衡）",
    "applications.handled_sum": "表三 （一）至（六）之和 ≠ （七）总计",
    "applications.other_sum": "表三 （六）1–3 之和 ≠ （六）其他处理",
    "applications.row_total": "表三 各类申请人之和 ≠ 总计",
    "applications.missing_rows": "表三缺少行",
    "applications.unknown_row": "表三有无法识别的行",
    "applications.duplicate_row": "表三有重复的行",
    "applications.row_width": "表三某行数字个数不符",
    "applications.template_order": "表三行标签缺失，按模板顺序认定",
    "applications.absurd_value": "表三数值超出合理范围，未采用",
    "reviews.total": "表四 维持+纠正+其他+尚未审结 ≠ 总计",
    "reviews.unreadable": "表四无法读取",
    "reviews.heading_lost": "表四标题和表头丢失，按模板顺序读取",
    "reviews.blocks_joined": "表四被拆成几段，按模板顺序拼合",
    "reviews.absurd_value": "表四数值超出合理范围，未采用",
    "disclosure.row_width": "表二某行数字个数与表头不符",
    "disclosure.not_a_number": "表二单元格不是数字",
    "disclosure.unit_converted": "表二金额以元填报，已换算为万元",
    "disclosure.missing_row": "表二缺少模板中的行",
    "disclosure.cell_lost": "表二某行缺少单元格，按位置归列",
    "disclosure.absurd_value": "表二数值超出合理范围，未采用",
    "cross_year.carried_over": "上年结转 ≠ 上一年报告的结转下年度",
    "cross_year.in_force": "现行有效件数 ≠ 上年现行有效 + 制发 − 废止",
    "cross_year.prior_items": "上一年项目数量 ≠ 上年报告的项目数量 + 增减",
    "narrative.applications": "正文所称收到申请数与表三不符",
    "metadata.year": "未能确定报告年度",
    "metadata.agency": "未能确定发布机关",
    "document.encoding": "网页编码与声明不符",
    "document.ocr": "数字由 OCR 从扫描件识别",
    "document.sniffed": "声明的文件类型与内容不符",
    "document.unreadable": "附件无法读取",
    "document.unsupported": "不是可读取的报告格式",
    "document.too_large": "文档或其中的表格、图像超出可读取的大小，未读取",
    "section.duplicate_heading": "章节标题重复出现",
    "section.misplaced_heading": "章节标题出现在其他章节中",
    "section.missing": "缺少章节",
    "statistics.header": "统计表表头无法识别",
    "statistics.not_a_number": "统计表数值不是数字",
    "statistics.flattened": "统计表被压成文本，数字无法拆分",
    "statistics.split": "统计表被压成文本，数字按上下文拆分",
    "statistics.split_undecided": "统计表被压成文本，数字拆分无法确定",
    "statistics.absurd_value": "统计表数值超出合理范围，未采用",
    "markdown.label_attached": "转换稿中游离的标签并入数字行",
    "markdown.loose_cells": "转换稿中游离的单元格，未采用",
    "markdown.placeholder_headers": "转换稿表头为「数据1…6」，按模板顺序读取",
    "markdown.table_joined": "转换稿中的多段表格拼成一张",
    "table.missing": "未找到统计表",
}
SEVERITY_ZH = {"error": "错误", "warning": "提示"}

_ROWS = {
    "disclosure": DISCLOSURE_ITEMS,
    "applications": APPLICATION_ROW_LABELS,
    "reviews": REVIEW_ROW_LABELS,
    "statistics": STATISTIC_ROW_LABELS,
}
_COLUMNS = {
    "disclosure": DISCLOSURE_METRICS,
    "applications": APPLICANT_COLUMN_LABELS,
    "reviews": REVIEW_COLUMN_LABELS,
    "statistics": STATISTIC_COLUMN_LABELS,
}
TABLE_ORDER = {key: index for index, (key, _, _) in enumerate(TABLES, start=1)}
ROW_ORDER = {table: {label.key: i for i, label in enumerate(rows, 1)} for table, rows in _ROWS.items()}
COLUMN_ORDER = {table: {label.key: i for i, label in enumerate(cols, 1)} for table, cols in _COLUMNS.items()}
_SHORT = {
    (table, kind, label.key): label.short
    for kind, tables in (("row", _ROWS), ("column", _COLUMNS))
    for table, labels in tables.items()
    for label in labels
}

assert [label.key for label in APPLICATION_ROW_LABELS] == list(APPLICATION_ROWS)
assert [label.key for label in APPLICANT_COLUMN_LABELS] == list(APPLICANT_COLUMNS)
assert [f"{r.key}_{c.key}" for r in REVIEW_ROW_LABELS for c in REVIEW_COLUMN_LABELS] == list(REVIEW_KEYS)
assert [label.key for label in SECTION_LABELS if label.templates != "legacy"] == list(SECTION_KEYS)


# --------------------------------------------------------------------------------------------- wide table
@dataclass(frozen=True)
class FigureColumn:
    """A column of ``report_figures``: for a cell, its table, row and column keys; None for report facts."""

    name: str
    label_zh: str
    unit: str | None
    table: str | None
    row: str | None
    column: str | None
    order: int


# The report facts that come first, with their Chinese labels.
REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("report_id", "报告编号"),
    ("title", "标题"),
    ("agency", "发布机关"),
    ("province", "省级行政区"),
    ("prefecture", "地级行政区"),
    ("county", "县级行政区"),
    ("level", "层级"),
    ("year", "报告年度"),
    ("template", "模板"),
    ("findings", "校验发现的问题数"),
    ("errors", "其中错误数"),
    ("url", "来源网址（首次发现的副本）"),
)


def _cell_columns() -> Iterator[tuple[str, str, str, str, str, str]]:
    """(name, table, row, column, label, unit) of every cell of tables 二, 三 and 四, in the forms' order."""
    metrics = {label.key: label for label in DISCLOSURE_METRICS}
    for item in DISCLOSURE_ITEMS:
        for metric_key in DISCLOSURE_CELLS[item.key]:
            metric = metrics[metric_key]
            label = f"表二 {item.group} {item.short} · {metric.short}"
            yield f"t2_{item.key}_{metric.key}", "disclosure", item.key, metric.key, label, metric.unit
    for row in APPLICATION_ROW_LABELS:
        for column in APPLICANT_COLUMN_LABELS:
            yield (
                f"t3_{row.key}_{column.key}",
                "applications",
                row.key,
                column.key,
                f"表三 {row.short} · {column.short}",
                COUNT,
            )
    for row in REVIEW_ROW_LABELS:
        for column in REVIEW_COLUMN_LABELS:
            yield (
                f"t4_{row.key}_{column.key}",
                "reviews",
                row.key,
                column.key,
                f"表四 {row.short} · {column.short}",
                COUNT,
            )


def figure_columns() -> list[FigureColumn]:
    """Every column of ``report_figures`` in order, with its Chinese label and unit (件 or 万元)."""
    columns = [
        FigureColumn(name, label, None, None, None, None, order)
        for order, (name, label) in enumerate(REPORT_COLUMNS, start=1)
    ]
    for order, (name, table, row, column, label, unit) in enumerate(_cell_columns(), start=len(columns) + 1):
        columns.append(FigureColumn(name, label, unit, table, row, column, order))
    return columns


CELL_COLUMNS = {(c.table, c.row, c.column): c.name for c in figure_columns() if c.table}


def figures_row(report_id: str, report: dict, url: str) -> dict:
    """The ``report_figures`` row of one extracted report: every known cell under its column, the rest null."""
    row: dict = dict.fromkeys(name for name, _ in REPORT_COLUMNS)
    parts = report.get("region_parts") or {}
    severities = [finding["severity"] for finding in report["findings"]]
    row.update(
        report_id=report_id,
        title=report["title"],
        agency=report["agency"],
        province=parts.get("province"),
        prefecture=parts.get("prefecture"),
        county=parts.get("county"),
        level=report["level"],
        year=report["year"],
        template=report["template"],
        findings=len(severities),
        errors=severities.count("error"),
        url=url,
    )
    row.update(dict.fromkeys(CELL_COLUMNS.values()))
    for table, row_key, column_key, value in report_cells(report):
        name = CELL_COLUMNS.get((table, row_key, column_key))
        if name and row[name] is None:  # the first of a repeated cell, as the cells table keeps it
            row[name] = value
    return row


def report_cells(report: dict) -> Iterator[tuple[str, str, str, int | float]]:
    """(table, row, column, value) of every cell of tables 二, 三 and 四 of a parsed report."""
    for item in report["disclosure"]:
        yield "disclosure", item["item"], item["metric"], item["value"]
    for row_key, columns in report["applications"].items():
        for column_key, value in columns.items():
            yield "applications", row_key, column_key, value
    for key, value in report["reviews"].items():
        row_key, column_key = split_review_key(key)
        yield "reviews", row_key, column_key, value


def split_review_key(key: str) -> tuple[str, str]:
    """review_upheld → ("review", "upheld"): table 四 as its own 3 × 5 grid."""
    row_key, column_key = key.rsplit("_", 1)
    return row_key, column_key


# Cells are keyed (report_id, position): position is the cell's place in the forms' order, so a report's
# cells read in that order straight from the primary key. A cell of a row and column the forms have sits
# at table·10⁶ + row·10³ + column; any other (the legacy 统计表's indicators, in printed order) at
# table·10⁶ + 5·10⁵ + its sequence in the report.
_TABLE_SPAN, _ROW_SPAN, _UNLISTED = 1_000_000, 1_000, 500_000


def cell_position(table: str, row: str, column: str, sequence: int) -> int:
    """The ``cells.position`` of a cell; ``sequence`` (its index among the report's cells) places the
    cells the forms lack, and keeps them unique."""
    rows, columns = ROW_ORDER.get(table, {}), COLUMN_ORDER.get(table, {})
    base = TABLE_ORDER.get(table, 9) * _TABLE_SPAN
    if table != "statistics" and row in rows and column in columns:
        return base + rows[row] * _ROW_SPAN + columns[column]
    return base + _UNLISTED + sequence


def cell_position_sql(alias: str = "c") -> str:
    """cell_position in SQL over ``cells {alias}`` left-joined to labels ``t``, ``rl``, ``cl`` (as in
    figures_long), with the cell's sequence from its rowid: for upgrading an archive's cells."""
    return (
        f"coalesce(t.sort_order, 9) * {_TABLE_SPAN} + case "
        f"when {alias}.table_key != 'statistics' and rl.sort_order is not null and cl.sort_order is not null "
        f"then rl.sort_order * {_ROW_SPAN} + cl.sort_order "
        f"else {_UNLISTED} + row_number() over (partition by {alias}.report_id order by {alias}.rowid) end"
    )


# --------------------------------------------------------------------------------------------- labels
LABEL_COLUMNS = {
    "table_key": str,
    "kind": str,  # table | row | column | section | finding | severity
    "key": str,
    "label_zh": str,  # self-contained: what a column header or a pivot shows
    "sort_order": int,
    "unit": str,
    "form_zh": str,  # the text of the row or column in the official form
    "group_zh": str,  # the merged cell above or beside it in the form (（三）不予公开, 法人或其他组织)
    "templates": str,  # 2019,2021 | 2019 | 2021 | legacy
}


def label_rows() -> list[dict]:
    """The rows of the ``labels`` table: every table, row, column, section and finding key in Chinese."""
    rows = []

    def add(table_key, kind, key, label_zh, order, unit=None, form=None, group=None, templates=None):
        rows.append(
            dict(
                zip(
                    LABEL_COLUMNS,
                    (table_key, kind, key, label_zh, order, unit, form, group, templates),
                    strict=True,
                )
            )
        )

    for order, (key, short, heading) in enumerate(TABLES, start=1):
        add(key, "table", key, f"{short} {heading}", order, form=heading, group=short)
    for kind, tables in (("row", _ROWS), ("column", _COLUMNS)):
        for table, labels in tables.items():
            for order, label in enumerate(labels, start=1):
                add(
                    table,
                    kind,
                    label.key,
                    label.short,
                    order,
                    label.unit,
                    label.form,
                    label.group,
                    label.templates,
                )
    for order, label in enumerate(SECTION_LABELS, start=1):
        add("sections", "section", label.key, label.short, order, form=label.form, templates=label.templates)
    for order, (check, label) in enumerate(FINDING_LABELS.items(), start=1):
        add("findings", "finding", check, label, order, group=check.split(".")[0])
    for order, (severity, label) in enumerate(SEVERITY_ZH.items(), start=1):
        add("findings", "severity", severity, label, order)
    return rows


# --------------------------------------------------------------------------------------------- findings
_COLUMN_LEVEL = {  # identities checked per column of table 三: the row that carries the result
    "applications.balance": None,
    "applications.handled_sum": "total_handled",
    "applications.other_sum": "other_handling",
}
_FIXED = {  # checks about one known cell, whatever their location says
    "narrative.applications": ("applications", "new_received", "total"),
    "cross_year.carried_over": ("applications", "carried_over", "total"),
}


def finding_anchor(check: str, location: str | None) -> tuple[str | None, str | None, str | None]:
    """(table_key, row_key, column_key) that a finding concerns, so a report page can show it beside its
    cell, row or column; a part it does not pin down is None (a whole table, a document)."""
    family = check.split(".")[0]
    location = location or ""
    if check in _FIXED:
        return _FIXED[check]
    if check in _COLUMN_LEVEL:
        return (
            "applications",
            _COLUMN_LEVEL[check],
            location if location in COLUMN_ORDER["applications"] else None,
        )
    if check == "table.missing":
        return (location if location in TABLE_ORDER else None), None, None
    if family == "section":
        return "sections", location or None, None
    if family == "cross_year":  # in_force, prior_items: the item of table 二
        return "disclosure", location or None, check.split(".")[1]
    if check == "reviews.total":
        return "reviews", location or None, "total"
    if check == "applications.row_total":
        return "applications", location or None, "total"
    if family in ("applications", "reviews", "disclosure", "statistics"):
        return (family, *_row_and_column(family, location))
    return None, None, None


def _row_and_column(table: str, location: str) -> tuple[str | None, str | None]:
    rows, columns = ROW_ORDER[table], COLUMN_ORDER[table]
    if "." in location:
        row, column = location.split(".", 1)
        return (row if row in rows else None), (column if column in columns else None)
    if location in rows:
        return location, None
    if table == "reviews" and "_" in location:
        row, column = split_review_key(location)
        if row in rows and column in columns:
            return row, column
    if location in columns:
        return None, location
    return None, None


# --------------------------------------------------------------------------------------------- keys.md
def keys_markdown() -> str:
    """docs/keys.md: the row, column and finding keys with their Chinese labels."""
    out = [
        "# Keys of the archive",
        "",
        "Generated from `govreports/figures.py` (`python -m govreports.figures > docs/keys.md`). The same",
        "labels are in the archive's `labels` table, and `report_figures`' column labels come from them.",
        "",
        "Cells live in `cells(report_id, table_key, row_key, column_key, value, unit)`; in the wide table",
        "`report_figures` a cell is the column `t2_{item}_{metric}`, `t3_{row}_{column}` or",
        "`t4_{row}_{column}`. Counts are in 件, money in 万元 (a cell printed in 元 is converted).",
        "",
        "## Tables",
        "",
        "| table_key | table |",
        "|---|---|",
        *(f"| `{key}` | {short} {heading} |" for key, short, heading in TABLES),
        "",
    ]
    out += _label_section(
        "表二 主动公开政府信息情况 (`disclosure`): rows are items",
        DISCLOSURE_ITEMS,
        "block",
    )
    out += _label_section("表二: columns are metrics", DISCLOSURE_METRICS, None)
    out += [
        "Which metrics each item has (both templates):",
        "",
        "| item | metrics |",
        "|---|---|",
        *(
            f"| `{item}` | {', '.join(f'`{m}`' for m in metrics)} |"
            for item, metrics in DISCLOSURE_CELLS.items()
        ),
        "",
    ]
    out += _label_section(
        "表三 收到和处理政府信息公开申请情况 (`applications`): rows", APPLICATION_ROW_LABELS, "group"
    )
    out += _label_section("表三: columns (申请人情况)", APPLICANT_COLUMN_LABELS, "group")
    out += _label_section(
        "表四 政府信息公开行政复议、行政诉讼情况 (`reviews`): rows",
        REVIEW_ROW_LABELS,
        "group",
        note="The parse JSON writes table 四 as fifteen keys `{row}_{column}` (`review_upheld`, "
        "`suit_after_review_total`); the archive splits them into row and column.",
    )
    out += _label_section("表四: columns", REVIEW_COLUMN_LABELS, None)
    out += _label_section(
        "统计表 (`statistics`, 2008–2018 reports): indicators with a key",
        STATISTIC_ROW_LABELS,
        None,
        note="Other indicators keep their label path (指标名称) as `row_key`; columns are `value` (本年度) "
        "and `cumulative` (累计).",
    )
    out += _label_section("Sections (`sections.key`)", SECTION_LABELS, None)
    out += [
        "## Findings (`findings.check_name`)",
        "",
        "Severity `error` (错误) or `warning` (提示). `table_key`, `row_key` and `column_key` of a finding",
        "name the cell, row or column it concerns, where it concerns one.",
        "",
        "| check_name | 含义 |",
        "|---|---|",
        *(f"| `{check}` | {label} |" for check, label in FINDING_LABELS.items()),
        "",
    ]
    return "\n".join(out)


def _label_section(title: str, labels: Iterable[Label], group: str | None, note: str = "") -> list[str]:
    labels = list(labels)
    units = any(label.unit for label in labels)
    names = [
        "key",
        "label",
        "in the form",
        *([group] if group else []),
        *(["unit"] if units else []),
        "templates",
    ]
    lines = [f"## {title}", ""]
    if note:
        lines += [note, ""]
    lines += ["| " + " | ".join(names) + " |", "|---" * len(names) + "|"]
    for label in labels:
        cells = [f"`{label.key}`", label.short, label.form]
        cells += [label.group or ""] if group else []
        cells += [label.unit or ""] if units else []
        lines.append("| " + " | ".join([*cells, label.templates]) + " |")
    return [*lines, ""]


if __name__ == "__main__":
    print(keys_markdown(), end="")

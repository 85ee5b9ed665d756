"""Keys of the official report templates (see shared report-template.md), and how labels map to them."""

from __future__ import annotations

SECTION_KEYS = ("overview", "proactive", "applications", "reviews", "problems", "other")
# Legacy reports (2008–2018) have a section on fees between applications and reviews; the order in which
# headings may follow one another includes it.
SECTION_ORDER = ("overview", "proactive", "applications", "fees", "reviews", "problems", "other")
SECTION_NAMES = {
    "overview": "总体情况",
    "proactive": "主动公开",
    "applications": "依申请公开",
    "fees": "收费及减免",
    "reviews": "行政复议、行政诉讼",
    "problems": "存在的主要问题",
    "other": "其他需要报告的事项",
}
# Words that identify each section's heading, tried against short enumerated lines, in SECTION_ORDER.
SECTION_HEADING_WORDS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况", "概述", "概况"),
    "proactive": ("主动公开政府信息情况", "主动公开政府信息"),
    "applications": (
        "收到和处理政府信息公开申请",
        "依申请公开政府信息",
        "政府信息公开申请的办理",
        "政府信息公开申请情况",
    ),
    "fees": ("收费及减免", "收费和减免", "收取费用"),
    "reviews": ("行政复议", "行政诉讼"),
    "problems": ("存在的主要问题", "存在的问题", "主要问题"),
    "other": ("其他需要报告的事项", "其他需要报告", "工作计划"),
}

# Table 三: applicant columns, left to right, then the total.
APPLICANT_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_org",
    "legal_service",
    "other_org",
    "total",
)

# Sub-rows of table 三's result groups, in the template's order: 「（三）不予公开 1.… 8.…」.
APPLICATION_GROUPS: dict[str, tuple[str, ...]] = {
    "denied": (
        "denied_state_secret",
        "denied_prohibited_by_law",
        "denied_security_stability",
        "denied_third_party",
        "denied_internal_affairs",
        "denied_process_info",
        "denied_enforcement_file",
        "denied_inquiry",
    ),
    "unavailable": ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"),
    "rejected": (
        "rejected_petition",
        "rejected_duplicate",
        "rejected_publication",
        "rejected_excessive",
        "rejected_confirmation",
    ),
    "other": ("other_no_supplement", "other_unpaid_fee", "other_misc"),
}
# The words naming each group in its merged label cell.
APPLICATION_GROUP_WORDS = {
    "denied": "不予公开",
    "unavailable": "无法提供",
    "rejected": "不予处理",
    "other": "其他处理",
}
# Words that identify a sub-row when its number (「1.」) is missing; typos seen in real tables included.
APPLICATION_SUBROW_WORDS: dict[str, tuple[str, ...]] = {
    "denied_state_secret": ("国家秘密",),
    "denied_prohibited_by_law": ("禁止公开", "行政止公开", "法律行政法规"),
    "denied_security_stability": ("三安全一稳定", "危及"),
    "denied_third_party": ("第三方",),
    "denied_internal_affairs": ("内部事务",),
    "denied_process_info": ("过程性信息",),
    "denied_enforcement_file": ("行政执法案",),
    "denied_inquiry": ("行政查询",),
    "unavailable_not_held": ("不掌握",),
    "unavailable_needs_creation": ("另行制作", "没有现成"),
    "unavailable_unclear": ("仍不明确", "补正后"),
    "rejected_petition": ("信访", "举报投诉"),
    "rejected_duplicate": ("重复申请",),
    "rejected_publication": ("出版物",),
    "rejected_excessive": ("大量反复",),
    "rejected_confirmation": ("重新出具", "确认或"),
    "other_no_supplement": ("逾期不补正",),
    "other_unpaid_fee": ("缴纳费用", "收费通知"),
}
APPLICATION_ROWS = (
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    *APPLICATION_GROUPS["denied"],
    *APPLICATION_GROUPS["unavailable"],
    *APPLICATION_GROUPS["rejected"],
    "other_handling",
    *APPLICATION_GROUPS["other"],
    "total_handled",
    "carried_forward",
)
# Rows whose sum is （七）总计 (identity 2); other_handling stands for the three 2021 sub-rows.
HANDLED_PARTS = (
    "granted",
    "partially_granted",
    *APPLICATION_GROUPS["denied"],
    *APPLICATION_GROUPS["unavailable"],
    *APPLICATION_GROUPS["rejected"],
    "other_handling",
)

# Table 四: fifteen numbers in one row, in this order.
REVIEW_KEYS = tuple(
    f"{block}_{result}"
    for block in ("review", "suit", "suit_after_review")
    for result in ("upheld", "corrected", "other", "pending", "total")
)

# Table 二: row labels → item keys; the more specific words first.
DISCLOSURE_ITEM_WORDS: tuple[tuple[str, str], ...] = (
    ("规范性文件", "normative_documents"),
    ("规章", "rules"),
    ("行政许可", "licensing"),
    ("行政检查", "inspection"),
    ("行政确认", "confirmation"),
    ("其他对外管理服务事项", "other_services"),
    ("行政处罚", "penalty"),
    ("行政强制", "coercion"),
    ("行政事业性收费", "fees"),
    ("政府集中采购", "procurement"),
)
# Table 二: column headers → metric keys; the more specific words first.
DISCLOSURE_METRIC_WORDS: tuple[tuple[str, str], ...] = (
    ("新制作", "made"),
    ("新公开", "published"),
    ("对外公开总", "public_total"),
    ("制发", "issued"),
    ("废止", "repealed"),
    ("现行有效", "in_force"),
    ("上一年项目", "prior_items"),
    ("增/减", "change"),
    ("增减", "change"),
    ("处理决定", "decisions"),
    ("采购项目", "procurement_items"),
    ("采购总金额", "procurement_amount"),
    ("收费金额", "fee_amount"),
)
MONEY_METRICS = {"procurement_amount", "fee_amount"}
METRICS_2019 = {"made", "published", "public_total", "prior_items", "change", "procurement_items"}
METRICS_2021 = {"issued", "repealed", "in_force", "fee_amount"}

# Legacy 统计表 (指标名称 / 计量单位 / 本年度 / 累计): indicators that run on into the national template,
# so long-run series can join them. Matched against the indicator's own label, most specific first.
STATISTIC_KEYS: tuple[tuple[str, str], ...] = (
    ("主动公开政府信息数", "proactive_published"),
    ("主动公开信息数", "proactive_published"),
    ("主动公开文件数", "proactive_published"),  # Fujian's 2014–2018 tables
    ("收到申请数", "applications_received"),
    ("受理申请数", "applications_received"),
    ("受理依申请公开信息总数", "applications_received"),
    ("申请行政复议数", "reviews"),
    ("行政复议数", "reviews"),
    ("提起行政诉讼数", "suits"),
    ("行政诉讼数", "suits"),
    ("举报投诉数", "complaints"),
    ("收取的费用", "fees_amount"),
)


# Table 三's labels as the official form prints them (report-template.md), for pages and findings.
APPLICATION_GROUP_LABELS = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "rejected": "（五）不予处理",
    "other": "（六）其他处理",
}
APPLICATION_ROW_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "1.属于国家秘密",
    "denied_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied_security_stability": "3.危及“三安全一稳定”",
    "denied_third_party": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_info": "6.属于四类过程性信息",
    "denied_enforcement_file": "7.属于行政执法案卷",
    "denied_inquiry": "8.属于行政查询事项",
    "unavailable_not_held": "1.本机关不掌握相关政府信息",
    "unavailable_needs_creation": "2.没有现成信息需要另行制作",
    "unavailable_unclear": "3.补正后申请内容仍不明确",
    "rejected_petition": "1.信访举报投诉类申请",
    "rejected_duplicate": "2.重复申请",
    "rejected_publication": "3.要求提供公开出版物",
    "rejected_excessive": "4.无正当理由大量反复申请",
    "rejected_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other_handling": "（六）其他处理",
    "other_no_supplement": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_misc": "3.其他",
    "total_handled": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}

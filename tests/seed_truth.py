"""Ground truth of the five seed reports, transcribed by hand from the seed files themselves.

Every value below was read from /work/shared/seeds/00N_*.txt by a person, not produced by the
extractor, so tests can compare `parse_document(...)` against an independent reading.

Conventions (those of report-template.md and parse-contract.md):
- `disclosure` maps (item, metric) to the printed number; money in 万元 (「185277.44元」 → 18.527744);
  signed changes as ints (「＋10」 → 10). Rows whose values do not fit their columns are left out, with a
  comment saying why.
- `applications` maps a row key to its 7 columns in order (natural_person, commercial, research,
  social_org, legal_service, other_org, total). A blank cell inside a row the document gives is 0.
- Rows whose labels were lost in the flattening (seed 000) are recorded by their position in the 2019
  template and listed in `label_lost_rows`; rows whose label survives only cut short are listed in
  `label_truncated_rows`.
- `reviews` holds the 15 numbers of table 四 when they are present; `reviews_heading_lost` says the
  numbers survive without their section heading / column labels.
- `broken_identities` lists the identities that really fail in the printed numbers (checked by hand);
  identities that cannot be evaluated because rows are missing are not listed.
- `narrative` is the number of applications that section 一 states as 「收到…申请…N件」, else None.
- `published` is None throughout: none of the five documents prints a publication date.
"""

from __future__ import annotations

APPLICANT_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "social_org",
    "legal_service",
    "other_org",
    "total",
)

TEMPLATE_2019_ROWS = (
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_prohibited_by_law",
    "denied_security_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_inquiry",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
    "other_handling",
    "total_handled",
    "carried_forward",
)

REVIEW_KEYS = (
    "review_upheld",
    "review_corrected",
    "review_other",
    "review_pending",
    "review_total",
    "suit_upheld",
    "suit_corrected",
    "suit_other",
    "suit_pending",
    "suit_total",
    "suit_after_review_upheld",
    "suit_after_review_corrected",
    "suit_after_review_other",
    "suit_after_review_pending",
    "suit_after_review_total",
)

ZERO_ROW = (0, 0, 0, 0, 0, 0, 0)

ZERO_REVIEWS = {
    "review_upheld": 0,
    "review_corrected": 0,
    "review_other": 0,
    "review_pending": 0,
    "review_total": 0,
    "suit_upheld": 0,
    "suit_corrected": 0,
    "suit_other": 0,
    "suit_pending": 0,
    "suit_total": 0,
    "suit_after_review_upheld": 0,
    "suit_after_review_corrected": 0,
    "suit_after_review_other": 0,
    "suit_after_review_pending": 0,
    "suit_after_review_total": 0,
}

ALL_SIX_SECTIONS = ["overview", "proactive", "applications", "reviews", "problems", "other"]

SEED_000 = {
    # Title printed on two lines: 「果园街道办事处」 (line 1) above 「2019年政府信息公开工作年度报告」 (line 3).
    "title": "果园街道办事处2019年政府信息公开工作年度报告",
    "agency": "果园街道办事处",  # 密云区 (named in the text), Beijing
    "year": 2019,
    "published": None,
    # Section 五 is 「五、政府信息公开工作存在的主要问题及改进情况」; section 六 is 「六、2020年工作计划」.
    "sections": ALL_SIX_SECTIONS,
    "disclosure": {
        ("rules", "made"): 0,
        ("rules", "published"): 0,
        ("rules", "public_total"): 0,
        ("normative_documents", "made"): 1,
        ("normative_documents", "published"): 0,
        ("normative_documents", "public_total"): 0,
        ("licensing", "prior_items"): 0,
        ("licensing", "change"): 0,
        ("licensing", "decisions"): 0,
        # Beijing split of 其他对外管理服务事项 into 行政检查 / 行政确认.
        ("inspection", "prior_items"): 0,
        ("inspection", "change"): 0,
        ("inspection", "decisions"): 0,
        ("confirmation", "prior_items"): 0,
        ("confirmation", "change"): 0,
        ("confirmation", "decisions"): 0,
        ("penalty", "prior_items"): 0,
        ("penalty", "change"): 0,
        ("penalty", "decisions"): 0,
        ("coercion", "prior_items"): 0,
        ("coercion", "change"): 0,
        ("coercion", "decisions"): 0,
        ("fees", "prior_items"): 0,
        ("fees", "change"): 0,
        ("procurement", "procurement_items"): 1,
        ("procurement", "procurement_amount"): 10.828,  # printed 「10.8280」 under 「万元，保留四位小数」
    },
    # All 23 rows, every cell 0. The (三)/(四)/(五) sub-rows have lost their labels 「1.属于国家秘密」… and
    # each carries 8 numbers (all 「0」) for 7 columns: the extra number sits where the sub-label cell
    # was; the last 7 were taken as the columns. Which of the 16 rows is which comes from template order
    # only (8 under （三）, 3 under （四）, 5 under （五）, as the group labels say).
    "applications": {
        "new_received": ZERO_ROW,
        "carried_over": ZERO_ROW,
        "granted": ZERO_ROW,
        "partially_granted": ZERO_ROW,
        "denied_state_secret": ZERO_ROW,
        "denied_prohibited_by_law": ZERO_ROW,
        "denied_security_stability": ZERO_ROW,
        "denied_third_party": ZERO_ROW,
        "denied_internal_affairs": ZERO_ROW,
        "denied_process_info": ZERO_ROW,
        "denied_enforcement_file": ZERO_ROW,
        "denied_inquiry": ZERO_ROW,
        "unavailable_not_held": ZERO_ROW,
        "unavailable_needs_creation": ZERO_ROW,
        "unavailable_unclear": ZERO_ROW,
        "rejected_petition": ZERO_ROW,
        "rejected_duplicate": ZERO_ROW,
        "rejected_publication": ZERO_ROW,
        "rejected_excessive": ZERO_ROW,
        "rejected_confirmation": ZERO_ROW,
        "other_handling": ZERO_ROW,
        "total_handled": ZERO_ROW,
        "carried_forward": ZERO_ROW,
    },
    "label_lost_rows": [
        "denied_state_secret",
        "denied_prohibited_by_law",
        "denied_security_stability",
        "denied_third_party",
        "denied_internal_affairs",
        "denied_process_info",
        "denied_enforcement_file",
        "denied_inquiry",
        "unavailable_not_held",
        "unavailable_needs_creation",
        "unavailable_unclear",
        "rejected_petition",
        "rejected_duplicate",
        "rejected_publication",
        "rejected_excessive",
        "rejected_confirmation",
    ],
    "label_truncated_rows": [],
    "reviews": dict(ZERO_REVIEWS),  # one row of 15 「0」
    "reviews_heading_lost": False,
    "broken_identities": [],
    "narrative": None,  # section 一 gives no count of applications
    "notes": (
        "Agency printed on its own line above the title. Table 三's （三）–（五） sub-row labels are lost and "
        "each of those 16 rows has 8 zeros for 7 columns. Table 四's header cells are split over lines "
        "(「结果/维持」). Section 五 speaks of 2018 problems and 2019 measures in a 2019 report."
    ),
}

SEED_001 = {
    # Title printed on two lines: 「古城街道2019年政府信息公开工作」 / 「年度报告」.
    "title": "古城街道2019年政府信息公开工作年度报告",
    "agency": "古城街道",  # 新平 (Yunnan) per the text
    "year": 2019,
    "published": None,
    # Section 一 is headed 「1、 总体情况」 and section 六 「6、 其他需要报告的事项」 (Arabic numerals);
    # section 五 is 「五、存在的主要问题及改进情况」.
    "sections": ALL_SIX_SECTIONS,
    "disclosure": {
        ("rules", "made"): 0,
        ("rules", "published"): 0,
        ("rules", "public_total"): 0,
        ("normative_documents", "made"): 0,
        ("normative_documents", "published"): 0,
        ("normative_documents", "public_total"): 0,
        ("licensing", "prior_items"): 0,
        ("licensing", "change"): 0,
        ("licensing", "decisions"): 0,
        ("other_services", "prior_items"): 0,
        ("other_services", "change"): 0,
        ("other_services", "decisions"): 0,
        ("penalty", "prior_items"): 0,
        ("penalty", "change"): 0,
        ("penalty", "decisions"): 0,
        ("coercion", "prior_items"): 0,
        ("coercion", "change"): 0,
        ("coercion", "decisions"): 0,
        ("fees", "prior_items"): 0,
        ("fees", "change"): 0,
        ("procurement", "procurement_items"): 24,
        # Printed 「185277.44元」 under a header 「采购总金额」 that names no unit.
        ("procurement", "procurement_amount"): 18.527744,
    },
    "applications": {
        "new_received": ZERO_ROW,
        "carried_over": ZERO_ROW,
        "granted": ZERO_ROW,
        "partially_granted": ZERO_ROW,
        "denied_state_secret": ZERO_ROW,
        "denied_prohibited_by_law": ZERO_ROW,
        "denied_security_stability": ZERO_ROW,
        "denied_third_party": ZERO_ROW,
        "denied_internal_affairs": ZERO_ROW,
        "denied_process_info": ZERO_ROW,
        "denied_enforcement_file": ZERO_ROW,
        "denied_inquiry": ZERO_ROW,
        "unavailable_not_held": ZERO_ROW,
        "unavailable_needs_creation": ZERO_ROW,
        "unavailable_unclear": ZERO_ROW,
        "rejected_petition": ZERO_ROW,
        "rejected_duplicate": ZERO_ROW,
        "rejected_publication": ZERO_ROW,
        "rejected_excessive": ZERO_ROW,
        "rejected_confirmation": ZERO_ROW,
        "other_handling": ZERO_ROW,
        "total_handled": ZERO_ROW,
        "carried_forward": ZERO_ROW,
    },
    "label_lost_rows": [],
    "label_truncated_rows": [],
    "reviews": dict(ZERO_REVIEWS),  # one row of 15 「0」
    "reviews_heading_lost": False,
    "broken_identities": [],
    "narrative": None,  # section 一 counts published items (171条), not applications
    "notes": (
        "Title split over two lines. Stray 「[bookmark: _GoBack]」 at the start of a paragraph in section 一. "
        "Procurement amount in 元 inside the cell. Group labels such as 「（三）」/「不予公开」 broken by a line break. "
        "Section 五 says 「我镇」 in a street office's report."
    ),
}

SEED_002 = {
    # Title printed as 「东城区永定门外街道办事处2020年」 / 「政府信息公开工作年度报告」 with blank lines between.
    "title": "东城区永定门外街道办事处2020年政府信息公开工作年度报告",
    "agency": "东城区永定门外街道办事处",
    "year": 2020,
    "published": None,  # only the statistics period 2020-01-01..2020-12-31 is given
    "sections": ALL_SIX_SECTIONS,
    "disclosure": {
        ("rules", "made"): 0,
        ("rules", "published"): 0,
        ("rules", "public_total"): 0,
        ("normative_documents", "made"): 0,
        ("normative_documents", "published"): 0,
        ("normative_documents", "public_total"): 0,
        ("licensing", "prior_items"): 0,
        ("licensing", "change"): 0,
        ("licensing", "decisions"): 0,
        ("inspection", "prior_items"): 0,
        ("inspection", "change"): 0,
        ("inspection", "decisions"): 0,
        ("confirmation", "prior_items"): 0,
        ("confirmation", "change"): 10,  # 「＋10」
        ("confirmation", "decisions"): 2205,
        ("penalty", "prior_items"): 2,
        ("penalty", "change"): 335,  # 「＋335」
        ("penalty", "decisions"): 445,
        ("coercion", "prior_items"): 0,
        ("coercion", "change"): 19,  # 「＋19」
        ("coercion", "decisions"): 0,
        ("fees", "prior_items"): 0,
        ("fees", "change"): 0,
        ("procurement", "procurement_items"): 25,
        ("procurement", "procurement_amount"): 52.654,  # printed 「52.6540」 (万元)
    },
    # Only the 自然人 and 总计 cells are filled; every other cell is blank (→ 0).
    "applications": {
        "new_received": (28, 0, 0, 0, 0, 0, 28),
        "carried_over": ZERO_ROW,
        "granted": (1, 0, 0, 0, 0, 0, 1),
        "partially_granted": (2, 0, 0, 0, 0, 0, 2),
        "denied_state_secret": ZERO_ROW,
        "denied_prohibited_by_law": ZERO_ROW,
        "denied_security_stability": ZERO_ROW,
        "denied_third_party": ZERO_ROW,
        "denied_internal_affairs": ZERO_ROW,
        "denied_process_info": (3, 0, 0, 0, 0, 0, 3),
        "denied_enforcement_file": ZERO_ROW,
        "denied_inquiry": ZERO_ROW,
        "unavailable_not_held": (17, 0, 0, 0, 0, 0, 17),
        "unavailable_needs_creation": (1, 0, 0, 0, 0, 0, 1),
        "unavailable_unclear": ZERO_ROW,
        "rejected_petition": ZERO_ROW,
        "rejected_duplicate": ZERO_ROW,
        "rejected_publication": ZERO_ROW,
        "rejected_excessive": ZERO_ROW,
        "rejected_confirmation": ZERO_ROW,
        "other_handling": ZERO_ROW,
        "total_handled": (24, 0, 0, 0, 0, 0, 24),
        "carried_forward": (4, 0, 0, 0, 0, 0, 4),
    },
    "label_lost_rows": [],
    "label_truncated_rows": [],
    # Row printed 「4, , , , 4」 then ten blank cells.
    "reviews": {**ZERO_REVIEWS, "review_upheld": 4, "review_total": 4},
    "reviews_heading_lost": False,
    "broken_identities": [],
    # 「截至2020年12月31日新收政府信息公开申请数量28件」 (section 一（三）); it also says 予以公开1件,
    # 部分公开2件, 不予以公开3件, 无法提供18件, 暂未办结4件 — all agree with table 三.
    "narrative": 28,
    "notes": (
        "Title split over lines 2 and 5. Signed changes with full-width plus 「＋10」「＋335」「＋19」. "
        "Group labels 「（三）不予」/「公开」 split by a blank line. Table 四 header 「结/果/维/持」 one character "
        "per line and 「总 计」 with a space. Ends with 「附件：…年度报告」 repeating the title."
    ),
}

SEED_003 = {
    "title": "梁园区前进街道办事处2020年政府信息公开工作年度报告",
    "agency": "梁园区前进街道办事处",
    "year": 2020,
    "published": None,
    # 「一、总体情况」 is printed twice in a row (lines 5 and 7), and a copy of section 一 (heading
    # 「一、总体情况」 and its sub-headings 「一、组织机构情况」「二、制度建设及执行情况」「三、日常管理情况」)
    # is pasted inside section 五, which has no text of its own. Section 一's sub-headings use the same
    # numerals 一、二、三 as the top-level sections.
    "sections": ALL_SIX_SECTIONS,
    "disclosure": {
        ("rules", "made"): 0,
        ("rules", "published"): 0,
        ("rules", "public_total"): 0,
        ("normative_documents", "made"): 0,
        ("normative_documents", "published"): 0,
        ("normative_documents", "public_total"): 0,
        ("licensing", "prior_items"): 0,
        ("licensing", "change"): 0,
        ("licensing", "decisions"): 0,
        ("other_services", "prior_items"): 0,
        ("other_services", "change"): 0,
        ("other_services", "decisions"): 0,
        ("penalty", "prior_items"): 0,
        ("penalty", "change"): 0,
        ("penalty", "decisions"): 0,
        ("coercion", "prior_items"): 0,
        ("coercion", "change"): 0,
        ("coercion", "decisions"): 0,
        ("fees", "prior_items"): 0,
        ("fees", "change"): 0,
        ("procurement", "procurement_items"): 0,
        ("procurement", "procurement_amount"): 0.0,  # 「0」 under 「单位：万元，保留4位小数」
    },
    # Tab-separated rows whose values start at different columns from row to row (labels spread over 1–3
    # cells, leading/trailing empty cells). Row 「(四) 无法提供 / 1.本机关不掌握相关政府信息」 is broken by a
    # blank line and holds only six 「0」 and a trailing empty cell: aligned with the rows above it the
    # empty cell is 总计 → 0 (the row is all zeros whichever cell is the blank one).
    "applications": {
        "new_received": ZERO_ROW,
        "carried_over": ZERO_ROW,
        "granted": ZERO_ROW,
        "partially_granted": ZERO_ROW,
        "denied_state_secret": ZERO_ROW,
        "denied_prohibited_by_law": ZERO_ROW,
        "denied_security_stability": ZERO_ROW,
        "denied_third_party": ZERO_ROW,
        "denied_internal_affairs": ZERO_ROW,
        "denied_process_info": ZERO_ROW,
        "denied_enforcement_file": ZERO_ROW,
        "denied_inquiry": ZERO_ROW,
        "unavailable_not_held": ZERO_ROW,
        "unavailable_needs_creation": ZERO_ROW,
        "unavailable_unclear": ZERO_ROW,
        "rejected_petition": ZERO_ROW,
        "rejected_duplicate": ZERO_ROW,
        "rejected_publication": ZERO_ROW,
        "rejected_excessive": ZERO_ROW,
        "rejected_confirmation": ZERO_ROW,
        "other_handling": ZERO_ROW,
        "total_handled": ZERO_ROW,
        "carried_forward": ZERO_ROW,
    },
    "label_lost_rows": [],
    "label_truncated_rows": [],
    "reviews": dict(ZERO_REVIEWS),  # one row of 15 「0」
    "reviews_heading_lost": False,
    "broken_identities": [],
    # Section 一 says 「2020年，没有收到依申请公开政府信息」 (none received) but gives no 「N件」 figure.
    "narrative": None,
    "notes": (
        "Tables flattened as tab-separated rows. 「社会组织」 for 社会公益组织, half-width 「(一) 」 labels. A "
        "stray 「-------- --- ---」 row follows table 二. The text names 「珠街街道办事处」 (copied from "
        "another agency's report). Section 五 repeats section 一 instead of stating problems."
    ),
}

SEED_004 = {
    # No title line and no agency name: the text starts with 「依据《中华人民共和国政府信息公开条例》…
    # 制作本报告」. It speaks of 「本单位」, 「办事处」 and 朝阳区 (Beijing) only.
    "title": None,
    "agency": None,
    # Not in a title; from 「本单位 2019 年度共收到…」 and 「统计期限,自2019年1月1日起至12月31日止」.
    "year": 2019,
    "published": None,
    # The heading 「四、政府信息公开行政复议、行政诉讼情况」 is lost with the truncation of table 三; only
    # a fragment of table 四 remains before 「五、政府信息公开工作存在的主要问题及改进情况」.
    "sections": ["overview", "proactive", "applications", "problems", "other"],
    "disclosure": {
        ("rules", "made"): 0,
        ("rules", "published"): 0,
        ("rules", "public_total"): 0,
        ("normative_documents", "made"): 2,
        ("normative_documents", "published"): 2,
        ("normative_documents", "public_total"): 2,
        ("licensing", "prior_items"): 0,
        ("licensing", "change"): 0,
        ("licensing", "decisions"): 0,
        # 行政检查 and 行政确认 (under 其他对外管理服务事项) have only two numbers 「0 0」 for three columns:
        # which column is missing cannot be told, so both rows are left out.
        ("penalty", "prior_items"): 0,
        ("penalty", "change"): 0,
        ("penalty", "decisions"): 0,
        ("coercion", "prior_items"): 0,
        ("coercion", "change"): 0,
        ("coercion", "decisions"): 0,
        ("fees", "prior_items"): 0,
        ("fees", "change"): 0,
        ("procurement", "procurement_items"): 99,
        ("procurement", "procurement_amount"): 17167.6909,  # as printed, in 万元
    },
    # Table 三 is cut off after the row labelled 「7.属于行政执法案」 (「案卷」 cut short; the row's leading
    # label cells are gone and it starts in the first column, but it has all 7 numbers). Rows from
    # 「8.属于行政查询事项」 to 「四、结转下年度继续办理」 are missing.
    "applications": {
        "new_received": (10, 0, 0, 0, 0, 0, 10),
        "carried_over": (1, 0, 0, 0, 0, 0, 1),
        "granted": (1, 0, 0, 0, 0, 0, 1),
        "partially_granted": ZERO_ROW,
        "denied_state_secret": ZERO_ROW,
        "denied_prohibited_by_law": ZERO_ROW,
        "denied_security_stability": ZERO_ROW,
        "denied_third_party": ZERO_ROW,
        "denied_internal_affairs": ZERO_ROW,
        "denied_process_info": ZERO_ROW,
        "denied_enforcement_file": ZERO_ROW,
    },
    "label_lost_rows": [],
    "label_truncated_rows": ["denied_enforcement_file"],
    # Only the last characters of table 四's column headers survive (「持 正 果 结 … 持 正 果 结」, from
    # 结果维持/结果纠正/其他结果/尚未审结) above one row of 15 numbers 「2 0 0 0 2 0 0 0 0 0 0 0 0 0 0」.
    "reviews": {**ZERO_REVIEWS, "review_upheld": 2, "review_total": 2},
    "reviews_heading_lost": True,
    # Row totals and the review totals hold; balance and handled_sum cannot be checked (rows missing).
    "broken_identities": [],
    # 「本单位 2019 年度共收到政府信息公开申请 10 件」; the text also says 1 公开, 8 不存在, 1 非本机关.
    "narrative": 10,
    "notes": (
        "No title or agency line. Table 三 truncated after 「7.属于行政执法案」; section 四 heading and table 四 "
        "labels lost, its numbers kept. Procurement 99 items, 17167.6909 万元 as printed. Section 五 has "
        "two paragraphs both starting 「二是」."
    ),
}

SEEDS = {
    "000": SEED_000,
    "001": SEED_001,
    "002": SEED_002,
    "003": SEED_003,
    "004": SEED_004,
}

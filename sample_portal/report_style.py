"""How one sample report is printed: page markup, encoding, headings and the quirks of real tables.

Every field defaults to the clean official form; a report gets a deviation only when it is switched on
here, and expected.json lists the switched-on ones as the report's "quirks".
"""

from __future__ import annotations

from dataclasses import dataclass, fields

HEADINGS = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "reviews": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
REVIEWS_HEADING_VARIANT = "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"
PROBLEMS_HEADING_VARIANT = "五、政府信息公开工作存在的主要问题及改进情况"
PROCUREMENT_HEADER = "采购总金额（万元，保留四位小数）"


@dataclass
class ReportStyle:
    # page
    fmt: str = "html"  # "html" | "docx" (the page only links the DOCX that holds the report)
    encoding: str = "utf-8"  # "utf-8" | "gb18030" (declared as gb2312, as old TRS sites do)
    container: str = "TRS_Editor"  # "TRS_Editor" | "trs_editor_view TRS_UEDITOR" | "zoom"
    markup: str = "plain"  # "word": every cell and paragraph as Word's HTML export writes it
    title_form: str = "standard"  # "standard" | "niandu" (…年度…工作报告) | "year_first"
    # headings
    overview_heading: str = HEADINGS["overview"]
    reviews_heading: str = HEADINGS["reviews"]
    problems_heading: str = HEADINGS["problems"]
    other_heading: str = HEADINGS["other"]  # may be 「六、YYYY年工作计划」
    duplicate_overview: bool = False  # 一、总体情况 printed twice in a row
    reviews_note: bool = False  # a sentence after table 四 restating its totals
    # table markup
    split_labels: bool = False  # 「自然」「人」 in separate <span>s
    br_headers: bool = False  # 「商业<br>企业」
    vertical_header: bool = False  # 「结<br>果<br>维<br>持」
    spaced_total: bool = False  # 「总 计」 in table 四
    blank_mode: str = "zeros"  # "zeros" | "sparse" (zeros left blank) | "blank_columns"
    blank_markup: str = "nbsp"  # "nbsp" | "op" (<o:p></o:p>) | "empty"
    fullwidth_cells: bool = False  # 「１２」 in a few cells
    fees_block: str = "colspan"  # 2019 （八） block: "colspan" | "empty_cell" | "ragged"
    # cell text
    change_style: str = "plain"  # 本年增/减: "plain" 14 | "ascii_plus" +14 | "fullwidth_plus" ＋14
    money_yuan: bool = False  # an amount printed in 元 with the unit in the cell
    procurement_header: str = PROCUREMENT_HEADER
    # labels
    typo_prohibited: bool = False  # 「2.其他法律行政止公开」
    social_org_label: bool = False  # 「社会组织」
    comma_numbering: bool = False  # 「1、」 for 「1.」
    halfwidth_parens: bool = False  # 「(一) 予以公开」
    quote_style: str = "curly"  # 三安全一稳定 in “” | "ascii" "" | "single" ‘’ | "corner" 「」
    short_normative_label: bool = False  # 「规范性文件」 in a 2021 table 二
    single_other_row: bool = False  # a 2021 report that keeps one （六） row

    def quirks(self) -> list[str]:
        """Fields that differ from the clean default, as short tags."""
        default = ReportStyle()
        tags = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("encoding", "fmt", "container", "markup") or value == getattr(default, f.name):
                continue
            tags.append(f.name if isinstance(value, bool) else f"{f.name}={value}")
        return tags

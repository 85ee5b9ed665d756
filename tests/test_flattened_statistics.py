"""Legacy (pre-2019) reports as a page's text rendering: the 统计表 run into one line, and the metadata.

Shapes are those of the real corpus (../shared/corpus 27–29, 31, 32: an archiver's page.txt with a
「标题: …」 header, the whole page on one line, the 统计表 flattened at its end); the corpus files themselves
are read only where they exist.
"""

from __future__ import annotations

import json

import pytest

from extract import parse_document
from extract.flattened import find_flattened_statistics
from extract.metadata import title_agency_year, title_from_lines, year_from_text
from extract.readers.text import read_text
from tests.corpus_answers import CORPUS, legacy_label

# The archiver's header as it prints it: empty fields keep their trailing space.
HEADER = "\n".join(
    [
        "标题: 平潭综合实验区2016年度政府信息公开工作年度报告",
        "发布时间: 2017-01-18 15:57",
        "文号: ",
        "发布机构: ",
        "栏目: 政府信息公开年报",
        "原文链接: https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201701/t20170118_80485.htm",
        "页面链接与图片详见 links.tsv(同目录)",
        "==================== 正文 ====================",
        "",
    ]
)
OPENING = (
    "平潭综合实验区2016年度政府信息公开工作年度报告 根据《中华人民共和国政府信息公开条例》的要求，"
    "我区管委会办公室编制完成了本报告。本报告所列数据的统计期限自2016年1月1日起至2016年12月31日。"
)
NARRATIVE = "二、主动公开政府信息情况（一）主动公开政府信息的数量2016年全区主动公开政府信息3460条。"
TABLE_HEAD = "七、平潭综合实验区政府信息公开情况统计表 指标名称计量单位2016年度历年累计"
# 27's table: 3460/85376 run together, the next item's ordinal glued to the digits.
TABLE = (
    "主动公开文件数条346085376其中：1、政府网站公开数条3460853762、政府公报公开数条00"
    "受理依申请公开信息总数条01其中：1、当面申请数条002、网上申请数条003、信函、传真申请数条01"
    "政府信息公开收费减免金额元00行政复议数件00行政诉讼数件00"
)


def parse_page(body: str, header: str = HEADER) -> dict:
    return parse_document((header + body).encode("utf-8"), path="page.txt")


def statistics(report: dict) -> dict[str, tuple]:
    return {e["label"]: (e["value"], e.get("cumulative"), e["unit"]) for e in report.get("statistics", [])}


def checks(report: dict, check: str) -> list[dict]:
    return [f for f in report["findings"] if f["check"] == check]


# ------------------------------------------------------------------------------------ the 统计表 split


def test_the_narrative_settles_the_parent_and_the_sums_its_sub_items():
    report = parse_page(f"{OPENING}{NARRATIVE} {TABLE_HEAD}{TABLE}")
    numbers = statistics(report)
    assert numbers["主动公开文件数"] == (3460, 85376, "条")
    assert numbers["其中：1、政府网站公开数"] == (3460, 85376, "条")
    assert numbers["2、政府公报公开数"] == (0, 0, "条")  # 「…853762、」: the 2 is the next ordinal
    assert numbers["受理依申请公开信息总数"] == (0, 1, "条")  # 「01」: no number starts with 0
    assert numbers["3、信函、传真申请数"] == (0, 1, "条")
    assert numbers["政府信息公开收费减免金额"] == (0.0, 0.0, "万元")
    assert numbers["行政复议数"] == (0, 0, "件")
    by_label = {f["where"]: f["message"] for f in checks(report, "statistics.split")}
    assert set(by_label) == {"统计表「主动公开文件数」", "统计表「其中：1、政府网站公开数」"}
    assert "主动公开政府信息3460条" in by_label["统计表「主动公开文件数」"]  # the narrative, quoted
    assert "分项之和" in by_label["统计表「其中：1、政府网站公开数」"]
    assert all(f["severity"] == "warning" for f in checks(report, "statistics.split"))
    assert report["template"] == "legacy"


def test_sub_items_alone_settle_parent_and_children():
    # 29's shape: 425/1516 = 418/1509 + 7/7, the only split where both columns add up.
    table = (
        "指标名称计量单位2011年度历年累计主动公开信息数条4251516其中：1.网站公开条41815092.政府公报公开条77"
        "受理依申请公开信息总数条00"
    )
    found = find_flattened_statistics(table)
    rows = {row[0].text: [cell.text for cell in row[1:]] for row in found.table.rows}
    assert rows["主动公开信息数"] == ["条", "425", "1516"]
    assert rows["其中：1.网站公开"] == ["条", "418", "1509"]
    assert rows["2.政府公报公开"] == ["条", "7", "7"]
    assert all("分项之和" in f["message"] for f in found.findings) and len(found.findings) == 2


def test_a_split_nothing_settles_is_left_out_with_a_finding():
    report = parse_page(f"{OPENING} {TABLE_HEAD}主动公开文件数条346085376行政复议数件00")
    assert "主动公开文件数" not in statistics(report)  # 3/46085376, 34/6085376, 3460/85376…: never guessed
    assert statistics(report)["行政复议数"] == (0, 0, "件")
    (undecided,) = checks(report, "statistics.split_undecided")
    assert "346085376" in undecided["message"] and "3460/85376" in undecided["message"]


def test_a_narrative_number_that_fits_no_split_settles_nothing():
    narrative = "2016年全区主动公开政府信息999条。"
    report = parse_page(f"{OPENING}{narrative} {TABLE_HEAD}主动公开文件数条346085376")
    assert "主动公开文件数" not in statistics(report)
    assert checks(report, "statistics.split_undecided")


def test_sub_items_that_add_up_under_no_split_settle_nothing():
    # The agency's sub-items need not add up: such a group decides no split.
    table = f"{TABLE_HEAD}主动公开文件数条346085376其中：1、政府网站公开数条1234567892、政府公报公开数条00"
    report = parse_page(f"{OPENING} {table}")
    numbers = statistics(report)
    assert "主动公开文件数" not in numbers and "其中：1、政府网站公开数" not in numbers
    assert numbers["2、政府公报公开数"] == (0, 0, "条")
    assert len(checks(report, "statistics.split_undecided")) == 2


def test_cumulative_is_never_below_the_year():
    # 「12」 can only be 1/2; 「91」 can only be 9/1, which no 历年累计 allows.
    found = find_flattened_statistics(f"{TABLE_HEAD}行政复议数件12行政诉讼数件91")
    rows = {row[0].text: [cell.text for cell in row[2:]] for row in found.table.rows[1:]}
    assert rows["行政复议数"] == ["1", "2"]
    assert rows["行政诉讼数"] == ["？", "？"]
    (problem,) = found.findings
    assert problem["check"] == "statistics.flattened" and "行政诉讼数" in problem["where"]


def test_a_dotted_ordinal_glued_to_zeros():
    # 28's shape: 「…条003.不予公开答复数…」 is 0/0, then 「3.」.
    table = (
        "指标名称计量单位2018年度历年累计对申请的答复总数条00其中：1.同意公开答复数条002.同意部分公开答复数条00"
        "3.不予公开答复数条004.其他类型答复数条00接受行政诉讼、举报数件00"
    )
    rows = [[cell.text for cell in row] for row in find_flattened_statistics(table).table.rows[1:]]
    assert [row[0] for row in rows] == [
        "对申请的答复总数",
        "其中：1.同意公开答复数",
        "2.同意部分公开答复数",
        "3.不予公开答复数",
        "4.其他类型答复数",
        "接受行政诉讼、举报数",
    ]
    assert all(row[2:] == ["0", "0"] for row in rows)


def test_cells_kept_apart_need_no_split_and_money_becomes_wan_yuan():
    # 31's shape: the rendering kept spaces between the cells; the page goes on after the table.
    table = (
        "六、平潭综合实验区政府信息公开情况统计表 指标名称 计量单位 2014年度 历年累计 "
        "主动公开文件数 条 2543 78967 其中：1、政府网站公开数 条 2543 78967 2、政府公报公开数 条 0 0 "
        "政府信息公开收费减免金额 元 1500 30000 行政诉讼数 件 0 0 附件下载"
    )
    report = parse_page(f"{OPENING} {table}")
    numbers = statistics(report)
    assert numbers["主动公开文件数"] == (2543, 78967, "条")
    assert numbers["2、政府公报公开数"] == (0, 0, "条")
    assert numbers["政府信息公开收费减免金额"] == (0.15, 3.0, "万元")  # both columns in 万元
    assert not [f for f in report["findings"] if f["check"].startswith("statistics.")]
    document = read_text((HEADER + f"{OPENING} {table}").encode("utf-8"))
    assert document.text_lines[-1] == "附件下载"  # text after the table stays text
    assert not any("2543" in line for line in document.text_lines)  # the table is no paragraph


def test_a_table_without_a_cumulative_column():
    table = "指标名称计量单位2012年度主动公开信息数条425其中：1.网站公开条4182.政府公报公开条7"
    rows = find_flattened_statistics(table).table.rows
    assert [cell.text for cell in rows[0]] == ["指标名称", "计量单位", "2012年度"]
    assert [[cell.text for cell in row] for row in rows[1:]] == [
        ["主动公开信息数", "条", "425"],
        ["其中：1.网站公开", "条", "418"],
        ["2.政府公报公开", "条", "7"],
    ]


def test_prose_without_a_table_is_left_alone():
    assert find_flattened_statistics("本年度主动公开政府信息3460条，其中政府网站公开3460条。") is None
    assert find_flattened_statistics("指标名称计量单位2016年度历年累计") is None  # a header, no items


# ---------------------------------------------------------------------------------------------- metadata


def test_the_archivers_header_is_metadata_not_title_text():
    report = parse_page(f"{OPENING}{NARRATIVE}")
    assert report["title"] == "平潭综合实验区2016年度政府信息公开工作年度报告"
    assert report["agency"] == "平潭综合实验区" and report["year"] == 2016
    assert report["published"] == "2017-01-18"
    assert not any("标题" in line or "原文链接" in line for line in read_text(HEADER.encode()).text_lines)


def test_a_title_label_never_reaches_title_or_agency():
    assert title_agency_year("标题: 平潭综合实验区2016年度政府信息公开工作年度报告") == (
        "平潭综合实验区",
        2016,
    )
    assert title_from_lines(["标题：平潭县人民政府2011年政府信息公开工作年度报告"]) == (
        "平潭县人民政府2011年政府信息公开工作年度报告"
    )
    assert title_agency_year("平潭县人民政府二○一一年政府信息公开工作年度报告") == ("平潭县人民政府", 2011)


def test_without_the_header_the_body_opening_gives_title_agency_and_year():
    report = parse_page(f"{OPENING}{NARRATIVE}", header="")
    assert report["title"] == "平潭综合实验区2016年度政府信息公开工作年度报告"
    assert (report["agency"], report["year"]) == ("平潭综合实验区", 2016)
    # 31's opening: breadcrumbs, then the title, then a 来源 that names another body.
    opening = (
        "当前位置： 首页政务公开政府信息公开政府信息公开年报 平潭综合实验区管委会2014年度政府信息公开工作年度报告 "
        "来源：平潭县人民政府 时间：2015-01-02 00:00 微信 微博 根据《条例》的要求，我区管委会办公室编制完成了本报告。"
    )
    report = parse_page(opening, header="")
    assert (report["agency"], report["year"]) == ("平潭综合实验区管委会", 2014)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("本报告所列数据的统计期限自2016年1月1日起至2016年12月31日。", 2016),
        ("本报告中所列数据统计期限为2024年1月1日至12月31日。", 2024),
        ("统计时限为2023年1月1日至2023年12月31日。", 2023),
        ("本报告统计周期为 2024 年 1 月 1 日至 12 月 31 日。", 2024),
        ("本报告中所列数据自2019年1月1日起至2019年12月31日止。", 2019),
        ("所列数据从2019年1月1日到12月31日。", 2019),
        ("本报告所列数据的统计期限自二○一二年一月一日起至二○一二年十二月三十一日止。", 2012),
        # Year traps of the corpus: plans for the next year, events dated in the text.
        ("2016年，我们将采取以下措施加以改进。2017年财政形势展望。", None),
        ("并在2015年12月26日成功举办了高校毕业生专场招聘会。", None),
    ],
)
def test_the_year_from_the_period_sentence(text, year):
    assert year_from_text(text) == year


def test_a_chinese_numeral_signature_dates_the_year_before_when_the_body_says_so():
    body = "2011年，我县主动公开政府信息425条。2011年未收到申请。"
    closing = " 二○一二年二月二十日 附件1：平潭县人民政府2011年政府信息公开情况统计表"
    assert year_from_text(body + "……持续良好地开展。" + closing) == 2011
    assert (
        year_from_text("……持续良好地开展。" + closing.replace("2011年", "")) is None
    )  # nothing bears it out
    assert year_from_text("我县于二○一二年二月二十日召开会议，部署2012年工作。") is None  # not a signature


# ------------------------------------------------------------------------------------------ the corpus


LEGACY_TEXTS = ["27", "28", "29", "31", "32"]


@pytest.mark.parametrize("number", LEGACY_TEXTS)
def test_corpus_legacy_texts(number):
    document, answer_path = CORPUS / f"{number}.txt", CORPUS / f"{number}.json"
    if not document.exists():
        pytest.skip(f"{document} not found (set GOVREPORTS_CORPUS)")
    answer = json.loads(answer_path.read_text(encoding="utf-8"))
    report = parse_document(document.read_bytes(), path=str(document))
    expected = {
        legacy_label(label): tuple(values)
        for label, values in answer["legacy_stats"].items()
        if label not in ("columns", "unit")
    }
    scale = {"万元": 10_000}
    read = {
        legacy_label(e["label"]): (
            round(e["value"] * scale.get(e["unit"], 1)),
            round(e["cumulative"] * scale.get(e["unit"], 1)),
        )
        for e in report["statistics"]
    }
    assert read == expected
    assert report["year"] == answer["year"] and report["template"] == "legacy"
    assert "标题" not in report["title"] and "标题" not in report["agency"]
    assert not checks(report, "statistics.split_undecided") and not checks(report, "statistics.flattened")
    split = {f["where"] for f in checks(report, "statistics.split")}
    if number == "31":
        assert not split  # cells kept apart by spaces: nothing to decide
    else:  # the parent and its web-site sub-item, each named with what decided it
        assert len(split) == 2

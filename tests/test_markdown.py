"""Converter markdown: a report's PDF as a PDF-to-markdown tool renders it (extract/readers/markdown.py).

The inputs are written here in the shapes corpus document 26 shows (report-template.md, last section):
page markers 「— 4 —」, 「## 表三：…」 captions between the pieces of one table, group labels as
「### （三）不予公开」 headings, table 二's later items as loose text lines, rows with a lost cell, a label
detached above its row of numbers, a truncated label, placeholder headers 数据1…数据6, table 四 as pieces.
The last test reads 26 itself from ../shared/corpus.
"""

from __future__ import annotations

import json

import pytest

from extract import parse_document, sniff_media_type
from extract.readers.markdown import looks_like_markdown, read_markdown
from tests.corpus_answers import CORPUS, compare

# Body lines wrapped at the PDF's width, as the converter prints them; a short line ends a paragraph.
_BODY = """2024 年，某某区人民政府办公室认真贯彻落实《中华人民共和国
政府信息公开条例》，坚持以公开为常态、不公开为例外，围绕区委
区政府中心工作，持续推进决策、执行、管理、服务、结果公开，全年
共收到政府信息公开申请 10 件，均在法定期限内答复。
— 1 —
全年主动公开各类政府信息 1200 余条，政策解读 36 篇，政务新媒
体发布信息 800 余条，进一步提升了政务公开的质量和实效。"""

# Table 三 row by row: (label, the seven numbers); identities hold.
_ZEROS = "| 0 | 0 | 0 | 0 | 0 | 0 | 0 |"


def _row(label: str, first: int) -> str:
    return f"| {label} | {first} | 0 | 0 | 0 | 0 | 0 | {first} |"


REPORT = f"""正文
2024 年某某区人民政府办公室政府信息公开
工作年度报告
本年度报告中所列数据统计期限为 2024 年 1 月 1 日至 12 月 31 日。

一、总体情况
{_BODY}

二、主动公开政府信息情况
第二十条第（一）项
3
（其中修订 1 件）
第二十条第（五）项
信息内容本年处理决定数量
行政许可 12
第二十条第（六）项
信息内容本年处理决定数量
行政处罚 4
行政强制 0
第二十条第（八）项
信息内容本年收费金额（单位：万元）
行政事业性收费 0
— 2 —
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
|---|---|---|---|
## 表二：主动公开政府信息情况
| 规章 | 3 | 40 |
|---|---|---|
## 表二：主动公开政府信息情况
| 行政规范性文件 | 5 | 2 | 60 |
|---|---|---|---|

三、收到和处理政府信息公开申请情况
申请人情况
## 表三：收到和处理政府信息公开申请情况
| 项目 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |
|---|---|---|---|---|---|---|---|
{_row("一、本年新收政府信息公开申请数量", 10)}
{_row("二、上年结转政府信息公开申请数量", 2)}
{_row("（一）予以公开", 5)}

（二）部分公开（区分处理的，只计这一情
形，不计其他情形）
| 1 | 0 | 0 | 0 | 0 | 0 | 1 |
|---|---|---|---|---|---|---|

### （三）不予公开
{_row("1.属于国家秘密", 1)}
|---|---|---|---|---|---|---|---|
{_row("2.其他法律行政法规禁止公开", 0)}
{_row("3.危及“三安全一稳定”", 0)}
{_row("4.保护第三方合法权益", 0)}
{_row("5.属于三类内部事务信息", 0)}
{_row("6.属于四类过程性信息", 0)}
{_row("7.属于行政执法案卷", 0)}
{_row("8.属于行政查询事项", 0)}
### （四）无法提供
{_row("1.本机关不掌握相关政府信息", 2)}
|---|---|---|---|---|---|---|---|
{_row("2.没有现成信息需要另行制作", 0)}
{_row("3.补正后申请内容仍不明确", 0)}
### （五）不予处理
{_row("1.信访举报投诉类申请", 0)}
|---|---|---|---|---|---|---|---|
{_row("2.重复申请", 0)}
{_row("3.要求提供公开出版物", 0)}
{_row("4.无正当理由大量反复申请", 0)}
| 1 | 0 | 0 | 0 | 0 | 0 | 1 |
|---|---|---|---|---|---|---|
— 3 —
### （六）其他处理
{_row("行政机关不再处理其政府信息公", 0)}
|---|---|---|---|---|---|---|---|
{_row("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 0)}
{_row("3.其他", 1)}
{_row("（七）总计", 11)}
{_row("四、结转下年度继续办理", 1)}

四、政府信息公开行政复议、行政诉讼情况
行政复议行政诉讼
未经复议直接起诉复议后起诉
| 维持 | 纠正 | 结果 | 审结 | 总计 | 总计 |
|---|---|---|---|---|---|
| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 1 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|

五、政府信息公开工作存在的主要问题及改进情况
主动公开的深度还不够，下一步将加强政策解读。

六、其他需要报告的事项
本年度未收取信息处理费。
— 4 —
"""


@pytest.fixture(scope="module")
def report() -> dict:
    return parse_document(REPORT.encode(), path="report.md")


def checks(report: dict) -> list[str]:
    return [finding["check"] for finding in report["findings"]]


def test_sniffed_as_markdown_by_content_and_by_extension():
    assert looks_like_markdown(REPORT.encode())
    assert sniff_media_type(REPORT.encode()) == "text/markdown"
    headings_only = "# 某区2024年政府信息公开工作年度报告\n\n## 一、总体情况\n\n正文。\n".encode()
    assert sniff_media_type(headings_only) == "text/markdown"
    plain = "一、总体情况\n全年收到申请 3 件。\n".encode()
    assert sniff_media_type(plain) == "text/plain"
    assert sniff_media_type(plain, path="converted/report.md") == "text/markdown"
    # One 「#」 line or a lone pipe row does not make a plain text markdown.
    assert not looks_like_markdown("# 注\n| 不是表格 |\n正文\n".encode())


def test_metadata_and_sections_without_page_furniture(report):
    assert report["source"]["media_type"] == "text/markdown"
    assert report["title"] == "2024年某某区人民政府办公室政府信息公开工作年度报告"
    assert report["agency"] == "某某区人民政府办公室" and report["year"] == 2024
    assert report["template"] == "2021"
    assert [section["key"] for section in report["sections"]] == [
        "overview",
        "proactive",
        "applications",
        "reviews",
        "problems",
        "other",
    ]
    overview = report["sections"][0]["text"]
    assert "— 1 —" not in overview and "—" not in "".join(s["text"] for s in report["sections"])
    # Wrapped lines joined into one paragraph across the page marker; spaces beside Chinese dropped.
    assert "全年共收到政府信息公开申请10件，均在法定期限内答复。全年主动公开" in overview
    # Table fragments are no section text.
    assert "第二十条" not in report["sections"][1]["text"]
    assert "section.missing" not in checks(report)


def test_table_two_from_loose_lines_and_pieces_and_the_lost_cell_stays_empty(report):
    cells = {(cell["item"], cell["metric"]): cell["value"] for cell in report["disclosure"]}
    assert cells[("licensing", "decisions")] == 12
    assert cells[("penalty", "decisions")] == 4 and cells[("coercion", "decisions")] == 0
    assert cells[("fees", "fee_amount")] == 0
    assert cells[("rules", "issued")] == 3 and cells[("rules", "in_force")] == 40
    assert ("rules", "repealed") not in cells  # lost by the converter: not 0, not guessed
    assert cells[("normative_documents", "repealed")] == 2  # a complete row reads as printed
    lost = [f for f in report["findings"] if f["check"] == "disclosure.cell_lost"]
    assert [f["where"] for f in lost] == ["规章"]
    assert "本年废止件数" in lost[0]["message"]
    loose = next(f for f in report["findings"] if f["check"] == "markdown.loose_cells")
    assert "「3（其中修订 1 件）」" in loose["message"]


def test_table_three_joined_with_labels_put_back(report):
    rows = report["applications"]
    assert rows["new_received"]["total"] == 10 and rows["carried_over"]["natural_person"] == 2
    assert rows["partially_granted"]["total"] == 1  # the label right above the row of numbers
    assert rows["denied_state_secret"]["total"] == 1  # under the 「### （三）不予公开」 heading
    assert rows["unavailable_not_held"]["total"] == 2
    assert rows["rejected_confirmation"]["total"] == 1  # by the template's order
    assert rows["other_no_supplement"]["total"] == 0  # truncated label, by the template's order
    assert rows["other_misc"]["total"] == 1
    assert rows["total_handled"]["total"] == 11 and rows["carried_forward"]["total"] == 1
    found = checks(report)
    assert "markdown.placeholder_headers" in found
    assert "markdown.label_attached" in found
    aligned = {f["where"] for f in report["findings"] if f["check"] == "applications.template_order"}
    assert aligned == {"rejected_confirmation", "other_no_supplement"}
    # Every identity holds and no row is left over.
    assert not set(found) & {
        "applications.unknown_row",
        "applications.row_width",
        "applications.missing_rows",
        "applications.balance",
        "applications.handled_sum",
        "applications.row_total",
    }


def test_table_four_from_its_pieces(report):
    reviews = report["reviews"]
    assert reviews["review_upheld"] == 1 and reviews["review_total"] == 1
    assert reviews["suit_pending"] == 0 and reviews["suit_other"] == 1 and reviews["suit_total"] == 1
    assert reviews["suit_after_review_total"] == 0
    joined = [f for f in report["findings"] if f["check"] == "markdown.table_joined"]
    assert len(joined) == 3  # tables 二, 三 and 四 each came in pieces


def test_table_four_as_three_five_cell_tables():
    text = """四、政府信息公开行政复议、行政诉讼情况

行政复议
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
|---|---|---|---|---|
| 2 | 1 | 0 | 0 | 3 |

行政诉讼（未经复议直接起诉）
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
|---|---|---|---|---|
| 0 | 0 | 1 | 1 | 2 |

行政诉讼（复议后起诉）
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
|---|---|---|---|---|
| 0 | 0 | 0 | 0 | 0 |
"""
    report = parse_document(text.encode())
    assert report["reviews"]["review_upheld"] == 2 and report["reviews"]["review_total"] == 3
    assert report["reviews"]["suit_pending"] == 1 and report["reviews"]["suit_total"] == 2
    assert report["reviews"]["suit_after_review_total"] == 0
    assert "reviews.blocks_joined" in checks(report)


def test_a_label_less_row_is_not_guessed_when_the_template_order_does_not_settle_it():
    # Two rows of numbers without labels where only one row is missing between the known neighbours.
    text = f"""三、收到和处理政府信息公开申请情况
| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |
|---|---|---|---|---|---|---|---|
{_row("一、本年新收政府信息公开申请数量", 3)}
{_row("二、上年结转政府信息公开申请数量", 0)}
{_row("（一）予以公开", 1)}
{_ZEROS}
{_ZEROS}
{_row("（三）不予公开 1.属于国家秘密", 0)}
"""
    report = parse_document(text.encode(), path="part.md")
    assert "partially_granted" not in report["applications"]
    assert "applications.template_order" not in checks(report)
    assert checks(report).count("applications.unknown_row") == 2


def test_pieces_of_different_tables_stay_apart():
    # A caption naming another table starts a new table even without a section heading between.
    text = f"""## 表三：收到和处理政府信息公开申请情况
| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |
|---|---|---|---|---|---|---|---|
{_row("一、本年新收政府信息公开申请数量", 3)}
## 表四：政府信息公开行政复议、行政诉讼情况
| 行政复议 | 行政诉讼 |
|---|---|
| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
"""
    document = read_markdown(text.encode())
    assert len(document.tables) == 2
    report = parse_document(text.encode())
    assert report["applications"]["new_received"]["total"] == 3
    assert report["reviews"]["review_total"] == 1


def test_inline_html_table_inside_markdown():
    text = """# 某区2024年政府信息公开工作年度报告

## 四、政府信息公开行政复议、行政诉讼情况

<table><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td>
<td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr></table>
"""
    assert sniff_media_type("# 一、总体情况\n<table><tr><td>1</td></tr></table>".encode()) == "text/markdown"
    report = parse_document(text.encode())
    assert report["source"]["media_type"] == "text/markdown"
    assert report["reviews"]["review_upheld"] == 1 and report["reviews"]["suit_total"] == 0
    assert any(section["key"] == "reviews" for section in report["sections"])


def test_corpus_26_is_read_completely_with_findings_for_what_was_aligned():
    document = CORPUS / "26.md"
    if not document.exists():
        pytest.skip(f"{document} not found (set GOVREPORTS_CORPUS)")
    report = parse_document(document.read_bytes(), path=str(document))
    answer = json.loads((CORPUS / "26.json").read_text(encoding="utf-8"))
    score = compare("26", answer, report)
    assert score.wrong == [], f"26: {score.right}/{score.total}"
    cells = {(cell["item"], cell["metric"]) for cell in report["disclosure"]}
    assert ("rules", "repealed") not in cells and ("normative_documents", "repealed") not in cells
    found = checks(report)
    assert found.count("disclosure.cell_lost") == 2
    assert "markdown.label_attached" in found and "markdown.table_joined" in found
    aligned = {f["where"] for f in report["findings"] if f["check"] == "applications.template_order"}
    assert aligned == {"rejected_confirmation", "other_no_supplement", "other_misc"}
    assert report["agency"] == "上海市人民政府办公厅"

"""Unit checks of the pieces real documents stress: numbers, merged cells, encodings, formats."""

from __future__ import annotations

import io
import zipfile

import pytest

from extract import UnreadableDocument, parse_document, sniff_media_type
from extract.numbers import is_blank, read_number, to_wan_yuan
from extract.readers.html import decode_html, read_html
from extract.readers.text import read_text
from extract.tables import read_applications


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("＋10", 10, None),
        ("+14", 14, None),
        ("-2", -2, None),
        ("１２", 12, None),
        ("1,234", 1234, None),
        ("185277.44元", 185277.44, "元"),
        ("10.8280", 10.828, None),
        (" 7 ", 7, None),
        ("1，234", 1234, None),
        ("−3", -3, None),  # U+2212 MINUS SIGN
        ("12*", 12, None),  # footnote marks are not digits
        ("12①", 12, None),
        ("12¹", 12, None),
        ("3.5万元", 3.5, "万元"),
    ],
)
def test_read_number(text, value, unit):
    number = read_number(text)
    assert number is not None and number.value == value and number.unit == unit


@pytest.mark.parametrize("text", ["", "\xa0", "—", "-", "/"])
def test_blank_cells(text):
    assert is_blank(text) and read_number(text) is None


@pytest.mark.parametrize("text", ["1,2", "12,34", "1.2.3", "约10", "10件左右"])
def test_ambiguous_numbers_are_not_read(text):
    assert read_number(text) is None


def test_labels_are_not_numbers():
    assert read_number("（一）予以公开") is None
    assert read_number("2019年") is None


def test_money_in_yuan_becomes_wan_yuan():
    assert to_wan_yuan(read_number("185277.44元")) == pytest.approx(18.527744)
    assert to_wan_yuan(read_number("52.6540")) == pytest.approx(52.654)


APPLICATIONS_HTML = """<html><head><meta charset="gb2312"><title>甲街道2021年政府信息公开工作年度报告_门户</title></head>
<body><div class="TRS_Editor"><p>三、收到和处理政府信息公开申请情况</p>
<table border="1">
<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
<td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2"><span>自然</span><span>人</span></td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>１２</td><td>3</td><td>&nbsp;</td><td></td><td></td><td></td><td>15</td></tr>
<tr><td colspan="3">二、上年结转政府信息公开申请数量</td><td>1</td><td></td><td></td><td></td><td></td><td></td><td>1</td></tr>
<tr><td rowspan="3">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>9</td><td>3</td><td></td><td></td><td></td><td></td><td>12</td></tr>
<tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>1</td><td></td><td></td><td></td><td></td><td></td><td>1</td></tr>
<tr><td>2.其他法律行政止公开</td><td>0<o:p></o:p></td><td></td><td></td><td></td><td></td><td></td><td>0</td></tr>
</table></div></body></html>"""


def test_html_grid_resolves_spans_and_typos():
    report = parse_document(APPLICATIONS_HTML.encode("gb18030"))
    rows = report["applications"]
    assert rows["new_received"] == {
        "natural_person": 12,
        "commercial": 3,
        "research": 0,
        "social_org": 0,
        "legal_service": 0,
        "other_org": 0,
        "total": 15,
    }
    assert rows["granted"]["total"] == 12
    assert rows["denied_state_secret"]["natural_person"] == 1
    assert rows["denied_prohibited_by_law"]["total"] == 0  # 「行政止公开」: a real typo
    assert report["agency"] == "甲街道" and report["year"] == 2021


def test_gbk_page_decodes_from_meta_charset():
    text, findings = decode_html(APPLICATIONS_HTML.encode("gb18030"))
    assert "本年新收" in text and not findings
    assert read_html(APPLICATIONS_HTML.encode("gb18030")).meta["page_title"].startswith("甲街道")


def test_row_with_wrong_width_is_left_out_with_a_finding():
    text = (
        "一、本年新收政府信息公开申请数量\t1\t2\t3\n二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
    )
    table = read_text(text.encode()).tables[0]
    result = read_applications(table)
    assert "new_received" not in result.rows
    assert result.rows["carried_over"]["total"] == 0
    assert [f["check"] for f in result.findings] == ["applications.row_width"]


def test_sniffing_and_unreadable_input():
    assert sniff_media_type(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff_media_type("一、总体情况".encode()) == "text/plain"
    with pytest.raises(UnreadableDocument):
        parse_document(b"")
    with pytest.raises(UnreadableDocument):
        parse_document(b"\x00\x01\x02garbage" * 10)


def test_unsupported_format_is_a_finding_not_a_crash():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("readme.txt", "附件")
    report = parse_document(archive.getvalue())
    assert report["source"]["media_type"] == "application/zip"
    assert "document.unsupported" in [f["check"] for f in report["findings"]]


def test_damaged_pdf_is_a_clear_error():
    with pytest.raises(UnreadableDocument, match="application/pdf"):
        parse_document(b"%PDF-1.4\n%binary")

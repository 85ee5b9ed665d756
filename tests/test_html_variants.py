"""HTML pages that hide or mislabel the report: a body inside a script string, a wrong <meta charset>."""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from extract import parse_document
from extract.template import SECTION_KEYS
from govreports.portal import SAMPLE_PORTAL


@pytest.fixture(scope="module")
def report_2021(expected_portal) -> tuple[dict, str]:
    """A 2021-template report page of the sample portal and its article body's HTML."""
    report = next(
        r
        for r in expected_portal["reports"]
        if r["format"] == "html" and r["template"] == "2021" and r["encoding"] == "utf-8"
    )
    page = (SAMPLE_PORTAL / report["path"].lstrip("/")).read_text(encoding="utf-8")
    (body,) = lxml_html.fromstring(page).xpath('//div[@class="TRS_Editor"]')
    return report, lxml_html.tostring(body, encoding="unicode")


def single_quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\x3c").replace("\n", "\\n")
    return f"'{escaped}'"


def scripted_page(title: str, body: str, quote: str) -> str:
    """The article shipped as two joined JS string literals, filled into an empty div at load."""
    half = len(body) // 2
    if quote == '"':
        first, second = json.dumps(body[:half]), json.dumps(body[half:])
    else:  # single quotes, with 「<」 escaped the way some CMS templates do
        first, second = single_quoted(body[:half]), single_quoted(body[half:])
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<div id='zoom'></div><script>var content = {first} +\n {second};"
        "document.getElementById('zoom').innerHTML = content;</script></body></html>"
    )


@pytest.mark.parametrize("quote", ['"', "'"])
def test_report_inside_a_script_string(report_2021, quote):
    expected, body = report_2021
    report = parse_document(scripted_page(expected["title"], body, quote).encode("utf-8"))
    assert report["applications"] == expected["applications"]
    assert report["reviews"] == expected["reviews"]
    assert report["template"] == "2021" and len(report["sections"]) == 6


def test_page_declaring_gbk_but_sending_utf8_is_not_garbled():
    page = "<html><head><meta charset='gbk'><title>某县2021年政府信息公开工作年度报告</title></head><body><p>一、总体情况</p></body></html>"
    report = parse_document(page.encode("utf-8"))
    assert report["title"] == "某县2021年政府信息公开工作年度报告"
    assert "document.encoding" in {f["check"] for f in report["findings"]}


def test_page_declaring_utf8_but_sending_gbk_is_not_garbled():
    page = "<html><head><meta charset='utf-8'><title>某县2021年政府信息公开工作年度报告</title></head><body><p>一、总体情况</p></body></html>"
    report = parse_document(page.encode("gbk"))
    assert report["title"] == "某县2021年政府信息公开工作年度报告"


def test_article_inside_a_layout_table_keeps_its_text(report_2021):
    """Old portals put the whole article in one table cell: that table is layout, not data."""
    expected, body = report_2021
    page = (
        f"<html><head><meta charset='utf-8'><title>{expected['title']}</title></head><body>"
        "<table><tr><td>首页</td><td>政府信息公开</td></tr>"
        f"<tr><td>栏目导航</td><td>{body}</td></tr></table></body></html>"
    )
    # The report's own tables nest inside the layout table, which is then not innermost.
    report = parse_document(page.encode("utf-8"))
    assert tuple(s["key"] for s in report["sections"]) == SECTION_KEYS
    assert report["applications"] == expected["applications"]


def test_article_alone_in_a_single_layout_cell_keeps_its_text():
    paragraphs = "".join(
        f"<p>{heading}</p><p>{'本年度工作按计划推进，公开质量和实效稳步提升，群众满意度进一步提高。' * 2}</p>"
        for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况")
    )
    page = f"<html><body><table><tr><td>{paragraphs}</td></tr></table></body></html>"
    report = parse_document(page.encode("utf-8"))
    assert [s["key"] for s in report["sections"]] == ["overview", "proactive", "applications"]

"""What a link's title and URL say: a report, an attachment, a column, a way to one."""

from __future__ import annotations

import pytest

from crawler.links import (
    column_directory,
    is_attachment,
    looks_like_annual_report,
    looks_like_column,
    looks_like_disclosure_section,
    registrable_domain,
    same_column,
    same_site,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("北京市东城区2019年政府信息公开工作年度报告", True),
        ("某县2021年度政府信息公开工作报告", True),
        ("2018年政务公开年报", True),
        ("关于做好2019年政府信息公开工作年度报告编制工作的通知", False),
        ("2020年政务公开工作要点", False),
        ("《2021年政府信息公开工作年度报告》解读", False),
        ("政府信息公开指南", False),
        ("2020年政府工作报告", False),  # a work report, not a disclosure report
    ],
)
def test_report_titles(title, expected):
    assert looks_like_annual_report(title) is expected


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        ("http://a.gov.cn/x/P020200120.pdf", "", True),
        ("http://a.gov.cn/module/download/downfile.jsp?classid=0&filename=2019nb.doc", "", True),
        ("http://a.gov.cn/attach/download?id=12", "2019年年报（文字版）.wps", True),
        ("http://a.gov.cn/x/t20200120_1.html", "2019年年报", False),
    ],
)
def test_attachments(url, text, expected):
    assert is_attachment(url, text) is expected


def test_columns_and_the_way_to_them():
    assert looks_like_column("政府信息公开年报", "http://a.gov.cn/zfxxgk/zfxxgknb/index.html")
    assert looks_like_column("年报", "http://a.gov.cn/col/col1634838/index.html")
    assert looks_like_column("", "http://a.gov.cn/zwgk/zfxxgknb/")
    # A report, or a notice, under the column's directory is not the column.
    assert not looks_like_column(
        "某县2019年政府信息公开工作年度报告", "http://a.gov.cn/zfxxgknb/202001/t20200120_1.html"
    )
    assert not looks_like_column("关于报送年报的通知", "http://a.gov.cn/zfxxgknb/202001/t20200120_2.html")
    assert looks_like_disclosure_section("政府信息公开", "http://a.gov.cn/zfxxgk/index.html")
    assert column_directory("http://a.gov.cn/zfxxgk/zfxxgknb/index_3.html") == "zfxxgknb"
    assert column_directory("http://a.gov.cn/zfxxgk/zfxxgknb/202001/t20200120_1.html") == ""
    assert same_column("http://a.gov.cn/xxgk/ndbg/", "http://a.gov.cn/xxgk/ndbg/list.html")
    assert not same_column("http://a.gov.cn/xxgk/ndbg/", "http://b.gov.cn/xxgk/ndbg/")


@pytest.mark.parametrize(
    "title",
    ["图解：某县2023年政府信息公开工作年度报告", "一图读懂某县2022年政府信息公开工作年度报告"],
)
def test_graphics_about_a_report_are_not_reports(title):
    assert not looks_like_annual_report(title)


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("政务公开", "http://a.gov.cn/col/col12/index.html"),
        ("公开", "http://a.gov.cn/channel/3/"),
        ("", "http://www.mohurd.gov.cn/gongkai/"),
        ("", "http://a.gov.cn/govinfo/index.html"),
    ],
)
def test_ways_into_the_disclosure_section(title, url):
    assert looks_like_disclosure_section(title, url)


@pytest.mark.parametrize(
    "url",
    [
        "http://zfxxgk.beijing.gov.cn/110016/zfxxgknb/list.shtml",
        "http://a.gov.cn/zfxxgknb/nlist.htm",
        "http://a.gov.cn/zfxxgknb/index.htm",
        "http://a.gov.cn/zfxxgknb/1.html",
    ],
)
def test_list_page_file_names(url):
    assert column_directory(url) == "zfxxgknb"


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("http://gjj.nanjing.gov.cn/x", "nanjing.gov.cn"),
        ("https://zfxxgk.nanjing.gov.cn:8443/11/zfxxgknb/list.shtml", "nanjing.gov.cn"),
        ("http://www.jiangning.gov.cn/", "jiangning.gov.cn"),  # a district: its own government
        ("http://www.example.com/", "example.com"),
        ("http://127.0.0.1:8000/", "127.0.0.1"),
    ],
)
def test_registrable_domains(url, domain):
    assert registrable_domain(url) == domain
    assert same_site(url, f"http://other.{domain}/") is ("." in domain and not domain[0].isdigit())

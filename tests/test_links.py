"""What a link's title and URL say: a report, an attachment, a column, a way to one."""

from __future__ import annotations

import pytest

from crawler.links import (
    column_directory,
    is_attachment,
    looks_like_annual_report,
    looks_like_column,
    looks_like_disclosure_section,
    same_column,
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

"""Legacy reports (2008–2018): free-form sections and a 统计表 of labelled numbers."""

from __future__ import annotations

from extract import parse_document

# Shaped on real county reports of 2010–2018: 七 sections (with one on fees) and a 统计表 of
# 指标名称 / 计量单位 / 本年度 / 累计 with heading rows that carry no numbers.
LEGACY_PAGE = """<html><head><meta charset="gbk">
<title>某县人民政府2015年政府信息公开工作年度报告_某县人民政府</title>
<meta name="ArticleTitle" content="某县人民政府2015年政府信息公开工作年度报告">
<meta name="PubDate" content="2016-03-28 10:00"></head><body><div class="TRS_Editor">
<p>本报告根据《中华人民共和国政府信息公开条例》要求编制。</p>
<p>一、概述</p><p>2015年，我县认真贯彻落实《条例》，全年主动公开政府信息1,234条。</p>
<p>二、主动公开政府信息的情况</p><p>全年主动公开政府信息1234条，其中规范性文件12条。</p>
<p>三、依申请公开政府信息情况</p><p>全年共收到政府信息公开申请28件，均已按期答复。</p>
<p>四、政府信息公开的收费及减免情况</p><p>未收取任何费用。</p>
<p>五、因政府信息公开申请行政复议、提起行政诉讼的情况</p><p>发生行政复议1件，行政诉讼0件。</p>
<p>六、政府信息公开工作存在的主要问题及改进措施</p><p>公开内容还不够全面。</p>
<p>七、其他需要报告的事项</p><p>无。</p>
<p>附表：2015年政府信息公开情况统计表</p>
<table border="1">
<tr><td>指 标 名 称</td><td>计量单位</td><td>本年度</td><td>累计</td></tr>
<tr><td>一、主动公开情况</td><td>—</td><td>—</td><td>—</td></tr>
<tr><td>（一）主动公开政府信息数</td><td>条</td><td>1,234</td><td>9876</td></tr>
<tr><td>其中：主动公开规范性文件数</td><td>条</td><td>１２</td><td>80</td></tr>
<tr><td>二、依申请公开情况</td><td>—</td><td></td><td></td></tr>
<tr><td>（一）收到申请数</td><td>件</td><td>28</td><td>150</td></tr>
<tr><td>1.当面申请数</td><td>件</td><td>3</td><td></td></tr>
<tr><td>（二）申请答复数</td><td>件</td><td>28</td><td></td></tr>
<tr><td>三、行政复议数量</td><td>件</td><td>1</td><td></td></tr>
<tr><td>四、行政诉讼数量</td><td>件</td><td>&nbsp;</td><td></td></tr>
<tr><td>五、依申请公开信息收取的费用</td><td>元</td><td>1500</td><td></td></tr>
<tr><td>六、机构建设情况</td><td>—</td><td>—</td><td></td></tr>
<tr><td>（一）政府信息公开工作专门机构数</td><td>个</td><td>甲</td><td></td></tr>
</table></div></body></html>"""


def parse_legacy() -> dict:
    return parse_document(LEGACY_PAGE.encode("gbk"), url="http://example.gov.cn/xxgk/201603/t20160328_1.html")


def test_legacy_template_and_its_sections():
    report = parse_legacy()
    assert report["template"] == "legacy" and report["year"] == 2015
    assert [s["key"] for s in report["sections"]] == [
        "overview",
        "proactive",
        "applications",
        "fees",
        "reviews",
        "problems",
        "other",
    ]
    assert [s["number"] for s in report["sections"]] == [1, 2, 3, 4, 5, 6, 7]
    checks = {f["check"] for f in report["findings"]}
    assert not checks & {"table.missing", "section.missing"}  # not expected of a legacy report


def test_statistics_table_as_labelled_numbers():
    report = parse_legacy()
    entries = {e["path"]: e for e in report["statistics"]}
    published = entries["一、主动公开情况 / （一）主动公开政府信息数"]
    assert (published["key"], published["value"], published["unit"], published["cumulative"]) == (
        "proactive_published",
        1234,
        "条",
        9876,
    )
    assert entries["一、主动公开情况 / 其中：主动公开规范性文件数"]["value"] == 12  # full-width digits
    assert entries["二、依申请公开情况 / （一）收到申请数"]["key"] == "applications_received"
    assert entries["二、依申请公开情况 / 1.当面申请数"]["value"] == 3
    assert entries["三、行政复议数量"]["value"] == 1 and entries["三、行政复议数量"]["key"] == "reviews"
    assert entries["四、行政诉讼数量"]["value"] == 0  # blank inside a given row
    fees = entries["五、依申请公开信息收取的费用"]
    assert (fees["value"], fees["unit"]) == (0.15, "万元")  # 1500 元
    # A word where a number belongs: left out, with a finding, never guessed.
    assert "六、机构建设情况 / （一）政府信息公开工作专门机构数" not in entries
    assert "statistics.not_a_number" in {f["check"] for f in report["findings"]}


def test_a_legacy_year_without_a_table_is_still_legacy():
    page = LEGACY_PAGE.split("<p>附表")[0] + "</div></body></html>"
    report = parse_document(page.encode("gbk"))
    assert report["template"] == "legacy" and "statistics" not in report


def test_archived_statistics_join_the_long_run_series(tmp_path):
    from govreports.archive import open_archive, store_report
    from govreports.serve import datasette_metadata

    db = open_archive(tmp_path / "archive.db")
    store_report(
        db,
        parse_legacy(),
        url="http://example.gov.cn/2015.html",
        document_url="http://example.gov.cn/2015.html",
    )
    later = parse_legacy()
    later.update(year=2016, template="2019", statistics=[])
    later["applications"] = {"new_received": {"total": 31}}
    store_report(
        db, later, url="http://example.gov.cn/2016.html", document_url="http://example.gov.cn/2016.html"
    )
    queries = datasette_metadata("archive")["databases"]["archive"]["queries"]
    rows = list(db.query(queries["applications_long_run"]["sql"]))
    assert [(row["year"], row["applications_received"]) for row in rows] == [(2015, 28), (2016, 31)]

"""Chinese search (Datasette's own box and the ranked /-/find page), the ready answers (canned queries), the
charts and the Atom feed, checked against the sample portal's expected figures."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import urllib.parse
import xml.etree.ElementTree as ET

import lxml.html
import pytest
import sqlite_utils

from govreports.archive import now
from govreports.search import index_report, unindex_report
from tests.test_datasette import datasette, get, get_json, get_text, serving  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"
STREET_TALK = "本街道全年办理行政复议案件，复议机关维持原行政行为；复议后起诉一件，复议决定得到法院支持。"


def q(text: str) -> str:
    return urllib.parse.quote(text)


@pytest.fixture(scope="module")
def edited(crawled_archive, tmp_path_factory):
    """A copy of the archive where one report talks about 复议 at length and one page changed after
    publication (a second version of its bytes fetched later)."""
    db = tmp_path_factory.mktemp("edited") / "archive.db"
    shutil.copy(crawled_archive, db)
    with sqlite3.connect(db) as conn:
        report_id, heading = conn.execute(
            "select s.report_id, s.heading from sections s join reports r on r.id = s.report_id "
            "where s.key = 'other' and r.title like '%示例区%' order by r.year limit 1"
        ).fetchone()
        archive = sqlite_utils.Database(conn)
        unindex_report(archive, report_id)  # as the archive layer does around a report's rewrite
        conn.execute(
            "update sections set text = ? where report_id = ? and key = 'other'", [STREET_TALK, report_id]
        )
        index_report(archive, report_id)
        url, changed_id = conn.execute(
            "select url, report_id from report_copies order by url limit 1"
        ).fetchone()
        body = b"<html>changed after publication</html>"
        sha = hashlib.sha256(body).hexdigest()
        conn.execute(
            "insert into documents (sha256, media_type, size, content) values (?, 'text/html', ?, ?)",
            [sha, len(body), body],
        )
        conn.execute(
            "insert into fetches (url, fetched_at, status, media_type, sha256, kind) values (?, ?, 200, 'text/html', ?, 'report_page')",
            [url, now(), sha],
        )
    with serving(db) as base:
        yield base, report_id, changed_id


# ------------------------------------------------------------------------------------------ search
@pytest.mark.parametrize("typed", ["街", "街道", "街道办事处", "政府信息公开", "复议"])
def test_datasettes_own_search_finds_1_2_and_n_characters(datasette, typed):  # noqa: F811
    """The reports table's search box finds a report by its title, agency, region or any section's text."""
    rows = get_json(f"{datasette}/archive/reports.json?_search={q(typed)}&_shape=array&_size=max")
    every = get_json(f"{datasette}/archive/reports.json?_shape=array&_size=max")
    sections = get_json(f"{datasette}/archive/sections.json?_shape=array&_size=max&_col=heading&_col=text")
    in_text = {s["report_id"] for s in sections if typed in s["heading"] + s["text"]}
    expected = {
        r["id"]
        for r in every
        if typed in r["title"] + r["agency"] + (r["region"] or "") or r["id"] in in_text
    }
    assert {row["id"] for row in rows} == expected and expected


@pytest.mark.parametrize("typed", ["复", "复议", "政府信息公开"])
def test_sections_search_finds_body_text(datasette, typed):  # noqa: F811
    rows = get_json(f"{datasette}/archive/sections.json?_search={q(typed)}&_shape=array&_size=max")
    assert rows and all(typed in row["heading"] + row["text"] for row in rows)


def find(base: str, typed: str) -> list[lxml.html.HtmlElement]:
    doc = lxml.html.fromstring(get_text(f"{base}/-/find?q={q(typed)}"))
    return doc.xpath("//ol[@id='results']/li")


def test_find_ranks_title_matches_first(datasette, expected_portal):  # noqa: F811
    results = find(datasette, "街道")
    streets = [r for r in expected_portal["reports"] if "街道" in r["title"]]
    titles = [li.xpath("string(.//a[@class='gr-title'])") for li in results]
    assert all("街道" in t for t in titles[: len(streets)])
    assert len(results) >= len(streets)


def test_find_ranks_the_report_that_is_about_it_first(edited):
    base, report_id, _ = edited
    results = find(base, "复议")
    assert results[0].get("data-report") == report_id
    assert "复议" in results[0].xpath("string(.//mark)")
    assert len(results) > 1  # every report's section 四 heading names 行政复议 too


# ------------------------------------------------------------------------------------------ ready answers
def query(base: str, name: str, **params) -> list[dict]:
    return get_json(f"{base}/archive/{name}.json?_shape=array&_size=max&{urllib.parse.urlencode(params)}")


def total(reports, row: str) -> int:
    return sum(r["applications"].get(row, {}).get("total", 0) for r in reports)


def test_requests_per_agency_year(datasette, expected_portal):  # noqa: F811
    rows = {(r["机关"], r["年度"]): r for r in query(datasette, "requests_per_agency_year")}
    assert len(rows) == len(expected_portal["reports"])
    for report in expected_portal["reports"]:
        row = rows[(report["agency"], report["year"])]
        assert row["本年新收"] == report["applications"]["new_received"]["total"]
        assert row["办理总计"] == report["applications"]["total_handled"]["total"]
    one = query(datasette, "requests_per_agency_year", agency="街道", year="2023")
    assert one and all("街道" in r["机关"] and r["年度"] == 2023 for r in one)


def test_refusal_reasons(datasette, expected_portal):  # noqa: F811
    rows = {r["原因"]: r for r in query(datasette, "refusal_reasons")}
    reports = expected_portal["reports"]
    secret = rows["1.属于国家秘密"]
    assert secret["类别"] == "不予公开" and secret["件数"] == total(reports, "denied_state_secret")
    not_held = rows["1.本机关不掌握相关政府信息"]
    assert not_held["类别"] == "无法提供" and not_held["件数"] == total(reports, "unavailable_not_held")
    handled = total(reports, "total_handled")
    assert not_held["占办理总数百分比"] == round(100 * not_held["件数"] / handled, 2)
    in_2023 = {r["原因"]: r for r in query(datasette, "refusal_reasons", year="2023")}
    assert in_2023["2.重复申请"]["件数"] == total(
        [r for r in reports if r["year"] == 2023], "rejected_duplicate"
    )


def test_reviews_and_suits(datasette, expected_portal):  # noqa: F811
    rows = {r["年度"]: r for r in query(datasette, "reviews_and_suits")}
    for year in {r["year"] for r in expected_portal["reports"]}:
        reports = [r for r in expected_portal["reports"] if r["year"] == year]
        assert rows[year]["复议总计"] == sum(r["reviews"].get("review_total", 0) for r in reports)
        suits = sum(
            r["reviews"].get("suit_total", 0) + r["reviews"].get("suit_after_review_total", 0)
            for r in reports
        )
        assert rows[year]["诉讼总计"] == suits


def test_broken_identities_link_to_the_report_page(datasette, crawled_archive):  # noqa: F811
    with sqlite3.connect(crawled_archive) as conn:
        expected = conn.execute(
            "select count(*) from findings where check_name in ('applications.balance', "
            "'applications.handled_sum', 'applications.row_total', 'applications.other_sum', 'reviews.total')"
        ).fetchone()[0]
    rows = query(datasette, "broken_identities")
    assert len(rows) == expected > 0
    html = get_text(f"{datasette}/archive/broken_identities")
    assert f'href="/-/report/{rows[0]["report_id"]}"' in html
    assert query(datasette, "broken_identities", check="reviews.total") == [
        r for r in rows if r["check_name"] == "reviews.total"
    ]
    summary = {r["校验项"]: r["报告数"] for r in query(datasette, "identity_summary")}
    assert sum(summary.values()) >= len({r["report_id"] for r in rows}) > 0


def test_missing_or_late_reports(datasette, expected_portal):  # noqa: F811
    reports = expected_portal["reports"]
    years = {r["year"] for r in reports}
    expected = set()
    for agency in {r["agency"] for r in reports}:
        mine = {r["year"]: r for r in reports if r["agency"] == agency}
        for year in (y for y in years if y >= min(mine)):
            if year not in mine:
                expected.add((agency, year, "缺报"))
            elif mine[year]["published"] > f"{year + 1}-03-31":
                expected.add((agency, year, "逾期"))
    assert {(r["机关"], r["年度"], r["情况"]) for r in query(datasette, "missing_or_late")} == expected


def test_changed_after_publication(datasette, edited):  # noqa: F811
    assert query(datasette, "changed_after_publication") == []
    base, _, changed_id = edited
    rows = query(base, "changed_after_publication")
    assert [r["report_id"] for r in rows] == [changed_id] and rows[0]["版本数"] == 2


# ------------------------------------------------------------------------------------------ feed, charts
def test_atom_feed_of_new_reports_by_province(datasette, expected_portal):  # noqa: F811
    status, headers, body = get(f"{datasette}/archive/new_reports_feed.atom")
    assert status == 200 and "xml" in headers["content-type"]
    entries = ET.fromstring(body).findall(f"{ATOM}entry")
    assert len(entries) == min(100, len(expected_portal["reports"]))
    link = entries[0].find(f"{ATOM}link").get("href")
    assert re.match(r"http://127\.0\.0\.1:\d+/-/report/\w+$", link)
    body = get(f"{datasette}/archive/new_reports_feed.atom?province={q('北京市')}")[2]
    entries = ET.fromstring(body).findall(f"{ATOM}entry")
    beijing = [r for r in expected_portal["reports"] if (r["region"] or "").startswith("北京")]
    assert len(entries) == len(beijing) > 0
    body = get(f"{datasette}/archive/new_reports_feed.atom?province={q('西藏自治区')}")[2]
    entries = ET.fromstring(body).findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["暂无归档的报告"]  # a valid feed, not an error


def test_every_chart_query_runs(datasette):  # noqa: F811
    assert get(f"{datasette}/-/dashboards/overview")[0] == 200
    config = get_json(f"{datasette}/-/metadata.json")["plugins"]["datasette-dashboards"]["overview"]
    for key, chart in config["charts"].items():
        for params in ({}, {"province": "北京市", "level": "street", "year": "2023"}):
            sql = chart["query"]
            for match in re.findall(r"\[\[(.*?)\]\]", sql):
                keep = re.search(r":(\w+)", match).group(1) in params
                sql = sql.replace(f"[[{match}]]", match if keep else "")
            used = {k: v for k, v in params.items() if f":{k}" in sql}
            rows = get_json(
                f"{datasette}/archive.json?_shape=array&sql={q(sql)}&{urllib.parse.urlencode(used)}"
            )
            assert rows, (key, params)

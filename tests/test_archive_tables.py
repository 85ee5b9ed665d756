"""The archive layer on real SQLite files: one report per (agency, year) with its copies, the wide and long
tables with Chinese labels, Chinese full-text search, and the upgrade of an archive the previous version wrote."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from extract import parse_document
from govreports.archive import (
    SCHEMA_VERSION,
    open_archive,
    rebuild_figures,
    report_key_id,
    stale_pages,
    store_report,
)
from govreports.figures import figure_columns, keys_markdown
from govreports.portal import SAMPLE_COLUMN, SAMPLE_PORTAL, PortalServer
from govreports.search import fts_query, search_text, search_tokens
from tests.conftest import REPO, crawl

SITE = SAMPLE_PORTAL


def sample_report(expected_portal: dict, index: int) -> tuple[dict, dict]:
    """A report of the sample portal parsed from its page in the repository (no crawl), with its truth."""
    expected = [r for r in expected_portal["reports"] if r["format"] == "html"][index]
    return parse_document((SITE / expected["path"].lstrip("/")).read_bytes()), expected


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    tables = ("reports", "report_copies", "report_json", "report_figures", "sections", "cells", "findings")
    return {table: db[table].count for table in tables}


# ------------------------------------------------------------------------------------- one report per year
@pytest.fixture(scope="module")
def twice_crawled(tmp_path_factory, crawled_archive) -> Path:
    """The sample portal crawled from two addresses (two ports: two platforms) into one archive."""
    db = tmp_path_factory.mktemp("twice") / "archive.db"
    with PortalServer(SAMPLE_PORTAL) as first, PortalServer(SAMPLE_PORTAL) as second:
        crawl(first.url + SAMPLE_COLUMN, db)
        crawl(second.url + SAMPLE_COLUMN, db)
    return db


def test_the_same_reports_from_two_addresses_count_once(twice_crawled, crawled_archive, expected_portal):
    once, twice = sqlite_utils.Database(crawled_archive), sqlite_utils.Database(twice_crawled)
    reports = len(expected_portal["reports"])
    assert counts(twice) == {**counts(once), "report_copies": 2 * reports}
    assert twice.execute("select count(*), min(copies), max(hosts) from reports").fetchone() == (
        reports,
        2,
        2,
    )
    # Every aggregate a user runs gives the single crawl's answer.
    for sql in (
        "select sum(t3_new_received_total), sum(t4_review_total), count(*) from report_figures",
        "select sum(value) from cells where table_key = 'applications' and column_key = 'total'",
        "select count(*) from findings",
        "select year, sum(new_received) from applications_totals group by year order by year",
    ):
        assert twice.execute(sql).fetchall() == once.execute(sql).fetchall(), sql
    # The canonical copy is the first seen: the first address's page; the report's URL is it.
    first_host = twice.execute("select host from report_copies order by first_fetch_id limit 1").fetchone()[0]
    assert (
        twice.execute(
            "select count(*) from reports r join report_copies c on c.page_url = r.url "
            "where c.canonical = 1 and c.host = ?",
            [first_host],
        ).fetchone()[0]
        == reports
    )
    # Ids follow (agency, year), so a report keeps its id whatever address it was crawled from.
    ids = {row["id"] for row in once.query("select id from reports")}
    assert ids == {row["id"] for row in twice.query("select id from reports")}
    row = twice.execute("select id, agency, year from reports where agency is not null limit 1").fetchone()
    assert row[0] == report_key_id(row[1], row[2])


def test_re_extraction_of_both_copies_changes_nothing(twice_crawled, tmp_path):
    from govreports.ingest import extract_archive

    copy = tmp_path / "archive.db"
    shutil.copy(twice_crawled, copy)
    db = open_archive(copy)
    before = counts(db), list(db.query("select id, url from reports order by id"))
    stats = extract_archive(db, workers=1)
    assert stats.reports == 2 * before[0]["reports"]  # every copy read again
    assert (counts(db), list(db.query("select id, url from reports order by id"))) == before
    assert stale_pages(db) == []


def test_copies_of_one_report_stored_directly(tmp_path, expected_portal):
    db = open_archive(tmp_path / "archive.db")
    report, _ = sample_report(expected_portal, 0)
    first = store_report(db, report, url="http://a.example/r.html", document_url="http://a.example/r.html")
    second = store_report(
        db, report, url="http://b.example/nb/r.html", document_url="http://b.example/nb/r.pdf"
    )
    assert first == second == report_key_id(report["agency"], report["year"])
    assert counts(db)["reports"] == counts(db)["report_figures"] == 1
    copies = list(db.query("select page_url, url, host, kind, canonical from report_copies order by rowid"))
    assert copies == [
        {
            "page_url": "http://a.example/r.html",
            "url": "http://a.example/r.html",
            "host": "a.example",
            "kind": "page",
            "canonical": 1,
        },
        {
            "page_url": "http://b.example/nb/r.html",
            "url": "http://b.example/nb/r.pdf",
            "host": "b.example",
            "kind": "attachment",
            "canonical": 0,
        },
    ]
    # Storing the first copy again (re-extraction) replaces its rows, adds none.
    before = counts(db)
    store_report(db, report, url="http://a.example/r.html", document_url="http://a.example/r.html")
    assert counts(db) == before


def test_unknown_year_is_keyed_by_url_and_joined_by_bytes(tmp_path, expected_portal):
    db = open_archive(tmp_path / "archive.db")
    report, _ = sample_report(expected_portal, 1)
    unknown = {**report, "year": None}
    a = store_report(db, unknown, url="http://a.example/1.html", document_url="http://a.example/1.html")
    b = store_report(db, unknown, url="http://b.example/2.html", document_url="http://b.example/2.html")
    assert a == b  # the same bytes: the same report
    other = {**unknown, "source": {**unknown["source"], "sha256": "0" * 64}}
    c = store_report(db, other, url="http://c.example/3.html", document_url="http://c.example/3.html")
    assert c != a  # other bytes and no year: a report of its own, keyed by its URL
    # Once a copy gives the year, the copies of those bytes join the (agency, year) report.
    known = store_report(db, report, url="http://d.example/4.html", document_url="http://d.example/4.html")
    assert known == report_key_id(report["agency"], report["year"])
    rows = dict(db.execute("select page_url, report_id from report_copies").fetchall())
    assert rows == {
        "http://a.example/1.html": known,
        "http://b.example/2.html": known,
        "http://c.example/3.html": c,
        "http://d.example/4.html": known,
    }
    assert counts(db)["reports"] == 2


def test_a_copy_read_anew_as_another_year_moves(tmp_path, expected_portal):
    db = open_archive(tmp_path / "archive.db")
    report, _ = sample_report(expected_portal, 2)
    old_id = store_report(db, report, url="http://a.example/p.html", document_url="http://a.example/p.html")
    store_report(db, report, url="http://b.example/q.html", document_url="http://b.example/q.html")
    # The extractor now reads page p as next year's report: p leaves, q is the old report's only copy.
    moved = {**report, "year": report["year"] + 1}
    new_id = store_report(db, moved, url="http://a.example/p.html", document_url="http://a.example/p.html")
    assert new_id != old_id
    assert db.execute("select url from reports where id = ?", [old_id]).fetchone() == (None,)
    assert stale_pages(db) == ["http://b.example/q.html"]  # to extract again: its numbers were p's
    store_report(db, report, url="http://b.example/q.html", document_url="http://b.example/q.html")
    assert stale_pages(db) == []
    assert db.execute("select url, copies from reports where id = ?", [old_id]).fetchone() == (
        "http://b.example/q.html",
        1,
    )
    # And a report whose last copy leaves is gone, with everything written for it.
    store_report(db, moved, url="http://b.example/q.html", document_url="http://b.example/q.html")
    assert not db.execute("select count(*) from reports where id = ?", [old_id]).fetchone()[0]
    assert counts(db) == {
        "reports": 1,
        "report_copies": 2,
        "report_json": 1,
        "report_figures": 1,
        "sections": len(report["sections"]),
        "cells": db.execute("select count(*) from cells where report_id = ?", [new_id]).fetchone()[0],
        "findings": db.execute("select count(*) from findings where report_id = ?", [new_id]).fetchone()[0],
    }


# ------------------------------------------------------------------------------------- wide and long tables
def test_figure_columns_name_and_label_every_cell():
    columns = figure_columns()
    names = [column.name for column in columns]
    assert len(names) == len(set(names))
    t3 = [c for c in columns if c.table == "applications"]
    t4 = [c for c in columns if c.table == "reviews"]
    t2 = [c for c in columns if c.table == "disclosure"]
    assert (len(t3), len(t4), len(t2)) == (26 * 7, 15, 35)
    by_name = {column.name: column for column in columns}
    assert by_name["t3_new_received_total"].label_zh == "表三 一、本年新收申请 · 总计"
    assert by_name["t3_other_misc_natural_person"].unit == "件"
    assert by_name["t2_fees_fee_amount"].unit == "万元"
    assert by_name["t2_procurement_procurement_amount"].unit == "万元"
    assert by_name["t4_review_upheld"].label_zh == "表四 行政复议 · 结果维持"
    assert by_name["t4_suit_after_review_total"].row == "suit_after_review"
    assert [c.order for c in columns] == list(range(1, len(columns) + 1))
    assert names[:12] == [
        "report_id",
        *("title", "agency", "province", "prefecture", "county", "level", "year", "template"),
        *("findings", "errors", "url"),
    ]


def test_report_figures_hold_every_cell_of_the_sample_portal(crawled_archive, expected_portal):
    db = sqlite_utils.Database(crawled_archive)
    columns = [c.name for c in figure_columns()]
    assert list(db["report_figures"].columns_dict) == columns
    figures = {
        urlsplit(row["url"]).path: row
        for row in db.query("select f.*, r.url from report_figures f join reports r on r.id = f.report_id")
    }
    assert set(figures) == {report["path"] for report in expected_portal["reports"]}
    wrong = []
    for expected in expected_portal["reports"]:
        row = figures[expected["path"]]
        truth = {
            f"t3_{key}_{column}": value
            for key, values in expected["applications"].items()
            for column, value in values.items()
        }
        truth |= {f"t4_{key}": value for key, value in expected["reviews"].items()}
        truth |= {f"t2_{c['item']}_{c['metric']}": c["value"] for c in expected["disclosure"]}
        for name in columns:
            if name.startswith(("t2_", "t3_", "t4_")) and row[name] != pytest.approx(truth.get(name)):
                wrong.append((expected["path"], name, row[name], truth.get(name)))
        for key in ("agency", "year", "level", "template"):
            if row[key] != expected[key]:
                wrong.append((expected["path"], key, row[key], expected[key]))
    assert wrong == []
    # Both templates' table 三 rows are there: the 2021 sub-rows of （六） filled for 2021 reports.
    assert db.execute("select count(*) from report_figures where t3_other_misc_total is not null").fetchone()[
        0
    ]
    assert db.execute("select count(*) from report_figures where t2_rules_made is not null").fetchone()[0]
    assert db.execute("select count(*) from report_figures where t2_rules_issued is not null").fetchone()[0]
    # The findings count agrees with the findings table.
    assert (
        db.execute(
            "select count(*) from report_figures f where findings != "
            "(select count(*) from findings where report_id = f.report_id)"
        ).fetchone()[0]
        == 0
    )


def test_report_figures_rebuilt_from_cells_equal_the_writes(crawled_archive, tmp_path):
    copy = tmp_path / "archive.db"
    shutil.copy(crawled_archive, copy)
    db = sqlite_utils.Database(copy)
    written = list(db.query("select * from report_figures order by report_id"))
    assert rebuild_figures(db) == len(written)
    assert list(db.query("select * from report_figures order by report_id")) == written
    indexed = {tuple(index.columns) for index in db["report_figures"].indexes}
    assert {("province", "year"), ("year",), ("level", "year"), ("agency", "year"), ("template",)} <= indexed


def test_figures_long_has_chinese_labels_in_the_forms_order(crawled_archive):
    db = sqlite_utils.Database(crawled_archive)
    rid = db.execute("select id from reports where template = '2021' limit 1").fetchone()[0]
    rows = list(db.query("select * from figures_long where report_id = ?", [rid]))
    assert len(rows) == db.execute("select count(*) from cells where report_id = ?", [rid]).fetchone()[0]
    assert all(row["table_zh"] and row["row_zh"] and row["column_zh"] for row in rows)
    assert all(row["row_order"] and row["column_order"] for row in rows)
    order = [(row["table_key"], row["row_order"], row["column_order"]) for row in rows]
    tables = {"disclosure": 1, "applications": 2, "reviews": 3}
    assert order == sorted(order, key=lambda key: (tables[key[0]], key[1], key[2]))
    first_t3 = next(row for row in rows if row["table_key"] == "applications")
    assert (first_t3["row_zh"], first_t3["column_zh"]) == ("一、本年新收申请", "自然人")
    # Labels for every key the forms have, in the labels table too.
    assert db.execute(
        "select label_zh, form_zh, group_zh from labels where table_key = 'applications' and key = 'denied_inquiry'"
    ).fetchone() == ("三（三）不予公开 8.行政查询事项", "8.属于行政查询事项", "（三）不予公开")


def test_findings_point_at_their_cells(crawled_archive, expected_portal):
    db = sqlite_utils.Database(crawled_archive)
    rows = list(
        db.query(
            "select * from findings where check_name like 'applications.%' or check_name like 'reviews.%'"
        )
    )
    assert rows
    for row in rows:
        assert row["table_key"] in ("applications", "reviews"), row
        if row["check_name"] in ("applications.row_total", "reviews.total"):
            assert row["row_key"] == row["location"] and row["column_key"] == "total"
        if row["check_name"] == "applications.balance":
            assert row["column_key"] == row["location"]


def test_keys_reference_is_current():
    assert (REPO / "docs" / "keys.md").read_text(encoding="utf-8") == keys_markdown()


# ------------------------------------------------------------------------------------- search
def test_search_tokens_and_fts_query():
    assert search_tokens("政府信息公开") == "政府 府信 信息 息公 公开 开"
    assert search_tokens("街，道") == "街 ǀ 道"  # punctuation is a token: the pair 街道 is not there
    assert search_tokens("２０１９年（复议）PDF版") == "2019 年 ǀ 复议 议 ǀ PDF 版"
    assert fts_query("复") == '"复" *'  # a pair it starts, or itself at a run's end
    assert fts_query("街道") == '"街道"'
    assert fts_query("政府信息公开") == '"政府 府信 信息 息公 公开"'
    assert fts_query("2019年") == '"2019 年" *'
    assert fts_query("报告2020") == '"报告 告 2020"'  # the run ends where the text's run ends
    assert fts_query("复议 诉讼") == '"复议" "诉讼"'
    assert fts_query("复议， OR 诉讼") == '"复议" OR "诉讼"'
    assert fts_query('"行政 复议"') == '"行政 政复 复议"'  # spaces between characters mean nothing
    assert search_tokens("行 政 复 议") == "行政 政复 复议 议"
    assert fts_query("") == fts_query("，") == '""'
    assert fts_query('unbalanced"quote') == '"unbalanced ǀ quote"'


def cuts_a_word(left: str, right: str) -> bool:
    """Whether a cut between ``left``'s last and ``right``'s first character splits a Latin word or number."""
    return bool(
        left
        and right
        and left[-1].isascii()
        and left[-1].isalnum()
        and right[0].isascii()
        and right[0].isalnum()
    )


def test_every_substring_of_a_text_finds_it(expected_portal):
    """What a user copies out of a report — any run of characters, cut anywhere, Chinese, digits, Latin
    and punctuation mixed — finds that report's text; and a text without it is not found."""
    texts = [s["text"] for i in range(4) for s in sample_report(expected_portal, i)[0]["sections"]]
    db = sqlite3.connect(":memory:")
    db.execute("create virtual table t using fts5(body)")
    db.executemany(
        "insert into t (rowid, body) values (?, ?)", [(i, search_text(x)) for i, x in enumerate(texts)]
    )
    tried = 0
    for number, text in enumerate(texts):
        compact = " ".join(text.split())
        for start in range(0, max(1, len(compact) - 12), 7):
            for length in (1, 2, 3, 5, 8, 12):
                term = compact[start : start + length]
                before, after = compact[start - 1 : start] if start else "", compact[start + length :][:1]
                if cuts_a_word(before, term) or cuts_a_word(term, after) or not term.strip():
                    continue  # numbers and Latin words are indexed whole: 2019 is not found as 201
                if " " in term.strip() or not search_tokens(term).strip("ǀ "):
                    continue
                term = term.strip()
                found = {
                    row[0] for row in db.execute("select rowid from t where t match ?", [fts_query(term)])
                }
                having = {i for i, x in enumerate(texts) if term in " ".join(x.split())}
                assert number in found, (term, fts_query(term))
                if all("\u4e00" <= c <= "\u9fff" for c in term):  # Chinese: found wherever it occurs
                    assert having <= found, term
                tried += 1
    assert tried > 500


@pytest.mark.parametrize("term", ["复", "复议", "街道", "政府信息公开"])
def test_search_finds_titles_and_sections_by_plain_match(crawled_archive, term):
    db = sqlite_utils.Database(crawled_archive)
    query = fts_query(term)
    sections = {
        row[0]
        for row in db.execute(
            "select s.text from sections_fts join sections s on s.rowid = sections_fts.rowid "
            "where sections_fts match ? order by rank",
            [query],
        )
    }
    reports = {
        row[0]
        for row in db.execute(
            "select r.id from report_search_fts f join reports r on r.rowid = f.rowid "
            "where report_search_fts match ?",
            [query],
        )
    }
    # Exactly the sections whose text has the term: nothing missed, nothing extra.
    having = {
        row[0] for row in db.execute("select text from sections where instr(heading || text, ?)", [term])
    }
    assert sections == having and sections
    # Exactly the reports whose title, agency, region or any section has it.
    holding = {
        row[0]
        for row in db.execute(
            "select id from reports r where instr(coalesce(title, '') || coalesce(agency, '') || "
            "coalesce(region, ''), ?) or exists (select 1 from sections s where s.report_id = r.id "
            "and instr(s.heading || s.text, ?))",
            [term, term],
        )
    }
    assert reports == holding and reports


def test_search_does_not_match_across_punctuation_and_follows_writes(tmp_path, expected_portal):
    db = open_archive(tmp_path / "archive.db")
    report, _ = sample_report(expected_portal, 3)
    report["sections"] = [
        {"number": 1, "key": "overview", "heading": "一、总体情况", "text": "本街，道路平整。"}
    ]
    url = "http://a.example/r.html"
    store_report(db, report, url=url, document_url=url)

    def hits(term: str) -> int:
        sql = "select count(*) from sections where rowid in (select rowid from sections_fts where sections_fts match ?)"
        return db.execute(sql, [fts_query(term)]).fetchone()[0]

    assert (hits("街道"), hits("道路"), hits("街，道")) == (0, 1, 1)
    report["sections"][0]["text"] = "街道办事处"
    store_report(db, report, url=url, document_url=url)  # re-extraction: the index follows the rows
    assert (hits("街道"), hits("道路")) == (1, 0)
    assert db.execute("select count(*) from sections_fts").fetchone()[0] == db["sections"].count

    def reports_found(term: str) -> int:
        sql = "select count(*) from report_search_fts where report_search_fts match ?"
        return db.execute(sql, [fts_query(term)]).fetchone()[0]

    assert (reports_found("街道办事处"), reports_found("道路平整")) == (1, 0)
    # The report-level index holds exactly what its content says (FTS5 checks it against the view).
    db.execute("insert into report_search_fts (report_search_fts) values ('integrity-check')")
    from govreports.archive import delete_report

    delete_report(db, db.execute("select id from reports").fetchone()[0])
    assert reports_found("街道办事处") == 0
    db.execute("insert into report_search_fts (report_search_fts) values ('integrity-check')")


# ------------------------------------------------------------------------------------- upgrade
# The previous version's tables, as it created them (its reports kept report_json; one report per URL).
PREVIOUS_SCHEMA = """
CREATE TABLE reports (id TEXT PRIMARY KEY, url TEXT, document_url TEXT, document_sha256 TEXT, title TEXT,
  agency TEXT, region TEXT, province TEXT, prefecture TEXT, county TEXT, region_code TEXT, level TEXT,
  year INTEGER, published TEXT, template TEXT, ocr INTEGER, source_id INTEGER, errors INTEGER,
  warnings INTEGER, extracted_at TEXT, newest_fetch_id INTEGER, report_json TEXT);
CREATE UNIQUE INDEX idx_reports_url ON reports (url);
CREATE TABLE sections (report_id TEXT, number INTEGER, key TEXT, heading TEXT, text TEXT,
  PRIMARY KEY (report_id, key));
CREATE TABLE cells (report_id text, table_key text, row_key text, column_key text, value numeric, unit text,
  label text, primary key (report_id, table_key, row_key, column_key));
CREATE TABLE findings (id INTEGER PRIMARY KEY, report_id TEXT, check_name TEXT, severity TEXT, location TEXT,
  message TEXT);
CREATE VIEW applications_totals AS select r.id as report_id, r.agency, r.region, r.level, r.year, r.template,
  max(case when c.row_key = 'new_received' then c.value end) as new_received
  from reports r join cells c on c.report_id = r.id
  where c.table_key = 'applications' and c.column_key = 'total' group by r.id;
"""


def write_as_previous_version(db: sqlite_utils.Database, report: dict, url: str) -> None:
    from govreports.archive import _cells, report_id

    rid = report_id(url)
    db["reports"].insert(
        {
            "id": rid,
            "url": url,
            "document_url": url,
            "document_sha256": report["source"]["sha256"],
            **{key: report[key] for key in ("title", "agency", "region", "level", "year", "template")},
            "errors": sum(f["severity"] == "error" for f in report["findings"]),
            "report_json": json.dumps(report, ensure_ascii=False),
        }
    )
    db["sections"].insert_all(
        {"report_id": rid, **{key: s[key] for key in ("number", "key", "heading", "text")}}
        for s in report["sections"]
    )
    db["cells"].insert_all({k: v for k, v in cell.items() if k != "position"} for cell in _cells(rid, report))
    db["findings"].insert_all(
        {"report_id": rid, "check_name": f["check"], "severity": f["severity"], "location": f["where"]}
        for f in report["findings"]
    )


def test_an_archive_of_the_previous_version_is_brought_up_to_date(tmp_path, expected_portal):
    path = tmp_path / "archive.db"
    old = sqlite_utils.Database(path)
    old.executescript(PREVIOUS_SCHEMA)
    twice, _ = sample_report(expected_portal, 4)
    once, _ = sample_report(expected_portal, 5)
    write_as_previous_version(old, twice, "http://127.0.0.1:8000/a.html")
    write_as_previous_version(old, twice, "http://127.0.0.1:9000/a.html")  # the demo on another port
    write_as_previous_version(old, once, "http://127.0.0.1:8000/b.html")
    old.conn.close()

    db = open_archive(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "report_json" not in db["reports"].columns_dict
    assert counts(db) | {"cells": 0, "findings": 0, "sections": 0} == {
        "reports": 2,
        "report_copies": 3,
        "report_json": 2,
        "report_figures": 2,
        "sections": 0,
        "cells": 0,
        "findings": 0,
    }
    merged = report_key_id(twice["agency"], twice["year"])
    assert db.execute("select url, copies, hosts from reports where id = ?", [merged]).fetchone() == (
        "http://127.0.0.1:8000/a.html",
        2,
        2,
    )
    assert json.loads(db["report_json"].get(merged)["json"])["title"] == twice["title"]
    assert db.execute("select count(distinct report_id) from cells").fetchone()[0] == 2
    # Cells are keyed by their place in the forms, as a fresh write would place them.
    from govreports.archive import _cells

    assert [row[0] for row in db.execute("select position from cells where report_id = ?", [merged])] == [
        cell["position"] for cell in _cells(merged, twice)
    ]
    assert (
        db.execute(
            "select t3_new_received_total from report_figures where report_id = ?", [merged]
        ).fetchone()[0]
        == twice["applications"]["new_received"]["total"]
    )
    hit = db.execute(
        "select count(*) from sections_fts where sections_fts match ?", [fts_query("政府信息公开")]
    ).fetchone()[0]
    assert hit > 0
    found = db.execute(
        "select count(*) from report_search_fts where report_search_fts match ?", [fts_query("政府信息公开")]
    ).fetchone()[0]
    assert found == db["reports"].count
    db.execute("insert into report_search_fts (report_search_fts) values ('integrity-check')")
    # And it goes on taking reports; opening it again changes nothing.
    store_report(db, once, url="http://127.0.0.1:9000/b.html", document_url="http://127.0.0.1:9000/b.html")
    before = counts(db)
    db.conn.close()
    assert counts(open_archive(path)) == before


def test_a_report_that_cannot_be_written_leaves_nothing_behind(tmp_path, expected_portal):
    db = open_archive(tmp_path / "archive.db")
    report, _ = sample_report(expected_portal, 0)
    store_report(db, report, url="http://a.example/r.html", document_url="http://a.example/r.html")
    before = counts(db)
    broken, _ = sample_report(expected_portal, 1)
    broken["sections"] = broken["sections"] + broken["sections"][:1]  # a section twice: its key collides
    with pytest.raises(sqlite3.IntegrityError):
        store_report(db, broken, url="http://b.example/s.html", document_url="http://b.example/s.html")
    assert counts(db) == before  # one transaction: no copy, report, cell or search row of it
    assert db.execute("select count(*) from sections_fts").fetchone()[0] == before["sections"]

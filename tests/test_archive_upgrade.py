"""An archive written by an earlier version opens and takes new reports: the schema is brought up to date."""

from __future__ import annotations

import sqlite_utils

from extract import parse_document
from govreports.archive import open_archive, store_report
from tests.conftest import seed_path


def test_older_archive_gains_new_columns_and_keys(tmp_path):
    path = tmp_path / "archive.db"
    old = sqlite_utils.Database(path)
    # The reports and sections tables as the first release wrote them.
    old["reports"].create({"id": str, "url": str, "title": str, "region": str, "report_json": str}, pk="id")
    old["reports"].insert({"id": "r0", "url": "http://127.0.0.1/old.html", "title": "旧报告"})
    old["sections"].create(
        {"report_id": str, "number": int, "key": str, "heading": str, "text": str}, pk=("report_id", "number")
    )
    old.conn.close()

    db = open_archive(path)
    report = parse_document(seed_path("002").read_bytes())
    store_report(db, report, url="http://127.0.0.1/new.html", document_url="http://127.0.0.1/new.html")
    rows = {row["url"]: row for row in db["reports"].rows}
    assert rows["http://127.0.0.1/old.html"]["title"] == "旧报告"  # nothing old is lost
    assert rows["http://127.0.0.1/new.html"]["county"] == "东城区"
    assert db["sections"].pks == ["report_id", "key"]

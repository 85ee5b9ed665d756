"""Chinese full-text search in the archive: the text FTS5 indexes, the queries a user types, and the
indexes themselves. Part of the archive layer (``archive.py`` calls it on every write).

FTS5's default tokenizer sees a run of Chinese characters as one word: 「政府信息公开工作年度报告」 would be
findable only whole. So the archive indexes a shadow text in which every run of CJK characters is cut into
its overlapping pairs (``search_tokens``): 「街道办事处」 → ``街道 道办 办事 事处 处``. A typed term is cut
the same way (``fts_query``): a 2-character term is one token — a single look-up in the index, where a
phrase of two 1-character tokens meant merging two of the longest position lists there are — a longer one
the phrase of its pairs, and one character the prefix query ``复*``. The last character of every run is
also a token of its own, so 复 is found at the end of 「答复」 and 「报告2020」 as the phrase ``报告 告 2020``.

Indexes (FTS5, contentless: the text is kept once, in reports and sections)
- ``report_search_fts``: one entry per report — its title, agency and region (column ``title``) and the
  text of all its sections (``body``). The reports table's search box and the ranked search page ``/-/find``
  use it.
- ``sections_fts``: one entry per section: the sections table's search box.
The archive layer keeps both current: ``unindex_report`` before a report's rows change, ``index_report``
after (a report's entry spans many rows, which a trigger on one table cannot assemble).
"""

from __future__ import annotations

import re

import sqlite_utils

__all__ = ["fts_query", "search_text", "search_tokens"]

# A letter (to FTS5's unicode61 tokenizer) standing for punctuation, so 「街，道」 is not the pair 街道 and
# no phrase runs across a sentence. U+01C0 LATIN LETTER DENTAL CLICK looks like a bar and is never typed.
PUNCTUATION_TOKEN = "ǀ"
_CJK = r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]"
_CJK_RUN = re.compile(_CJK + "+")
# Spaces between Chinese characters mean nothing (PDF text and some pages space them out): 「行 政 复 议」 is
# indexed, and found, as 行政复议.
_SPACE_IN_CJK = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")
# Full-width ASCII (２０１９, ＰＤＦ) as ASCII, the ideographic space as a space: what NFKC does for these
# texts, at a fifth of its cost.
FULL_WIDTH = {0x3000: " ", **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}}
_PUNCTUATION = re.compile(r"[^\w\s]+|_+")
_REPEATED_TOKEN = re.compile(rf"{PUNCTUATION_TOKEN}(?:\s+{PUNCTUATION_TOKEN})+")
_TOKEN_SPLIT = re.compile(rf"({_CJK_RUN.pattern})")


def _pairs(run: str, closed: bool = True) -> str:
    """A run of CJK characters as its overlapping pairs, then (``closed``: the run ends here) its last
    character alone."""
    if len(run) == 1:
        return run
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    return " ".join([*pairs, run[-1]] if closed else pairs)


def _normalised(text: str) -> str:
    text = _SPACE_IN_CJK.sub("", text.translate(FULL_WIDTH))
    return _PUNCTUATION.sub(f" {PUNCTUATION_TOKEN} ", text)


def search_tokens(text: str | None) -> str:
    """Text as the FTS index sees it: CJK runs as overlapping pairs plus their last character, each run of
    punctuation one token ``ǀ``, Latin words and numbers whole; full-width ASCII folded.

    >>> search_tokens("北京市2019年「政府信息公开」，街道")
    '北京 京市 市 2019 年 ǀ 政府 府信 信息 息公 公开 开 ǀ 街道 道'
    """
    if not text:
        return ""
    text = _CJK_RUN.sub(lambda run: " " + _pairs(run.group()) + " ", _normalised(text))
    return _REPEATED_TOKEN.sub(PUNCTUATION_TOKEN, " ".join(text.split()))


def search_text(*fields: str | None) -> str:
    """Fields joined by the punctuation token, so that no phrase runs from one into the next."""
    return f" {PUNCTUATION_TOKEN} ".join(tokens for tokens in map(search_tokens, fields) if tokens)


_TERMS = re.compile(r'"([^"]*)"|(\S+)')


def _term_query(term: str) -> str | None:
    """One typed term as an FTS5 phrase over ``search_tokens`` text, or None when it holds nothing to find.

    The term may start inside a longer run of the text (its pairs are there all the same) and end inside
    one (so its last run is not closed: no lone last character); a run followed by more of the term ends
    where the text's run ends, as the index has it."""
    parts = [p for p in _TOKEN_SPLIT.split(_normalised(term)) if p.strip()]
    while parts and parts[-1].strip() == PUNCTUATION_TOKEN:
        parts.pop()
    while parts and parts[0].strip() == PUNCTUATION_TOKEN:
        parts.pop(0)
    if not parts:
        return None
    tokens = []
    for index, part in enumerate(parts):
        if _CJK_RUN.fullmatch(part):
            tokens.append(_pairs(part, closed=index < len(parts) - 1))
        else:
            tokens.append(" ".join(part.split()))
    phrase = f'"{_REPEATED_TOKEN.sub(PUNCTUATION_TOKEN, " ".join(tokens))}"'
    # One character last: any pair it starts, or itself alone (a run's last character).
    return phrase + " *" if _CJK_RUN.fullmatch(parts[-1]) and len(parts[-1]) == 1 else phrase


def fts_query(typed: str | None) -> str:
    """What a user types as an FTS5 query over ``search_text``'s tokens: each term (split at spaces, or "quoted")
    a phrase of its tokens, all terms required; ``OR`` between terms is kept.

    >>> fts_query("街道 政府信息公开 复")
    '"街道" "政府 府信 信息 息公 公开" "复" *'
    """
    parts: list[str] = []
    for quoted, bare in _TERMS.findall(typed or ""):
        if bare == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        query = _term_query(quoted or bare)
        if query:
            parts.append(query)
    while parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts) or '""'  # "": matches nothing, where an empty MATCH would be an error


# ------------------------------------------------------------------------------------------- the indexes
# Contentless (content=''): the index keeps only tokens, never a second copy of the text, which stays once in
# reports and sections. Its rowids are those of reports and of sections. Removing an entry means telling the
# index the tokens it was given, so entries are written only here, from the rows, by this version's
# search_tokens — a change to search_tokens bumps archive.SCHEMA_VERSION, and the upgrade rebuilds both.
_INDEXES = {
    "report_search_fts": "create virtual table report_search_fts using fts5(title, body, content='')",
    "sections_fts": "create virtual table sections_fts using fts5(text, content='')",
}


def _report_entries(db: sqlite_utils.Database, rid: str) -> tuple[tuple, list[tuple]] | None:
    """The entries of one report: (rowid, title, body) in report_search_fts and (rowid, text) for each of
    its sections in sections_fts, or None when the report has no row."""
    row = db.execute("select rowid, title, agency, region from reports where id = ?", [rid]).fetchone()
    if row is None:
        return None
    sections = [
        (rowid, search_text(heading, text))
        for rowid, heading, text in db.execute(
            "select rowid, heading, text from sections where report_id = ? order by number, key", [rid]
        )
    ]
    body = f" {PUNCTUATION_TOKEN} ".join(text for _, text in sections if text)
    return (row[0], search_text(*row[1:]), body), sections


def index_report(db: sqlite_utils.Database, rid: str) -> None:
    """Put a report (row and sections written) into both indexes."""
    entries = _report_entries(db, rid)
    if entries is None or not db["report_search_fts"].exists():
        return
    report, sections = entries
    db.execute("insert into report_search_fts (rowid, title, body) values (?, ?, ?)", report)
    db.conn.executemany("insert into sections_fts (rowid, text) values (?, ?)", sections)


def unindex_report(db: sqlite_utils.Database, rid: str) -> None:
    """Take a report out of both indexes, before its row or sections change. (No index: an upgrade is
    rewriting reports, and builds the indexes after.)"""
    entries = _report_entries(db, rid)
    if entries is None or not db["report_search_fts"].exists():
        return
    report, sections = entries
    db.execute(
        "insert into report_search_fts (report_search_fts, rowid, title, body) values ('delete', ?, ?, ?)",
        report,
    )
    db.conn.executemany(
        "insert into sections_fts (sections_fts, rowid, text) values ('delete', ?, ?)", sections
    )


def enable_search(db: sqlite_utils.Database) -> None:
    """Both indexes in place: created, and filled from every report, when missing."""
    if all(db[name].exists() for name in _INDEXES):
        return
    drop_search(db)
    for sql in _INDEXES.values():
        db.execute(sql)
    for (rid,) in db.execute("select id from reports").fetchall():
        index_report(db, rid)


def drop_search(db: sqlite_utils.Database) -> None:
    """Both indexes, and what an earlier version had in their place (indexes over shadow columns, with
    triggers), before an upgrade rewrites reports: ``enable_search`` builds them afresh."""
    for table in ("reports", "sections"):
        for suffix in ("ai", "ad", "au"):
            db.execute(f"drop trigger if exists [{table}_{suffix}]")
    for name in ("reports_fts", "sections_fts", "report_search_fts"):
        db.execute(f"drop table if exists [{name}]")
    db.execute("drop view if exists report_search")

"""The real corpus: every hand-read cell, the year and the template of 16 reports nobody here designed.

Documents and answers are read from ``../shared/corpus`` (``GOVREPORTS_CORPUS`` to point elsewhere);
tests/corpus_answers.py turns the answers' Chinese labels into the parse's keys. Every document must be
read at 100 %, and the agency's own identity break in 22 reported, not repaired.
"""

from __future__ import annotations

import json

import pytest

from tests.corpus_answers import CORPUS, corpus_documents, score_document

DOCUMENTS = corpus_documents()
if not DOCUMENTS:
    pytestmark = pytest.mark.skip(
        reason=f"the real corpus is not at {CORPUS} (set GOVREPORTS_CORPUS to the corpus folder)"
    )


@pytest.mark.parametrize(("number", "document", "answer"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_every_answered_cell_is_read(number, document, answer):
    score = score_document(number, document, answer)
    assert score.wrong == [], f"{number}: {score.right}/{score.total}"


def test_the_agency_s_own_identity_break_is_reported_not_repaired():
    from extract import parse_document

    document = CORPUS / "22.html"
    if not document.exists():
        pytest.skip(f"{document} not found (set GOVREPORTS_CORPUS)")
    report = parse_document(document.read_bytes(), path=str(document))
    answer = json.loads((CORPUS / "22.json").read_text(encoding="utf-8"))
    printed = answer["table3"]["（七）总计"]
    assert report["applications"]["total_handled"]["natural_person"] == printed[0]
    broken = [f for f in report["findings"] if f["check"] == "applications.handled_sum"]
    assert {f["where"] for f in broken} >= {"natural_person", "total"}

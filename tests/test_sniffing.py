"""Saved article bodies are HTML: by their first tag, by their table markup, by a .html name.

Portals' report bodies are saved without their page (「<div class=TRS_Editor>…」, 「<p …>」, 「<table …>」, no
<html>, no <body>), in .html files and in .txt files alike. Browsers sniff them as HTML; so must we, and say
so when the bytes overrule the declared type or the file's extension. The fragments below are cut from the
real corpus pages (read from ../shared/corpus) and must give the cells of the full page.
"""

from __future__ import annotations

import re

import pytest

from extract import parse_document, sniff_media_type
from tests.corpus_answers import CORPUS, read_cells

HTML = "text/html"
TEXT = "text/plain"
PDF = "application/pdf"
CORPUS_PAGES = sorted(CORPUS.glob("*.html"))


def _sniffed(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["check"] == "document.sniffed"]


# --------------------------------------------------------------------------------- by the first bytes


@pytest.mark.parametrize(
    "fragment",
    [
        b'<div class=TRS_Editor><p align="justify">\xe4\xb8\x80</p></div>',
        b"\r\n  <P class=MsoNormal style='text-indent:2em'><SPAN>x</SPAN></P>",
        b'<table border="1" cellspacing="0"><tbody><tr><td>1</td></tr></tbody></table>',
        b'<span style="font-family: \xe4\xbb\xbf\xe5\xae\x8b_GB2312;">x</span>',
        b'<font face="\xe4\xbb\xbf\xe5\xae\x8b">x</font>',
        b"<strong>x</strong>",
        b"<h1>x</h1>",
        b"<h3 style='text-align:center'>x</h3>",
        b"<br/>x",
        b"<section><p>x</p></section>",
        b"<article>x</article>",
        b"<!--[if !supportLists]--><span>7\xe3\x80\x81</span><!--[endif]-->",
        b"\xef\xbb\xbf<div>x</div>",  # a UTF-8 byte order mark before the tag
    ],
)
def test_a_body_opening_with_a_known_tag_is_html(fragment):
    assert sniff_media_type(fragment) == HTML
    assert sniff_media_type(fragment, "text/plain") == HTML  # the bytes overrule the declaration


def test_text_before_a_table_is_html_by_its_table_markup():
    body = "平潭综合实验区2019年政府信息公开工作年度报告\n<table><tr><td>规章</td><td>0</td></tr></table>"
    assert sniff_media_type(body.encode()) == HTML


@pytest.mark.parametrize(
    "text",
    [
        "一、总体情况\n2019年，我街道……",
        "<pages>不是标签</pages>",  # 「<p」 starts the word, but no tag ends there
        "<!-- image -->\n平潭综合实验区2019年政府信息公开工作年度报告",  # a converter's comment before text
        "# 一、总体情况\n<table><tr><td>1</td></tr></table>",  # markdown with an inline table
        "收到申请 <5 件，表格见附件",
    ],
)
def test_text_that_only_looks_like_markup_is_not_html(text):
    assert sniff_media_type(text.encode()) != HTML


def test_the_extension_html_makes_html_unless_the_bytes_are_another_format():
    plain = "一、总体情况\n2019年，我街道……".encode()
    assert sniff_media_type(plain, path="report.html") == HTML
    assert sniff_media_type(plain, path="REPORT.SHTML") == HTML
    assert sniff_media_type(plain, path="report.txt") == TEXT
    assert sniff_media_type(b"%PDF-1.7 ...", path="report.html") == PDF
    # A declared text type is the sender's word against the file name: it stands.
    assert sniff_media_type(plain, "text/plain", path="report.html") == TEXT


def test_a_sniff_that_overrules_the_container_is_a_finding():
    body = '<div class="TRS_Editor"><p>平潭综合实验区2019年政府信息公开工作年度报告</p></div>'.encode()
    assert [f["where"] for f in _sniffed(parse_document(body, path="NN.txt"))] == ["path"]
    assert [f["where"] for f in _sniffed(parse_document(body, media_type="text/plain"))] == ["media_type"]
    both = _sniffed(parse_document(body, path="NN.txt", media_type="text/plain; charset=utf-8"))
    assert [f["where"] for f in both] == ["media_type", "path"]
    assert all(f["severity"] == "warning" and HTML in f["message"] for f in both)
    # What agrees with the bytes, or says nothing (octet-stream), is no finding.
    assert _sniffed(parse_document(body, path="NN.html", media_type="text/html")) == []
    assert _sniffed(parse_document(body, media_type="application/octet-stream")) == []
    plain = "一、总体情况\n2019年，我街道……".encode()
    assert _sniffed(parse_document(plain, path="seed.txt")) == []
    (overruled,) = _sniffed(parse_document(plain, path="report.html", media_type="text/plain"))
    assert overruled["where"] == "path" and ".html" in overruled["message"]


def test_a_hand_written_body_of_paragraphs_and_table_four_is_read_in_a_txt_file():
    numbers = "".join(f"<td>{n}</td>" for n in (1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    body = (
        "<p>四、政府信息公开行政复议、行政诉讼情况</p>\n"
        '<table border="1"><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
        f"<tr>{numbers}</tr></table>"
    )
    report = parse_document(body.encode("utf-8"), path="body.txt")
    assert report["source"]["media_type"] == HTML
    assert report["reviews"]["review_upheld"] == 1 and report["reviews"]["review_total"] == 1


# ----------------------------------------------------------------------- fragments of the real corpus


def _body(page: str) -> str:
    """The page without <html>, <head> and <body>: what a saved article body holds."""
    return re.search(r"<body[^>]*>(.*)</body>", page, re.DOTALL).group(1)


def _editor(page: str) -> str:
    """Only the inside of the TRS_Editor <div> (or the body where the page has none)."""
    inner = re.search(r'<div class="TRS_Editor"[^>]*>(.*)</div>\s*</div>', page, re.DOTALL)
    return inner.group(1) if inner else _body(page)


def _same_cells(full: dict, fragment: dict) -> None:
    whole, part = read_cells(full), read_cells(fragment)
    assert len(whole) > 100
    assert {k: v for k, v in part.items() if k != "year"} == {k: v for k, v in whole.items() if k != "year"}
    # A fragment may lose the title that named the year; it never names another.
    assert part["year"] in (whole["year"], None)


@pytest.mark.skipif(not CORPUS_PAGES, reason=f"the real corpus is not at {CORPUS} (set GOVREPORTS_CORPUS)")
@pytest.mark.parametrize("page", CORPUS_PAGES, ids=[p.stem for p in CORPUS_PAGES])
@pytest.mark.parametrize("cut", [_body, _editor], ids=["body", "editor"])
@pytest.mark.parametrize(
    ("container", "sniffed"),
    [
        ({"path": "saved.html"}, []),
        ({"path": "saved.txt"}, ["path"]),
        ({"media_type": TEXT}, ["media_type"]),
        ({}, []),
    ],
    ids=["html-file", "txt-file", "declared-text", "nothing-said"],
)
def test_a_saved_corpus_body_gives_the_cells_of_its_page(page, cut, container, sniffed):
    text = page.read_text(encoding="utf-8")
    full = parse_document(text.encode("utf-8"), path=str(page))
    fragment = parse_document(cut(text).encode("utf-8"), **container)
    assert fragment["source"]["media_type"] == HTML
    _same_cells(full, fragment)
    assert [f["where"] for f in _sniffed(fragment)] == sniffed


@pytest.mark.skipif(not (CORPUS / "34.html").exists(), reason=f"34.html not in {CORPUS}")
def test_a_gbk_saved_body_is_html_too():
    page = (CORPUS / "34.html").read_text(encoding="utf-8")
    full = parse_document(page.encode("utf-8"))
    fragment = parse_document(_editor(page).encode("gb18030"), path="34.txt")
    assert fragment["source"]["media_type"] == HTML
    _same_cells(full, fragment)

"""The author a report body names itself — signature, then opening — and the year its opening names.

For saved bodies that kept no title: the corpus pages (../shared/corpus) without their <html>/<head> and
without their title paragraph, and the shapes of their signatures and openings written by hand.
"""

from __future__ import annotations

import json
import re

import pytest

from extract.agency import agency_from_body, full_agency_name, year_from_opening
from extract.readers.html import read_html
from tests.corpus_answers import CORPUS

OPENING = (
    "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和实验区管委会信息公开工作的要求，"
    "结合国务院办公厅政府信息与政务公开办公室《关于政府信息公开工作年度报告有关事项的通知》精神，"
    "我局编制了2019年度政府信息公开年度报告。"
)
LAST_SECTION = ["六、其他需要报告的事项", "无"]


# ----------------------------------------------------------------------------------------- signature


def test_the_signature_of_a_corpus_body_names_its_bureau():
    lines = [*LAST_SECTION, "平潭综合实验区财政金融局", "2020年1月2日"]
    assert agency_from_body(lines) == "平潭综合实验区财政金融局"


@pytest.mark.parametrize(
    "signature",
    [
        ["平潭综合实验区公安局", "2020年1月17日"],
        ["平潭综合实验区公安局", "二〇二〇年一月十七日"],
        ["平潭综合实验区公安局", "2020-01-17"],
        ["平潭综合实验区公安局 2020年1月17日"],
        ["平潭综合实验区 公安局", "2020年1月"],  # a name spaced out for alignment
        ["平潭综合实验区公安局", "2020年1月17日", "— 7 —"],  # page furniture after the signature
        ["平潭综合实验区公安局", "2020年1月17日", "（此件主动公开）"],
    ],
)
def test_the_signature_names_the_agency(signature):
    assert agency_from_body([OPENING, *LAST_SECTION, *signature]) == "平潭综合实验区公安局"


def test_a_joint_signature_gives_the_lead_author():
    lines = [*LAST_SECTION, "某某县人民政府办公室", "某某县政务服务数据管理局", "2022年1月20日"]
    assert agency_from_body(lines) == "某某县人民政府办公室"


@pytest.mark.parametrize(
    "ending",
    [
        ["区管委会办公室", "2020年1月17日"],  # who, only to a reader who knows where
        ["市政府办公室", "2020年1月17日"],
        ["我局", "2020年1月17日"],
        ["下一步，我局将加强与区财政局。", "2020年1月17日"],  # a sentence, not a name
        ["平潭综合实验区公安局"],  # no date: a name in the text, not a signature
        ["2025 年度本机关未收取信息公开处理费。", "— 7 —"],
    ],
)
def test_what_is_no_full_signature_gives_none(ending):
    assert agency_from_body([*LAST_SECTION, *ending]) is None


# ------------------------------------------------------------------------------------------- opening


@pytest.mark.parametrize(
    ("opening", "agency"),
    [
        (
            "根据《条例》和《福建省政府信息公开办法》要求，平潭综合实验区管委会办公室编制完成了本报告。",
            "平潭综合实验区管委会办公室",
        ),
        ("根据《条例》要求，由北京市东城区永定门外街道办事处编制本报告。", "北京市东城区永定门外街道办事处"),
        (
            "根据上级要求，某某县人民政府办公室编制了某某县2020年政府信息公开工作年度报告。",
            "某某县人民政府办公室",
        ),
        ("根据《条例》要求，区管委会办公室编制完成了本报告。", None),
        ("根据《条例》要求，我区编制完成了本报告。", None),
        ("结合我局工作实际，现编制完成了本报告。", None),
        # A name inside 《》 is another document's.
        ("本报告根据《平潭综合实验区管委会办公室关于编制年度报告的通知》编制。", None),
        ("本报告汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成。", None),
    ],
)
def test_the_opening_names_the_agency_only_in_full(opening, agency):
    assert agency_from_body([opening, "一、总体情况", "2019年，……"]) == agency


def test_the_signature_comes_before_the_opening():
    opening = "根据《条例》要求，平潭综合实验区管委会办公室编制完成了本报告。"
    lines = [opening, *LAST_SECTION, "平潭综合实验区公安局", "2020年1月17日"]
    assert agency_from_body(lines) == "平潭综合实验区公安局"


def test_full_agency_names():
    assert full_agency_name("国家统计局") == "国家统计局"
    assert full_agency_name("济南市市中区人民政府") == "济南市市中区人民政府"
    assert full_agency_name("一、总体情况") is None
    assert full_agency_name("（一）某某县公安局") is None
    assert full_agency_name("区公安局") is None


# ---------------------------------------------------------------------------------------------- year


def test_the_opening_names_the_report_s_year():
    assert year_from_opening([OPENING, "一、总体情况"]) == 2019
    # A year inside a quoted notice belongs to the notice.
    quoted = "根据《国务院办公厅关于印发2020年政务公开工作要点的通知》和《关于做好2019年政府信息公开工作年度报告的通知》要求，我局编制本报告。"
    assert year_from_opening([quoted]) is None
    assert year_from_opening(["一、总体情况", "2019年，我局……"]) is None


# -------------------------------------------------------------------------------- the real corpus

CORPUS_PAGES = sorted(CORPUS.glob("*.html"))
_PARAGRAPH = re.compile(r"<p[^>]*>(?:(?!</p>).)*</p>", re.DOTALL)


def _untitled_body(page: str) -> bytes:
    """The page's body without the title a saved body may have lost (「…2019年政府信息公开工作年度报告」)."""
    body = re.search(r"<body[^>]*>(.*)</body>", page, re.DOTALL).group(1)
    body = re.sub(r'<div class="article_title[^"]*">.*?</div>', "", body, flags=re.DOTALL)

    def drop_title(paragraph: re.Match) -> str:
        text = re.sub(r"<[^>]+>|&nbsp;|\s", "", paragraph.group(0))
        return "" if text.endswith("年度报告") and len(text) < 40 else paragraph.group(0)

    return _PARAGRAPH.sub(drop_title, body).encode("utf-8")


@pytest.mark.skipif(not CORPUS_PAGES, reason=f"the real corpus is not at {CORPUS} (set GOVREPORTS_CORPUS)")
@pytest.mark.parametrize("page", CORPUS_PAGES, ids=[p.stem for p in CORPUS_PAGES])
def test_a_corpus_body_names_its_author_right_or_not_at_all(page):
    answer = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    lines = read_html(_untitled_body(page.read_text(encoding="utf-8"))).text_lines
    assert not any("年度报告" in line and len(line) < 40 for line in lines[:2]), "the title was not cut"
    assert agency_from_body(lines) in (None, answer["agency"])
    assert year_from_opening(lines) in (None, answer["year"])


@pytest.mark.parametrize(
    ("number", "agency"), [("34", "平潭综合实验区财政金融局"), ("35", "平潭综合实验区公安局")]
)
def test_signed_corpus_bodies_give_their_agency(number, agency):
    page = CORPUS / f"{number}.html"
    if not page.exists():
        pytest.skip(f"{page} not found (set GOVREPORTS_CORPUS)")
    lines = read_html(_untitled_body(page.read_text(encoding="utf-8"))).text_lines
    assert agency_from_body(lines) == agency
    if number == "35":
        assert year_from_opening(lines) == 2019  # 「我局编制了2019年度政府信息公开年度报告」

"""The 36 sample reports: which are seeds, how each is printed, its figures, title and date.

Every random choice comes from the one random.Random passed in, always in the same order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import disclosure
from agencies import AGENCIES, YEARS, Agency
from figures import (
    APPLICANTS,
    ReportFigures,
    break_balance,
    break_row_total,
    broken_identities,
    draw_carried_forward,
    draw_new_received,
    generate_applications,
    generate_reviews,
)
from report_style import PROBLEMS_HEADING_VARIANT, REVIEWS_HEADING_VARIANT, ReportStyle
from seed_figures import carried_forward, carried_over, seed_figures

SEEDS = {
    ("guoyuan", 2019): "000",
    ("gucheng", 2019): "001",
    ("yongwai", 2020): "002",
    ("qianjin", 2020): "003",
    ("chaoyang", 2019): "004",
}
SEED_DATES = {
    "000": (date(2020, 1, 20), "09:30"),
    "001": (date(2020, 3, 16), "16:05"),
    "002": (date(2021, 1, 28), "10:15"),
    "003": (date(2021, 1, 29), "11:40"),
    "004": (date(2020, 1, 22), "15:20"),
}
# The seeds' own look, so the pages resemble the documents their figures come from.
SEED_STYLES = {
    "000": ReportStyle(
        fmt="docx",
        br_headers=True,
        problems_heading=PROBLEMS_HEADING_VARIANT,
        other_heading="六、2020年工作计划",
    ),
    "001": ReportStyle(
        markup="word",
        container="trs_editor_view TRS_UEDITOR",
        overview_heading="1、 总体情况",
        other_heading="6、 其他需要报告的事项",
        money_yuan=True,
        procurement_header="采购总金额",
    ),
    "002": ReportStyle(
        markup="word",
        blank_mode="sparse",
        blank_markup="nbsp",
        vertical_header=True,
        spaced_total=True,
        change_style="fullwidth_plus",
    ),
    "003": ReportStyle(
        encoding="gb18030",
        container="zoom",
        social_org_label=True,
        halfwidth_parens=True,
        duplicate_overview=True,
        fees_block="empty_cell",
        procurement_header="采购总金额（单位：万元，保留4位小数）",
    ),
    "004": ReportStyle(
        markup="word", container="trs_editor_view TRS_UEDITOR", problems_heading=PROBLEMS_HEADING_VARIANT
    ),
}
DOCX_REPORTS = (("gucheng", 2021), ("shiliqu", 2023))  # generated reports published only as DOCX
CONTAINER_NAMES = ("TRS_Editor", "trs_editor_view TRS_UEDITOR", "zoom")


@dataclass(eq=False)
class Report:
    agency: Agency
    year: int
    seed: str | None
    style: ReportStyle
    figures: ReportFigures = field(init=False)
    published: date = field(init=False)
    time: str = field(init=False)
    title: str = field(init=False)

    @property
    def key(self) -> str:
        return f"{self.agency.key}-{self.year}"

    @property
    def total_new(self) -> int:
        return self.figures.applications["new_received"]["total"]


def build_catalog(rng: random.Random) -> list[Report]:
    reports = plan_reports()
    generated = [r for r in reports if r.seed is None]
    assign_figure_styles(rng, generated)
    generate_figures(rng, reports)
    break_identities(rng, generated)
    assign_print_styles(rng, generated)
    assign_dates(rng, reports)
    for report in reports:
        report.title = report_title(report)
    return reports


def plan_reports() -> list[Report]:
    reports = []
    for agency in AGENCIES:
        for year in YEARS:
            seed = SEEDS.get((agency.key, year))
            style = replace(SEED_STYLES[seed]) if seed else ReportStyle()
            if (agency.key, year) in DOCX_REPORTS:
                style.fmt = "docx"
            reports.append(Report(agency, year, seed, style))
    return reports


# --- styles -----------------------------------------------------------------------------------------


def assign_figure_styles(rng: random.Random, generated: list[Report]) -> None:
    """Quirks that change the figures' printed text, needed before the figures are drawn."""
    old_layout = [r for r in generated if r.year <= 2020]
    new_layout = [r for r in generated if r.year >= 2021]
    rng.choice(
        [r for r in new_layout if r.year == 2021 and r.style.fmt == "html"]
    ).style.single_other_row = True
    rng.choice(old_layout).style.money_yuan = True
    # Sign habits only show where items changed: the county and, from 2020, the Beijing streets.
    changing = [
        r for r in old_layout if r.agency.level == "county" or (r.agency.split_services and r.year >= 2020)
    ]
    signs = ["ascii_plus", "ascii_plus", "fullwidth_plus"]
    for report, sign in zip(rng.sample(changing, len(signs)), signs, strict=True):
        report.style.change_style = sign
    for report in rng.sample([r for r in new_layout if not r.style.single_other_row], 3):
        report.style.short_normative_label = True


def switch_on(rng: random.Random, pool: list[Report], count: int, **values: object) -> None:
    for report in rng.sample(pool, count):
        for name, value in values.items():
            setattr(report.style, name, value)


def assign_print_styles(rng: random.Random, generated: list[Report]) -> None:
    """Markup, headings and table quirks, spread so each shows up in several reports but never all."""
    pages = [r for r in generated if r.style.fmt == "html"]
    for report in pages:
        report.style.container = rng.choice(CONTAINER_NAMES)
    switch_on(rng, pages, 13, markup="word")
    switch_on(rng, pages, 3, encoding="gb18030")
    switch_on(rng, pages, 8, split_labels=True)
    switch_on(rng, generated, 9, br_headers=True)
    switch_on(rng, generated, 4, vertical_header=True)
    switch_on(rng, generated, 3, typo_prohibited=True)
    switch_on(rng, generated, 3, social_org_label=True)
    switch_on(rng, generated, 3, comma_numbering=True)
    switch_on(rng, generated, 3, halfwidth_parens=True)
    quotes = ["ascii", "ascii", "ascii", "single", "single", "corner", "corner"]
    for report, quote in zip(rng.sample(generated, len(quotes)), quotes, strict=True):
        report.style.quote_style = quote
    switch_on(rng, generated, 5, reviews_heading=REVIEWS_HEADING_VARIANT)
    switch_on(rng, generated, 8, problems_heading=PROBLEMS_HEADING_VARIANT)
    switch_on(rng, generated, 1, overview_heading="1、 总体情况")
    switch_on(rng, generated, 8, reviews_note=True)
    switch_on(rng, generated, 2, title_form="niandu")
    switch_on(rng, [r for r in generated if r.style.title_form == "standard"], 2, title_form="year_first")
    old_layout = [r for r in generated if r.year <= 2020]
    switch_on(rng, old_layout, 2, fees_block="ragged")
    switch_on(rng, [r for r in old_layout if r.style.fees_block == "colspan"], 1, fees_block="empty_cell")
    for report in rng.sample(generated, 2):
        report.style.other_heading = f"六、{report.year + 1}年工作计划"
    assign_blanks(rng, generated)
    busy = [r for r in generated if r.figures.applications["new_received"]["natural_person"] >= 10]
    switch_on(rng, busy, 4, fullwidth_cells=True)


def assign_blanks(rng: random.Random, generated: list[Report]) -> None:
    """Blank-for-zero tables; one report without any application gets a table that is blank throughout."""
    idle = [r for r in generated if r.total_new == 0 and r.figures.applications["carried_over"]["total"] == 0]
    chosen = rng.sample(idle, 1) if idle else []
    chosen += rng.sample([r for r in generated if r not in chosen and r.total_new > 0], 5)
    for report in chosen:
        report.style.blank_mode = "blank_columns"
    for report in rng.sample([r for r in generated if r.style.blank_mode == "zeros" and r.total_new > 0], 5):
        report.style.blank_mode = "sparse"
    markups = ("nbsp", "op", "empty")
    # How an empty cell is written only matters in HTML; a DOCX cell is simply empty.
    for i, report in enumerate(
        r for r in generated if r.style.blank_mode != "zeros" and r.style.fmt == "html"
    ):
        report.style.blank_markup = markups[i % len(markups)]


# --- figures ----------------------------------------------------------------------------------------


def generate_figures(rng: random.Random, reports: list[Report]) -> None:
    """Figures per agency, year by year, carrying open applications and running counts forward."""
    for agency in AGENCIES:
        chain = [r for r in reports if r.agency == agency]
        ledger = disclosure.new_ledger(agency)
        carried_in = dict.fromkeys(APPLICANTS, 0)
        for i, report in enumerate(chain):
            if report.seed:
                report.figures = seed_figures(report.seed)
            else:
                following = chain[i + 1] if i + 1 < len(chain) else None
                forced = carried_over(seed_figures(following.seed)) if following and following.seed else None
                report.figures = generated_figures(rng, report, ledger, carried_in, forced)
            carried_in = carried_forward(report.figures)


def generated_figures(
    rng: random.Random,
    report: Report,
    ledger: disclosure.Ledger,
    carried_in: dict[str, int],
    forced_out: dict[str, int] | None,
) -> ReportFigures:
    agency, year, style = report.agency, report.year, report.style
    template = "2019" if year <= 2020 else "2021"
    split_other = template == "2021" and not style.single_other_row
    if template == "2019":
        blocks = disclosure.disclosure_2019(rng, agency, year, ledger, style)
    else:
        blocks = disclosure.disclosure_2021(rng, agency, year, ledger, style)
    low, high = agency.applications
    new = draw_new_received(rng, low, high, agency.zero_rate)
    available = {c: new[c] + carried_in[c] for c in APPLICANTS}
    out = forced_out if forced_out is not None else draw_carried_forward(rng, available)
    apps = generate_applications(rng, new, carried_in, out, split_other)
    reviews = generate_reviews(rng, apps["new_received"]["total"])
    return ReportFigures(template, split_other, blocks, apps, reviews)


def break_identities(rng: random.Random, generated: list[Report]) -> None:
    """Exactly two generated reports print tables that break one identity each, as real ones do."""
    candidates = [r for r in generated if r.figures.applications["granted"]["total"] >= 1]
    row_total = rng.choice(candidates)
    break_row_total(row_total.figures.applications)
    balance = rng.choice([r for r in generated if r.total_new > 0 and r is not row_total])
    break_balance(balance.figures.applications)
    for report in generated:
        report.figures.broken = broken_identities(report.figures)
    if row_total.figures.broken != ["applications.row_total"] or balance.figures.broken != [
        "applications.balance"
    ]:
        raise AssertionError("a deliberate break touched more than one identity")


# --- titles and dates -------------------------------------------------------------------------------


def report_title(report: Report) -> str:
    name, year = report.agency.name, report.year
    if report.style.title_form == "niandu":
        return f"{name}{year}年度政府信息公开工作报告"
    if report.style.title_form == "year_first":
        return f"{year}年{name}政府信息公开工作年度报告"
    return f"{name}{year}年政府信息公开工作年度报告"


def assign_dates(rng: random.Random, reports: list[Report]) -> None:
    """Reports appear between 10 January and 31 March of the following year (seeds: fixed dates)."""
    for report in reports:
        if report.seed:
            report.published, report.time = SEED_DATES[report.seed]
            continue
        first = date(report.year + 1, 1, 10)
        last = date(report.year + 1, 3, 31)
        report.published = first + timedelta(days=rng.randint(0, (last - first).days))
        report.time = f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"

"""Table figures of the sample reports: the keys of report-template.md, their generation and identities.

catalog.py draws them per agency as a chain over the years, so that one year's 结转下年度继续办理
becomes the next year's 上年结转 (real agencies carry applications over the same way).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

APPLICANTS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org")
COLUMNS = (*APPLICANTS, "total")

DENIED = (
    "denied_state_secret",
    "denied_prohibited_by_law",
    "denied_security_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_inquiry",
)
UNAVAILABLE = ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear")
REJECTED = (
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
)
OTHER_SPLIT = ("other_no_supplement", "other_unpaid_fee", "other_misc")

REVIEW_GROUPS = ("review", "suit", "suit_after_review")
REVIEW_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
REVIEW_KEYS = tuple(f"{group}_{outcome}" for group in REVIEW_GROUPS for outcome in REVIEW_OUTCOMES)

# How a handled application ends, roughly as often as in published county and street reports.
RESULT_WEIGHTS = {
    "granted": 30.0,
    "partially_granted": 8.0,
    "denied_state_secret": 0.3,
    "denied_prohibited_by_law": 0.8,
    "denied_security_stability": 0.3,
    "denied_third_party": 2.0,
    "denied_internal_affairs": 1.5,
    "denied_process_info": 3.0,
    "denied_enforcement_file": 1.0,
    "denied_inquiry": 1.5,
    "unavailable_not_held": 25.0,
    "unavailable_needs_creation": 5.0,
    "unavailable_unclear": 3.0,
    "rejected_petition": 4.0,
    "rejected_duplicate": 3.0,
    "rejected_publication": 0.8,
    "rejected_excessive": 0.8,
    "rejected_confirmation": 1.0,
    "other_handling": 5.0,
    "other_no_supplement": 3.0,
    "other_unpaid_fee": 0.3,
    "other_misc": 1.7,
}

Applications = dict[str, dict[str, int]]
Reviews = dict[str, int]


def result_rows(split_other: bool) -> tuple[str, ...]:
    """Rows of 三、本年度办理结果 as printed: （六） is one row (2019) or three (2021)."""
    other = OTHER_SPLIT if split_other else ("other_handling",)
    return ("granted", "partially_granted", *DENIED, *UNAVAILABLE, *REJECTED, *other)


def printed_rows(split_other: bool) -> tuple[str, ...]:
    """All data rows of table 三 in printed order."""
    return ("new_received", "carried_over", *result_rows(split_other), "total_handled", "carried_forward")


def expected_rows(split_other: bool) -> tuple[str, ...]:
    """Rows stored in expected.json: the printed ones plus other_handling, always present."""
    rows = list(printed_rows(split_other))
    if split_other:
        rows.insert(rows.index("total_handled"), "other_handling")
    return tuple(rows)


@dataclass
class Figure:
    """One value cell of table 二: the number and the text printed in the cell."""

    metric: str
    value: int | float
    text: str


@dataclass
class DisclosureLine:
    item: str
    label: str
    figures: list[Figure]
    group: str | None = None  # a label shared by several lines (rowspan), e.g. 其他对外管理服务事项


@dataclass
class DisclosureBlock:
    heading: str  # 第二十条第（一）项
    headers: list[str]  # 信息内容, then one header per value column
    lines: list[DisclosureLine]


@dataclass
class ReportFigures:
    template: str  # "2019" or "2021", judged from table 二's layout
    split_other: bool  # table 三 prints （六） as three sub-rows
    disclosure: list[DisclosureBlock]
    applications: Applications
    reviews: Reviews
    broken: list[str] = field(default_factory=list)
    note: str | None = None

    def disclosure_rows(self) -> list[dict[str, object]]:
        return [
            {"item": line.item, "metric": fig.metric, "value": fig.value}
            for block in self.disclosure
            for line in block.lines
            for fig in line.figures
        ]


# --- identities -----------------------------------------------------------------------------------


def broken_identities(figures: ReportFigures) -> list[str]:
    """Names of the report-template.md identities that the printed figures break."""
    apps = figures.applications
    handled_rows = result_rows(figures.split_other)
    broken = []
    if any(
        apps["new_received"][c] + apps["carried_over"][c]
        != apps["total_handled"][c] + apps["carried_forward"][c]
        for c in COLUMNS
    ):
        broken.append("applications.balance")
    if any(apps["total_handled"][c] != sum(apps[r][c] for r in handled_rows) for c in COLUMNS):
        broken.append("applications.handled_sum")
    if any(
        apps[r]["total"] != sum(apps[r][c] for c in APPLICANTS) for r in printed_rows(figures.split_other)
    ):
        broken.append("applications.row_total")
    reviews = figures.reviews
    if any(
        reviews[f"{g}_total"] != sum(reviews[f"{g}_{o}"] for o in REVIEW_OUTCOMES[:-1]) for g in REVIEW_GROUPS
    ):
        broken.append("reviews.total")
    return broken


# --- table 三 ---------------------------------------------------------------------------------------


def empty_applications(split_other: bool) -> Applications:
    return {row: dict.fromkeys(COLUMNS, 0) for row in expected_rows(split_other)}


def fill_totals(apps: Applications, split_other: bool) -> None:
    """Derive other_handling (2021) and the 总计 column from the applicant columns."""
    for col in APPLICANTS:
        if split_other:
            apps["other_handling"][col] = sum(apps[r][col] for r in OTHER_SPLIT)
    for row in apps.values():
        row["total"] = sum(row[c] for c in APPLICANTS)


def draw_new_received(rng: random.Random, low: int, high: int, zero_rate: float) -> dict[str, int]:
    """New applications per applicant column; legal persons are rare, as in real street reports."""
    natural = 0 if rng.random() < zero_rate else rng.randint(low, high)
    new = dict.fromkeys(APPLICANTS, 0)
    new["natural_person"] = natural
    if natural >= 8:
        new["commercial"] = rng.randint(0, natural // 8)
        new["legal_service"] = rng.randint(0, natural // 20)
        new["other_org"] = 1 if rng.random() < 0.2 else 0
        new["research"] = 1 if rng.random() < 0.08 else 0
        new["social_org"] = 1 if rng.random() < 0.1 else 0
    return new


def draw_carried_forward(rng: random.Random, available: dict[str, int]) -> dict[str, int]:
    """Applications still open at 31 December: a few natural-person ones, now and then a firm's."""
    out = dict.fromkeys(APPLICANTS, 0)
    if available["natural_person"] >= 6 and rng.random() < 0.6:
        out["natural_person"] = rng.randint(1, min(6, available["natural_person"] // 4 + 1))
    if available["commercial"] >= 2 and rng.random() < 0.3:
        out["commercial"] = 1
    return out


def generate_applications(
    rng: random.Random,
    new: dict[str, int],
    carried_in: dict[str, int],
    carried_out: dict[str, int],
    split_other: bool,
) -> Applications:
    """A table 三 that satisfies every identity, given the inflow and what stays open."""
    apps = empty_applications(split_other)
    rows = result_rows(split_other)
    weights = [RESULT_WEIGHTS[r] for r in rows]
    for col in APPLICANTS:
        handled = new[col] + carried_in[col] - carried_out[col]
        if handled < 0:
            raise ValueError(f"carried_forward exceeds the applications of column {col}")
        apps["new_received"][col] = new[col]
        apps["carried_over"][col] = carried_in[col]
        apps["carried_forward"][col] = carried_out[col]
        apps["total_handled"][col] = handled
        for row, count in Counter(rng.choices(rows, weights, k=handled)).items():
            apps[row][col] = count
    fill_totals(apps, split_other)
    return apps


def break_row_total(apps: Applications) -> None:
    """Print a 总计 cell one too low and another one too high: only the row sums stop adding up."""
    apps["granted"]["total"] -= 1
    apps["unavailable_not_held"]["total"] += 1


def break_balance(apps: Applications) -> None:
    """One more new application than the results account for (一+二 ≠ 三(七)+四), row sums intact."""
    apps["new_received"]["natural_person"] += 1
    apps["new_received"]["total"] += 1


# --- table 四 ---------------------------------------------------------------------------------------


def generate_reviews(rng: random.Random, applications_total: int) -> Reviews:
    """Reconsiderations and suits: none for most agencies, a few where applications are many."""
    reviews = dict.fromkeys(REVIEW_KEYS, 0)
    if applications_total == 0:
        return reviews
    chance = min(0.9, 0.15 + applications_total / 150)
    for group, scale in (("review", 1.0), ("suit", 0.5), ("suit_after_review", 0.3)):
        if rng.random() >= chance * scale:
            continue
        reviews[f"{group}_upheld"] = rng.randint(0, max(1, applications_total // 25))
        reviews[f"{group}_corrected"] = 1 if rng.random() < 0.3 else 0
        reviews[f"{group}_other"] = 1 if rng.random() < 0.2 else 0
        reviews[f"{group}_pending"] = rng.randint(0, 1)
        reviews[f"{group}_total"] = sum(reviews[f"{group}_{o}"] for o in REVIEW_OUTCOMES[:-1])
    return reviews

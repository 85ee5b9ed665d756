"""Table figures of the five real seed reports (/work/shared/seeds), cell texts exactly as printed.

Only the numbers of tables 二, 三 and 四 are taken from the seeds; their narrative is not.
"""

from __future__ import annotations

from figures import (
    APPLICANTS,
    REVIEW_KEYS,
    Applications,
    DisclosureBlock,
    DisclosureLine,
    Figure,
    ReportFigures,
    Reviews,
    empty_applications,
    fill_totals,
)

SEED_IDS = {
    "000": "000_ffb8e1fe390d9589",
    "001": "001_2fdce6a2b75ef0e3",
    "002": "002_5d3d4df38d2ce363",
    "003": "003_310a36c5978b6ada",
    "004": "004_178304f532461684",
}

SEED_004_NOTE = (
    "The seed's table 三 is cut off after row 7 (denied_enforcement_file) and the cut-off part of "
    "table 四 was read from its value row. The missing rows follow the narrative (1 公开, 8 不存在, "
    "1 非本机关 of 10 received): granted 1, unavailable_not_held 9 (不存在 and 非本机关 both count as "
    "本机关不掌握), total_handled 10; the 1 application carried over is taken as still open "
    "(carried_forward 1) so that identities 1–3 hold."
)

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋", "0123456789+")


def parse_cell(text: str) -> int | float:
    """The number a printed table 二 cell stands for; 元 amounts become 万元."""
    plain = text.translate(FULLWIDTH_DIGITS).strip()
    if plain.endswith("元"):
        return round(float(plain[:-1]) / 10000, 6)
    return float(plain) if "." in plain else int(plain)


def line(
    item: str, label: str, metrics: tuple[str, ...], texts: tuple[str, ...], group: str | None = None
) -> DisclosureLine:
    return DisclosureLine(
        item, label, [Figure(m, parse_cell(t), t) for m, t in zip(metrics, texts, strict=True)], group
    )


ITEMS = ("prior_items", "change", "decisions")


def seed_disclosure(
    normative: tuple[str, str, str],
    services: dict[str, tuple[str, str, str]],
    penalty: tuple[str, str, str],
    coercion: tuple[str, str, str],
    procurement: tuple[str, str],
    procurement_header: str,
) -> list[DisclosureBlock]:
    """Table 二 in the 2019 layout; services holds other_services, or inspection and confirmation."""
    made = ("made", "published", "public_total")
    group = "其他对外管理服务事项" if "inspection" in services else None
    labels = {"other_services": "其他对外管理服务事项", "inspection": "行政检查", "confirmation": "行政确认"}
    return [
        DisclosureBlock(
            "第二十条第（一）项",
            ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
            [
                line("rules", "规章", made, ("0", "0", "0")),
                line("normative_documents", "规范性文件", made, normative),
            ],
        ),
        DisclosureBlock(
            "第二十条第（五）项",
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            [
                line("licensing", "行政许可", ITEMS, ("0", "0", "0")),
                *(line(item, labels[item], ITEMS, texts, group) for item, texts in services.items()),
            ],
        ),
        DisclosureBlock(
            "第二十条第（六）项",
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            [line("penalty", "行政处罚", ITEMS, penalty), line("coercion", "行政强制", ITEMS, coercion)],
        ),
        DisclosureBlock(
            "第二十条第（八）项",
            ["信息内容", "上一年项目数量", "本年增/减"],
            [line("fees", "行政事业性收费", ("prior_items", "change"), ("0", "0"))],
        ),
        DisclosureBlock(
            "第二十条第（九）项",
            ["信息内容", "采购项目数量", procurement_header],
            [line("procurement", "政府集中采购", ("procurement_items", "procurement_amount"), procurement)],
        ),
    ]


ZEROS = ("0", "0", "0")
SPLIT_ZEROS = {"inspection": ZEROS, "confirmation": ZEROS}


def natural_only(values: dict[str, int]) -> Applications:
    """A 2019-layout table 三 whose only applicant column is 自然人."""
    apps = empty_applications(split_other=False)
    for row, value in values.items():
        apps[row]["natural_person"] = value
    fill_totals(apps, split_other=False)
    return apps


def zero_reviews(**values: int) -> Reviews:
    reviews = dict.fromkeys(REVIEW_KEYS, 0)
    reviews.update(values)
    return reviews


def seed_figures(seed: str) -> ReportFigures:
    """Figures of one seed report by its three-digit number."""
    zeros = empty_applications(split_other=False)
    if seed == "000":
        blocks = seed_disclosure(
            ("1", "0", "0"), SPLIT_ZEROS, ZEROS, ZEROS, ("1", "10.8280"), "采购总金额（万元，保留四位小数）"
        )
        return ReportFigures("2019", False, blocks, zeros, zero_reviews())
    if seed == "001":
        blocks = seed_disclosure(
            ZEROS, {"other_services": ZEROS}, ZEROS, ZEROS, ("24", "185277.44元"), "采购总金额"
        )
        return ReportFigures("2019", False, blocks, zeros, zero_reviews())
    if seed == "002":
        services = {"inspection": ZEROS, "confirmation": ("0", "＋10", "2205")}
        blocks = seed_disclosure(
            ZEROS,
            services,
            ("2", "＋335", "445"),
            ("0", "＋19", "0"),
            ("25", "52.6540"),
            "采购总金额（万元，保留四位小数）",
        )
        apps = natural_only(
            {
                "new_received": 28,
                "granted": 1,
                "partially_granted": 2,
                "denied_process_info": 3,
                "unavailable_not_held": 17,
                "unavailable_needs_creation": 1,
                "total_handled": 24,
                "carried_forward": 4,
            }
        )
        return ReportFigures("2019", False, blocks, apps, zero_reviews(review_upheld=4, review_total=4))
    if seed == "003":
        blocks = seed_disclosure(
            ZEROS,
            {"other_services": ZEROS},
            ZEROS,
            ZEROS,
            ("0", "0"),
            "采购总金额（单位：万元，保留4位小数）",
        )
        return ReportFigures("2019", False, blocks, zeros, zero_reviews())
    if seed == "004":
        blocks = seed_disclosure(
            ("2", "2", "2"),
            SPLIT_ZEROS,
            ZEROS,
            ZEROS,
            ("99", "17167.6909"),
            "采购总金额（万元，保留四位小数）",
        )
        apps = natural_only(
            {
                "new_received": 10,
                "carried_over": 1,
                "granted": 1,
                "unavailable_not_held": 9,
                "total_handled": 10,
                "carried_forward": 1,
            }
        )
        return ReportFigures(
            "2019", False, blocks, apps, zero_reviews(review_upheld=2, review_total=2), note=SEED_004_NOTE
        )
    raise KeyError(seed)


def carried_over(figures: ReportFigures) -> dict[str, int]:
    return {c: figures.applications["carried_over"][c] for c in APPLICANTS}


def carried_forward(figures: ReportFigures) -> dict[str, int]:
    return {c: figures.applications["carried_forward"][c] for c in APPLICANTS}

"""Generated running text of the six report sections.

Sentences are assembled from small pools written for this project; figures quoted in the text come
from the report's own tables as printed (the 一、总体情况 application count in particular).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from agencies import Agency
from figures import ReportFigures
from report_style import HEADINGS, ReportStyle

FOCUS = (
    "坚持以公开为常态、不公开为例外",
    "紧扣年度政务公开工作要点",
    "围绕辖区重点工作和群众关切",
    "对照政务公开标准化规范化要求逐项抓落实",
)
AIMS = (
    "政府工作透明度进一步提高",
    "群众的知情权、参与权和监督权得到较好保障",
    "各项公开工作有序推进",
    "公开质量和实效稳步提升",
)
OPENERS = (
    "{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，{focus}，{aim}。",
    "{year}年，{agency}在上级政务公开主管部门的指导下，{focus}，{aim}。",
    "{year}年，{agency}把政府信息公开作为服务群众的一项基础工作，{focus}，{aim}。",
)
CHANNELS = ("门户网站政府信息公开专栏", "政务新媒体", "社区公示栏", "政务服务大厅电子屏")
TOPICS = (
    "机构职能",
    "财政预决算",
    "民生保障政策",
    "城市管理",
    "环境整治",
    "社会救助",
    "就业创业服务",
    "安全生产",
)
EPIDEMIC_YEARS = (2020, 2021, 2022)
HANDLING_NOTES = (
    "办理过程中严格执行登记、审核、答复、归档流程。",
    "答复文书均载明救济途径。",
    "对申请内容不明确的，及时一次性告知申请人补正。",
)
EXTRA_PARTS = (
    (
        "政府信息管理",
        (
            "严格落实公开前保密审查制度，对拟公开信息逐条审核。",
            "动态更新政府信息公开指南和主动公开目录，及时清理过期信息。",
            "规范公文公开属性源头认定，拟文时同步明确公开方式。",
        ),
    ),
    (
        "平台建设",
        (
            "优化门户网站政务公开专栏栏目设置，确保信息发布及时、准确。",
            "依托政务新媒体发布政策解读和办事提示，拓宽公开渠道。",
        ),
    ),
    (
        "监督保障",
        (
            "将政务公开纳入年度工作考核，全年组织业务培训{n}次。",
            "公布监督电话，主动接受群众和社会各界监督。",
        ),
    ),
)
PROBLEMS = (
    "部分科室对主动公开的认识还不到位，信息报送不够及时",
    "政策解读形式较为单一，图解、视频等解读产品偏少",
    "工作人员调整较多，业务能力有待提升",
    "公开内容与群众需求的契合度还需提高",
    "依申请公开答复文书的规范性有待加强",
)
IMPROVEMENTS = (
    "加强业务培训，提升工作人员依法公开的能力",
    "完善信息发布审核流程，做到应公开尽公开",
    "丰富政策解读形式，增强解读的针对性和可读性",
    "加强与上级政务公开部门的沟通，及时学习先进经验",
)
PLANS = (
    "继续抓好年度政务公开工作要点的落实",
    "进一步规范依申请公开办理流程",
    "加大重点领域信息公开力度",
)
NUMERALS = "一二三四五六"


@dataclass
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)  # for 二–四 these follow the table


@dataclass
class ReportText:
    preface: str
    sections: list[Section]


def report_text(
    rng: random.Random, agency: Agency, year: int, figures: ReportFigures, style: ReportStyle
) -> ReportText:
    preface = f"根据《中华人民共和国政府信息公开条例》第五十条的规定，现公布{agency.name}{year}年政府信息公开工作年度报告。"
    sections = [
        Section("overview", style.overview_heading, overview(rng, agency, year, figures)),
        Section("proactive", HEADINGS["proactive"]),
        Section("applications", HEADINGS["applications"]),
        Section(
            "reviews",
            style.reviews_heading,
            reviews_note(agency, year, figures) if style.reviews_note else [],
        ),
        Section("problems", style.problems_heading, problems(rng, agency, year)),
        Section("other", style.other_heading, other(rng, agency, year, figures, style)),
    ]
    return ReportText(preface, sections)


def overview(rng: random.Random, agency: Agency, year: int, figures: ReportFigures) -> list[str]:
    opener = rng.choice(OPENERS).format(
        year=year, agency=agency.name, focus=rng.choice(FOCUS), aim=rng.choice(AIMS)
    )
    parts = [
        ("主动公开", proactive_summary(rng, agency, year)),
        ("依申请公开", application_summary(rng, figures)),
    ]
    title, pool = rng.choice(EXTRA_PARTS)
    parts.append((title, rng.choice(pool).format(n=rng.randint(1, 4))))
    return [opener, *(f"（{NUMERALS[i]}）{title}。{text}" for i, (title, text) in enumerate(parts))]


def proactive_summary(rng: random.Random, agency: Agency, year: int) -> str:
    published = rng.randint(1500, 6000) if agency.level == "county" else rng.randint(40, 900)
    channels = "、".join(rng.sample(CHANNELS, 2))
    topics = list(rng.sample(TOPICS, 3))
    if year in EPIDEMIC_YEARS:
        topics[-1] = "疫情防控"
    return f"全年通过{channels}等渠道主动公开政府信息{published}条，重点公开{'、'.join(topics)}等内容。"


def application_summary(rng: random.Random, figures: ReportFigures) -> str:
    apps = figures.applications
    new, old = apps["new_received"]["total"], apps["carried_over"]["total"]
    done, left = apps["total_handled"]["total"], apps["carried_forward"]["total"]
    if new == 0 and old == 0:
        return "全年共收到政府信息公开申请0件，无上年结转的申请。"
    return (
        f"全年共收到政府信息公开申请{new}件，上年结转{old}件，办结{done}件，结转下年度继续办理{left}件。"
        + rng.choice(HANDLING_NOTES)
    )


def reviews_note(agency: Agency, year: int, figures: ReportFigures) -> list[str]:
    reviews = figures.reviews
    review_total = reviews["review_total"]
    suit_total = reviews["suit_total"] + reviews["suit_after_review_total"]
    if review_total == 0 and suit_total == 0:
        return [f"{year}年，{agency.name}未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"]
    return [f"{year}年，因政府信息公开工作被申请行政复议{review_total}件、提起行政诉讼{suit_total}件。"]


def problems(rng: random.Random, agency: Agency, year: int) -> list[str]:
    first, second = rng.sample(PROBLEMS, 2)
    plan_a, plan_b = rng.sample(IMPROVEMENTS, 2)
    return [
        f"{year}年，{agency.name}政府信息公开工作取得一定成效，但仍存在一些不足：一是{first}；二是{second}。",
        f"下一步，{agency.self_name}将{plan_a}，{plan_b}。",
    ]


def other(
    rng: random.Random, agency: Agency, year: int, figures: ReportFigures, style: ReportStyle
) -> list[str]:
    if "工作计划" in style.other_heading:
        return [f"{year + 1}年，{agency.self_name}将{'，'.join(rng.sample(PLANS, 2))}。"]
    if figures.template == "2021":
        fee = f"{year}年，{agency.name}未收取政府信息公开信息处理费。"
    else:
        fee = "本年度无其他需要报告的事项。"
    return [fee, f"本报告统计数据的时间范围为{year}年1月1日至{year}年12月31日。"]

"""Where an agency sits — province, prefecture, county — read from its name against a gazetteer of divisions.

The gazetteer (data/divisions.tsv, built by data/build_divisions.py) lists provinces, prefecture- and
county-level divisions. An agency name starts with a chain of them, each below the previous one, in full
(「河南省商丘市梁园区」) or short (「新平县」 for 新平彝族傣族自治县, 「商丘」 for 商丘市). A name that fits several
divisions (朝阳区: 北京 and 长春) is settled by the document's text or else reported only as far as it is certain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIVISIONS = Path(__file__).with_name("data") / "divisions.tsv"
LEVELS = ("province", "prefecture", "county")

# The 55 minority nationalities (and 各族) as autonomous divisions name them: 「新平彝族傣族自治县」 → 新平.
_ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
_ETHNIC_GROUPS.sort(key=len, reverse=True)  # 土家 before 土
_AUTONOMOUS = re.compile(r"(.+?)自治(区|州|县|旗)$")
_SUFFIXES = ("地区", "林区", "省", "市", "盟", "县", "区", "旗", "州")
# Statistical zones are not place names: 「滨海新区」 gives no bare 「滨海」.
_NO_BARE_FORM = re.compile(r"(新区|开发区|园区|管理区|林区|工业区|试验区|示范区|群岛|海域|委员会|管委会)$")
# A bare name (「商丘」, 「北京」) counts only before a division below it or one of these agency words.
_AGENCY_WORDS = (
    "人民政府", "政府", "人大", "政协", "发展和改革", "发改", "教育", "科学技术", "科技", "工业和信息化", "公安",
    "民政", "司法", "财政", "人力资源", "自然资源", "生态环境", "住房和城乡建设", "交通运输", "水利", "农业农村",
    "商务", "文化和旅游", "卫生健康", "退役军人", "应急管理", "审计", "市场监督", "广播电视", "体育", "统计",
    "医疗保障", "税务", "海关", "信访", "档案", "民族宗教", "机关事务", "政务服务", "城市管理", "行政审批",
)  # fmt: skip
# A division name followed by these is a street's or town's name: 「城区街道」, 「古县镇」 (but 「榆阳区镇川镇」 is
# 榆阳区's town 镇川镇).
_NOT_AFTER_DIVISION = "街道"
_TOWN_SUFFIX = re.compile(r"(镇|乡|苏木)(人民政府)?")
_GOVERNMENT_WORDS = ("人民政府", "政府")
# Names too common to be taken alone: 城区 is a district of 晋城, 阳泉, 长治 and a street in many counties.
_GENERIC_NAMES = ("城区", "郊区", "矿区")
# Agencies of the central government; a local branch names its place after the prefix (国家税务总局北京市税务局).
_NATIONAL_PREFIX = re.compile(r"^(国务院|中华人民共和国|国家[^省市县区]{1,10}?(总局|局))")
# The part of an agency's name that a document repeats after its county: 「古城街道办事处」 → 古城街道.
_LOCAL_KEY = re.compile(r"^(\S{1,12}?(?:街道|镇|乡|苏木)|\S{1,12}?地区(?=办事处))")
_CONTEXT_WINDOW = 30
_CONTEXT_OCCURRENCES = 50


@dataclass(frozen=True)
class Division:
    code: str
    parent: str | None
    level: str
    name: str


@dataclass(frozen=True)
class Region:
    province: str | None
    prefecture: str | None
    county: str | None
    code: str | None = None  # the most specific division's code, when that division is certain

    @property
    def name(self) -> str:
        return "".join(part for part in (self.province, self.prefecture, self.county) if part)


def region_parts(region: Region | None) -> dict[str, str | None]:
    """The report JSON's ``region_parts``: each level, and the code, or None where unknown."""
    return {
        "province": region.province if region else None,
        "prefecture": region.prefecture if region else None,
        "county": region.county if region else None,
        "code": region.code if region else None,
    }


@dataclass(frozen=True)
class Alias:
    division: Division
    bare: bool  # a name stripped of its suffix, which needs something after it to count


class Gazetteer:
    def __init__(self, divisions: list[Division]) -> None:
        self.by_code = {division.code: division for division in divisions}
        self.aliases: dict[str, list[Alias]] = {}
        self.names: dict[str, tuple[str, ...]] = {}
        for division in divisions:
            firm, bare = forms_of(division.name)
            self.names[division.code] = (*firm, *bare)
            for form in firm:
                self.aliases.setdefault(form, []).append(Alias(division, bare=False))
            for form in bare:
                self.aliases.setdefault(form, []).append(Alias(division, bare=True))
        self.longest = max(map(len, self.aliases))

    def lineage(self, division: Division) -> list[Division]:
        """The division and its ancestors, province first."""
        chain = [division]
        while chain[0].parent:
            chain.insert(0, self.by_code[chain[0].parent])
        return chain

    def is_below(self, division: Division, ancestor: Division) -> bool:
        return ancestor in self.lineage(division)[:-1]


def strip_ethnic_groups(stem: str) -> str:
    """「新平彝族傣族」 → 新平, 「内蒙古」 stays, 「鄂温克族」 → 鄂温克 (the name is the nationality's)."""
    while True:
        for group in _ETHNIC_GROUPS:
            # one-character names are stripped only with 族: 「西藏」 keeps its 藏
            forms = (group + "族", group) if len(group) > 1 else (group + "族",)
            form = next((form for form in forms if stem.endswith(form)), None)
            if form and len(stem) - len(form) >= 2:
                stem = stem[: -len(form)]
                break
            if form and stem == form:
                return group
        else:
            return stem


def forms_of(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(firm forms, bare forms) of a division's name: 新平彝族傣族自治县 → (新平彝族傣族自治县, 新平县), (新平,)."""
    autonomous = _AUTONOMOUS.match(name)
    if autonomous:
        stem, suffix = strip_ethnic_groups(autonomous.group(1)), autonomous.group(2)
        firm = (name,) if suffix == "区" else (name, stem + suffix)
        return firm, (stem,) if len(stem) >= 2 and stem != name else ()
    if _NO_BARE_FORM.search(name):
        return (name,), ()
    suffix = next((suffix for suffix in _SUFFIXES if name.endswith(suffix)), "")
    stem = name[: len(name) - len(suffix)]
    return (name,), (stem,) if suffix and len(stem) >= 2 else ()


def read_divisions(path: Path = DIVISIONS) -> list[Division]:
    divisions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, parent, level, name = line.split("\t")
            divisions.append(Division(code, parent or None, level, name))
    return divisions


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer(read_divisions())


Chain = tuple[tuple[Division, ...], int]  # divisions, province first, and where their names end in the text


def may_end_chain(alias: Alias, after: str, parent: Division | None) -> bool:
    """Whether a division named just before `after` is the agency's place, not part of another name."""
    if after.startswith(_NOT_AFTER_DIVISION) or _TOWN_SUFFIX.fullmatch(after):
        return False
    if alias.division.name in _GENERIC_NAMES and parent is None:
        return False
    if not alias.bare:
        return True
    # 「商丘市场监督…」 aside, a bare prefecture or province heads many agencies; a bare county only a government
    return after.startswith(_GOVERNMENT_WORDS if alias.division.level == "county" else _AGENCY_WORDS)


def chains_at(text: str, start: int, parent: Division | None = None) -> list[Chain]:
    """The farthest-reaching chains of divisions named from text[start:], longest name first at each step."""
    places = gazetteer()
    for length in range(min(places.longest, len(text) - start), 1, -1):
        aliases = places.aliases.get(text[start : start + length])
        if not aliases:
            continue
        end = start + length
        found: list[Chain] = []
        for alias in aliases:
            if parent and not places.is_below(alias.division, parent):
                continue
            # 「江苏省镇江市」: another division may follow even where a town's name could not
            deeper = chains_at(text, end, alias.division)
            found += [((alias.division, *chain), stop) for chain, stop in deeper]
            if not deeper and may_end_chain(alias, text[end:], parent):
                found.append(((alias.division,), end))
        if found:
            farthest = max(stop for _, stop in found)
            return [chain for chain in found if chain[1] == farthest]
    return []


def named_in_context(candidates: set[Division], context: str) -> set[Division]:
    """Of several same-named divisions, those the document places: 「北京市朝阳区」 first, then 「北京」 anywhere."""
    places = gazetteer()
    # divisions the document itself names apart (新平县 and 东城区) are no same name to settle
    shared_names = set.intersection(*(set(places.names[d.code]) for d in candidates)) if candidates else set()
    if len(candidates) < 2 or not context or not shared_names:
        return candidates

    def ancestor_names(division: Division) -> list[str]:
        return [name for ancestor in places.lineage(division)[:-1] for name in places.names[ancestor.code]]

    adjacent = {
        division
        for division in candidates
        if any(
            above + own in context
            for above in ancestor_names(division)
            for own in places.names[division.code]
        )
    }
    if adjacent:
        return adjacent
    mentioned = {division for division in candidates if any(n in context for n in ancestor_names(division))}
    return mentioned or candidates


def placed_by_context(key: str, context: str) -> set[Division]:
    """Divisions the document names right before the agency's own name: 「新平县古城街道」 for 古城街道."""
    found: set[Division] = set()
    for index, occurrence in enumerate(re.finditer(re.escape(key), context)):
        if index == _CONTEXT_OCCURRENCES:
            break
        at = occurrence.start()
        for start in range(max(0, at - _CONTEXT_WINDOW), at - 1):
            chains = [chain for chain, stop in chains_at(context, start) if stop == at]
            if chains:
                found |= {chain[-1] for chain in chains}
                break
    return found


def common_region(candidates: set[Division]) -> Region | None:
    """The levels every candidate agrees on; a wrong province is worse than none."""
    if not candidates:
        return None
    places = gazetteer()
    lineages = [places.lineage(division) for division in candidates]
    names: dict[str, str | None] = {}
    for level in LEVELS:
        at_level = {next((d.name for d in lineage if d.level == level), None) for lineage in lineages}
        names[level] = at_level.pop() if len(at_level) == 1 else None
    named = [level for level in LEVELS if names[level]]
    if not named:
        return None
    shared = set.intersection(*(set(lineage) for lineage in lineages))
    deepest = max(shared, key=lambda division: LEVELS.index(division.level), default=None)
    # two 鼓楼区 of 江苏: the code of 江苏省 would say less than the name, that of either 鼓楼区 more
    certain = deepest is not None and deepest.level == named[-1]
    return Region(*(names[level] for level in LEVELS), code=deepest.code if certain else None)


def region_of(agency: str | None, context: str = "") -> Region | None:
    """Province / prefecture / county an agency belongs to, from its name and, failing that, its document."""
    if not agency:
        return None
    text = "".join(agency.split())
    national = _NATIONAL_PREFIX.match(text)
    if national:  # 国家税务总局北京市税务局 → 北京市税务局; 国务院办公厅 → nothing placed
        text = text[national.end() :]
    chains = chains_at(text, 0)
    candidates = {chain[-1] for chain, _ in chains}
    rest = text[chains[0][1] :] if chains else text
    candidates = named_in_context(candidates, context)
    if context and not any(division.level == "county" for division in candidates):
        key = _LOCAL_KEY.match(rest)
        if key and len(key.group(1)) >= 3:
            placed = {
                division
                for division in placed_by_context(key.group(1), context)
                if not candidates
                or any(division == c or gazetteer().is_below(division, c) for c in candidates)
            }
            if placed:
                candidates = named_in_context(placed, context)
    return common_region(candidates)


_STREET = re.compile(r"(街道办事处|街道|地区办事处)$")
_TOWNSHIP = re.compile(r"(乡|镇|苏木)(人民政府)?$")
_NATIONAL = re.compile(r"^(国务院|中华人民共和国|国家)")
_GOVERNMENT = re.compile(r"(人民政府|政府|行政公署)(办公厅)?$")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_PROVINCE_NAME = re.compile(r"^[^市县区]{2,7}(省|自治区)$")
_PLACE_LEVELS = ((re.compile(r"(区|县|旗)$"), "county"), (re.compile(r"(市|州|盟|地区)$"), "prefecture"))
_DEPARTMENT = re.compile(r"(厅|局|委员会|委|办公室|办|中心|院|所|署|馆)$")


def most_specific(region: Region) -> tuple[str, tuple[str, ...]] | None:
    """The region's deepest level and the names that division goes by."""
    level = next((level for level in reversed(LEVELS) if getattr(region, level)), None)
    if level is None:
        return None
    known = gazetteer().names.get(region.code or "")
    return level, known or (getattr(region, level),)


def government_level(place: str, region: Region | None) -> str | None:
    """Level of 「<place>人民政府」: the division the region found when the place is its name, else the suffix."""
    deepest = most_specific(region) if region else None
    if deepest and place.endswith(deepest[1]):
        return deepest[0]
    if place in _MUNICIPALITIES or _PROVINCE_NAME.match(place):
        return "province"
    return next((level for pattern, level in _PLACE_LEVELS if pattern.search(place)), None)


def level_of(agency: str | None, region: Region | None = None) -> str | None:
    """national / province / prefecture / county / township / street / department, from the agency's name."""
    if not agency:
        return None
    name = "".join(agency.split())
    if _STREET.search(name):
        return "street"
    if _TOWNSHIP.search(name):
        return "township"
    if _NATIONAL.match(name) and region is None:
        return "national"
    government = _GOVERNMENT.search(name)
    if government:
        level = government_level(name[: government.start()], region)
        if level and not (government.group(2) and level != "province"):  # 办公厅 is the province's office
            return level
    if _DEPARTMENT.search(name):
        return "department"
    return None

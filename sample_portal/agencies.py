"""The six agencies whose reports the sample column lists, 2019–2024 each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Agency:
    key: str
    name: str  # as printed in report titles and as 发布机构
    region: str | None
    level: str
    code: str  # the 索引号 prefix
    split_services: bool  # Beijing splits 其他对外管理服务事项 into 行政检查 / 行政确认
    applications: tuple[int, int]  # range of new natural-person applications in a year
    zero_rate: float  # share of years without any application

    @property
    def self_name(self) -> str:
        """How the report refers to its own agency in running text."""
        return "本区" if self.level == "county" else "本街道"


AGENCIES = (
    Agency("guoyuan", "北京市密云区果园街道办事处", "北京市密云区", "street", "11011801", True, (1, 12), 0.5),
    Agency(
        "gucheng",
        "新平县古城街道办事处",
        "云南省玉溪市新平彝族傣族自治县",
        "street",
        "53042701",
        False,
        (1, 6),
        0.6,
    ),
    Agency(
        "yongwai", "北京市东城区永定门外街道办事处", "北京市东城区", "street", "11010115", True, (15, 60), 0.0
    ),
    Agency(
        "qianjin",
        "商丘市梁园区前进街道办事处",
        "河南省商丘市梁园区",
        "street",
        "41140203",
        False,
        (1, 5),
        0.6,
    ),
    Agency("chaoyang", "北京市朝阳区某地区办事处", "北京市朝阳区", "street", "11010599", True, (5, 25), 0.0),
    Agency("shiliqu", "示例区人民政府", None, "county", "99990000", False, (80, 300), 0.0),
)
YEARS = tuple(range(2019, 2025))

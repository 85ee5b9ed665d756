"""sources/registry.yaml: the real portals to crawl, each with its level, region and the evidence for its URL.

The file is read with yaml.safe_load so that its exact keys can be checked; crawler.sources must load it too.
An entry's ``cms`` names a CMS family only where its cited evidence shows that family's fingerprint
(/work/shared/docs/portal-patterns.md, sections A–F), and an entry whose evidence shows fingerprints names
the most specific of their families.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from crawler.cms.families import ADAPTERS
from crawler.sources import load_sources
from extract.regions import level_of, region_of

REGISTRY = Path(__file__).resolve().parent.parent / "sources" / "registry.yaml"
KEYS = {"agency", "region", "level", "start_url", "cms", "kind", "evidence"}
LEVELS = {"national", "province", "prefecture", "county", "township", "street", "department"}
# The families the crawler has adapters for; `unknown` leaves the family to detection.
FAMILIES = {adapter.name for adapter in ADAPTERS}
CMS = FAMILIES | {"unknown"}
# What each family leaves in the pages, scripts and URLs that public crawler code and stored pages show,
# most specific first: a trs-search column is also a TRS page, and a JPaaS site keeps Hanweb's /col/col URLs.
FINGERPRINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("trs-search", re.compile(r"listModel\s*\(|fjdzapp")),
    ("jpaas", re.compile(r"jpaas-publish-server|unitbuild\.js", re.IGNORECASE)),
    ("ewb", re.compile(r"govInfoPub|EWB-FRONT|lightfrontaction", re.IGNORECASE)),
    ("gkmlpt", re.compile(r"/gkmlpt/")),
    ("hanweb", re.compile(r"jpage|dataproxy\.jsp|/col/col\d+")),
    ("trs", re.compile(r"createPage(?:HTML)?\(|trs_editor|/t\d{8}_\d+\.s?html?", re.IGNORECASE)),
)
# Families whose hint sends the crawl to an API: naming one needs its fingerprint in the evidence.
API_FAMILIES = {"trs-search", "jpaas", "ewb", "gkmlpt"}
URL = re.compile(r"https?://[^\s\"'()<>,;，；、（）]+")
KINDS = {"column", "portal"}
CONFIDENCE = {"high", "medium", "low"}
# The agencies of the five seed reports and the governments above them.
SEED_AGENCIES = (
    "北京市密云区果园街道办事处",
    "北京市密云区人民政府",
    "北京市东城区永定门外街道办事处",
    "北京市东城区人民政府",
    "北京市朝阳区人民政府",
    "新平彝族傣族自治县古城街道办事处",
    "新平彝族傣族自治县人民政府",
    "玉溪市人民政府",
    "云南省人民政府",
    "商丘市梁园区前进街道办事处",
    "商丘市梁园区人民政府",
    "商丘市人民政府",
    "河南省人民政府",
)


def load_entries() -> list[dict]:
    data = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    return data["sources"]


ENTRIES = load_entries()


def label(entry: dict) -> str:
    return f"{entry.get('agency')} <{entry.get('start_url')}>"


def test_registry_is_large_enough():
    assert len(ENTRIES) >= 50


def test_the_crawler_loads_the_registry():
    sources = load_sources(REGISTRY)
    assert [source.start_url for source in sources] == [entry["start_url"] for entry in ENTRIES]


def test_fingerprints_name_families_the_crawler_has():
    assert {family for family, _ in FINGERPRINTS} <= FAMILIES


def test_entries_have_exactly_the_known_keys():
    wrong = [(label(e), sorted(set(e) ^ KEYS)) for e in ENTRIES if set(e) != KEYS]
    assert wrong == []


def test_levels_cms_and_kinds_are_from_the_allowed_sets():
    assert {e["level"] for e in ENTRIES} <= LEVELS
    assert {e["cms"] for e in ENTRIES} <= CMS
    assert {e["kind"] for e in ENTRIES} <= KINDS


def test_start_urls_are_http_and_unique():
    for entry in ENTRIES:
        parts = urlsplit(entry["start_url"])
        assert parts.scheme in ("http", "https") and parts.netloc, label(entry)
        assert " " not in entry["start_url"], label(entry)
    urls = [e["start_url"] for e in ENTRIES]
    assert len(urls) == len(set(urls)), sorted(u for u in urls if urls.count(u) > 1)


def test_agencies_are_unique():
    agencies = [e["agency"] for e in ENTRIES]
    assert len(agencies) == len(set(agencies))


def test_every_seed_agency_appears():
    assert set(SEED_AGENCIES) - {e["agency"] for e in ENTRIES} == set()


def test_all_31_provincial_governments_appear():
    provinces = [e for e in ENTRIES if e["level"] == "province"]
    assert len({e["region"] for e in provinces}) == 31


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["region"] is not None], ids=label)
def test_region_is_a_division_the_gazetteer_names_exactly(entry):
    region = region_of(entry["region"])
    assert region is not None and region.name == entry["region"]


def test_only_central_agencies_have_no_region():
    assert {e["level"] for e in ENTRIES if e["region"] is None} == {"national"}
    assert all(e["region"] is None for e in ENTRIES if e["level"] == "national")


@pytest.mark.parametrize("entry", ENTRIES, ids=label)
def test_agency_name_agrees_with_level_and_region(entry):
    """Where extract.regions can read a level or place from the agency's name, it is the entry's."""
    region = region_of(entry["region"]) if entry["region"] else None
    level = level_of(entry["agency"], region)
    # A central body named without 国家/国务院 (中国证券监督管理委员会) reads as a department by its suffix.
    central_by_suffix = entry["level"] == "national" and level == "department"
    assert level in (None, entry["level"]) or central_by_suffix
    named = region_of(entry["agency"])
    if named is not None:
        assert entry["region"] is not None and entry["region"].startswith(named.name)


@pytest.mark.parametrize("entry", ENTRIES, ids=label)
def test_evidence_cites_a_source_and_states_certainty(entry):
    evidence = entry["evidence"]
    assert isinstance(evidence, dict)
    assert isinstance(evidence.get("source"), str) and evidence["source"].strip()
    assert isinstance(evidence.get("checked"), bool)
    assert evidence.get("confidence") in CONFIDENCE
    assert isinstance(evidence.get("note"), str) and evidence["note"].strip()


def test_inferred_urls_are_marked_low_confidence():
    """An entry whose source says the URL was inferred must not claim more than low confidence."""
    inferred = [e for e in ENTRIES if e["evidence"]["source"].startswith("inferred")]
    assert inferred and all(e["evidence"]["confidence"] == "low" for e in inferred)


def bare_host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def fingerprinted_family(entry: dict) -> str | None:
    """The family whose fingerprint the entry's cited evidence shows, most specific first, or None.

    A URL in the evidence speaks for the entry only on the entry's own host (玉溪's evidence cites a TRS
    article on the provincial site); the prose around the URLs (a spider's endpoint, a script name) counts
    wherever it appears.
    """
    source = entry["evidence"]["source"]
    own = bare_host(entry["start_url"])
    texts = [URL.sub(" ", source)] + [url for url in URL.findall(source) if bare_host(url) == own]
    return next(
        (family for family, pattern in FINGERPRINTS if any(pattern.search(text) for text in texts)), None
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=label)
def test_an_entry_names_the_family_its_evidence_shows(entry):
    family = fingerprinted_family(entry)
    if family is not None:
        assert entry["cms"] == family, f"evidence shows {family}"


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["cms"] in API_FAMILIES], ids=label)
def test_an_api_family_is_named_only_on_evidence(entry):
    assert fingerprinted_family(entry) == entry["cms"]


def test_the_api_families_have_portals():
    named = {e["cms"] for e in ENTRIES}
    assert API_FAMILIES <= named

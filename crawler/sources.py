"""A sources file lists the portals to crawl (YAML)::

sources:
  - agency: 北京市东城区人民政府
    region: 北京市东城区
    level: county
    start_url: http://www.bjdch.gov.cn/zfxxgk/zfxxgknb/index.html
    cms: trs            # trs | trs-search | hanweb | gkmlpt | jpaas | ewb | generic; unknown or absent: detected
    kind: column        # column: the URL is the annual-report column; portal: find the column from it
    render: js          # optional: draw the start page in a headless browser first (lists only JS builds)
    evidence: {source: "…", checked: false}

``sources/registry.yaml`` is the project's registry of real portals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import yaml


class SourcesFileError(ValueError):
    pass


@dataclass(frozen=True)
class Source:
    start_url: str
    agency: str | None = None
    region: str | None = None
    level: str | None = None
    cms: str | None = None
    kind: str | None = None  # column | portal
    render: str | None = None  # js: render the start page in a browser (otherwise only where needed)
    evidence: dict | None = None  # where the URL comes from, and whether anyone checked it

    def as_dict(self) -> dict:
        return asdict(self)


def load_sources(path: str | Path) -> list[Source]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entries = data.get("sources") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise SourcesFileError(f"{path}: expected a list of sources (or a 'sources:' key holding one)")
    sources = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("start_url"):
            raise SourcesFileError(f"{path}: source #{number} has no start_url")
        unknown = set(entry) - set(Source.__dataclass_fields__)
        if unknown:
            raise SourcesFileError(f"{path}: source #{number} has unknown keys: {', '.join(sorted(unknown))}")
        sources.append(Source(**entry))
    return sources

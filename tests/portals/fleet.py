"""A fleet of small portals for crawls at scale: ``count`` sites of the four commonest CMS families (TRS,
Hanweb, gkmlpt, generic), 5–40 annual reports each (every other one with an attachment) and a notice or
two, each site under a host name of its own (``www.fleet0042.gov.cn``), all served by one process.

The pages are the fixture portals' own (tests/portals/ and bench/portal_generator.py): only the agencies,
the years and the number of reports change from one site to the next, drawn from ``seed`` (the same seed
builds the same fleet, byte for byte). ``python -m tests.portals.fleet --root DIR --registry fleet.yaml``
builds a fleet, writes its registry (the format of sources/registry.yaml) and its truth (every report and
attachment URL of every site), and serves it until killed; the crawler reaches the names through
``--resolve NAME:127.0.0.1``, and the server picks the site by the Host header.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import random
import signal
import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

import yaml

from bench import portal_generator as trs
from govreports.portal import PortalRequestHandler, Route
from tests.portals import generic, gkmlpt, hanweb
from tests.portals.common import newest_first

FAMILIES = ("trs", "hanweb", "gkmlpt", "generic")
YEARS = range(2008, 2025)
BUREAUS = ("人民政府", "人民政府办公室", "教育局", "财政局", "卫生健康委员会", "自然资源局")
# Syllables of the sites' made-up place names: a fleet number spelled in base 24, so no two sites share one.
_SYLLABLES = "清河安平永和宁远长乐新城东阳南山西江北林云泉丰华兴"


@dataclass(frozen=True)
class FleetPortal:
    number: int
    family: str
    host: str
    agency: str
    column_path: str
    reports: tuple[str, ...]  # site paths of the report pages
    attachments: tuple[str, ...]  # site paths of the reports' attachments

    def url(self, port: int, path: str) -> str:
        return f"http://{self.host}:{port}{path}"


@dataclass
class Fleet:
    root: Path  # one folder per host name
    portals: list[FleetPortal]
    routes: dict[str, Route]  # keyed "<host name>/path", as PortalServer's virtual hosts want them

    def sources(self, port: int) -> list[dict]:
        """The registry entries, as sources/registry.yaml spells them."""
        return [
            {
                "agency": portal.agency,
                "level": "county",
                "start_url": portal.url(port, portal.column_path),
                "cms": portal.family,
                "kind": "column",
                "evidence": {"source": "tests/portals/fleet.py", "checked": False},
            }
            for portal in self.portals
        ]

    def write_registry(self, path: Path, port: int) -> None:
        text = yaml.safe_dump({"sources": self.sources(port)}, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")

    def host_addresses(self) -> dict[str, str]:
        return {portal.host: "127.0.0.1" for portal in self.portals}

    def truth(self, port: int) -> dict[str, dict[str, list[str]]]:
        """Every site's report and attachment URLs, by its start URL."""
        return {
            portal.url(port, portal.column_path): {
                "reports": [portal.url(port, path) for path in portal.reports],
                "attachments": [portal.url(port, path) for path in portal.attachments],
            }
            for portal in self.portals
        }


def build_fleet(root: Path, count: int = 1000, seed: int = 2026) -> Fleet:
    """Write ``count`` sites under ``root`` (``root/<host name>/``); the same seed builds the same fleet."""
    portals, routes = [], {}
    for number in range(count):
        rng = random.Random(f"{seed}:{number}")
        family = rng.choice(FAMILIES)
        host = f"www.fleet{number:04d}.gov.cn"
        place = _place_name(number)
        drafts = _drafts(rng, place)
        truth = _BUILDERS[family](root / host, drafts, number)
        routes.update({f"{host}{path}": route for path, route in truth["routes"].items()})
        portals.append(
            FleetPortal(
                number,
                family,
                host,
                f"{place}人民政府",
                truth["column_path"],
                tuple(report["url_path"] for report in truth["reports"]),
                tuple(path for report in truth["reports"] for path in report["attachments"]),
            )
        )
    return Fleet(root, portals, routes)


def _place_name(number: int) -> str:
    digits = [number // 24**2 % 24, number // 24 % 24, number % 24]
    return "".join(_SYLLABLES[digit] for digit in digits) + "县"


@dataclass(frozen=True)
class _Draft:
    """One item of a site's column before its CMS numbers it: a report (``year``) or a notice."""

    title: str
    published: date
    agency: str
    year: int | None
    attached: bool  # a report that also comes as a PDF


def _drafts(rng: random.Random, place: str) -> list[_Draft]:
    """5–40 reports of the place's agencies (every other one with a PDF), and a notice or two, newest first."""
    pairs = [(f"{place}{bureau}", year) for bureau in BUREAUS for year in YEARS]
    chosen = rng.sample(pairs, rng.randint(5, 40))
    drafts = [
        _Draft(
            f"{agency}{year}年政府信息公开工作年度报告",
            date(year + 1, 1, 10) + timedelta(days=rng.randint(0, 80)),
            agency,
            year,
            number % 2 == 0,
        )
        for number, (agency, year) in enumerate(chosen)
    ]
    for _ in range(rng.randint(1, 2)):
        year = rng.choice(YEARS)
        drafts.append(
            _Draft(
                f"{place}{year}年政务公开工作要点", date(year, 3, 1 + rng.randint(0, 27)), place, None, False
            )
        )
    return sorted(drafts, key=lambda draft: (draft.published, draft.title), reverse=True)


# --- one site per family, through that family's fixture builder ------------------------------------------


def _trs_site(site: Path, drafts: list[_Draft], number: int) -> dict:
    articles = [
        trs.Article(draft.title, draft.published, 0, draft.year is not None, draft.year, draft.agency)
        for draft in drafts
    ]
    for position, (article, draft) in enumerate(zip(articles, drafts, strict=True)):
        article.doc_id = 5_000_000 + 1000 * number + len(articles) - position  # ids rise with the date
        article.attachments = [f"P0{article.published:%Y%m%d}{article.doc_id}.pdf"] if draft.attached else []
    menu = [(trs.REPORT_COLUMN_NAME, trs.COLUMN + "index.html")]
    column = trs.Column(trs.COLUMN, trs.REPORT_COLUMN_NAME, ("政府信息公开", trs.SECTION), menu, articles)
    portal = trs.Portal(root=site, columns={trs.COLUMN: column}, rng=random.Random(number), next_id=0)
    portal.write("/robots.txt", trs.ROBOTS)
    trs.write_column(portal, column)
    reports = [article for article in articles if article.is_report]
    return {
        "routes": {},
        "column_path": trs.COLUMN + "index.html",
        "reports": [
            {
                "url_path": column.article_path(article),
                "attachments": [
                    column.article_path(article).rsplit("/", 1)[0] + "/" + name
                    for name in article.attachments
                ],
            }
            for article in reports
        ],
    }


@dataclass(frozen=True)
class _HanwebItem(hanweb.Item):
    attached: bool = False

    @property
    def attachments(self) -> list[str]:
        stem = hashlib.sha1(self.title.encode("utf-8")).hexdigest()[:24]
        # Hanweb's article page links both files, as the fixture's attached reports have them.
        return [f"/attach/0/{stem}.pdf", f"/attach/0/{stem}.doc"] if self.attached else []


def _hanweb_site(site: Path, drafts: list[_Draft], number: int) -> dict:
    items = [
        _HanwebItem(
            draft.title,
            draft.published,
            "report" if draft.year else "notice",
            draft.agency,
            draft.year or draft.published.year,
            attached=draft.attached,
        )
        for draft in drafts
    ]
    first_id = 6_000_000 + 1000 * number
    numbered = newest_first(items, lambda n, item: replace(item, artid=first_id + n))
    return hanweb.build_hanweb_portal(site, items=numbered)


def _gkmlpt_site(site: Path, drafts: list[_Draft], number: int) -> dict:
    documents = [
        gkmlpt.Document(
            7_000_000 + 1000 * number + len(drafts) - position,
            draft.title,
            draft.agency,
            datetime(
                draft.published.year, draft.published.month, draft.published.day, 10, 30, tzinfo=gkmlpt.CHINA
            ),
            draft.year,
            ("pdf",) if draft.attached else (),
        )
        for position, draft in enumerate(drafts)
    ]
    return gkmlpt.build_gkmlpt_portal(site, documents=documents)


def _generic_site(site: Path, drafts: list[_Draft], number: int) -> dict:
    items = []
    for position, draft in enumerate(drafts):
        doc_id = 8_000_000 + 1000 * number + len(drafts) - position
        attachment = f"{generic.COLUMN_DIR}P0{draft.published:%Y%m%d}{doc_id}.pdf" if draft.attached else None
        href_style = ("relative", "absolute", "dot")[position % 3]
        items.append(
            generic.Item(doc_id, draft.title, draft.published, draft.year, "utf-8", href_style, attachment)
        )
    return generic.build_generic_portal(site, items=items)


_BUILDERS = {"trs": _trs_site, "hanweb": _hanweb_site, "gkmlpt": _gkmlpt_site, "generic": _generic_site}


# --- serving ---------------------------------------------------------------------------------------------


class _KeepAliveHandler(PortalRequestHandler):
    # HTTP/1.1: a crawler keeps its connections to a host open, as with real web servers, instead of a new
    # socket (and server thread) per request; an idle connection is closed after `timeout` seconds.
    protocol_version = "HTTP/1.1"
    timeout = 30


class _FleetHTTPServer(ThreadingHTTPServer):
    request_queue_size = 1024  # a thousand crawlers connect at once
    daemon_threads = True


class FleetServer:
    """The whole fleet on one threaded server at 127.0.0.1: ``with FleetServer(fleet) as server: server.port``."""

    def __init__(self, fleet: Fleet, port: int = 0) -> None:
        handler = functools.partial(
            _KeepAliveHandler, directory=str(fleet.root), routes=fleet.routes, virtual_hosts=True
        )
        self.httpd = _FleetHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def __enter__(self) -> FleetServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="folder to build the sites in")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--registry", type=Path, required=True, help="write the sources file here")
    parser.add_argument("--truth", type=Path, help="write every report and attachment URL here (JSON)")
    args = parser.parse_args()
    fleet = build_fleet(args.root, args.count, args.seed)
    with FleetServer(fleet, args.port) as server:
        if args.truth:
            args.truth.write_text(json.dumps(fleet.truth(server.port), ensure_ascii=False), encoding="utf-8")
        fleet.write_registry(args.registry, server.port)  # written last: its presence says "serving"
        print(f"serving {len(fleet.portals)} portals on 127.0.0.1:{server.port}", flush=True)
        stop = {signal.SIGTERM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # the server threads go on; this one waits
        signal.sigwait(stop)


if __name__ == "__main__":
    main()

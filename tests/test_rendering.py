"""Rendering lists that only JavaScript draws, and paying for a browser only where a page is rendered.

Real Scrapy crawls in a subprocess (a Twisted reactor runs once per process) of a tiny spider with the
project's settings: scrapy-playwright draws tests/portals/scripted.py's column in Debian's chromium and
the rendered body holds the links its script built; a crawl that renders nothing starts no Playwright
driver and no chromium; several crawlers of one process share one driver and one browser; without a
browser a render request fails with a reason instead of crashing the crawl.

Tests that start chromium are marked ``slow`` and skipped when it is not installed
(``apt-get install chromium``; ``make system-deps`` does it).

Run as ``python -m tests.test_rendering SPEC.json`` this module is that child crawl.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler import settings as project_settings
from govreports.limits import descendants, process_table
from govreports.portal import PortalServer
from tests.portals.scripted import build_gkmlpt_app_portal, build_scripted_portal

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("GOVREPORTS_CHROMIUM", "/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"no chromium at {CHROMIUM}: apt-get install chromium (make system-deps), or set GOVREPORTS_CHROMIUM",
)
DRIVER = "node"  # Playwright's driver process (its command name is node or node-MainThread)


def child_crawl(tmp_path: Path, spec: dict, env: dict[str, str] | None = None) -> dict:
    """Run this module as a Scrapy crawl in a subprocess; return what it observed."""
    out = tmp_path / f"child-{len(list(tmp_path.glob('child-*')))}.json"
    spec_path = out.with_suffix(".spec.json")
    spec_path.write_text(json.dumps({**spec, "out": str(out)}), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tests.test_rendering", str(spec_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def scripted(tmp_path):
    root = tmp_path / "site"
    truth = build_scripted_portal(root)
    with PortalServer(root, routes=truth["routes"]) as server:
        yield server.url, truth


def item_paths(links: list[dict]) -> set[str]:
    return {urlsplit(link["url"]).path for link in links}


def drivers(processes: list[dict]) -> list[dict]:
    return [process for process in processes if process["name"].startswith(DRIVER)]


def browsers(processes: list[dict]) -> list[dict]:
    """chromium's main processes: those the driver started (its renderers and helpers are their children)."""
    driver_pids = {process["pid"] for process in drivers(processes)}
    return [p for p in processes if p["name"].startswith("chrom") and p["ppid"] in driver_pids]


# --- A crawl that renders nothing pays nothing -----------------------------------------------------------


def test_a_crawl_that_renders_nothing_starts_no_driver_and_no_browser(scripted, tmp_path):
    url, truth = scripted
    pages = [url + truth["home_path"], url + truth["column_path"]]
    seen = child_crawl(tmp_path, {"urls": pages, "render": False, "crawlers": 3})
    assert len(seen["pages"]) == 6 and all(page["status"] == 200 for page in seen["pages"])
    # Every request went through Scrapy's own HTTP handler: no browser flag, the script not run.
    assert not any("playwright" in page["flags"] for page in seen["pages"])
    column = [page for page in seen["pages"] if page["url"].endswith(truth["column_path"])]
    assert all(not item_paths(page["links"]) & {r["url_path"] for r in truth["reports"]} for page in column)
    assert not truth["api_requests"]
    # No Playwright driver and no chromium while the crawl ran, and no playwright stats at all.
    assert all(page["processes"] == [] for page in seen["pages"])
    assert seen["processes_after"] == []
    assert not [key for stats in seen["stats"] for key in stats if key.startswith("playwright/")]


def test_without_a_browser_a_render_request_fails_with_a_reason(scripted, tmp_path):
    url, truth = scripted
    spec = {"urls": [url + truth["column_path"]], "render": True}
    seen = child_crawl(tmp_path, spec, env={"GOVREPORTS_CHROMIUM": str(tmp_path / "no-chromium")})
    (failure,) = seen["failures"]
    assert "NotSupported" in failure["error"] and "could not render" in failure["error"]
    assert "no browser at" in failure["error"] and seen["rendering_problem"].startswith("no browser at")
    assert seen["processes_after"] == [] and not truth["api_requests"]


def test_render_switched_off(scripted, tmp_path):
    url, truth = scripted
    spec = {"urls": [url + truth["column_path"]], "render": True, "settings": {"RENDER_JS": False}}
    seen = child_crawl(tmp_path, spec)
    (failure,) = seen["failures"]
    assert "RENDER_JS" in failure["error"] and not truth["column_requests"]


def test_render_meta_survives_a_jobdir_queue_and_settings_name_the_problem():
    from scrapy import Request
    from scrapy.settings import Settings
    from scrapy.utils.request import request_from_dict

    from crawler.rendering import host_resolver_rules, render_meta, rendering_problem

    request = Request("http://127.0.0.1/zwgk/zfxxgknb/index.html", meta=render_meta())
    again = request_from_dict(pickle.loads(pickle.dumps(request.to_dict())))
    assert again.meta["playwright"] is True and len(again.meta["playwright_page_methods"]) == 1
    assert render_meta() is not render_meta()  # scrapy-playwright writes results into its PageMethods

    settings = Settings()
    settings.setmodule(project_settings)
    plain = settings.copy()
    plain.set("DOWNLOAD_HANDLERS", {})
    assert "not scrapy-playwright's" in rendering_problem(plain)
    settings.set("RENDER_JS", False)
    assert "switched off" in rendering_problem(settings)
    assert host_resolver_rules({"www.qinglan.gov.cn": "127.0.0.1", "a.gov.cn": "127.0.0.2"}) == (
        "MAP a.gov.cn 127.0.0.2, MAP www.qinglan.gov.cn 127.0.0.1"
    )


# --- Rendering -------------------------------------------------------------------------------------------


@pytest.mark.slow
@needs_chromium
def test_chromium_draws_the_list_the_column_script_builds(scripted, tmp_path):
    url, truth = scripted
    # A recrawl's conditional header must not reach the page: the list is as fresh as the API reply.
    spec = {"urls": [url + truth["column_path"]], "render": True, "headers": {"If-None-Match": '"v1"'}}
    seen = child_crawl(tmp_path, spec)
    (page,) = seen["pages"]
    assert page["status"] == 200 and "playwright" in page["flags"]
    expected = {report["url_path"] for report in truth["reports"]} | set(truth["non_reports"])
    assert item_paths(page["links"]) >= expected
    titles = {urlsplit(link["url"]).path: link["title"] for link in page["links"]}
    assert all(titles[report["url_path"]] == report["title"] for report in truth["reports"])  # from @title
    assert page["announced"] == truth["announced"]  # the 共12条 the script printed
    # The browser asked for the page and the API once each, as us, and not conditionally.
    (column_request,) = truth["column_requests"]
    (api_request,) = truth["api_requests"]
    assert "if-none-match" not in column_request.headers
    for request in (column_request, api_request):
        assert request.headers["user-agent"] == project_settings.USER_AGENT
    # One driver and one browser while rendering; nothing left once the crawl is over.
    assert len(drivers(page["processes"])) == 1 and len(browsers(page["processes"])) == 1
    assert seen["processes_after"] == []
    (stats,) = seen["stats"]
    assert stats["playwright/browser_count"] == 1 and stats["playwright/page_count"] == 1


BUSY_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>年报</title></head><body>
<ul id="list"></ul><span id="online"></span>
<script>
fetch('/api/content/list?channel=nb&page=1').then(r => r.json()).then(reply => {
  reply.data.rows.forEach(row => {
    const a = document.createElement('a');
    a.href = row.linkUrl; a.title = row.docTitle; a.textContent = row.docTitle;
    const li = document.createElement('li'); li.appendChild(a);
    document.getElementById('list').appendChild(li);
  });
});
// An 在线人数 counter that polls for ever: the network is never idle.
setInterval(() => fetch('/api/content/list?channel=online').then(r => r.json()).then(reply => {
  document.getElementById('online').textContent = reply.data.totalCount;
}), 200);
</script></body></html>"""


@pytest.mark.slow
@needs_chromium
def test_a_page_that_never_goes_idle_is_read_when_the_wait_runs_out(scripted, tmp_path):
    url, truth = scripted
    (tmp_path / "site" / "busy.html").write_text(BUSY_PAGE, encoding="utf-8")
    seen = child_crawl(tmp_path, {"urls": [url + "/busy.html"], "render": True, "idle_ms": 1500})
    (page,) = seen["pages"]
    assert item_paths(page["links"]) >= {report["url_path"] for report in truth["reports"]}
    assert len(truth["api_requests"]) > 3  # it kept polling while we waited


@pytest.mark.slow
@needs_chromium
def test_crawlers_of_one_process_share_one_driver_and_one_browser(scripted, tmp_path):
    url, truth = scripted
    seen = child_crawl(tmp_path, {"urls": [url + truth["column_path"]], "render": True, "crawlers": 3})
    assert len(seen["pages"]) == 3
    expected = {report["url_path"] for report in truth["reports"]}
    assert all(item_paths(page["links"]) >= expected for page in seen["pages"])
    widest = max((page["processes"] for page in seen["pages"]), key=len)
    assert len(drivers(widest)) == 1 and len(browsers(widest)) == 1
    assert seen["processes_after"] == []
    assert len(truth["api_requests"]) == 3  # each crawler's page ran its script


@pytest.mark.slow
@needs_chromium
def test_chromium_reaches_the_names_the_crawl_resolves_itself(scripted, tmp_path):
    """`govreports crawl --resolve NAME:ADDRESS` (HOST_ADDRESSES): the browser must not ask DNS either."""
    url, truth = scripted
    port = urlsplit(url).port
    spec = {
        "urls": [f"http://www.qinglan.gov.cn:{port}{truth['column_path']}"],
        "render": True,
        "settings": {"HOST_ADDRESSES": {"www.qinglan.gov.cn": "127.0.0.1"}, "ROBOTSTXT_OBEY": False},
    }
    seen = child_crawl(tmp_path, spec)
    (page,) = seen["pages"]
    assert urlsplit(page["url"]).hostname == "www.qinglan.gov.cn"
    assert item_paths(page["links"]) >= {report["url_path"] for report in truth["reports"]}
    assert truth["api_requests"][0].headers["host"] == f"www.qinglan.gov.cn:{port}"


@pytest.mark.slow
@needs_chromium
def test_the_gkmlpt_app_draws_what_its_api_lists(tmp_path):
    """The bench's column (bench/crawl.py): a browser and the gkmlpt adapter read the same list."""
    root = tmp_path / "site"
    truth = build_gkmlpt_app_portal(root)
    with PortalServer(root, routes=truth["routes"]) as server:
        seen = child_crawl(tmp_path, {"urls": [server.url + truth["column_path"]], "render": True})
    (page,) = seen["pages"]
    listed = {report["url_path"] for report in truth["reports"]} | set(truth["non_reports"])
    assert item_paths(page["links"]) >= listed and page["announced"] == truth["announced"]
    (api_request,) = truth["api_requests"]
    assert api_request.headers.get("x-requested-with") == "XMLHttpRequest"


# --- The child crawl -------------------------------------------------------------------------------------


def process_tree() -> list[dict]:
    """Every descendant of this process: pid, parent, command name."""
    table = process_table()
    return [
        {"pid": pid, "ppid": table[pid][0], "name": table[pid][1]}
        for pid in sorted(descendants(os.getpid(), table))
    ]


def child_main(spec: dict) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler.cms import ListResponse, generic
    from crawler.cms.html_lists import announced_total
    from crawler.rendering import render_meta, rendering_problem
    from extract.readers.html import decode_html

    settings = Settings()
    settings.setmodule(project_settings)
    # Nothing archived: no pipelines, middlewares or extensions that need an archive.
    for name in ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS"):
        settings.set(name, {})
    settings.set("LOG_LEVEL", "WARNING")
    settings.set("DOWNLOAD_DELAY", 0)
    settings.set("AUTOTHROTTLE_ENABLED", False)
    for name, value in spec.get("settings", {}).items():
        settings.set(name, value)
    pages: list[dict] = []
    failures: list[dict] = []

    class RenderProbe(scrapy.Spider):
        name = "render_probe"

        async def start(self):
            for url in spec["urls"]:
                meta = render_meta(spec.get("idle_ms", 10_000)) if spec["render"] else {}
                yield scrapy.Request(
                    url, meta=meta, headers=spec.get("headers"), dont_filter=True, errback=self.failed
                )

        def parse(self, response):
            media_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
            text, _ = decode_html(response.body, media_type)
            listing = generic.parse(ListResponse(url=response.url, text=text, body=response.body))
            pages.append(
                {
                    "url": response.url,
                    "status": response.status,
                    "flags": response.flags,
                    "links": [{"url": link.url, "title": link.title} for link in listing.links],
                    "announced": announced_total(text),
                    "processes": process_tree(),
                }
            )

        def failed(self, failure):
            failures.append(
                {"url": failure.request.url, "error": f"{failure.type.__name__}: {failure.value}"}
            )

    process = CrawlerProcess(settings, install_root_handler=False)
    crawlers = [process.create_crawler(RenderProbe) for _ in range(spec.get("crawlers", 1))]
    for crawler in crawlers:
        process.crawl(crawler)
    process.start()
    stats = [
        {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float)}
        for crawler in crawlers
    ]
    result = {
        "pages": pages,
        "failures": failures,
        "stats": stats,
        "processes_after": process_tree(),
        "rendering_problem": rendering_problem(crawlers[0].settings),
    }
    Path(spec["out"]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    child_main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))

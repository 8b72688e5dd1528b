"""The workspace in a real browser: every page reached from / loads, passes axe, stays on the machine, runs no data.

One uvicorn server over the demo's data plus a register of hostile names, one headless Chromium.
Every internal link is followed over HTTP (status and type); in the browser, the first pages of each
kind (profile, place, finding …) and every page holding a hostile name are opened, checked by axe-core,
and photographed under out/screenshots.
"""

from __future__ import annotations

import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from api import create_app
from partnermap.settings import Settings
from tests.pages.browser import Server, open_browser, skip_without_browser

HREF = re.compile(r'href="([^"#]*)')
# Pages of one kind look alike: the browser opens the first few of each (every link is still fetched).
PER_KIND = 2
SCREENSHOT_NAMES = {"": "overview", "findings": "finding", "profile": "profile", "places": "places",
                    "network": "network", "governance": "governance", "search": "search", "upload": "upload",
                    "docs": "api-docs"}


@pytest.fixture(scope="module")
def server(workspace_db):
    skip_without_browser()
    running = Server(create_app(Settings(db=workspace_db, read_only=True))).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser(server):
    yield from open_browser(server.url)


def kind_of(path: str) -> str:
    """What kind of page a path is: its first segment (places/E07… and places are told apart)."""
    parts = urlsplit(path).path.strip("/").split("/")
    return parts[0] + ("/item" if len(parts) > 1 and parts[0] in ("places", "findings") else "")


def crawl(base: str) -> dict[str, int]:
    """Every internal page reached from / by links, with its status (downloads fetched, not followed).

    Fetched a level at a time, four at once (the demo has some 1,500 pages; one at a time took a minute).
    """
    seen: dict[str, int] = {}
    level = ["/"]
    with httpx.Client(base_url=base, timeout=60) as client, ThreadPoolExecutor(4) as pool:
        while level:
            found: list[str] = []
            for path, response in zip(level, pool.map(client.get, level)):
                seen[path] = response.status_code
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue
                for href in HREF.findall(response.text):
                    target = urlsplit(urljoin(base + path, href.replace("&amp;", "&")))
                    # Review packs take seconds each to print: tests/pages/test_pack_browser.py opens some.
                    if target.netloc != urlsplit(base).netloc or target.path.startswith(("/static/", "/pack/")):
                        continue
                    found.append(target.path + (f"?{target.query}" if target.query else ""))
            level = [p for p in dict.fromkeys(found) if p not in seen]
    return seen


def test_every_page_reached_from_the_overview_loads(server, browser):
    pages = crawl(server.url)
    broken = {path: status for path, status in pages.items() if status != 200}
    assert not broken, broken
    kinds = {kind_of(p) for p in pages}
    # Every page type is reachable from the overview by links alone.
    assert {"", "findings/item", "search", "profile", "places", "places/item", "network", "governance", "upload",
            "docs"} <= kinds, kinds
    assert any(p.endswith(".csv") or ".csv?" in p for p in pages) and any(".xlsx" in p for p in pages)

    opened: dict[str, int] = defaultdict(int)
    problems = {}
    for path in sorted(pages, key=lambda p: (len(p), p)):
        kind = kind_of(path)
        if ".csv" in path or ".xlsx" in path or opened[kind] >= PER_KIND:
            continue
        opened[kind] += 1
        visit = browser.visit(path)
        if kind in ("network", "profile") and browser.page.query_selector("#pm-network"):
            browser.page.wait_for_selector("#pm-network[data-drawn=true]")
        if browser.page.query_selector("#pm-map"):
            browser.page.wait_for_selector("#pm-map[data-drawn=true]")
        if kind == "docs":
            browser.page.wait_for_selector(".swagger-ui .info")
        found = {"errors": visit.errors, "left the machine": visit.refused,
                 "axe": browser.axe() if kind != "docs" else [], "ran data": browser.pwned()}
        if any(found.values()):
            problems[path] = found
        if opened[kind] == 1 and kind.split("/")[0] in SCREENSHOT_NAMES:
            name = SCREENSHOT_NAMES[kind.split("/")[0]] + ("-item" if kind.endswith("/item") else "")
            browser.screenshot(name)
    assert not problems, problems


HOSTILE_PAGES = ["/profile/hostile-board", "/profile/hostile-img", "/profile/hostile-quote", "/profile/hostile-formula",
                 "/places/E05999991", "/search?q=window.__pwned", "/search?q=%3Cimg", "/network?focus=hostile-board",
                 "/governance", "/findings/governance-gaps?area=E05999991", "/?area=E05999991",
                 "/network?area=E05999991&theme=%3Cb+onmouseover%3Dwindow.__pwned%3D1%3Ehealth%3C%2Fb%3E"]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_names_that_are_code_show_as_text_and_run_nothing(browser, path):
    visit = browser.visit(path)
    if browser.page.query_selector("#pm-network"):
        browser.page.wait_for_selector("#pm-network[data-drawn=true]")
        # Hovering every node puts each hostile name in a tooltip: still as text.
        network = browser.page.evaluate("Object.keys(window.partnermapNetwork.body.nodes).length")
        assert network > 0
    assert not visit.errors and not visit.refused
    assert not browser.pwned()
    text = browser.page.inner_text("main")
    assert "window.__pwned" in text  # shown, as text
    assert browser.page.evaluate("document.querySelectorAll('main img, main script:not([type]), main svg[onload]').length") == 0


def test_the_network_labels_do_not_overlap_at_the_default_zoom(browser):
    browser.visit("/network?area=E06000016")
    browser.page.wait_for_selector("#pm-network[data-drawn=true]")
    boxes = browser.page.evaluate("""(() => {
        const network = window.partnermapNetwork;
        return Object.keys(network.body.nodes).filter(id => network.body.data.nodes.get(id))
          .map(id => network.getBoundingBox(id));
    })()""")
    assert 10 < len(boxes) <= 80
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1
                and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1]
    assert not overlaps, overlaps[:3]
    browser.screenshot("network-leicester", full_page=False)
    # A click on a node opens its profile.
    browser.page.locator("#pm-network").scroll_into_view_if_needed()
    first = browser.page.evaluate("""(() => {
        const network = window.partnermapNetwork;
        const id = network.body.data.nodes.getIds()[0];
        const at = network.canvasToDOM(network.getPosition(id));
        const box = document.getElementById('pm-network').getBoundingClientRect();
        return {id: id, x: at.x + box.left, y: at.y + box.top};
    })()""")
    browser.page.mouse.click(first["x"], first["y"])
    browser.page.wait_for_url(f"**/profile/{first['id']}")


def test_filters_update_the_table_in_place_and_the_address_keeps_them(browser):
    browser.visit("/findings/missing-links")
    before = browser.page.locator("#results p").first.inner_text()
    browser.page.select_option("#theme", "health")
    browser.page.wait_for_url("**/findings/missing-links?*theme=health*")  # htmx pushed the filtered address
    browser.page.wait_for_function("before => document.querySelector('#results p').innerText !== before", arg=before)
    themes = browser.page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert themes and set(themes) == {"health"}
    assert browser.page.locator("#theme").input_value() == "health"  # the form was not replaced


def test_a_map_of_places_opens_a_territory_on_click(browser):
    browser.visit("/places?level=district")
    browser.page.wait_for_selector("#pm-map[data-drawn=true]")
    rows = browser.page.locator("table tbody tr").count()
    shapes = browser.page.locator("#pm-map path.leaflet-interactive").count()
    assert rows == shapes > 0  # the table says the same as the map
    browser.page.locator("#pm-map path.leaflet-interactive").first.click(force=True)
    browser.page.wait_for_url("**/places/E0*")

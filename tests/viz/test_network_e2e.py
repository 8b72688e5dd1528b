"""The network page in a real headless Chromium: it draws, runs no hostile data, stays offline.

Driven over the DevTools protocol (see tests/viz/chromium.py). Screenshots land in out/
(git-ignored) for a person to look at: viz-e2e.png, viz-e2e-hover.png and viz-e2e-tree.png.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.viz.chromium import CHROMIUM, DevToolsError, HeadlessChromium
from tests.viz.maps import (
    HOSTILE_ATTRIBUTE_NAME, HOSTILE_IMAGE_NAME, HOSTILE_LINK_TITLE, HOSTILE_PAGE_TITLE, HOSTILE_SCRIPT_NAME,
    governance_rows, partnership_map,
)
from viz import governance_tree, render_network

# `make test` installs Debian's chromium; in CI a missing browser is a failure, not a skip.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason=f"{CHROMIUM} is not installed: no browser to drive"
)

OUT = Path(__file__).resolve().parents[2] / "out"
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "http://127.0.0.1", "chrome-error:")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = HeadlessChromium(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def open_page(browser: HeadlessChromium, html: str, path: Path) -> None:
    path.write_text(html, encoding="utf-8")
    browser.events.clear()
    browser.open(path.as_uri())
    try:
        browser.wait_until("document.documentElement.getAttribute('data-layout') === 'settled'", timeout=10)
    except DevToolsError as exc:
        state = browser.evaluate("""JSON.stringify({url: location.href, visibility: document.visibilityState,
            status: (document.getElementById('pm-layout-status') || {}).textContent,
            stabilised: typeof network === 'undefined' ? null : network.physics.stabilized})""")
        raise AssertionError(f"the layout did not settle: {state}") from exc


def assert_quiet_and_offline(browser: HeadlessChromium) -> None:
    """No exception, no console or log error, no request leaving the machine, nothing hostile ran."""
    methods = [e["method"] for e in browser.events]
    exceptions = [e["params"] for e in browser.events if e["method"] == "Runtime.exceptionThrown"]
    assert not exceptions, exceptions
    console_errors = [e["params"] for e in browser.events
                      if e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert")]
    assert not console_errors, console_errors
    log_errors = [e["params"]["entry"] for e in browser.events
                  if e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]
    assert not log_errors, log_errors
    urls = [e["params"]["request"]["url"] for e in browser.events if e["method"] == "Network.requestWillBeSent"]
    assert urls and "Network.requestWillBeSent" in methods
    assert all(url.startswith(LOCAL_SCHEMES) for url in urls), urls
    assert browser.evaluate("typeof window.__pwned") == "undefined"


def test_the_partnership_map_draws_offline_and_runs_no_hostile_data(browser, tmp_path):
    nodes, edges = partnership_map()
    open_page(browser, render_network(nodes, edges, HOSTILE_PAGE_TITLE), tmp_path / "map.html")

    assert browser.evaluate("network.body.data.nodes.length") == len(nodes)
    assert browser.evaluate("network.body.data.edges.length") == len(edges)
    assert browser.evaluate("network.body.nodeIndices.length") == len(nodes)  # all drawn, none hidden
    assert browser.evaluate("document.title") == HOSTILE_PAGE_TITLE  # shown as text
    # Labels reach the canvas as the original text, hostile or with an ampersand.
    labels = browser.evaluate("JSON.stringify(network.body.data.nodes.get().map(n => [n.id, n.label]))")
    labels = dict(json.loads(labels))
    assert labels["evil-script"] == HOSTILE_SCRIPT_NAME
    assert labels["evil-attr"] == HOSTILE_ATTRIBUTE_NAME
    assert labels["floating"] == HOSTILE_IMAGE_NAME
    assert labels["hwb"] == "Health & Wellbeing Board"
    assert browser.evaluate("document.querySelectorAll('#pm-legend li').length") >= 15

    browser.screenshot(OUT / "viz-e2e.png")

    # Hovering the node whose title holds a javascript: link shows it as text, with no link in it.
    browser.evaluate("network.fit()")
    x, y = browser.evaluate("""(() => {
        const at = network.canvasToDOM(network.getPosition('evil-attr'));
        const box = document.getElementById('mynetwork').getBoundingClientRect();
        return [at.x + box.left, at.y + box.top];
    })()""")
    browser.move_mouse(x + 1, y + 1)
    tooltip = browser.wait_until(
        "(t => t && t.style.visibility !== 'hidden' && t.textContent)(document.querySelector('div.vis-tooltip'))")
    assert HOSTILE_LINK_TITLE in tooltip and "source: members.csv:11" in tooltip
    assert browser.evaluate("document.querySelectorAll('div.vis-tooltip a, div.vis-tooltip img').length") == 0
    browser.screenshot(OUT / "viz-e2e-hover.png")

    # The search box selects what matches; the freeze button stops and restarts the physics.
    found = browser.evaluate(
        "document.getElementById('pm-search').value = 'police'; window.partnermap.findNodes()")
    assert found == ["police"] and browser.evaluate("network.getSelectedNodes()") == ["police"]
    assert browser.evaluate("document.getElementById('pm-search-status').textContent") == "1 match"
    browser.evaluate("document.getElementById('pm-freeze').click()")
    assert browser.evaluate("network.physics.options.enabled") is False
    assert browser.evaluate("document.getElementById('pm-freeze').getAttribute('aria-pressed')") == "true"
    browser.evaluate("document.getElementById('pm-freeze').click()")
    assert browser.evaluate("network.physics.options.enabled") is True

    assert_quiet_and_offline(browser)


def test_the_governance_tree_puts_the_lsp_on_top(browser, tmp_path):
    nodes, edges = governance_tree(*governance_rows())
    open_page(browser, render_network(nodes, edges, "Charnwood governance", hierarchical=True), tmp_path / "tree.html")

    assert browser.evaluate("network.body.nodeIndices.length") == 7
    levels = browser.evaluate("JSON.stringify(network.getPositions())")
    y = {node_id: position["y"] for node_id, position in json.loads(levels).items()}
    assert y["lsp"] < y["hwb"] == y["csp"] < y["dv"]
    browser.screenshot(OUT / "viz-e2e-tree.png")
    assert_quiet_and_offline(browser)

"""The network page ``partnermap viz`` writes, in Debian's headless Chromium driven by Playwright.

It draws, runs no hostile data and stays offline. Screenshots land in out/screenshots/ for a
person to look at: viz-e2e.png, viz-e2e-hover.png and viz-e2e-tree.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pages.browser import open_browser, skip_without_browser
from tests.viz.maps import (
    HOSTILE_ATTRIBUTE_NAME, HOSTILE_IMAGE_NAME, HOSTILE_LINK_TITLE, HOSTILE_PAGE_TITLE, HOSTILE_SCRIPT_NAME,
    governance_rows, partnership_map,
)
from viz import governance_tree, render_network


@pytest.fixture(scope="module")
def browser():
    skip_without_browser()
    yield from open_browser("file://", allowed=("file:",))


def open_page(browser, html: str, path: Path):
    path.write_text(html, encoding="utf-8")
    visit = browser.visit(path.as_uri())
    browser.page.wait_for_function("document.documentElement.getAttribute('data-layout') === 'settled'")
    return visit


def assert_quiet_and_offline(browser, visit) -> None:
    """No error in the console or the page, no request leaving the machine, nothing hostile ran."""
    assert not visit.errors, visit.errors
    assert not visit.refused, visit.refused
    assert not browser.pwned()


def test_the_partnership_map_draws_offline_and_runs_no_hostile_data(browser, tmp_path):
    nodes, edges = partnership_map()
    visit = open_page(browser, render_network(nodes, edges, HOSTILE_PAGE_TITLE), tmp_path / "map.html")
    page = browser.page

    assert page.evaluate("network.body.data.nodes.length") == len(nodes)
    assert page.evaluate("network.body.data.edges.length") == len(edges)
    assert page.evaluate("network.body.nodeIndices.length") == len(nodes)  # all drawn, none hidden
    assert page.title() == HOSTILE_PAGE_TITLE  # shown as text
    # Labels reach the canvas as the original text, hostile or with an ampersand.
    labels = dict(json.loads(page.evaluate("JSON.stringify(network.body.data.nodes.get().map(n => [n.id, n.label]))")))
    assert labels["evil-script"] == HOSTILE_SCRIPT_NAME
    assert labels["evil-attr"] == HOSTILE_ATTRIBUTE_NAME
    assert labels["floating"] == HOSTILE_IMAGE_NAME
    assert labels["hwb"] == "Health & Wellbeing Board"
    assert page.locator("#pm-legend li").count() >= 15
    browser.screenshot("viz-e2e", full_page=False)

    # Hovering the node whose title holds a javascript: link shows it as text, with no link in it.
    page.evaluate("network.fit()")
    x, y = page.evaluate("""(() => {
        const at = network.canvasToDOM(network.getPosition('evil-attr'));
        const box = document.getElementById('mynetwork').getBoundingClientRect();
        return [at.x + box.left, at.y + box.top];
    })()""")
    page.mouse.move(x + 1, y + 1)
    tooltip = page.wait_for_selector("div.vis-tooltip:not([style*='hidden'])")
    text = tooltip.text_content()
    assert HOSTILE_LINK_TITLE in text and "source: members.csv:11" in text
    assert page.locator("div.vis-tooltip a, div.vis-tooltip img").count() == 0
    browser.screenshot("viz-e2e-hover", full_page=False)

    # The search box selects what matches; the freeze button stops and restarts the physics.
    found = page.evaluate("document.getElementById('pm-search').value = 'police'; window.partnermap.findNodes()")
    assert found == ["police"] and page.evaluate("network.getSelectedNodes()") == ["police"]
    assert page.locator("#pm-search-status").text_content() == "1 match"
    page.click("#pm-freeze")
    assert page.evaluate("network.physics.options.enabled") is False
    assert page.get_attribute("#pm-freeze", "aria-pressed") == "true"
    page.click("#pm-freeze")
    assert page.evaluate("network.physics.options.enabled") is True

    assert_quiet_and_offline(browser, visit)


def test_the_governance_tree_puts_the_lsp_on_top(browser, tmp_path):
    nodes, edges = governance_tree(*governance_rows())
    visit = open_page(browser, render_network(nodes, edges, "Charnwood governance", hierarchical=True),
                      tmp_path / "tree.html")

    assert browser.page.evaluate("network.body.nodeIndices.length") == 7
    y = {node_id: p["y"] for node_id, p in json.loads(browser.page.evaluate("JSON.stringify(network.getPositions())")).items()}
    assert y["lsp"] < y["hwb"] == y["csp"] < y["dv"]
    browser.screenshot("viz-e2e-tree", full_page=False)
    assert_quiet_and_offline(browser, visit)

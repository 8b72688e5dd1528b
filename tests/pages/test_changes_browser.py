"""The "What changed" page and the network with what joined and left, in Chromium, checked by axe-core.

Screenshots go to out/screenshots (what-changed.png, network-changes.png) for a person to look at.
"""

from __future__ import annotations

import pytest

import graph
import ingest
from tests.conftest import ROOT
from tests.pages.browser import browsing

CHANGES = ROOT / "tests" / "fixtures" / "registers" / "changes"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    db = tmp_path_factory.mktemp("changes-browser") / "db"
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](CHANGES))
    yield from browsing(db)


def test_the_form_asks_for_two_days_from_the_keyboard_and_the_page_passes_axe(browser):
    visit = browser.visit("/what-changed")
    browser.page.focus("#from")
    browser.page.keyboard.type("2024-01-01")
    browser.page.keyboard.press("Tab")
    browser.page.keyboard.type("2024-12-31")
    browser.page.keyboard.press("Enter")
    browser.page.wait_for_url("**/what-changed?from=2024-01-01&to=2024-12-31*")
    assert browser.page.inner_text("#counts caption") == "Changes by kind"
    assert browser.page.inner_text("#chairs-changed caption") == "Chairs changed (1)"
    assert not visit.errors and not visit.refused
    assert browser.axe() == []
    browser.screenshot("what-changed")


def test_the_network_draws_what_joined_and_left_and_passes_axe(browser):
    browser.visit("/what-changed?from=2024-01-01&to=2024-12-31")
    browser.page.click("text=See the network with what joined and left marked")
    browser.page.wait_for_selector("#pm-network[data-drawn=true]")
    edges = browser.page.evaluate("""(() => {
        const data = window.partnermapNetwork.body.data.edges.get();
        return {joined: data.filter(e => e.width === 5 && !e.dashes).length, left: data.filter(e => e.dashes).length};
    })()""")
    assert edges == {"joined": 7, "left": 5}
    assert browser.page.locator("text=thick solid green line").count() == 1
    assert browser.axe() == []
    assert not browser.current.errors and not browser.current.refused
    browser.page.locator("#pm-network").scroll_into_view_if_needed()
    browser.screenshot("network-changes")

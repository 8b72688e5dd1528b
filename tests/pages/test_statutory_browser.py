"""The statutory gaps and governance register pages in a real browser, over the hand-made statutory register.

Each page loads, passes axe-core, shows the act that requires each missing member, and is
photographed under out/screenshots.
"""

from __future__ import annotations

import pytest

import graph
import ingest
from tests.graph.test_statutory import FIXTURE_DIR
from tests.pages.browser import browsing


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    db = tmp_path_factory.mktemp("statutory-pages") / "db"
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](FIXTURE_DIR))
    yield from browsing(db)


def test_the_statutory_gaps_page_names_each_missing_member_and_its_act(browser):
    visit = browser.visit("/findings/statutory-gaps?as_of=2023-06-01")
    assert not visit.errors and not visit.refused
    assert browser.axe() == []
    table = browser.page.inner_text("main table")
    # The four unmet requirements of tests/fixtures/registers/statutory/README.md, and nothing met.
    assert "a representative of the Local Healthwatch organisation" in table
    assert "Health and Social Care Act 2012, s.194(2)(e)" in table
    assert "Crime and Disorder Act 1998, s.5(1)(d)" in table
    assert "Safer Statdale Partnership" not in table
    assert browser.page.locator("main table tbody tr").count() == 4
    browser.page.get_by_role("link", name="Statvale Community Safety Partnership").first.click()
    assert browser.page.url.endswith("/profile/statvale-csp")
    browser.visit("/findings/statutory-gaps?as_of=2023-06-01")
    browser.screenshot("statutory-gaps")


def test_the_governance_register_page_and_the_overview_count(browser):
    visit = browser.visit("/findings/governance-register?as_of=2023-06-01&area=E06999902")
    assert not visit.errors and not visit.refused
    assert browser.axe() == []
    assert browser.page.locator("main table tbody tr").count() == 3  # Statdale's board: three gaps
    assert "terms of reference review overdue" in browser.page.inner_text("main table")
    browser.screenshot("governance-register")
    browser.visit("/?as_of=2023-06-01")
    card = browser.page.locator(".pm-card", has_text="Statutory gaps")
    assert card.locator(".pm-finding-count").inner_text() == "4"
    assert "members the law requires are missing from statutory partnerships" in card.inner_text()
    assert "Governance register: 6" in browser.page.inner_text("main")
    assert browser.axe() == []

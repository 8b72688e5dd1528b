"""The review pack from the workspace in a real browser: the button is there, the pack opens, passes axe, downloads.

The same server as the other browser tests (the demo's data and a register of hostile names); the
pack's HTML view is photographed under out/screenshots.
"""

from __future__ import annotations

import pytest

from tests.pages.browser import browsing


@pytest.fixture(scope="module")
def browser(workspace_db):
    yield from browsing(workspace_db)


def test_a_partnership_page_offers_its_pack_which_opens_and_passes_axe(browser):
    visit = browser.visit("/profile/leicestershire-together")
    button = browser.page.get_by_role("button", name="Download review pack (PDF)")
    assert button.get_attribute("href") == "/pack/partnership/leicestershire-together.pdf"
    download = browser.page.request.get(browser.base + button.get_attribute("href") + "?as_of=2008-01-01")
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    assert download.body().startswith(b"%PDF-")

    browser.page.get_by_role("link", name="Review pack as a web page").click()
    browser.page.wait_for_url("**/pack/partnership/leicestershire-together.html")
    assert browser.page.locator("h1").inner_text() == "Leicestershire Together"
    assert browser.page.locator(".pm-pack-picture svg line").count() > 0  # the picture, drawn by the server
    assert browser.axe() == []
    assert not browser.pwned() and visit.errors == [] and visit.refused == []
    browser.screenshot("pack")


def test_a_place_page_offers_the_pack_of_what_covers_it(browser):
    visit = browser.visit("/places/E07000129")
    # Blaby is covered by 11 partnerships and forums: more than a PDF made here holds, so the web page is offered.
    link = browser.page.get_by_role("button", name="Open review pack")
    assert link.get_attribute("href") == "/pack/territory/E07000129.html"
    link.click()
    browser.page.wait_for_url("**/pack/territory/E07000129.html")
    assert browser.page.locator("#summary").inner_text() == "Summary"
    assert browser.axe() == []
    assert visit.errors == [] and visit.refused == []


def test_a_hostile_name_in_a_pack_runs_nothing(browser):
    visit = browser.visit("/pack/partnership/hostile-board.html")
    assert "<script>window.__pwned=1</script> Board" in browser.page.locator("h1").inner_text()
    assert not browser.pwned() and browser.axe() == [] and visit.errors == []

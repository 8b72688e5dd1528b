"""The files `partnermap report` and `partnermap viz` write: the workspace's templates, standalone.

Opened from disk in Chromium: they draw with nothing fetched, pass axe, and run no hostile name.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli import app
from tests.pages.browser import open_browser, skip_without_browser


@pytest.fixture(scope="module")
def browser():
    skip_without_browser()
    yield from open_browser("file://", allowed=("file:",))


@pytest.fixture(scope="module")
def snapshots(workspace_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("snapshots")
    for args in (["report", "--as-of", "2008-01-01", "-o", str(out / "report.html")],
                 ["viz", "--territory", "E06000016", "--as-of", "2008-01-01", "-o", str(out / "network.html")],
                 ["viz", "--governance", "-o", str(out / "governance.html")]):
        done = CliRunner().invoke(app, ["--db", str(workspace_db), *args])
        assert done.exit_code == 0, done.output
    return out


@pytest.mark.parametrize("name, heading", [("report.html", "Partnership mapping report"),
                                           ("network.html", "Partnership network"),
                                           ("governance.html", "Who reports to whom")])
def test_a_snapshot_looks_like_the_workspace_and_works_offline(browser, snapshots, name, heading):
    visit = browser.visit((snapshots / name).as_uri())
    if name == "network.html":
        browser.page.wait_for_selector("#pm-network[data-drawn=true]")
    assert browser.page.locator("h1").inner_text() == heading
    assert browser.page.locator(".govuk-service-navigation__service-name").inner_text() == "Partnership map"
    assert not visit.errors and not visit.refused and not browser.pwned()
    assert browser.axe() == []
    browser.screenshot(f"snapshot-{name.removesuffix('.html')}", full_page=False)

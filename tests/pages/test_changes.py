"""The "What changed" page and the network with what joined and left, served over the `changes` register."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import graph
import ingest
from api import create_app
from partnermap.settings import Settings
from tests.conftest import ROOT

CHANGES = ROOT / "tests" / "fixtures" / "registers" / "changes"
WINDOW = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture(scope="module")
def changes_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("changes-pages") / "db"
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](CHANGES))
    return db


@pytest.fixture(scope="module")
def client(changes_db):
    with TestClient(create_app(Settings(db=changes_db, read_only=True))) as test_client:
        yield test_client


def _count(html: str, title: str) -> int:
    found = re.search(rf">{re.escape(title)}(?:</a>)?</th>\s*<td[^>]*>(\d+)</td>", html)
    assert found, title
    return int(found.group(1))


def test_the_page_gives_counts_first_then_each_kind_of_change(client):
    page = client.get("/what-changed", params=WINDOW)
    assert page.status_code == 200
    html = page.text
    assert "31 changes from 2024-01-01 to 2024-12-31" in html
    assert _count(html, "Chairs changed") == 1 and _count(html, "Memberships begun") == 8
    assert _count(html, "Overload down (organisations on 5 or more groups on either day)") == 1
    # The counts come before the first section's table, and only sections with rows get one.
    assert html.index('id="counts"') < html.index('id="memberships-begun"')
    assert 'id="chairs-changed"' in html and 'id="partnerships-begun"' in html
    assert "Eastmoor District Council (chair until 2024-05-31) → Eastmoor NHS Trust (chair from 2024-06-01)" in html
    assert 'href="/network?from=2024-01-01&amp;to=2024-12-31"' in html
    assert 'aria-current="page"' in html and '>What changed</strong>' in html  # the navigation marks the page


def test_an_area_narrows_and_a_bad_window_or_place_is_a_page_saying_so(client):
    west = client.get("/what-changed", params={**WINDOW, "area": "E07000932"}).text
    assert "2 changes from" in west and "Westmoor Partnership" in west and "Eastmoor Together" not in west
    backwards = client.get("/what-changed", params={"from": "2024-12-31", "to": "2024-01-01"})
    assert backwards.status_code == 400 and "is after to" in backwards.text
    assert client.get("/what-changed", params={**WINDOW, "area": "E99999999"}).status_code == 404
    assert "Show what changed" in client.get("/what-changed").text  # the form alone


def test_the_network_marks_what_joined_and_left_in_words(client):
    html = client.get("/network", params=WINDOW).text
    # Joined: in force on 2024-12-31, not on 2024-01-01 (7); left: the other way round (5). Council stays on lsp
    # as a member though its chair ended, so that line neither joined nor left.
    assert "7 memberships joined and 5 left" in html
    assert "thick solid green line: a membership that joined between 2024-01-01 and 2024-12-31" in html
    assert "dashed line, and a shape with a dashed border" in html
    rows = re.findall(r'<tr class="govuk-table__row">\s*<td[^>]*><a[^>]*>([^<]+)</a></td>\s*<td[^>]*><a[^>]*>([^<]+)</a>'
                      r'</td>\s*<td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>', html)
    changed = {(partnership, organisation): change for partnership, organisation, change in rows}
    assert changed[("Eastmoor Health Forum", "Eastmoor District Council")] == "left between 2024-01-01 and 2024-12-31"
    assert changed[("Eastmoor Health and Wellbeing Board", "Eastmoor NHS Trust")] == "joined between 2024-01-01 and 2024-12-31"
    assert changed[("Eastmoor Together", "Eastmoor District Council")] == ""

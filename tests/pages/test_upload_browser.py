"""Uploading a register from the browser: problems come back as a table and nothing is written; a good one shows on the overview."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

import graph
from api import create_app
from partnermap.settings import Settings
from tests.conftest import ROOT
from tests.pages.browser import Server, open_browser, skip_without_browser

SMALL = ROOT / "tests" / "fixtures" / "registers" / "small"
KEY = "upload-test-key-0123456789"


def register_zip(folder: Path, target: Path, change: dict[str, str] | None = None) -> Path:
    """The register's CSV files zipped; ``change`` replaces whole files by name."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.writestr(path.name, (change or {}).get(path.name, path.read_text(encoding="utf-8")))
    return target


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    skip_without_browser()
    db = tmp_path_factory.mktemp("upload") / "db"
    running = Server(create_app(Settings(db=db, api_keys=[KEY]))).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser(server):
    yield from open_browser(server.url)


def stats(server) -> dict:
    return graph.stats(server._server.config.app.state.store)


def submit(browser, path: Path, key: str = KEY) -> None:
    browser.visit("/upload")
    browser.page.set_input_files("#register", str(path))
    browser.page.fill("#api_key", key)
    with browser.page.expect_navigation():
        browser.page.click("button[type=submit]")


def test_a_register_with_problems_shows_them_and_writes_nothing(server, browser, tmp_path):
    before = stats(server)
    rows = list(csv.DictReader(io.StringIO((SMALL / "memberships.csv").read_text(encoding="utf-8"))))
    rows[1]["role"] = "emperor"
    rows[2]["organisation"] = "nobody-of-that-id"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    submit(browser, register_zip(SMALL, tmp_path / "broken.zip", {"memberships.csv": out.getvalue()}))

    assert browser.page.locator(".govuk-error-summary").inner_text().count("nothing was written") == 1
    table = browser.page.locator("#problems tbody tr").all_inner_texts()
    # Row 3 of the file (header = row 1) is rows[1]; its role is not in the vocabulary.
    assert any("memberships.csv" in r and "\t3\t" in r and "role" in r and "emperor" in r for r in table), table
    assert any("memberships.csv" in r and "\t4\t" in r and "nobody-of-that-id" in r for r in table), table
    assert browser.axe() == []
    browser.screenshot("upload-problems")
    assert stats(server) == before


def test_a_wrong_key_is_refused_at_the_field(server, browser, tmp_path):
    submit(browser, register_zip(SMALL, tmp_path / "small.zip"), key="not-the-key")
    assert "Enter a valid API key" in browser.page.locator("#api_key-error").inner_text()
    assert browser.axe() == []


def test_a_good_register_is_written_and_shows_on_the_overview(server, browser, tmp_path):
    submit(browser, register_zip(SMALL, tmp_path / "small.zip"))
    assert browser.page.locator(".govuk-panel__title").inner_text() == "Register uploaded"
    written = dict(row.split("\t") for row in browser.page.locator("table tbody tr").all_inner_texts())
    organisations = sum(1 for _ in csv.DictReader(io.StringIO((SMALL / "organisations.csv").read_text())))
    assert written["Organisation"] == str(organisations)
    browser.screenshot("upload-done")
    browser.visit("/")
    holdings = browser.page.locator(".govuk-summary-list").first.inner_text()
    assert f"Organisations\n{organisations}" in holdings.replace("\t", "\n")


def test_the_upload_page_offers_the_register_template(server, browser, tmp_path):
    browser.visit("/upload")
    assert browser.axe() == []
    with browser.page.expect_download() as downloading:
        browser.page.get_by_role("link", name="register template (Excel workbook)").click()
    download = downloading.value
    assert download.suggested_filename == "register.xlsx"
    download.save_as(tmp_path / "register.xlsx")
    assert openpyxl.load_workbook(tmp_path / "register.xlsx").sheetnames[0] == "Instructions"

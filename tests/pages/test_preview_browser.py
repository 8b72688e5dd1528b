"""Checking an upload's changes in the browser before writing them, then confirming without sending it again."""

from __future__ import annotations

# server and browser are that module's fixtures, module-scoped: this module gets a server of its own.
from tests.pages.test_upload_browser import KEY, SMALL, browser, register_zip, server, stats, submit  # noqa: F401


def _meetings(server, partnership: str) -> int:
    store = server._server.config.app.state.store
    return store.run("MATCH (p:Partnership {id: $id}) RETURN p.meetings_per_year AS n", {"id": partnership})[0]["n"]


def test_the_changes_are_shown_first_and_confirming_writes_that_upload(server, browser, tmp_path):
    submit(browser, register_zip(SMALL, tmp_path / "small.zip"))
    assert browser.page.locator(".govuk-panel__title").inner_text() == "Register uploaded"
    before = stats(server)
    # By hand: the Blaby LSP (partnerships.csv row 3) meets 6 times a year; the edit says 10.
    text = (SMALL / "partnerships.csv").read_text(encoding="utf-8").replace("shire-together,no,6", "shire-together,no,10")
    edited = register_zip(SMALL, tmp_path / "small.zip", {"partnerships.csv": text})

    browser.visit("/upload")
    browser.page.set_input_files("#register", str(edited))
    browser.page.fill("#api_key", KEY)
    browser.page.check("#preview")
    with browser.page.expect_navigation():
        browser.page.click("button[type=submit]")
    assert browser.page.locator("h1").inner_text() == "Check the changes before writing them"
    counts = browser.page.locator("#preview-counts").inner_text().replace("\t", "\n").split("\n")
    assert counts[:8] == ["Added", "0", "Changed", "1", "Removed", "0", "Kept, still stated by other sources", "0"]
    rows = browser.page.locator("#changes tbody tr").all_inner_texts()
    assert rows == ["changed\tPartnership\tblaby-lsp\tpartnerships.csv row 3\tmeetings_per_year: 6 → 10"]
    assert browser.axe() == []
    browser.screenshot("upload-preview")
    assert stats(server) == before and _meetings(server, "blaby-lsp") == 6  # nothing written yet

    browser.page.fill("#api_key", KEY)
    with browser.page.expect_navigation():
        browser.page.click("button[type=submit]")
    assert browser.page.locator(".govuk-panel__title").inner_text() == "Register uploaded"
    assert browser.axe() == []
    assert _meetings(server, "blaby-lsp") == 10

    # A preview no longer held (confirmed already, expired, or never made) is refused, asking for the file again.
    browser.visit("/upload")
    with browser.page.expect_navigation():
        browser.page.evaluate("""key => {
            const form = Object.assign(document.createElement('form'), {method: 'post', action: '/upload/confirm'});
            for (const [name, value] of [['job', 'no-such-preview'], ['api_key', key]]) {
                form.append(Object.assign(document.createElement('input'), {type: 'hidden', name, value}));
            }
            document.body.append(form);
            form.submit();
        }""", KEY)
    assert "Upload the file again" in browser.page.locator(".govuk-error-summary").inner_text()
    assert browser.axe() == []

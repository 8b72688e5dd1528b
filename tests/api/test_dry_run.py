"""Uploads sent with dry_run=true: a preview and nothing written; confirming writes the very same upload."""

from __future__ import annotations

from api.held import HeldUploads
from tests.api.conftest import KEY, ROOT, assert_error, sample_files, upload, zip_bytes

AUTH = {"Authorization": f"Bearer {KEY}"}
DRY = {"dry_run": "true"}
GRANTS = ROOT / "tests" / "fixtures" / "giving" / "trafford_council_voluntary_sector_grants.csv"


def _confirm(client, job_id: str, key: str = KEY):
    return client.post(f"/ingest/jobs/{job_id}/confirm", headers={"Authorization": f"Bearer {key}"})


def _wait(client, response) -> dict:
    assert response.status_code == 202, response.text
    return client.get(f"/ingest/jobs/{response.json()['id']}", params={"wait": 30}, headers=AUTH).json()


def test_a_dry_run_previews_writes_nothing_and_confirming_writes_the_same_upload(make_client):
    client = make_client(api_keys=[KEY, "other"])
    files = sample_files()
    previewed = upload(client, zip_bytes(files), name="leicestershire", params=DRY)
    assert previewed["status"] == "done", previewed
    written = previewed["written"]
    assert written["dry_run"] is True
    # Everything is new to an empty store: by hand, the sample's 31 territories are all added.
    territories = [kind for group in written["preview"]["changes"] for kind in group["kinds"] if kind["kind"] == "Territory"]
    assert len(territories[0]["added"]) == 31
    assert written["preview"]["counts"]["removed"] == 0
    assert client.get("/territories").json()["total"] == 0  # nothing written

    assert_error(_confirm(client, previewed["id"], key="other"), 404, "not_found")  # another key's dry run is not seen
    done = _wait(client, _confirm(client, previewed["id"]))
    assert done["status"] == "done" and done["written"]["dry_run"] is False
    assert client.get("/territories").json()["total"] == 31
    assert client.get("/partnerships/blaby-lsp").json()["name"] == "Blaby District Local Strategic Partnership"
    assert_error(_confirm(client, previewed["id"]), 404, "not_found")  # confirmed once only


def test_a_dry_run_of_an_edit_lists_the_change_and_leaves_the_store_as_it_was(make_client):
    client = make_client(api_keys=[KEY])
    files = sample_files()
    assert upload(client, zip_bytes(files), name="leicestershire")["status"] == "done"
    sources = client.get("/sources").json()
    # By hand: partnerships.csv row 5, Harborough's LSP, meets 3 times a year; the edit says 5.
    files["partnerships.csv"] = files["partnerships.csv"].replace(b"E07000131,,no,3", b"E07000131,,no,5")
    previewed = upload(client, zip_bytes(files), name="leicestershire", params=DRY)
    preview = previewed["written"]["preview"]
    assert preview["counts"] | {"restated": 0} == {"added": 0, "changed": 1, "removed": 0, "kept": 0, "restated": 0}
    assert preview["changes"][0]["kinds"][0]["changed"][0]["fields"] == {"meetings_per_year": {"old": 3, "new": 5}}
    # Nothing written: the sources are as the first upload left them, and a second dry run finds the same change.
    assert client.get("/sources").json() == sources
    again = upload(client, zip_bytes(files), name="leicestershire", params=DRY)["written"]["preview"]
    assert again["counts"]["changed"] == 1


def test_an_unknown_or_expired_dry_run_is_refused_clearly(make_client):
    client = make_client(api_keys=[KEY])
    assert "dry_run=true" in assert_error(_confirm(client, "no-such-job"), 404, "not_found")["message"]
    now = [0.0]
    client.app.state.held = HeldUploads(seconds=60, clock=lambda: now[0])
    grants = GRANTS.read_bytes()
    previewed = upload(client, grants, name="trafford", path="/ingest/360giving", params=DRY,
                       headers={"Content-Type": "text/csv"})
    assert previewed["status"] == "done" and previewed["written"]["preview"]["counts"]["added"] > 0
    now[0] = 61.0
    error = assert_error(_confirm(client, previewed["id"]), 410, "expired")
    assert "send the upload again" in error["message"]


def test_a_dry_run_that_fails_keeps_nothing_to_confirm(make_client):
    client = make_client(api_keys=[KEY])
    files = sample_files()
    files["memberships.csv"] += b"no-such-partnership,blaby-dc,member,Someone,,,\n"
    failed = upload(client, zip_bytes(files), name="broken", params=DRY)
    assert failed["status"] == "failed"
    assert_error(_confirm(client, failed["id"]), 409, "not_previewed")
    assert client.app.state.held._held == {}

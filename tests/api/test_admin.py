"""POST /admin/backup: a backup taken by the serving process while it serves, with a key, into its own folder."""

from __future__ import annotations

import threading

import graph
from api import admin, ingest as ingest_routes
from graph.backup import restore
from tests.api.conftest import KEY, ROOT, assert_error, sample_files, upload, zip_bytes
from tests.trust.test_faults import fingerprint

AUTH = {"Authorization": f"Bearer {KEY}"}
SMALL = ROOT / "tests" / "fixtures" / "registers" / "small"


def test_a_backup_needs_a_key_and_a_folder_and_names_no_server_path(make_client, tmp_path):
    assert_error(make_client().post("/admin/backup", headers=AUTH), 403, "forbidden")  # no keys configured
    client = make_client(api_keys=[KEY])
    assert_error(client.post("/admin/backup"), 401, "unauthorized")
    assert_error(client.post("/admin/backup", headers={"Authorization": "Bearer not-the-key"}), 401, "unauthorized")
    error = assert_error(client.post("/admin/backup", headers=AUTH), 403, "forbidden")
    assert "PARTNERMAP_BACKUP_DIR" in error["message"]
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    response = make_client(api_keys=[KEY], backup_dir=not_a_folder).post("/admin/backup", headers=AUTH)
    assert_error(response, 500, "backup_failed")
    assert str(tmp_path) not in response.text and "nothing was kept" in response.text


def test_one_backup_at_a_time(make_client, tmp_path):
    client = make_client(api_keys=[KEY], backup_dir=tmp_path / "backups")
    with admin._backing_up:  # as while another request's backup runs
        response = client.post("/admin/backup", headers=AUTH)
    assert_error(response, 503, "busy")
    assert response.headers["retry-after"]
    assert client.post("/admin/backup", headers=AUTH).status_code == 201


def test_a_read_only_server_takes_backups_too(make_client, tmp_path):
    graph.open_store(tmp_path / "db0").close()  # the store the first client serves, made before it opens read-only
    client = make_client(api_keys=[KEY], backup_dir=tmp_path / "backups", read_only=True)
    assert client.post("/admin/backup", headers=AUTH).status_code == 201


def test_a_backup_taken_during_an_upload_restores_the_store_as_it_was_before_it(make_client, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    client = make_client(api_keys=[KEY], backup_dir=folder)
    assert upload(client, zip_bytes(sample_files()), name="leicestershire")["status"] == "done"
    store = client.app.state.store
    before = fingerprint(store)

    # The next upload's ingest stops inside its transaction, having written its first table, until the backup is taken.
    writing, backed_up = threading.Event(), threading.Event()
    real_ingest = ingest_routes.ingest_paths

    def paused_ingest(store, kind, paths, progress, **options):
        def told(message, **_):
            progress(message)
            if message.startswith("wrote") and not writing.is_set():
                writing.set()
                assert backed_up.wait(60)
        return real_ingest(store, kind, paths, progress=told, **options)

    monkeypatch.setattr(ingest_routes, "ingest_paths", paused_ingest)
    small = zip_bytes({path.name: path.read_bytes() for path in sorted(SMALL.glob("*.csv"))})
    accepted = client.post("/ingest/register", params={"name": "small"}, content=small,
                           headers={**AUTH, "Content-Type": "application/zip"})
    assert accepted.status_code == 202
    assert writing.wait(60)
    taken = client.post("/admin/backup", headers=AUTH)
    backed_up.set()
    assert taken.status_code == 201, taken.text
    answer = taken.json()
    assert set(answer) == {"file", "taken_at", "bytes", "nodes", "relationships", "seconds"}
    assert "/" not in answer["file"] and (folder / answer["file"]).stat().st_size == answer["bytes"]
    job = client.get(accepted.headers["location"], params={"wait": 30}, headers=AUTH).json()
    assert job["status"] == "done", job
    after = fingerprint(store)
    assert after != before

    with graph.open_store(tmp_path / "restored") as restored:
        restore(restored, folder / answer["file"])
        assert fingerprint(restored) == before
        assert answer["nodes"] == sum(graph.stats(restored)["nodes"].values())

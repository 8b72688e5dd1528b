"""Backups of the embedded store: whole, consistent while the store is written, restored all or nothing."""

from __future__ import annotations

import io
import re
import shutil
import tarfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

import graph
from graph.backup import MANIFEST, PARTIAL, backup, restore
from graph.embedded import LOADING_FILE
from ingest.pipeline import ingest_paths
from partnermap.errors import BackupRefused, StoreUnavailable
from tests.trust.test_faults import fingerprint

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "leicestershire"
SMALL = ROOT / "tests" / "fixtures" / "registers" / "small"


@dataclass(frozen=True)
class States:
    """A store before an ingest (the sample) and after it (the sample, then the small register), and a backup of after."""

    before: Path
    before_print: dict
    after_print: dict
    after_backup: Path


def build_states(folder: Path) -> States:
    """The two states in ``folder`` (``before`` a store, ``after.backup`` a backup), with their fingerprints."""
    before = folder / "before"
    with graph.open_store(before) as store:
        ingest_paths(store, "register", [SAMPLE])
        before_print = fingerprint(store)
    after = folder / "after"
    shutil.copytree(before, after)
    with graph.open_store(after) as store:
        ingest_paths(store, "register", [SMALL])
        after_print = fingerprint(store)
        backup(store, folder / "after.backup")
    assert after_print != before_print
    return States(before, before_print, after_print, folder / "after.backup")


@pytest.fixture(scope="module")
def states(tmp_path_factory) -> States:
    return build_states(tmp_path_factory.mktemp("backup"))


def _copy(states: States, tmp_path: Path) -> Path:
    db = tmp_path / "db"
    shutil.copytree(states.before, db)
    return db


def test_a_backup_restores_value_for_value_and_the_store_goes_on(states, tmp_path):
    restored = tmp_path / "restored"
    with graph.open_store(restored) as store:
        done = restore(store, states.after_backup)
        assert fingerprint(store) == states.after_print
        counts = graph.stats(store)
        assert done.counts["nodes"] == {label: n for label, n in counts["nodes"].items() if n}
        assert done.relationships == sum(counts["relationships"].values())
    with graph.open_store(restored) as store:  # as it was once reopened, and it takes ingests as before
        assert fingerprint(store) == states.after_print
        ingest_paths(store, "register", [SMALL])  # the same register again changes nothing
        assert fingerprint(store) == states.after_print


def test_a_backup_read_while_an_ingest_commits_holds_the_store_before_it_never_a_mix(states, tmp_path):
    # The backup's snapshot begins; after its first table a whole ingest commits; then it reads the rest.
    # (An ingest paused inside its transaction while a backup is taken: tests/api/test_admin.py.)
    db, file = _copy(states, tmp_path), tmp_path / "during.backup"
    committed = threading.Event()

    def between_tables(message, **_):
        if not committed.is_set():
            committed.set()
            ingest_paths(store, "register", [SMALL])

    with graph.open_store(db) as store:
        backup(store, file, progress=between_tables)
        assert committed.is_set()
        assert fingerprint(store) == states.after_print  # the ingest did commit
    with graph.open_store(tmp_path / "restored") as restored:
        restore(restored, file)
        assert fingerprint(restored) == states.before_print


def test_a_store_holding_data_is_replaced_only_with_force(states, tmp_path):
    with graph.open_store(_copy(states, tmp_path)) as store:
        with pytest.raises(BackupRefused, match=r"holds [\d,]+ nodes: .* add --force"):
            restore(store, states.after_backup)
        assert fingerprint(store) == states.before_print
        restore(store, states.after_backup, force=True)
        assert fingerprint(store) == states.after_print


def _largest_member(data: bytes) -> tarfile.TarInfo:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return max(archive.getmembers(), key=lambda member: member.size)


def _without_manifest(data: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive, tarfile.open(fileobj=out, mode="w") as copy:
        for member in archive.getmembers():
            if member.name != MANIFEST:
                copy.addfile(member, archive.extractfile(member))
    return out.getvalue()


def _changed_byte(data: bytes) -> bytes:
    member = _largest_member(data)
    at = member.offset_data + member.size // 2
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


DAMAGE = {
    # A tar is whole 512-byte blocks: the middle may fall between two files (or in a header, which reads as the
    # end), and what is left is then a shorter archive with no manifest, which the message says was cut short.
    "cut-in-half": (lambda data: data[: len(data) // 2], r"cannot be read|has no manifest: it was cut short"),
    "one-byte-changed": (_changed_byte, r"not as it was written|not a readable Parquet file"),
    "no-manifest": (_without_manifest, "has no manifest"),
    "not-a-backup": (lambda data: b"id,name\norg-1,Blaby\n", "cannot be read"),
    "empty": (lambda data: b"", "cannot be read"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_or_truncated_backup_is_refused_and_the_store_is_untouched(states, tmp_path, damage):
    spoil, why = DAMAGE[damage]
    file = tmp_path / "spoilt.backup"
    file.write_bytes(spoil(states.after_backup.read_bytes()))
    db = _copy(states, tmp_path)
    with graph.open_store(db) as store:
        with pytest.raises(BackupRefused) as refused:
            restore(store, file, force=True)
        message = str(refused.value)
        assert message.startswith(f"{file} is not a whole partnermap backup")
        assert "nothing was restored and the store is as it was" in message
        assert re.search(why, message), message
        assert fingerprint(store) == states.before_print
    assert not list(db.glob(f"{LOADING_FILE}*"))  # nothing left beside it
    with graph.open_store(db) as store:
        assert fingerprint(store) == states.before_print


def test_a_backup_never_overwrites_a_file_and_names_its_own_in_a_folder(states, tmp_path):
    existing = tmp_path / "kept.backup"
    existing.write_bytes(b"someone's file")
    left = tmp_path / f"old.backup{PARTIAL}{2**22 + 1}"  # a partial file whose process is gone
    left.write_bytes(b"half")
    with graph.open_store(states.before, read_only=True) as store:
        with pytest.raises(BackupRefused, match="exists already"):
            backup(store, existing)
        assert existing.read_bytes() == b"someone's file"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.backup", left.name]  # nothing of its own left
        taken = backup(store, tmp_path)  # a folder: a name of its own in it
    assert re.fullmatch(r"partnermap-\d{8}T\d{6}\.\d{3}Z\.backup", taken.path.name)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["kept.backup", taken.path.name])  # the leftover gone


def test_closing_the_store_ends_a_snapshot_being_read(states):
    store = graph.open_store(states.before, read_only=True)
    with store.snapshot() as snapshot:
        assert snapshot.table("MATCH (n:Organisation) RETURN count(n) AS n").num_rows == 1
        store.close()
        with pytest.raises(StoreUnavailable, match="closed or replaced"):
            snapshot.table("MATCH (n) RETURN count(n) AS n")


REAL = ROOT.parent / "shared" / "data"


def test_real_lookups_and_ward_boundaries_come_back_value_for_value(tmp_path):
    lookups, boundaries = REAL / "real-ons-lookups-greater-manchester", REAL / "real-ons-boundaries-greater-manchester"
    if not lookups.is_dir() or not boundaries.is_dir():
        pytest.skip(f"the real ONS files are not in {REAL} (see its REAL-DATA.md)")
    with graph.open_store(tmp_path / "db") as store:
        ingest_paths(store, "geography", [lookups])  # Greater Manchester's ONS lookups, mixed vintages
        ingest_paths(store, "boundaries", [boundaries / "trafford_wards_2025_E08000009.geojson"])
        held = fingerprint(store)
        taken = backup(store, tmp_path / "real.backup")
    with graph.open_store(tmp_path / "restored") as restored:
        restore(restored, taken.path)
        assert fingerprint(restored) == held
        rows = restored.run("MATCH (t:Territory) WHERE t.boundary IS NOT NULL RETURN count(t) AS n")
        assert rows[0]["n"] == 21  # the file's 21 features: Trafford's wards of 2025, each with its polygon

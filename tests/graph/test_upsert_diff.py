"""Upserts into a store that holds data skip the rows it already holds exactly, and only those.

The skip is checked with the threshold at 0 (so the sample's small tables take it): an
unchanged re-ingest writes nothing but its Source rows, and an edited one leaves exactly what a
fresh ingest of the edited register leaves.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import graph
import ingest
from graph import embedded
from graph.embedded import EmbeddedStore
from partnermap.errors import InvalidRecords
from tests.trust.test_faults import fingerprint

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "leicestershire"


@pytest.fixture
def diff_always(monkeypatch):
    monkeypatch.setattr(embedded, "DIFF_FROM_ROWS", 0)


def _merges(monkeypatch) -> list[str]:
    """The MERGE statements the store runs from now on."""
    seen: list[str] = []
    real = EmbeddedStore._execute

    def recording(self, query, params=None, connection=None):
        if "MERGE" in query or "CREATE (a)" in query:
            seen.append(query)
        return real(self, query, params, connection)

    monkeypatch.setattr(EmbeddedStore, "_execute", recording)
    return seen


def _edit(path: Path, match: dict[str, str], changes: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hits = [row for row in rows if all(row[k] == v for k, v in match.items())]
    assert hits, f"no row of {path.name} matches {match}"
    for row in hits:
        row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_an_unchanged_reingest_writes_only_its_source_rows(tmp_path, diff_always, monkeypatch):
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](SAMPLE))
        before = fingerprint(store)
        merges = _merges(monkeypatch)
        ingest.load(store, ingest.READERS["register"](SAMPLE))
        assert fingerprint(store) == before
    assert merges and all("MERGE (n:`Source`" in query or "MERGE (n:Source" in query for query in merges), merges


def test_an_edited_reingest_leaves_what_a_fresh_ingest_of_the_edit_leaves(tmp_path, diff_always):
    register = tmp_path / "register"
    shutil.copytree(SAMPLE, register)
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](register))
        with (register / "organisations.csv").open(encoding="utf-8") as handle:
            first = next(csv.DictReader(handle))
        with (register / "memberships.csv").open(encoding="utf-8") as handle:
            membership = next(csv.DictReader(handle))
        with (register / "services.csv").open(encoding="utf-8") as handle:
            service = next(row for row in csv.DictReader(handle) if row["client_groups"])
        _edit(register / "organisations.csv", {"id": first["id"]},
              {"name": first["name"] + " (renamed)", "aliases": "A new alias;" + first["aliases"]})
        _edit(register / "memberships.csv", {"partnership": membership["partnership"],
                                             "organisation": membership["organisation"], "role": membership["role"]},
              {"attendance": "0.33"})
        _edit(register / "services.csv", {"id": service["id"]}, {"client_groups": "Older people"})
        ingest.load(store, ingest.READERS["register"](register))
        edited = fingerprint(store)
    with graph.open_store(tmp_path / "fresh") as store:
        ingest.load(store, ingest.READERS["register"](register))
        assert fingerprint(store) == edited


def test_the_skip_and_the_plain_merge_agree(tmp_path, monkeypatch):
    """The same two ingests with the skip and without it: the same store."""
    register = tmp_path / "register"
    shutil.copytree(SAMPLE, register)
    prints = []
    for threshold in (0, 10**9):
        monkeypatch.setattr(embedded, "DIFF_FROM_ROWS", threshold)
        shutil.copytree(SAMPLE, register, dirs_exist_ok=True)
        with graph.open_store(tmp_path / f"db-{threshold}") as store:
            ingest.load(store, ingest.READERS["register"](register))
            with (register / "partnerships.csv").open(encoding="utf-8") as handle:
                partnership = next(csv.DictReader(handle))
            _edit(register / "partnerships.csv", {"id": partnership["id"]},
                  {"themes": "", "meetings_per_year": "7", "statutory": "no"})
            ingest.load(store, ingest.READERS["register"](register))
            prints.append(fingerprint(store))
    assert prints[0] == prints[1]


def test_a_problem_found_after_writing_began_leaves_the_store_as_it_was(tmp_path, diff_always, monkeypatch):
    """A re-ingest writes each relationship type as soon as it is checked: a later problem undoes it all."""
    register = tmp_path / "register"
    shutil.copytree(SAMPLE, register)
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](register))
        before = fingerprint(store)
        with (register / "memberships.csv").open(encoding="utf-8") as handle:
            membership = next(csv.DictReader(handle))
        with (register / "services.csv").open(encoding="utf-8") as handle:
            service = next(csv.DictReader(handle))
        _edit(register / "memberships.csv", {"partnership": membership["partnership"],
                                             "organisation": membership["organisation"], "role": membership["role"]},
              {"attendance": "0.11"})
        _edit(register / "services.csv", {"id": service["id"]}, {"provider": "no-such-provider"})
        merges = _merges(monkeypatch)
        with pytest.raises(InvalidRecords, match="no-such-provider"):
            ingest.load(store, ingest.READERS["register"](register))
        assert any("MEMBER_OF" in query for query in merges)  # the edited membership was written, then undone
        assert fingerprint(store) == before

"""A dry run tells exactly what an ingest would change, and writes nothing.

By hand, on a copy of examples/leicestershire ingested once, then edited:

* memberships.csv: a new row (Blaby District Council's Head of Community Services on the Blaby
  LSP, row 22 once inserted after the Blaby rows 17-21); Leicestershire CC's seat on the Blaby LSP (Cabinet
  Lead Member for Communities) goes from ``member`` to ``vice_chair``; HM Prison Leicester's two
  seats (Resettlement Manager on the offenders' forum, Governor on the MAPPA board) are deleted.
* partnerships.csv: the Blaby LSP meets 6 times a year, not 4.
* organisations.csv: HM Prison Leicester is deleted; with it goes what its row stated, its
  COVERS of Leicester (E06000016).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import graph
from ingest.pipeline import ingest_paths
from tests.conftest import SAMPLE
from tests.trust.test_faults import fingerprint

SOURCES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def _edit(folder: Path) -> None:
    def frame(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / name, dtype=str, keep_default_na=False)

    members = frame("memberships.csv")
    seat = (members.partnership == "blaby-lsp") & (members.organisation == "leicestershire-cc")
    members.loc[seat, "role"] = "vice_chair"
    members = members[members.organisation != "hmp-leicester"]
    new = pd.DataFrame([{"partnership": "blaby-lsp", "organisation": "blaby-dc", "role": "member",
                         "representative": "Head of Community Services"}])
    at = members.index.get_loc(members.index[(members.partnership == "blaby-lsp")][-1]) + 1
    members = pd.concat([members.iloc[:at], new, members.iloc[at:]]).fillna("")
    members.to_csv(folder / "memberships.csv", index=False)
    partnerships = frame("partnerships.csv")
    partnerships.loc[partnerships.id == "blaby-lsp", "meetings_per_year"] = "6"
    partnerships.to_csv(folder / "partnerships.csv", index=False)
    organisations = frame("organisations.csv")
    organisations[organisations.id != "hmp-leicester"].to_csv(folder / "organisations.csv", index=False)


def _by_kind(report: dict) -> dict[tuple[str, str], dict]:
    return {(group["source"].split("/")[-1], kind["kind"]): kind for group in report["changes"] for kind in group["kinds"]}


def _ids(kind: dict, change: str) -> list[str]:
    return [entry["id"] for entry in kind[change]]


def test_a_dry_run_lists_exactly_the_edits_and_writes_nothing(tmp_path):
    folder = Path(shutil.copytree(SAMPLE, tmp_path / "register"))
    with graph.open_store(tmp_path / "db") as store:
        ingest_paths(store, "register", [folder])
        before = fingerprint(store)
        _edit(folder)
        report = ingest_paths(store, "register", [folder], dry_run=True).preview
        assert fingerprint(store) == before

    assert report["counts"] == {"added": 1, "changed": 2, "removed": 4, "kept": 0, "restated": report["counts"]["restated"]}
    kinds = _by_kind(report)
    assert set(kinds) == {("memberships.csv", "MEMBER_OF"), ("partnerships.csv", "Partnership"),
                          ("organisations.csv", "Organisation"), ("organisations.csv", "COVERS")}
    members = kinds[("memberships.csv", "MEMBER_OF")]
    assert _ids(members, "added") == ["MEMBER_OF|blaby-dc|blaby-lsp|Head of Community Services"]
    assert members["added"][0]["row"] == "memberships.csv row 22"
    assert members["changed"] == [{
        "id": "MEMBER_OF|leicestershire-cc|blaby-lsp|Cabinet Lead Member for Communities",
        "row": "memberships.csv row 18", "from_id": "leicestershire-cc", "to_id": "blaby-lsp",
        "fields": {"role": {"old": "member", "new": "vice_chair"}}}]
    assert _ids(members, "removed") == ["MEMBER_OF|hmp-leicester|mappa-smb|Governor",
                                        "MEMBER_OF|hmp-leicester|sp-offenders-forum|Resettlement Manager"]
    partnership = kinds[("partnerships.csv", "Partnership")]
    assert partnership["changed"] == [{"id": "blaby-lsp", "row": "partnerships.csv row 3",
                                       "fields": {"meetings_per_year": {"old": 4, "new": 6}}}]
    assert type(partnership["changed"][0]["fields"]["meetings_per_year"]["new"]) is int
    assert _ids(kinds[("organisations.csv", "Organisation")], "removed") == ["hmp-leicester"]
    assert _ids(kinds[("organisations.csv", "COVERS")], "removed") == ["COVERS|hmp-leicester|E06000016"]


def test_a_dry_run_into_an_empty_store_adds_everything_and_leaves_it_empty(tmp_path):
    folder = tmp_path / "county"
    shutil.copytree(SOURCES / "county", folder)
    with graph.open_store(tmp_path / "db") as store:
        report = ingest_paths(store, "register", [folder], dry_run=True).preview
        assert store.run("MATCH (n) RETURN count(*) AS n") == [{"n": 0}]
    kinds = _by_kind(report)
    # By hand: 2 organisations, 1 partnership, 1 territory; 2 memberships.
    assert sorted(_ids(kinds[("organisations.csv", "Organisation")], "added")) == ["nhs-shropshire-ccg", "shropshire-council"]
    assert len(kinds[("memberships.csv", "MEMBER_OF")]["added"]) == 2
    assert _ids(kinds[("territories.csv", "Territory")], "added") == ["E06000051"]


def test_a_fact_another_source_still_states_is_only_kept(tmp_path):
    county = Path(shutil.copytree(SOURCES / "county", tmp_path / "county"))
    ccg = Path(shutil.copytree(SOURCES / "ccg-return", tmp_path / "ccg-return"))
    with graph.open_store(tmp_path / "db") as store:
        ingest_paths(store, "register", [county])
        ingest_paths(store, "register", [ccg])
        before = fingerprint(store)
        (ccg / "memberships.csv").write_text("partnership,organisation,role,representative,attendance,since,until\n")
        report = ingest_paths(store, "register", [ccg], dry_run=True).preview
        assert fingerprint(store) == before
    assert report["counts"]["removed"] == 0
    assert report["counts"]["kept"] == 1
    kept = _by_kind(report)[("memberships.csv", "MEMBER_OF")]["kept"]
    assert kept == [{"id": "MEMBER_OF|nhs-shropshire-ccg|shropshire-partnership|Accountable Officer",
                     "from_id": "nhs-shropshire-ccg", "to_id": "shropshire-partnership",
                     "also_stated_by": ["register:county/memberships.csv"]}]


@pytest.mark.parametrize("dry_run", [False, True])
def test_what_a_dry_run_says_is_what_the_ingest_then_does(tmp_path, dry_run):
    """The dry run's removals are the facts the real ingest removes (the same decisions)."""
    folder = Path(shutil.copytree(SAMPLE, tmp_path / "register"))
    with graph.open_store(tmp_path / "db") as store:
        ingest_paths(store, "register", [folder])
        _edit(folder)
        done = ingest_paths(store, "register", [folder], dry_run=dry_run)
        if dry_run:
            assert done.preview["counts"]["removed"] == 4
        else:
            assert done.removed == 4
            assert store.run("MATCH (o:Organisation {id: 'hmp-leicester'}) RETURN o.id AS id") == []

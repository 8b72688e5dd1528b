"""A fact several sources state keeps every one of them: withdrawing one never loses what another states.

Fixture: ``tests/fixtures/sources`` (see its README). By hand: both registers state that NHS
Shropshire CCG sits on the Shropshire Partnership as its Accountable Officer; the county says
``member`` (attendance 0.75), the CCG's own return ``vice_chair`` (0.8). The county alone states
Shropshire Council and its chair's seat.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import graph
import ingest
from partnermap.errors import InvalidRecords

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
MEMBERSHIP = "MEMBER_OF|nhs-shropshire-ccg|shropshire-partnership|Accountable Officer"
SAID = {"county": ("member", 0.75, "register:county/memberships.csv", "memberships.csv row 3"),
        "ccg-return": ("vice_chair", 0.8, "register:ccg-return/memberships.csv", "memberships.csv row 2")}


@pytest.fixture
def registers(tmp_path) -> dict[str, Path]:
    """Copies of both registers, to edit and ingest again from the same place."""
    return {name: Path(shutil.copytree(FIXTURES / name, tmp_path / name)) for name in SAID}


def _ingest(store, folder: Path) -> dict:
    return ingest.load(store, ingest.READERS["register"](folder))


def _membership(store) -> dict | None:
    rows = store.run("MATCH (:Organisation)-[r:MEMBER_OF {id: $id}]->(:Partnership) RETURN r.role AS role, "
                     "r.attendance AS attendance, r.source AS source, r.source_row AS source_row, r.sources AS sources",
                     {"id": MEMBERSHIP})
    assert len(rows) <= 1
    return rows[0] if rows else None


def _without(folder: Path, file: str, column: str, value: str) -> None:
    """Delete the rows of ``folder/file`` whose ``column`` is ``value`` (the register edited in place)."""
    frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    frame[frame[column] != value].to_csv(folder / file, index=False)


def _organisation(store, org_id: str) -> list[dict]:
    return store.run("MATCH (o:Organisation {id: $id}) RETURN o.name AS name, o.source AS source, o.sources AS sources",
                     {"id": org_id})


@pytest.mark.parametrize("first, second", [("county", "ccg-return"), ("ccg-return", "county")])
def test_a_fact_two_sources_state_survives_either_dropping_it(store, registers, first, second):
    _ingest(store, registers[first])
    _ingest(store, registers[second])
    both = _membership(store)
    # The most recent ingest's values are shown; both sources are kept, the shown one first.
    assert (both["role"], both["attendance"], both["source"]) == SAID[second][:3]
    assert both["sources"] == [SAID[second][2], SAID[first][2]]

    _without(registers[second], "memberships.csv", "organisation", "nhs-shropshire-ccg")
    written = _ingest(store, registers[second])
    assert written["removed"]["facts"] == 0 and written["removed"]["statements"] == 1
    kept = _membership(store)
    assert (kept["role"], kept["attendance"], kept["source"], kept["source_row"]) == SAID[first]
    assert kept["sources"] is None  # one source states it now

    _without(registers[first], "memberships.csv", "organisation", "nhs-shropshire-ccg")
    written = _ingest(store, registers[first])
    assert written["removed"]["facts"] == 1
    assert _membership(store) is None  # no source states it any more


def test_an_organisation_and_membership_the_other_source_states_are_kept(store, registers):
    _ingest(store, registers["county"])
    _ingest(store, registers["ccg-return"])
    for file in ("memberships.csv", "organisations.csv"):
        _without(registers["ccg-return"], file, "organisation" if file == "memberships.csv" else "id", "nhs-shropshire-ccg")
    written = _ingest(store, registers["ccg-return"])
    assert written["removed"]["facts"] == 0  # the county still states both
    assert _organisation(store, "nhs-shropshire-ccg") == [
        {"name": "NHS Shropshire CCG", "source": "register:county/organisations.csv", "sources": None}]
    assert _membership(store)["source"] == SAID["county"][2]


def test_restating_a_source_makes_its_values_the_ones_shown_without_losing_the_other(store, registers):
    _ingest(store, registers["county"])
    _ingest(store, registers["ccg-return"])
    _ingest(store, registers["county"])  # unchanged: the county is now the most recent to say it
    again = _membership(store)
    assert (again["role"], again["attendance"], again["source"]) == SAID["county"][:3]
    assert again["sources"] == [SAID["county"][2], SAID["ccg-return"][2]]
    _without(registers["county"], "memberships.csv", "organisation", "nhs-shropshire-ccg")
    _ingest(store, registers["county"])
    kept = _membership(store)
    assert (kept["role"], kept["source"]) == ("vice_chair", SAID["ccg-return"][2])  # the CCG still says it


def test_ingesting_the_same_sources_again_changes_nothing(store, registers):
    _ingest(store, registers["county"])
    _ingest(store, registers["ccg-return"])
    def held():
        conflicts = [{k: v for k, v in row.items() if k != "stated_at"} for row in graph.run_query(store, "conflicts")]
        return conflicts, _membership(store), graph.stats(store)

    before = held()
    written = _ingest(store, registers["ccg-return"])
    assert written["removed"] == {"facts": 0, "statements": 0}
    assert held() == before  # only when the CCG last said so moved on


def test_disagreements_are_listed_with_every_value_and_its_source(store, registers):
    _ingest(store, registers["county"])
    _ingest(store, registers["ccg-return"])
    rows = graph.run_query(store, "conflicts")
    shown = [(r["kind"], r["id"], r["property"], r["value"], r["shown"], r["source"], r["source_row"]) for r in rows]
    assert shown == [
        ("MEMBER_OF", MEMBERSHIP, "attendance", 0.8, True, SAID["ccg-return"][2], SAID["ccg-return"][3]),
        ("MEMBER_OF", MEMBERSHIP, "attendance", 0.75, False, SAID["county"][2], SAID["county"][3]),
        ("MEMBER_OF", MEMBERSHIP, "role", "vice_chair", True, SAID["ccg-return"][2], SAID["ccg-return"][3]),
        ("MEMBER_OF", MEMBERSHIP, "role", "member", False, SAID["county"][2], SAID["county"][3]),
    ]
    assert rows[0]["about"] == "NHS Shropshire CCG → Shropshire Partnership"
    assert all(r["stated_at"] for r in rows)  # when each source last said so: its ingest
    assert graph.run_query(store, "conflicts", {"kind": "Organisation"}) == []  # they agree on the CCG itself


def test_a_source_from_another_folder_of_the_same_name_is_not_replaced_unasked(store, registers, tmp_path):
    _ingest(store, registers["county"])
    elsewhere = Path(shutil.copytree(registers["ccg-return"], tmp_path / "elsewhere" / "county"))
    with pytest.raises(InvalidRecords, match="--replace"):
        _ingest(store, elsewhere)
    assert _organisation(store, "shropshire-council")  # nothing was replaced
    from ingest.pipeline import ingest_paths

    named = ingest_paths(store, "register", [elsewhere], source="ccg-return")
    assert named.removed == 0 and _membership(store)["sources"] == [SAID["ccg-return"][2], SAID["county"][2]]


def test_every_export_carries_every_source_and_rdf_reads_them_back(store, registers, tmp_path):
    from rdflib import URIRef
    from rdflib.namespace import PROV

    from graph.dump import dump
    from graph.export import to_json, write_graphml, write_neo4j_csv
    from ontology.rdf_data import data_graph, serialize, statement_iri

    _ingest(store, registers["county"])
    _ingest(store, registers["ccg-return"])
    everything = dump(store)
    sources = [SAID["ccg-return"][2], SAID["county"][2]]

    edge = next(e for e in to_json(everything)["edges"] if e["id"] == MEMBERSHIP)
    assert edge["properties"]["sources"] == sources and '"vice_chair"' in edge["properties"]["statements"]

    graphml = write_graphml(everything, tmp_path / "g.graphml").files[0].read_text(encoding="utf-8")
    assert "; ".join(sources) in graphml

    written = write_neo4j_csv(everything, store.model, tmp_path / "neo4j")
    members = next(f for f in written.files if f.name.startswith("rels_MEMBER_OF"))
    header, row = members.read_text(encoding="utf-8").splitlines()[:2]
    assert "sources:string[]" in header and "\u001f".join(sources) in row

    rdf = data_graph(everything.nodes, everything.relationships, store.model)
    subject = statement_iri("MEMBER_OF", MEMBERSHIP, store.model)
    assert {str(o) for o in rdf.objects(subject, PROV.wasDerivedFrom)} == {
        f"{store.model.resource_base}source/{URIRef(s.replace('/', '%2F').replace(':', '%3A'))}" for s in sources}

    # Read back into a fresh store: the same fact, the same sources, the same disagreement.
    turtle = tmp_path / "export.ttl"
    turtle.write_text(serialize(everything.nodes, everything.relationships, "ttl"), encoding="utf-8")
    with graph.open_store(tmp_path / "again") as again:
        ingest.load(again, ingest.READERS["rdf"](turtle))
        assert _membership(again) == _membership(store)
        strip = lambda rows: [{k: v for k, v in r.items() if k != "stated_at"} for r in rows]  # noqa: E731
        assert strip(graph.run_query(again, "conflicts")) == strip(graph.run_query(store, "conflicts"))


def test_only_a_source_that_restates_fewer_facts_is_searched_for_stale_ones(store, registers, monkeypatch):
    """Each Source records how many facts it stated; one that restates them all has none to withdraw."""
    _ingest(store, registers["county"])
    _ingest(store, registers["ccg-return"])
    counted = {row["id"]: row["facts"] for row in store.run("MATCH (s:Source) RETURN s.id AS id, s.facts AS facts")}
    # By hand: 2 memberships, or 2 organisations and 2 COVERS, each file with its own Source node.
    assert counted["register:county/memberships.csv"] == 3 and counted["register:county/organisations.csv"] == 5
    asked: list[dict] = []
    real = type(store).table

    def table(self, query, params=None):
        if params and "sources" in params:
            asked.append(params)
        return real(self, query, params)

    monkeypatch.setattr(type(store), "table", table)
    _ingest(store, registers["county"])
    assert asked == []  # unchanged: nothing searched
    _without(registers["county"], "memberships.csv", "organisation", "shropshire-council")
    written = _ingest(store, registers["county"])
    assert written["removed"]["facts"] == 1
    assert asked and all(params["sources"] == ["register:county/memberships.csv"] for params in asked)

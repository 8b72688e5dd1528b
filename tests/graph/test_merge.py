"""Merging two organisation nodes in the store: relationships move with their properties and provenance.

Fixture: ``tests/fixtures/resolve`` city and county registers ingested as they are (no
resolution), so the county's ``city-council`` is a second node for Leicester City Council.
By hand from memberships.csv: ``city-council`` sits on leicestershire-together (member,
Chief Executive, 0.5, since 2008-04-01, county row 3); ``leicester-city-council`` on
leicester-partnership and safer-leicester.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import graph
import ingest
from graph.merge import DELETE_NODE_STATEMENT, NODE_STATEMENT, delete_statement, edges_statement, merge_organisations
from ontology import load_model
from partnermap.errors import NotFound
from tests.conftest import lint

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "resolve"


@pytest.fixture
def both(store):
    for register in ("city", "county"):
        ingest.load(store, ingest.READERS["register"](FIXTURES / register))
    return store


def _member_of(store, org_id):
    return store.run(
        "MATCH (o:Organisation {id: $id})-[r:MEMBER_OF]->(p) RETURN p.id AS partnership, r.id AS id, r.role AS role, "
        "r.representative AS representative, r.attendance AS attendance, r.since AS since, r.source AS source, "
        "r.source_row AS source_row ORDER BY partnership, id",
        {"id": org_id},
    )


def test_merge_moves_relationships_with_provenance_and_records_the_merge(both):
    before = graph.stats(both)
    moved = merge_organisations(both, "leicester-city-council", "city-council")
    assert moved == {"moved": 1, "duplicates": 0}
    assert _member_of(both, "city-council") == []
    assert {"partnership": "leicestershire-together",
            "id": "MEMBER_OF|leicester-city-council|leicestershire-together|Chief Executive",
            "role": "member", "representative": "Chief Executive", "attendance": 0.5, "since": dt.date(2008, 4, 1),
            "source": "register:county/memberships.csv", "source_row": "memberships.csv row 3"} in _member_of(both, "leicester-city-council")
    after = graph.stats(both)
    assert after["nodes"]["Organisation"] == before["nodes"]["Organisation"] - 1
    assert after["relationships"] == before["relationships"]
    kept = both.run("MATCH (o:Organisation {id: 'leicester-city-council'}) RETURN o.aliases AS aliases, o.identifiers AS ids")[0]
    assert kept["aliases"] == ["LCC", "City of Leicester", "LEICESTER CITY COUNCIL"]
    assert kept["ids"] == ["gss:E06000016", "orgid:GB-LAE-LCE", "merged:city-council"]


def test_a_fact_both_nodes_state_is_kept_once(both):
    # uhl and leicester-royal-infirmary both have "MEMBER_OF|…|leicestershire-together|Chief Executive".
    moved = merge_organisations(both, "uhl", "leicester-royal-infirmary")
    assert moved == {"moved": 0, "duplicates": 1}
    assert [r["source_row"] for r in _member_of(both, "uhl")] == ["memberships.csv row 6"]


def test_a_failed_merge_writes_nothing(both):
    before = graph.stats(both)
    with pytest.raises(NotFound, match="no-such-body"):
        merge_organisations(both, "no-such-body", "city-council")
    assert graph.stats(both) == before and _member_of(both, "city-council")


def test_ids_are_parameters_never_query_text(both):
    hostile = "x'}) DETACH DELETE (n) //`"
    with pytest.raises(NotFound):
        merge_organisations(both, "leicester-city-council", hostile)
    assert graph.stats(both)["nodes"]["Organisation"] == 11


def test_merge_statements_lint_clean_as_neo4j_cypher():
    model = load_model()
    statements = {"node": NODE_STATEMENT, "delete node": DELETE_NODE_STATEMENT}
    for rel in model.relationships.values():
        for a, b in rel.endpoints:
            for node, label in (("from", a), ("to", b)):
                if label == "Organisation":
                    statements[f"read {rel.name} {a}->{b} {node}"] = edges_statement(model, rel.name, a, b, node)
                    statements[f"delete {rel.name} {a}->{b} {node}"] = delete_statement(rel.name, a, b, node)
    found = lint(statements)
    assert {name: diags for name, diags in found.items() if diags} == {}

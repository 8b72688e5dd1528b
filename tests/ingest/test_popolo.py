"""Popolo JSON in and out: organisations, partnerships, areas and memberships on behalf of organisations.

Fixture ``tests/fixtures/popolo/people.json`` (see its README); expected answers by hand from it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import graph
import ingest
from graph.dump import dump
from graph.popolo import to_popolo
from ingest.batches import ReadWarning, SetAside
from ingest.pipeline import ingest_paths
from partnermap.errors import InvalidRecords
from tests.conftest import SAMPLE

PEOPLE = Path(__file__).resolve().parents[1] / "fixtures" / "popolo" / "people.json"


def _rows(store, query: str) -> list[dict]:
    return sorted(store.run(query), key=lambda row: repr(list(row.values())))


def test_people_s_memberships_become_their_organisations_memberships(store):
    done = ingest_paths(store, "popolo", [PEOPLE])
    assert _rows(store, "MATCH (n:Organisation) RETURN n.id AS id, n.sector AS sector, n.aliases AS aliases, "
                        "n.identifiers AS identifiers") == [
        {"id": "rutland-cc", "sector": "local_authority", "aliases": [], "identifiers": ["gss:E06000017"]},
        {"id": "rutland-police", "sector": "police", "aliases": ["Leics Police"], "identifiers": []},
    ]
    assert store.run("MATCH (n:Partnership) RETURN n.id AS id, n.kind AS kind") == [{"id": "rutland-hwb", "kind": "board"}]
    assert store.run("MATCH (n:Forum) RETURN n.id AS id, n.kind AS kind") == [{"id": "rutland-forum", "kind": "forum"}]
    assert store.run("MATCH (a)-[:REPORTS_TO]->(b) RETURN a.id AS a, b.id AS b") == [{"a": "rutland-forum", "b": "rutland-hwb"}]
    assert _rows(store, "MATCH (t:Territory) RETURN t.id AS id, t.level AS level") == [
        {"id": "E06000017", "level": "unitary"}, {"id": "E14000909", "level": "constituency"}]
    seats = _rows(store, "MATCH (a)-[r:MEMBER_OF]->(b) RETURN a.id AS member, b.id AS body, r.role AS role, "
                         "r.representative AS representative, r.since AS since, r.until AS until")
    assert seats == sorted([
        {"member": "rutland-cc", "body": "rutland-hwb", "role": "chair", "representative": "Leader of the Council",
         "since": dt.date(2019, 5, 1), "until": None},
        # two people in one seat: from the first start; one of them has not left, so no end
        {"member": "rutland-cc", "body": "rutland-forum", "role": "member", "representative": "Ward councillor",
         "since": dt.date(2018, 1, 1), "until": None},
        {"member": "rutland-police", "body": "rutland-hwb", "role": "vice_chair", "representative": "Local Area Commander",
         "since": None, "until": None},
        {"member": "rutland-police", "body": "rutland-forum", "role": "member", "representative": None,
         "since": None, "until": None},
    ], key=lambda row: repr(list(row.values())))
    said = [str(w) for w in done.warnings]
    assert any("4 persons left out; 3 of their memberships read as their organisations' memberships, "
               "1 on behalf of no organisation left out" in w for w in said), said
    assert any("1 roles the model does not have read as member" in w and "Treasurer" in w for w in said), said
    assert any("1 start or end dates that are not full dates" in w for w in said), said


def _nodes(store, label: str, columns: str) -> list[dict]:
    return _rows(store, f"MATCH (n:{label}) RETURN n.id AS id, {columns}")


def test_export_then_ingest_gives_the_same_nodes_and_memberships(tmp_path):
    with graph.open_store(tmp_path / "register") as first:
        ingest.load(first, ingest.READERS["register"](SAMPLE))
        document = to_popolo(dump(first))
        (tmp_path / "sample.json").write_text(json.dumps(document), encoding="utf-8")
        before = _held(first)
    with graph.open_store(tmp_path / "popolo") as second:
        ingest_paths(second, "popolo", [tmp_path / "sample.json"])
        after = _held(second)
    for part in before:
        assert after[part] == before[part], part
    # By hand from the sample: 43 organisations, 27 partnerships, 8 forums, 31 territories, 220 memberships.
    assert [len(before[part]) for part in ("Organisation", "Partnership", "Forum", "Territory", "MEMBER_OF")] == [43, 27, 8, 31, 220]


def _held(store) -> dict[str, list[dict]]:
    return {
        "Organisation": _nodes(store, "Organisation", "n.name AS name, n.sector AS sector, n.aliases AS aliases, "
                                                      "n.identifiers AS identifiers"),
        "Partnership": _nodes(store, "Partnership", "n.name AS name, n.kind AS kind"),
        "Forum": _nodes(store, "Forum", "n.name AS name, n.kind AS kind"),
        "Territory": _nodes(store, "Territory", "n.name AS name, n.level AS level"),
        "MEMBER_OF": _rows(store, "MATCH (a)-[r:MEMBER_OF]->(b) RETURN r.id AS id, a.id AS a, b.id AS b, r.role AS role, "
                                  "r.representative AS representative, r.since AS since, r.until AS until"),
        "PART_OF": _rows(store, "MATCH (a)-[r:PART_OF]->(b) RETURN a.id AS a, b.id AS b"),
    }


@pytest.mark.parametrize("content, reason", [
    (b"not json", "not JSON"),
    (b"[1, 2]", "the top level is not a JSON object"),
    (b'{"persons": [{"id": "p1", "name": "Someone"}]}', "no organizations and no memberships"),
    (b'{"organizations": {"id": "x"}}', "organizations should be a list"),
    (b'{"organizations": [{"id": "x", "name": "X", "classification": "guild"}]}', "no row of popolo.csv maps"),
    (b'{"organizations": [{"id": "x", "name": "X", "classification": "party"}], '
     b'"memberships": [{"organization_id": "x", "role": "member"}]}', "needs the member organisation"),
    (b'\xff\xfe{', "not UTF-8"),
])
def test_a_file_partnermap_cannot_map_is_refused_with_its_reason(store, tmp_path, content, reason):
    path = tmp_path / "file.json"
    path.write_bytes(content)
    with pytest.raises(InvalidRecords) as refused:
        ingest.load(store, ingest.READERS["popolo"](path))
    assert reason in str(refused.value)
    assert store.run("MATCH (n) RETURN count(*) AS n") == [{"n": 0}]


def test_a_membership_of_an_unknown_organisation_is_refused_naming_it(store, tmp_path):
    path = tmp_path / "file.json"
    path.write_text(json.dumps({"organizations": [{"id": "x", "name": "X", "classification": "party"}],
                                "memberships": [{"on_behalf_of_id": "x", "organization_id": "nowhere"}]}))
    with pytest.raises(InvalidRecords) as refused:
        ingest.load(store, ingest.READERS["popolo"](path))
    assert "nowhere" in str(refused.value)


def test_the_reader_yields_its_warnings_beside_its_batches():
    items = list(ingest.READERS["popolo"](PEOPLE))
    assert sum(isinstance(item, ReadWarning) for item in items) == 3
    assert not list(SetAside(item for item in items if isinstance(item, ReadWarning)))


def test_a_popolo_source_restating_partnerships_keeps_what_only_the_register_says(tmp_path):
    """Popolo has no field for statutory or meetings a year: the register's values stay, both sources kept."""
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](SAMPLE))
        (tmp_path / "sample.json").write_text(json.dumps(to_popolo(dump(store))), encoding="utf-8")
        ingest_paths(store, "popolo", [tmp_path / "sample.json"])
        # By hand, examples/leicestershire/partnerships.csv: the Safer Leicester Partnership is statutory, 6 a year.
        assert store.run("MATCH (p:Partnership {id: 'safer-leicester-partnership'}) "
                         "RETURN p.statutory AS statutory, p.meetings_per_year AS meetings, p.sources AS sources") == [
            {"statutory": True, "meetings": 6,
             "sources": ["popolo:sample.json", "register:leicestershire/partnerships.csv"]}]

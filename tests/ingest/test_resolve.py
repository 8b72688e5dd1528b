"""Entity resolution at ingest and the review file, on two registers naming the same bodies differently.

Expected answers worked out by hand from ``tests/fixtures/resolve`` (city, then county):

* city: 4 organisations, 5 memberships.
* county, 7 organisations:
  - ``city-council`` "LEICESTER CITY COUNCIL": the city's "Leicester City Council" in another
    case, same sector → merged into ``leicester-city-council``;
  - ``lpt`` "Leicestershire Partnership Trust", ods:RT5 → merged (same ODS code);
  - ``leicester-royal-infirmary`` ods:RWE, as ``uhl`` earlier in the same file → merged into ``uhl``;
  - ``leicestershire-county-council``: "Leicestershire County Council" ≈ "Leicester City Council"
    (82.4: 2×21 matching characters over 29+22) → proposed, not merged;
  - ``val-leicester`` "VAL - Voluntary Action Leicester" ≈ "Voluntary Action Leicester" → proposed;
  - ``leicestershire-probation`` ≈ "Leicestershire Police" (80) but probation ≠ police → neither.
  So 4 new organisations (8 in all), and of the 8 county memberships the infirmary's duplicates
  the uhl one (same partnership and post once re-pointed): 7 new, 12 in all.
"""

from __future__ import annotations

import csv
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

import graph
import ingest
from ingest.batches import ROW, EdgeBatch, NodeBatch
from ingest.matching import identifier_keys, name_keys, normalise
from ingest.resolve import Decisions, Match, Resolver, apply, read_decisions, resolve, review, write_review
from partnermap.errors import InvalidRecords

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "resolve"
CITY, COUNTY = FIXTURES / "city", FIXTURES / "county"


def _ingest(store, register: Path, decisions: Decisions | None = None) -> Resolver:
    resolver = Resolver.from_store(store, decisions)
    ingest.load(store, ingest.READERS["register"](register), resolver=resolver)
    return resolver


def _organisations(store) -> dict[str, dict]:
    return {row["id"]: row for row in graph.run_query(store, "organisations-index")}


def _memberships(store) -> set[tuple[str, str, str]]:
    rows = store.run("MATCH (o:Organisation)-[r:MEMBER_OF]->(p) RETURN o.id AS o, p.id AS p, r.representative AS rep")
    return {(row["o"], row["p"], row["rep"]) for row in rows}


def _pairs(matches: list[Match]) -> dict[tuple[str, str], Match]:
    return {(m.left_id, m.right_id): m for m in matches}


def test_names_are_normalised_and_identifiers_canonical():
    assert normalise("  The Leicester City Council ") == "leicester city council"
    assert normalise("M.E.L. Research Ltd") == "mel research"
    assert normalise("Hinckley & Bosworth Borough Council") == "hinckley and bosworth borough council"
    assert normalise("City Women's Refuge Project") == "city womens refuge project"
    assert name_keys("Leicester City Council") == {"leicester city council", "leicester city"}
    assert identifier_keys(["orgid:GB-CHC-1234567", "company:1234567", " ODS : rt5 "]) == {
        "orgid:GB-CHC-1234567", "charity:1234567", "company:01234567", "ods:RT5"
    }


def test_second_register_resolves_onto_the_first(store):
    _ingest(store, CITY)
    resolver = _ingest(store, COUNTY)
    organisations = _organisations(store)
    assert set(organisations) == {
        "leicester-city-council", "leicestershire-partnership-nhs-trust", "leicestershire-police",
        "voluntary-action-leicester", "leicestershire-county-council", "leicestershire-probation", "uhl", "val-leicester",
    }
    merged = {(m.left_id, m.right_id): m.reason for m in resolver.matches if m.certain}
    assert merged == {
        ("leicester-city-council", "city-council"): "same name 'leicester city council'",
        ("leicestershire-partnership-nhs-trust", "lpt"): "same identifier ods:RT5",
        ("uhl", "leicester-royal-infirmary"): "same identifier ods:RWE",
    }
    members = _memberships(store)
    assert len(members) == 12
    # Relationships of the merged-away ids now start at the kept nodes.
    assert ("leicester-city-council", "leicestershire-together", "Chief Executive") in members
    assert ("leicestershire-partnership-nhs-trust", "leicestershire-together", "Chief Executive") in members
    assert ("leicestershire-partnership-nhs-trust", "safer-leicester", "Head of Mental Health") in members
    assert [m for m in members if m[0] == "uhl"] == [("uhl", "leicestershire-together", "Chief Executive")]
    # Provenance stays with the file and row that stated the fact.
    row = store.run(
        "MATCH (o:Organisation {id: 'leicester-city-council'})-[r:MEMBER_OF]->(p:Partnership {id: 'leicestershire-together'}) "
        "RETURN r.id AS id, r.source AS source, r.source_row AS source_row"
    )
    assert row == [{"id": "MEMBER_OF|leicester-city-council|leicestershire-together|Chief Executive",
                    "source": "register:county/memberships.csv", "source_row": "memberships.csv row 3"}]


def test_near_matches_are_proposed_not_merged(store):
    _ingest(store, CITY)
    resolver = _ingest(store, COUNTY)
    proposed = _pairs([m for m in resolver.matches if not m.certain])
    assert set(proposed) == {
        ("leicester-city-council", "leicestershire-county-council"),
        ("voluntary-action-leicester", "val-leicester"),
    }
    assert proposed[("leicester-city-council", "leicestershire-county-council")].score == 82.4
    # Police and probation score 80 on their names, but two sectors are two bodies: not even proposed.
    assert not any("leicestershire-probation" in (m.left_id, m.right_id) for m in resolver.matches)
    assert {"leicestershire-county-council", "val-leicester"} <= set(_organisations(store))


def test_trailing_space_and_exact_name_with_same_sector_merge_from_any_reader():
    # A reader that does not strip its cells, and a batch in no register's shape.
    index = [{"id": "E06000016", "name": "Leicester City Council", "sector": "local_authority", "aliases": None, "identifiers": None}]
    nodes = NodeBatch("Organisation", pd.DataFrame({
        "id": ["lcc-1", "lcc-2", "lcc-3"],
        "name": ["Leicester City Council ", "Leicester City Council", "Leicester City Council"],
        "sector": ["Local Authority", "local_authority", "business"],
        "source": "s", "source_row": ["r1", "r2", "r3"], ROW: [1, 2, 3],
    }), "x.json")
    edges = EdgeBatch("DELIVERS", pd.DataFrame({
        "from_id": ["lcc-1", "lcc-3"], "to_id": ["svc", "svc"], "id": ["DELIVERS|lcc-1|svc", "DELIVERS|lcc-3|svc"],
        "source": "s", "source_row": ["r4", "r5"], ROW: [4, 5],
    }), "x.json", ("Organisation",), ("Service",), "provider", "id")
    items, matches = resolve([nodes, edges], index)
    kept = next(i for i in items if isinstance(i, NodeBatch))
    # lcc-1 is now source s's statement of the stored council (its row r1); lcc-2, the same source
    # naming the same body again, goes; the business of the same name is another body.
    assert list(zip(kept.frame["id"], kept.frame["source_row"])) == [("E06000016", "r1"), ("lcc-3", "r3")]
    rewired = next(i for i in items if isinstance(i, EdgeBatch)).frame
    assert list(zip(rewired["from_id"], rewired["id"])) == [("E06000016", "DELIVERS|E06000016|svc"), ("lcc-3", "DELIVERS|lcc-3|svc")]
    assert {(m.right_id, m.certain) for m in matches} == {("lcc-1", True), ("lcc-2", True), ("lcc-3", False)}


def test_different_identifiers_in_one_scheme_keep_same_names_apart():
    index = [{"id": "a", "name": "Citizens Advice", "sector": "vcse", "aliases": [], "identifiers": ["charity:1111111"]}]
    nodes = NodeBatch("Organisation", pd.DataFrame({
        "id": ["b"], "name": ["Citizens Advice"], "sector": ["vcse"], "identifiers": ["orgid:GB-CHC-2222222"], ROW: [2],
    }), "grants.csv")
    items, matches = resolve([nodes], index)
    assert list(items[0].frame["id"]) == ["b"]
    assert [(m.certain, m.reason) for m in matches] == [(False, "same name 'citizens advice', but their charity identifiers differ")]


def test_one_word_aliases_and_initials_are_only_proposed():
    index = [
        {"id": "lcc", "name": "Leicester City Council", "sector": "local_authority", "aliases": ["LCC"], "identifiers": []},
        {"id": "probation", "name": "Leicestershire and Rutland Probation Area", "sector": "probation", "aliases": ["Probation"], "identifiers": []},
    ]
    nodes = NodeBatch("Organisation", pd.DataFrame({
        "id": ["x1", "x2"], "name": ["LCC", "Probation"], "sector": ["local_authority", "probation"], ROW: [2, 3],
    }), "minutes.txt")
    items, matches = resolve([nodes], index)
    assert list(items[0].frame["id"]) == ["x1", "x2"]
    assert {(m.left_id, m.right_id) for m in matches} == {("lcc", "x1"), ("probation", "x2")}
    assert not any(m.certain for m in matches)


def test_reingesting_after_resolution_changes_nothing(store):
    _ingest(store, CITY)
    _ingest(store, COUNTY)
    before = graph.stats(store), _memberships(store)
    _ingest(store, COUNTY)
    _ingest(store, CITY)
    assert (graph.stats(store), _memberships(store)) == before


def test_review_file_accept_merges_and_reject_is_never_proposed_again(store, tmp_path):
    _ingest(store, CITY)
    _ingest(store, COUNTY)
    review_file = tmp_path / "matches.csv"
    matches, compared = review(graph.run_query(store, "organisations-index"))
    assert write_review(review_file, matches) == 2
    rows = list(csv.DictReader(review_file.open(encoding="utf-8")))
    assert [(r["left_id"], r["right_id"], r["decision"]) for r in rows] == [
        ("voluntary-action-leicester", "val-leicester", ""),
        ("leicester-city-council", "leicestershire-county-council", ""),
    ]
    rows[0]["decision"], rows[1]["decision"] = "accept", "Reject"
    with review_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    decisions = read_decisions(review_file)
    assert apply(store, decisions) == [("voluntary-action-leicester", "val-leicester", "merged, 1 relationships moved")]
    assert apply(store, decisions) == [("voluntary-action-leicester", "val-leicester", "already merged")]
    organisations = _organisations(store)
    assert "val-leicester" not in organisations
    assert "merged:val-leicester" in organisations["voluntary-action-leicester"]["identifiers"]
    assert ("voluntary-action-leicester", "leicestershire-together", "Chief Officer") in _memberships(store)

    again, _ = review(graph.run_query(store, "organisations-index"), decisions)
    assert again == []  # the rejected pair is not proposed again; the accepted one is one node now
    assert write_review(review_file, again, decisions) == 0
    assert [r["decision"] for r in csv.DictReader(review_file.open(encoding="utf-8"))] == ["accept", "reject"]

    # Re-ingesting the county register: its val-leicester resolves onto the node it was merged into.
    counts = graph.stats(store)
    resolver = _ingest(store, COUNTY, decisions)
    assert graph.stats(store) == counts
    assert ("voluntary-action-leicester", "val-leicester") in {(m.left_id, m.right_id) for m in resolver.matches if m.certain}
    assert not any(m.right_id == "leicestershire-county-council" for m in resolver.matches)


def test_accepted_pair_merges_at_ingest(store):
    _ingest(store, CITY)
    decisions = Decisions(accepted=[("voluntary-action-leicester", "val-leicester")])
    _ingest(store, COUNTY, decisions)
    assert "val-leicester" not in _organisations(store)
    assert ("voluntary-action-leicester", "leicestershire-together", "Chief Officer") in _memberships(store)


def test_review_csv_cells_cannot_start_a_formula(tmp_path):
    path = tmp_path / "matches.csv"
    evil = Match("=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@HYPERLINK(\"http://x\")", 85.0, "similar names")
    write_review(path, [evil])
    row = next(csv.DictReader(path.open(encoding="utf-8")))
    assert row["left_id"] == "'=cmd|' /C calc'!A0"
    assert row["left_name"] == "'+SUM(1,2)" and row["right_id"] == "'-2+3" and row["right_name"].startswith("'@")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines[1:] for cell in next(csv.reader([line])))
    # Read back, the ids are the real ones again.
    row_with_decision = path.read_text(encoding="utf-8").replace(",similar names,", ",similar names,reject")
    path.write_text(row_with_decision, encoding="utf-8")
    assert read_decisions(path).rejected == {frozenset(("=cmd|' /C calc'!A0", "-2+3"))}


def test_a_bad_decision_is_reported_with_its_row(tmp_path):
    path = tmp_path / "matches.csv"
    path.write_text("left_id,left_name,right_id,right_name,score,reason,decision\na,A,b,B,90,x,maybe\n", encoding="utf-8")
    with pytest.raises(InvalidRecords) as caught:
        read_decisions(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == ("matches.csv", 2, "decision", "maybe")


def _national_like(*incoming: str) -> list[tuple[str, str, bool]]:
    """Resolve ``incoming`` names against a store of 240 bodies, where kinds of body ('Medical Centre',
    'Health Centre', 'Residents Association', 'Food Bank') are common words, as in a national store."""
    places = [f"Place{chr(97 + i // 26)}{chr(97 + i % 26)}ton" for i in range(60)]
    kinds = ("Medical Centre", "Health Centre", "Residents Association", "Food Bank")
    index = [{"id": f"{place}-{kind}", "name": f"{place} {kind}", "sector": "vcse", "aliases": [], "identifiers": []}
             for kind in kinds for place in places]
    index += [{"id": "sandwell-ra", "name": "Sandwell Residents Association", "sector": "vcse", "aliases": [], "identifiers": []},
              {"id": "ashby-mc", "name": "Ashby de la Zouch Medical Centre", "sector": "vcse", "aliases": [], "identifiers": []},
              {"id": "north-anstey-fb", "name": "North Anstey Food Bank", "sector": "vcse", "aliases": [], "identifiers": []}]
    nodes = NodeBatch("Organisation", pd.DataFrame({
        "id": [f"in-{i}" for i in range(len(incoming))], "name": list(incoming), "sector": "vcse", ROW: range(2, len(incoming) + 2),
    }), "in.csv")
    _, matches = resolve([nodes], index)
    return sorted((m.left_id, m.right_id, m.certain) for m in matches)


def test_a_mistyped_common_word_is_still_proposed():
    # 'assciation' is rare because it is mistyped: it must not count as what tells the names apart.
    assert _national_like("Sandwell Residents Assciation") == [("sandwell-ra", "in-0", False)]


def test_one_place_with_two_kinds_of_body_is_not_proposed():
    # The names score 88.9; what differs is the kind of body, in words common to many names.
    assert _national_like("Ashby de la Zouch Health Centre") == []


def test_differing_place_qualifiers_are_two_bodies_but_a_missing_one_is_asked():
    assert _national_like("South Anstey Food Bank") == []
    assert _national_like("Anstey Food Bank") == [("north-anstey-fb", "in-0", False)]


def test_pairs_found_while_a_first_load_writes_are_those_found_before(tmp_path):
    """Into an empty store the uncertain pairs are found on a thread while the bulk load copies."""
    def both():
        return [*ingest.READERS["register"](CITY), *ingest.READERS["register"](COUNTY)]

    _, before = resolve(both(), [])
    with graph.open_store(tmp_path / "db") as store:
        resolver = Resolver.from_store(store)
        messages = []
        ingest.load(store, both(), progress=messages.append, resolver=resolver)
        assert resolver.matches == before
        assert {("leicester-city-council", "leicestershire-county-council"), ("voluntary-action-leicester", "val-leicester")} \
            <= set(_pairs([m for m in resolver.matches if not m.certain]))
        assert "2 uncertain matches to review" in messages
        assert len(_organisations(store)) == 8


def test_a_failed_ingest_leaves_no_proposals_thread_behind(tmp_path):
    broken = tmp_path / "county"
    shutil.copytree(COUNTY, broken)
    (broken / "memberships.csv").write_text((COUNTY / "memberships.csv").read_text().replace("uhl", "nobody-at-all", 1))
    with graph.open_store(tmp_path / "db") as store:
        with pytest.raises(InvalidRecords, match="nobody-at-all"):
            ingest.load(store, ingest.READERS["register"](broken), resolver=Resolver.from_store(store))
    assert not [t for t in threading.enumerate() if t.name == "partnermap-proposals"]


def test_a_large_store_is_read_only_where_keys_are_shared(tmp_path, monkeypatch):
    """Above WHOLE_INDEX_UP_TO organisations, only those sharing a match key with the incoming are read."""
    import graph
    from graph.organisations import sharing_keys
    from ingest import resolve as resolution
    from ingest.pipeline import ingest_paths

    with graph.open_store(tmp_path / "db") as store:
        ingest_paths(store, "register", [CITY])  # the pipeline writes each organisation's match keys
        held = store.run("MATCH (o:Organisation) RETURN o.id AS id, o.match_keys AS keys")
        assert all(row["keys"] for row in held)
        keys = ["id:leicester-city-council", "gss:E06000016", "voluntary action leicester", "nothing like it"]
        expected = sorted(row["id"] for row in held if set(row["keys"]) & set(keys))
        assert sorted(row["id"] for row in sharing_keys(store, keys)) == expected and expected
    def certain(whole: bool, db: str) -> set:
        with graph.open_store(tmp_path / db) as store:
            ingest_paths(store, "register", [CITY])
            monkeypatch.setattr(resolution, "WHOLE_INDEX_UP_TO", 10_000 if whole else 0)
            resolver = _ingest(store, COUNTY)
            return {(m.left_id, m.right_id, m.reason) for m in resolver.matches if m.certain}

    # The county's certain matches are found from the candidates alone, as from the whole store.
    found = certain(False, "keyed")
    assert found == certain(True, "whole") and len(found) >= 2

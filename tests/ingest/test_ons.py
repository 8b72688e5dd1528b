"""The ONS partnership geographies reader on the real national files (tests/fixtures/ons) and broken copies."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import ingest
from ingest import geography, ons
from partnermap.errors import InvalidRecords

ROOT = Path(__file__).resolve().parents[2]
ONS = ROOT / "tests" / "fixtures" / "ons"
CCG_LOOKUP = ROOT / "examples" / "leicestershire" / "geography" / "lsoa11_to_ccg20_to_lad20.csv"
LOOKUPS = ROOT / "examples" / "leicestershire" / "geography"
LLR = {"E06000016", "E06000017", "E07000129", "E07000130", "E07000131", "E07000132", "E07000133", "E07000134", "E07000135"}


def _column(file: str, column: str) -> set[str]:
    with (ONS / file).open(encoding="utf-8-sig", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle) if row[column]}


def _covered(store, code: str) -> set[str]:
    rows = store.run("MATCH (x {id: $id})-[:COVERS]->(t:Territory) RETURN t.id AS id", {"id": code})
    return {r["id"] for r in rows}


def test_the_national_files_make_partnerships_bodies_and_coverage(store):
    counts = ingest.load(store, ons.read([ONS, CCG_LOOKUP]))
    csps = _column("community_safety_partnerships_dec2019.csv", "CSP19CD") | _column("lad19_to_csp19_to_pfa19.csv", "CSP19CD")
    stps = _column("stps_apr2020.csv", "STP20CD") | _column("ccg20_to_stp20.csv", "STP20CD")
    assert counts["nodes"]["Partnership"] == len(csps | stps)
    assert counts["nodes"]["Organisation"] == len(_column("fire_rescue_authorities_dec2019.csv", "FRA19CD")
                                                   | _column("lad19_to_fire_rescue_authority19.csv", "FRA19CD"))
    # 102,E07000129,Blaby,E22000164,Blaby,E23000021,Leicestershire
    blaby_csp = store.run("MATCH (p:Partnership {id: 'E22000164'})-[:HAS_THEME]->(th:Theme) "
                          "RETURN p.name AS name, p.kind AS kind, p.statutory AS statutory, th.name AS theme")
    assert blaby_csp == [{"name": "Blaby Community Safety Partnership", "kind": "board", "statutory": True, "theme": "community safety"}]
    assert _covered(store, "E22000164") == {"E07000129"}
    # rows 321-329 of the fire lookup: the nine LLR districts -> E31000024 Leicestershire
    fire = store.run("MATCH (o:Organisation {id: 'E31000024'}) RETURN o.name AS name, o.sector AS sector, o.identifiers AS ids")
    assert fire == [{"name": "Leicestershire Fire and Rescue Authority", "sector": "fire", "ids": ["gss:E31000024"]}]
    assert _covered(store, "E31000024") == LLR
    # the STP reaches its districts through the three LLR CCGs (ccg20_to_stp20 rows 36-38) and the LSOA lookup
    stp = store.run("MATCH (p:Partnership {id: 'E54000015'}) RETURN p.name AS name")
    assert stp == [{"name": "Leicester, Leicestershire and Rutland (STP/ICS)"}]
    assert _covered(store, "E54000015") == LLR
    pfa = store.run("MATCH (t:Territory {id: 'E23000021'}) RETURN t.name AS name, t.level AS level")
    assert pfa == [{"name": "Leicestershire police force area", "level": "police_force_area"}]
    # districts are written so the reader works alone
    assert store.run("MATCH (t:Territory {id: 'E07000129'}) RETURN t.name AS name, t.level AS level") == [
        {"name": "Blaby", "level": "district"}]


def test_after_the_lookups_districts_keep_their_year_and_tree(store):
    ingest.load(store, geography.read(LOOKUPS))
    ingest.load(store, ons.read([ONS, CCG_LOOKUP]))
    rows = store.run("MATCH (t:Territory {id: 'E07000129'})-[:PART_OF]->(p) RETURN t.year AS year, t.name AS name, p.id AS parent")
    assert rows == [{"year": 2019, "name": "Blaby", "parent": "E10000018"}]


def test_ingesting_twice_changes_nothing(store):
    first = ingest.load(store, ons.read(ONS))
    second = ingest.load(store, ons.read(ONS))
    assert first["nodes"] == second["nodes"] and first["relationships"] == second["relationships"]


def _problems(store, source) -> list[str]:
    with pytest.raises(InvalidRecords) as caught:
        ingest.load(store, ons.read(source))
    assert store.run("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    return [str(p) for p in caught.value.problems]


def test_broken_copies_are_reported(store, tmp_path):
    lookup = (ONS / "lad19_to_csp19_to_pfa19.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    names = (ONS / "community_safety_partnerships_dec2019.csv").read_text(encoding="utf-8")
    # row 104 of the lookup: Charnwood's CSP given another name; row 2 a mistyped district code; last row cut short
    lookup[103] = lookup[103].replace(",E22000165,Charnwood,", ",E22000165,Loughborough,")
    lookup[1] = lookup[1].replace("E09000002", "E0900000")
    lookup[-1] = lookup[-1][:20] + "\n"
    (tmp_path / "lad19_to_csp19_to_pfa19.csv").write_text("".join(lookup), encoding="utf-8")
    (tmp_path / "community_safety_partnerships_dec2019.csv").write_text(names, encoding="utf-8")
    problems = _problems(store, tmp_path)
    assert any("lad19_to_csp19_to_pfa19.csv, row 104, column 'CSP19NM': value 'Loughborough'" in p
               and "named 'Charnwood' at community_safety_partnerships_dec2019.csv row 177" in p for p in problems), problems
    assert any("row 2, column 'LAD19CD': value 'E0900000'" in p for p in problems), problems
    assert any(f"row {len(lookup)}" in p and "row has" in p for p in problems), problems
    assert len(problems) == 3


def test_a_file_of_no_partnership_geography_is_fatal(store, tmp_path):
    shutil.copy(LOOKUPS / "ward19_to_lad19_to_cty19_to_rgn19_to_ctry19.csv", tmp_path / "wards.csv")
    problems = _problems(store, tmp_path / "wards.csv")
    assert len(problems) == 1 and "no ONS partnership geography columns" in problems[0]

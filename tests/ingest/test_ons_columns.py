"""ONS files as ONS publishes them: columns by ONS's own pattern, places and partnership geographies told apart.

Fixtures in tests/fixtures/geo/ons (hand-made with real codes; see its SOURCES.md). Expected values
worked out by hand from those files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import graph
import ingest
from ingest.geography import OnsColumn, ons_column
from partnermap.errors import InvalidRecords

ONS = Path(__file__).resolve().parents[1] / "fixtures" / "ons"
GEO = Path(__file__).resolve().parents[1] / "fixtures" / "geo" / "ons"
LOOKUP = GEO / "wd23_lad23_utla23_icb23_llr.csv"


@pytest.mark.parametrize(("name", "parsed"), [
    ("WD23CD", OnsColumn("WD", 2023, "CD")), ("lad21nm", OnsColumn("LAD", 2021, "NM")),
    ("CTYUA20CD", OnsColumn("CTYUA", 2020, "CD")), ("UTLA22CD", OnsColumn("UTLA", 2022, "CD")),
    ("CAUTHCD", OnsColumn("CAUTH", None, "CD")), ("ICB23CD", OnsColumn("ICB", 2023, "CD")),
    ("CCG20CDH", OnsColumn("CCG", 2020, "CDH")), ("WD25NMW", OnsColumn("WD", 2025, "NMW")),
    ("LADCD_ACTIVE", OnsColumn("LAD", None, "CD", active=True)), ("LSOA11CD", OnsColumn("LSOA", 2011, "CD")),
    ("area_code", OnsColumn("AREA", None, "CD")), ("FID", None), ("BNG_E", None),
])
def test_an_ons_column_says_its_geography_year_and_part(name, parsed):
    assert ons_column(name) == parsed


def _load(store, kind, *paths):
    return ingest.load(store, ingest.READERS[kind](list(paths)))


def test_counties_and_unitary_authorities_are_read_at_the_level_their_codes_say(store):
    _load(store, "boundaries", GEO / "ctyua20_llr.geojson")
    rows = store.run("MATCH (t:Territory) RETURN t.id AS id, t.name AS name, t.level AS level ORDER BY id")
    assert rows == [{"id": "E06000016", "name": "Leicester", "level": "unitary"},
                    {"id": "E06000017", "name": "Rutland", "level": "unitary"},
                    {"id": "E10000018", "name": "Leicestershire", "level": "county"}]


@pytest.mark.parametrize(("file", "geography", "column"), [
    ("lep20_leicester.geojson", "local enterprise partnerships (LEP)", "LEP20CD"),
    ("ccg21_leicester.geojson", "clinical commissioning groups (CCG)", "CCG21CD"),
    ("icb23_llr.geojson", "integrated care boards (ICB)", "ICB23CD"),
    ("stp21_llr.geojson", "sustainability and transformation partnerships (STP)", "stp21cd"),
])
def test_a_partnership_geographys_boundaries_are_refused_naming_the_geography(store, file, geography, column):
    with pytest.raises(InvalidRecords) as refused:
        _load(store, "boundaries", GEO / file)
    [problem] = refused.value.problems
    assert (problem.file, problem.column, problem.fatal) == (file, column, True)
    assert f"ONS partnership geographies, not territories: {geography}" in problem.reason
    assert "ingest ons-partnerships" in problem.reason and "no GSS code" not in problem.reason


def test_a_lower_case_2023_lookup_keeps_its_year_and_levels(store):
    _load(store, "geography", LOOKUP)
    rows = store.run("MATCH (t:Territory) OPTIONAL MATCH (t)-[:PART_OF]->(p) "
                     "RETURN t.id AS id, t.level AS level, t.year AS year, p.id AS parent ORDER BY id")
    # Three 2023 wards in Blaby (two) and Rutland; Blaby in Leicestershire; Rutland its own upper tier.
    assert rows == [
        {"id": "E05012634", "level": "ward", "year": 2023, "parent": "E06000017"},
        {"id": "E05015260", "level": "ward", "year": 2023, "parent": "E07000129"},
        {"id": "E05015265", "level": "ward", "year": 2023, "parent": "E07000129"},
        {"id": "E06000017", "level": "unitary", "year": 2023, "parent": None},
        {"id": "E07000129", "level": "district", "year": 2023, "parent": "E10000018"},
        {"id": "E10000018", "level": "county", "year": 2023, "parent": None},
    ]


def test_the_same_lookups_icb_is_an_nhs_body_covering_its_districts(store):
    _load(store, "ons-partnerships", LOOKUP)
    icb = store.run("MATCH (o:Organisation {id: 'E54000015'})-[:COVERS]->(t) RETURN o.name AS name, o.sector AS sector, "
                    "o.identifiers AS ids, collect(t.id) AS covers")
    assert len(icb) == 1
    assert icb[0]["name"] == "NHS Leicester, Leicestershire and Rutland Integrated Care Board"
    assert (icb[0]["sector"], sorted(icb[0]["ids"]), sorted(icb[0]["covers"])) == (
        "nhs", ["gss:E54000015", "ods:QK1"], ["E06000017", "E07000129"])


def test_a_lookup_of_partnership_geographies_given_as_places_is_refused_naming_them(store):
    with pytest.raises(InvalidRecords) as refused:
        _load(store, "geography", ONS / "ccg20_to_stp20.csv")
    [problem] = refused.value.problems
    assert problem.column == "CCG20CD, STP20CD"
    assert ("not territories: clinical commissioning groups (CCG); sustainability and transformation partnerships (STP)"
            in problem.reason)
    assert graph.stats(store)["nodes"].get("Territory", 0) == 0

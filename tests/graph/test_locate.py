"""Locating a point, and the coverage of a real Blaby ward, on the demo's data (geography, boundaries, ONS, register)."""

from __future__ import annotations

from pathlib import Path

import pytest

import graph
import ingest
from graph.locate import Locator
from ingest import boundaries, geography, ons, register

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "leicestershire"
# The Enderby ward of 2023 (wards_all_since2015 row 253; 2025 boundary feature with LONG -1.195766, LAT 52.58998)
ENDERBY_WARD, ENDERBY = "E05015265", (52.58998, -1.195766)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The store `make demo` builds, in its order: lookups, boundaries, ONS partnerships, then the register."""
    store = graph.open_store(tmp_path_factory.mktemp("demo") / "db")
    ingest.load(store, geography.read(SAMPLE / "geography"))
    ingest.load(store, boundaries.read(SAMPLE / "boundaries"))
    ingest.load(store, ons.read([SAMPLE / "ons", SAMPLE / "geography" / "lsoa11_to_ccg20_to_lad20.csv"]))
    ingest.load(store, register.read(SAMPLE))
    yield store
    store.close()


def test_coverage_of_a_blaby_ward_lists_county_district_csp_and_ics(demo):
    rows = graph.run_query(demo, "coverage", {"territory": ENDERBY_WARD})
    partnerships = {(r["id"], r["via"]) for r in rows if r["kind"] == "Partnership"}
    assert ("leicestershire-together", "E10000018") in partnerships  # partnerships.csv: the county LSP
    assert ("blaby-lsp", "E07000129") in partnerships  # partnerships.csv: the district LSP
    assert ("E22000164", "E07000129") in partnerships  # lad19_to_csp19_to_pfa19: Blaby -> Blaby CSP
    assert ("E54000015", "E07000129") in partnerships  # Blaby's LSOAs -> CCG 03W/04V -> STP E54000015
    assert not {"E22000165", "charnwood-lsp"} & {pid for pid, _ in partnerships}  # nothing of Charnwood
    names = {r["id"]: r["name"] for r in rows}
    assert names["E22000164"] == "Blaby Community Safety Partnership"


def test_locate_a_point_in_enderby(demo):
    locator = Locator.from_store(demo)
    answers = locator.locate(*ENDERBY)
    exact = [(a["territory"], a["how"], a["via"]) for a in answers if not a["approximate"]]
    assert (ENDERBY_WARD, "boundary", None) in exact
    assert ("E07000129", "boundary", None) in exact  # Blaby's 2013 polygon
    # no county polygon: Leicestershire is found up the tree from Blaby, then the region and England
    assert [e for e in exact if e[1] == "contains" and e[0] in ("E10000018", "E12000004", "E92000001")] == [
        ("E10000018", "contains", "E07000129"), ("E12000004", "contains", "E10000018"), ("E92000001", "contains", "E12000004")]
    levels = [a["level"] for a in answers if not a["approximate"]]
    assert levels.index("ward") < levels.index("district") < levels.index("county") < levels.index("country")  # smallest first
    # Enderby parish lies in two 2019 wards (parish lookup rows 7110, 7122), so in Blaby, with no polygon: a candidate
    parish = [a for a in answers if a["territory"] == "E04005348"]
    assert parish == [{"territory": "E04005348", "name": "Enderby", "level": "parish", "how": "parent's boundary",
                       "via": "E07000129", "approximate": True}]
    assert all(not a["approximate"] for a in locator.locate(*ENDERBY, approximate=False))
    assert locator.smallest(*ENDERBY) in {a["territory"] for a in answers if a["how"] == "boundary"}


def test_a_point_outside_every_boundary_and_bad_input(demo):
    locator = Locator.from_store(demo)
    assert locator.locate(51.5074, -0.1278) == []  # London: no LLR polygon holds it
    assert locator.smallest(51.5074, -0.1278) is None
    with pytest.raises(ValueError):
        locator.locate(152.0, -1.2)


def test_an_empty_store_locates_nothing(store):
    locator = Locator.from_store(store)
    assert len(locator) == 0 and locator.locate(*ENDERBY) == []

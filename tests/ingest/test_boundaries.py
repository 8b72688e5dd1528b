"""The boundaries reader on the real LLR boundary files (GeoJSON and TopoJSON) and on broken copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

import ingest
from ingest import boundaries, geography
from partnermap.errors import InvalidRecords

ROOT = Path(__file__).resolve().parents[2]
BOUNDARIES = ROOT / "examples" / "leicestershire" / "boundaries"
LEICESTER_WARDS = BOUNDARIES / "wards_2025_E06000016.geojson"
LAD_GEOJSON = BOUNDARIES / "llr_lad_2013.geojson"
LAD_TOPOJSON = ROOT / "tests" / "fixtures" / "geo" / "llr_lad_2013_topo.json"
LOOKUPS = ROOT / "examples" / "leicestershire" / "geography"


def _territory(store, code):
    rows = store.run("MATCH (t:Territory {id: $id}) OPTIONAL MATCH (t)-[:PART_OF]->(p:Territory) "
                     "RETURN t.name AS name, t.level AS level, t.year AS year, t.boundary AS boundary, "
                     "t.source_row AS source_row, p.id AS parent", {"id": code})
    assert len(rows) == 1
    return rows[0]


def test_a_geojson_file_alone_makes_named_territories_with_polygons(store):
    counts = ingest.load(store, boundaries.read(LEICESTER_WARDS))
    assert counts["nodes"] == {"Territory": 21, "Source": 1}  # 21 wards of Leicester, one file
    abbey = _territory(store, "E05010458")  # features[0]: WD25CD E05010458, WD25NM Abbey
    assert (abbey["name"], abbey["level"], abbey["source_row"]) == ("Abbey", "ward", "wards_2025_E06000016.geojson#/features/0")
    polygon = shape(json.loads(abbey["boundary"]))
    assert polygon.geom_type == "Polygon" and polygon.contains(shapely.Point(-1.142343, 52.66044))  # its LONG/LAT centroid


def test_boundaries_after_the_lookups_keep_year_name_and_parent(store):
    ingest.load(store, geography.read(LOOKUPS))
    before = _territory(store, "E05010458")
    ingest.load(store, boundaries.read(LEICESTER_WARDS))
    after = _territory(store, "E05010458")
    assert before["boundary"] is None and after["boundary"] is not None
    assert (after["name"], after["level"], after["year"], after["parent"]) == ("Abbey", "ward", 2016, "E06000016")


def test_topojson_decodes_to_the_same_polygons_as_the_published_geojson(store):
    # llr_lad_2013.geojson was decoded from the same TopoJSON by the data's preparer, rounded to 6 places.
    published = {f["properties"]["LAD13CD"]: f["geometry"] for f in json.loads(LAD_GEOJSON.read_text())["features"]}
    decoded = {props["LAD13CD"]: geometry for _, props, _, geometry in boundaries.features(json.loads(LAD_TOPOJSON.read_text()))}
    assert set(decoded) == set(published) and len(decoded) == 9
    for code, geometry in published.items():
        ours, theirs = shape(decoded[code]), shape(geometry)
        assert ours.geom_type == theirs.geom_type
        assert shapely.equals_exact(ours, theirs, tolerance=1e-6), code
    counts = ingest.load(store, boundaries.read(LAD_TOPOJSON))
    assert counts["nodes"]["Territory"] == 9
    assert _territory(store, "E07000129")["name"] == "Blaby" and _territory(store, "E07000129")["level"] == "district"


def test_ingesting_twice_changes_nothing(store):
    first = ingest.load(store, boundaries.read([LEICESTER_WARDS, LAD_TOPOJSON]))
    second = ingest.load(store, boundaries.read([LEICESTER_WARDS, LAD_TOPOJSON]))
    assert first["nodes"] == second["nodes"] == {"Territory": 30, "Source": 2}
    assert store.run("MATCH (t:Territory) RETURN count(*) AS n") == [{"n": 30}]


def _problems(store, source) -> list[str]:
    with pytest.raises(InvalidRecords) as caught:
        ingest.load(store, boundaries.read(source))
    assert store.run("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    return [str(p) for p in caught.value.problems]


def _edited(tmp_path, edit) -> Path:
    document = json.loads(LEICESTER_WARDS.read_text())
    edit(document["features"])
    path = tmp_path / LEICESTER_WARDS.name
    path.write_text(json.dumps(document))
    return path


def test_bad_features_are_named_by_json_pointer(store, tmp_path):
    def edit(features):
        features[0]["geometry"] = {"type": "Point", "coordinates": [-1.14, 52.66]}
        features[1]["geometry"]["coordinates"][0][0] = [458106, 307312]  # British National Grid, not lon/lat
        del features[2]["properties"]["WD25CD"]
        features[3]["properties"]["WD25NM"] = None
        # a bow tie: the ring crosses itself, and no small repair makes it the shape it claims
        features[4]["geometry"] = {"type": "Polygon", "coordinates": [[[-1.1, 52.6], [-1.0, 52.7], [-1.0, 52.6], [-1.1, 52.65], [-1.1, 52.6]]]}
    problems = _problems(store, _edited(tmp_path, edit))
    name = LEICESTER_WARDS.name
    assert any(f"{name}, row #/features/0, column '#/features/0/geometry'" in p and "'Point'" in p for p in problems), problems
    assert any("#/features/1/geometry" in p and "not longitude/latitude" in p for p in problems), problems
    assert any("#/features/2/properties/WD25CD" in p and "no GSS code in WD25CD" in p for p in problems), problems
    assert any("#/features/3/properties" in p and "no name" in p for p in problems), problems
    assert any("#/features/4/geometry" in p and "invalid polygon" in p for p in problems), problems
    assert len(problems) == 5


def test_two_boundaries_for_one_code_and_unreadable_files(store, tmp_path):
    problems = _problems(store, [LAD_TOPOJSON, LAD_GEOJSON])
    assert len(problems) == 9 and all("a second boundary for" in p and "llr_lad_2013_topo.json#/objects/lad/geometries/" in p
                                      for p in problems), problems
    truncated = tmp_path / "truncated.geojson"
    truncated.write_text(LEICESTER_WARDS.read_text()[:5000])
    assert "not a readable JSON file" in _problems(store, truncated)[0]
    other = tmp_path / "list.json"
    other.write_text("[1, 2]")
    assert "not a GeoJSON FeatureCollection or TopoJSON" in _problems(store, other)[0]
    grid = tmp_path / "bng.geojson"
    grid.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:27700"}}, "features": []}))
    assert "WGS84" in _problems(store, grid)[0]

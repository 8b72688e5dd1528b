"""`partnermap ingest geography|boundaries|ons-partnerships` and `partnermap locate` as a user runs them."""

import json

from typer.testing import CliRunner

from cli import app
from tests.conftest import SAMPLE

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), env={})


def test_ingest_the_geography_then_locate_a_point(tmp_path):
    db = str(tmp_path / "db")
    wards = SAMPLE / "geography" / "ward19_to_lad19_to_cty19_to_rgn19_to_ctry19.csv"
    parishes = SAMPLE / "geography" / "parish19_to_ward19_to_lad19.csv"
    done = invoke("--db", db, "ingest", "geography", str(wards), str(parishes))  # two files sharing codes: one ingest
    assert done.exit_code == 0, done.output
    assert "PART_OF" in done.stdout and "Territory" in done.stdout
    done = invoke("--db", db, "ingest", "boundaries", str(SAMPLE / "boundaries" / "llr_lad_2013.geojson"),
                  str(SAMPLE / "boundaries" / "wards_2025_E06000016.geojson"))
    assert done.exit_code == 0, done.output
    done = invoke("--db", db, "ingest", "ons-partnerships", str(SAMPLE / "ons"))
    assert done.exit_code == 0, done.output
    assert "COVERS" in done.stdout

    # Abbey ward, Leicester (wards_2025_E06000016 features[0]: LONG -1.142343, LAT 52.66044); a negative longitude
    done = invoke("--db", db, "locate", "52.66044", "-1.142343", "--format", "json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert [(r["territory"], r["how"]) for r in rows[:2]] == [("E05010458", "boundary"), ("E06000016", "boundary")]
    assert {"territory": "E12000004", "name": "East Midlands", "level": "region", "how": "contains",
            "via": "E06000016", "approximate": False} in rows

    done = invoke("--db", db, "locate", "52.66044", "-1.142343", "--coverage", "--format", "json")
    assert done.exit_code == 0, done.output
    covering = {r["id"] for r in json.loads(done.stdout)}
    assert {"E22000168", "E31000024"} <= covering  # ons/ slices: Leicester -> its CSP E22000168, fire authority E31000024


def test_broken_input_exits_2_and_locate_rejects_nonsense(tmp_path):
    db = str(tmp_path / "db")
    bad = tmp_path / "wards.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "E05010458", '
                   '"name": "Abbey"}, "geometry": {"type": "Point", "coordinates": [-1.14, 52.66]}}]}')
    done = invoke("--db", db, "ingest", "boundaries", str(bad))
    assert done.exit_code == 2 and "#/features/0/geometry" in done.output and "Point" in done.output
    done = invoke("--db", db, "locate", "152", "-1.2")
    assert done.exit_code == 2 and "not a latitude and longitude" in done.output

"""The Open Referral reader on the real HSDS 3.0 / ORUK examples, hand-made ORUK v1 files, and broken copies.

Expected values were worked out by hand from the files in ``tests/fixtures/openreferral``
(see its SOURCES.md). The examples describe one fictional service, "Community Counselling"
(``ac148810-…``), run by "Example Organization Inc." (``d9d5e0f5-…``, company GB-COH 1234567).
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import graph
import ingest
from ingest import openreferral
from ingest.batches import NodeBatch, ReadWarning
from cli import app
from partnermap.errors import InvalidRecords

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openreferral"
SERVICE = "oruk:ac148810-d857-441c-9679-408f346de14b"
ORG_BY_ORGID = "orgid:GB-COH-1234567"
ORG_BY_UUID = "oruk:d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
CARERS_LINE = "oruk:0b7e6c1a-2f4d-4c8e-9a31-5d2f8e7b1c01"
YOUNG_CARERS = "oruk:0b7e6c1a-2f4d-4c8e-9a31-5d2f8e7b1c02"


def load(store, path, **kwargs):
    return ingest.load(store, openreferral.read(path, **kwargs))


def counts(store) -> dict[str, int]:
    """Nodes per label and relationships per type, leaving out the empty ones."""
    found = graph.stats(store)
    return {name: n for group in found.values() for name, n in group.items() if n}


def add_leicester(store) -> None:
    """The territory the ORUK v1 fixtures' service areas name by GSS code."""
    frame = pd.DataFrame([{"id": "E06000016", "name": "Leicester", "level": "unitary", "source": None, "source_row": "territories.csv row 2", "_row": 2}])
    ingest.load(store, [NodeBatch("Territory", frame, "territories.csv")])


@pytest.fixture
def broken(store):
    """Load a path that must fail: returns its problems and checks nothing was written."""

    def run(path, **kwargs):
        with pytest.raises(InvalidRecords) as caught:
            load(store, path, **kwargs)
        assert counts(store) == {}
        return caught.value.problems

    return run


# --------------------------------------------------------------------------
# The real HSDS 3.0 and Open Referral UK examples
# --------------------------------------------------------------------------

def test_hsds3_service_full_maps_service_organisation_theme_and_places(store):
    written = load(store, FIXTURES / "hsds3" / "service_full.json")
    assert dict(written["nodes"]) == {"Source": 1, "Organisation": 1, "Service": 1, "Theme": 1}
    assert dict(written["relationships"]) == {"DELIVERS": 1, "HAS_THEME": 1}
    service = store.run(
        "MATCH (o:Organisation)-[d:DELIVERS]->(s:Service)-[:HAS_THEME]->(t:Theme) "
        "RETURN o.id AS org, o.sector AS sector, o.identifiers AS identifiers, o.url AS org_url, s.id AS id, "
        "s.name AS name, s.url AS url, s.email AS email, s.postcodes AS postcodes, s.areas AS areas, "
        "s.type AS type, s.source_row AS source_row, d.source_row AS delivers_row, t.id AS theme"
    )
    assert len(service) == 1
    row = service[0]
    # The nested organization has organization_identifiers: GB-COH / 1234567.
    assert row["org"] == ORG_BY_ORGID and row["identifiers"] == ["orgid:GB-COH-1234567"]
    assert row["sector"] == "vcse" and row["org_url"] == "http://example.com"  # legal status "Limited Company"
    assert row["id"] == SERVICE and row["name"] == "Community Counselling"
    assert row["url"] == "http://example.com/counselling" and row["email"] == "email@example.com"
    assert row["postcodes"] == ["ABC 1234"]  # service_at_locations/0/location/addresses/0
    assert len(row["areas"]) == 1 and row["areas"][0].startswith("The service is available to all residents")
    # The example's only taxonomy term is literally named "name": it is the theme, and the type.
    assert row["theme"] == "name" and row["type"] == "name"
    assert row["source_row"] == "service_full.json#" and row["delivers_row"] == "service_full.json#"
    theme_row = store.run("MATCH (:Service)-[h:HAS_THEME]->() RETURN h.source_row AS r")[0]["r"]
    assert theme_row == "service_full.json#/attributes/0"
    assert "COVERS" not in counts(store)  # its service area's uri is http://example.com: no GSS code


def test_a_page_of_services_uses_the_uuid_when_the_organisation_has_no_org_id(store):
    load(store, FIXTURES / "hsds3" / "service_list.json")
    rows = store.run("MATCH (o:Organisation)-[:DELIVERS]->(s:Service) RETURN o.id AS org, s.source_row AS r")
    assert rows == [{"org": ORG_BY_UUID, "r": "service_list.json#/contents/0"}]


def test_every_shape_of_the_uk_example_is_the_same_service_and_organisation(store):
    for name in ("service_full.json", "organization_full.json", "service_at_location_full.json"):
        load(store, FIXTURES / "uk" / name)
        assert counts(store)["Service"] == 1 and counts(store)["Organisation"] == 1, name
    assert store.run("MATCH (o:Organisation) RETURN o.id AS id") == [{"id": ORG_BY_ORGID}]
    assert counts(store)["Source"] == 3


def test_a_folder_of_api_pages_is_one_directory(store, tmp_path):
    pages = tmp_path / "harvest"
    pages.mkdir()
    first = json.loads((FIXTURES / "hsds3" / "service_list.json").read_text())
    second = json.loads(json.dumps(first))
    second["contents"][0]["id"] = "11111111-2222-4333-8444-555555555555"
    second["page_number"] = 2
    (pages / "page-1.json").write_text(json.dumps(first))
    (pages / "page-2.json").write_text(json.dumps(second))
    written = load(store, pages)
    # The organisation is on both pages: one node, delivering both services.
    assert dict(written["nodes"]) == {"Source": 2, "Organisation": 1, "Service": 2}
    rows = store.run("MATCH (o:Organisation)-[:DELIVERS]->(s:Service) RETURN o.id AS org, s.source_row AS r ORDER BY r")
    assert rows == [{"org": ORG_BY_UUID, "r": "page-1.json#/contents/0"}, {"org": ORG_BY_UUID, "r": "page-2.json#/contents/0"}]


@pytest.mark.parametrize("package", ["hsds3-csv", "uk-csv"])
def test_csv_data_packages_map_like_the_json(store, package):
    written = load(store, FIXTURES / package)
    assert written["nodes"]["Organisation"] == 1 and written["nodes"]["Service"] == 1
    row = store.run(
        "MATCH (o:Organisation)-[:DELIVERS]->(s:Service) RETURN o.id AS org, s.id AS id, s.postcodes AS postcodes, "
        "s.source_row AS r, o.source_row AS org_row, size(s.areas) AS areas"
    )[0]
    # organization_identifiers.csv gives GB-COH 1234567; addresses.csv via service_at_location.csv the postcode.
    assert row == {"org": ORG_BY_ORGID, "id": SERVICE, "postcodes": ["ABC 1234"], "r": "services.csv row 2",
                   "org_row": "organizations.csv row 2", "areas": 1}
    # The attribute row links taxonomy term 3f7b145d… to f28dd44b…, which is not the service: no theme.
    assert "Theme" not in counts(store) and "HAS_THEME" not in counts(store)


# --------------------------------------------------------------------------
# ORUK v1 (hand-made after the v1 schemas)
# --------------------------------------------------------------------------

def test_oruk_v1_page_themes_client_groups_and_areas_join_the_register(store, small_register):
    ingest.load(store, ingest.READERS["register"](small_register))
    add_leicester(store)
    before = counts(store)
    written = load(store, FIXTURES / "oruk-v1" / "services_page.json")
    assert dict(written["relationships"]) == {"DELIVERS": 2, "HAS_THEME": 3, "SERVES": 4, "COVERS": 2}
    after = counts(store)
    # Themes: Health (already in the register, as "Health"), health (same), Children and young people (new).
    assert after["Theme"] == before["Theme"] + 1
    # Client groups: Carers (esdCircumstances), adult and teen (eligibilitys): none in the small register.
    assert after["ClientGroup"] == before["ClientGroup"] + 3
    themes = store.run(f"MATCH (s:Service {{id: '{YOUNG_CARERS}'}})-[:HAS_THEME]->(t) RETURN t.id AS id ORDER BY id")
    assert [t["id"] for t in themes] == ["children-and-young-people", "health"]
    groups = store.run(f"MATCH (s:Service {{id: '{CARERS_LINE}'}})-[:SERVES]->(g) RETURN g.id AS id ORDER BY id")
    assert [g["id"] for g in groups] == ["adult", "carers"]
    line = store.run(
        f"MATCH (s:Service {{id: '{CARERS_LINE}'}})-[c:COVERS]->(t:Territory) "
        "RETURN s.type AS type, s.areas AS areas, s.postcodes AS postcodes, t.name AS territory, c.source_row AS r"
    )
    assert line == [{"type": "Advice", "areas": ["Leicester", "Leicestershire villages"], "postcodes": ["LE1 1AA"],
                     "territory": "Leicester", "r": "services_page.json#/content/0/service_areas/0"}]
    org = store.run("MATCH (o:Organisation {id: 'oruk:6a1d2b3c-4e5f-4a6b-8c7d-9e0f1a2b3c4d'}) RETURN o.sector AS s")
    assert org == [{"s": "vcse"}]  # no org-id, no legal status, no telling name: a directory's default


def test_oruk_v1_csv_package(store):
    add_leicester(store)
    written = load(store, FIXTURES / "oruk-v1" / "csv")
    assert written["nodes"]["Organisation"] == 2 and written["nodes"]["Service"] == 2
    assert dict(written["relationships"]) == {"DELIVERS": 2, "HAS_THEME": 2, "SERVES": 3, "COVERS": 1}
    orgs = store.run("MATCH (o:Organisation)-[:DELIVERS]->(s:Service) RETURN o.id AS id, o.sector AS sector, s.type AS type ORDER BY type")
    assert orgs == [
        {"id": "orgid:GB-CHC-1000001", "sector": "vcse", "type": "Advice"},  # identifiers.csv: GB-CHC 1000001
        {"id": "oruk:7b2e3c4d-5f60-4b7c-9d8e-0f1a2b3c4d5e", "sector": "local_authority", "type": "Assessment"},
    ]
    covers = store.run("MATCH (s:Service)-[c:COVERS]->(t) RETURN s.id AS s, t.id AS t, c.source_row AS r")
    assert covers == [{"s": "oruk:s1", "t": "E06000016", "r": "service_areas.csv row 2"}]  # the identifier column
    s2 = store.run("MATCH (s:Service {id: 'oruk:s2'})-[:SERVES]->(g) RETURN s.areas AS areas, g.id AS group_id ORDER BY group_id")
    assert [r["group_id"] for r in s2] == ["adult", "carers"] and s2[0]["areas"] == ["Blaby district"]


def test_ingesting_twice_changes_nothing(store):
    add_leicester(store)
    first = load(store, FIXTURES / "oruk-v1" / "services_page.json")
    after_first = counts(store)
    second = load(store, FIXTURES / "oruk-v1" / "services_page.json")
    assert counts(store) == after_first
    assert second["nodes"] == first["nodes"] and second["relationships"] == first["relationships"]
    assert second["removed"]["facts"] == 0


# --------------------------------------------------------------------------
# Broken input: clear problems, nothing written
# --------------------------------------------------------------------------

def _copy(tmp_path, relative, edit=None) -> Path:
    source = FIXTURES / relative
    target = tmp_path / "in" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
        return target
    data = json.loads(source.read_text())
    if edit:
        edit(data)
    target.write_text(json.dumps(data))
    return target


def test_a_service_without_a_name_is_named_by_its_json_pointer(tmp_path, broken):
    path = _copy(tmp_path, "hsds3/service_list.json", lambda d: d["contents"][0].pop("name"))
    [problem] = broken(path)
    assert (problem.file, problem.row, problem.column) == ("service_list.json", "#/contents/0/name", "name")
    assert "a value is required" in problem.reason and "HSDS 3.0 service.json" in problem.reason


def test_nested_schema_violations_point_into_the_record(tmp_path, broken):
    def edit(d):
        d["contents"][0]["organization"].pop("name")
        d["contents"][0]["minimum_age"] = "twelve"

    path = _copy(tmp_path, "hsds3/service_list.json", edit)
    problems = broken(path)
    # The organisation's name is what partnermap needs; the age it does not use is no reason to refuse.
    assert {(p.row, p.column, p.value) for p in problems} == {("#/contents/0/organization/name", "name", None)}
    path = _copy(tmp_path, "hsds3/service_list.json", lambda d: d["contents"][0].update(minimum_age="twelve"))
    warnings = [w.problem for w in openreferral.read(path) if isinstance(w, ReadWarning)]
    assert {(w.row, w.column, w.value) for w in warnings} == {("#/contents/0/minimum_age", "minimum_age", "twelve")}
    assert warnings[0].reason == "should be of type number (HSDS 3.0 service.json): left out"


def test_a_truncated_json_file_is_reported_and_nothing_is_written(tmp_path, broken):
    text = (FIXTURES / "uk" / "service_full.json").read_text()
    path = tmp_path / "service_full.json"
    path.write_text(text[: len(text) // 2])
    [problem] = broken(path)
    assert problem.fatal and problem.file == "service_full.json"
    assert "not valid JSON (truncated or damaged)" in problem.reason


def test_a_data_package_with_a_missing_csv_names_it(tmp_path, broken):
    package = _copy(tmp_path, "hsds3-csv")
    (package / "phones.csv").unlink()
    [problem] = broken(package)
    assert (problem.file, problem.column, problem.value) == ("datapackage.json", "path", "phones.csv")
    assert "missing" in problem.reason and problem.fatal


def test_csv_rows_are_checked_against_the_schemas(tmp_path, broken):
    package = _copy(tmp_path, "hsds3-csv")
    services = package / "services.csv"
    services.write_text(services.read_text().replace(",Community Counselling,", ",,"))
    [problem] = broken(package)
    assert (problem.file, problem.row, problem.column) == ("services.csv", 2, "name")
    assert "a value is required" in problem.reason


def test_oruk_v1_csv_values_outside_the_table_schema_are_kept_with_a_warning(tmp_path, store):
    package = _copy(tmp_path, "oruk-v1/csv")
    services = package / "services.csv"
    services.write_text(services.read_text().replace(",Advice,", ",Adviec,"))
    add_leicester(store)
    [warning] = [w.problem for w in openreferral.read(package) if isinstance(w, ReadWarning)]
    assert (warning.file, warning.row, warning.column, warning.value) == ("services.csv", 2, "deliverable_type", "Adviec")
    assert warning.reason.startswith("not one of Advice, Assessment") and warning.reason.endswith(
        "(ORUK v1 service table): kept as written")
    load(store, package)  # the type is free text to partnermap: the service is read, as published
    assert store.run("MATCH (s:Service {id: 'oruk:s1'}) RETURN s.type AS type") == [{"type": "Adviec"}]


def test_a_gss_code_that_is_not_a_known_territory_stops_the_ingest(broken):
    problems = broken(FIXTURES / "oruk-v1" / "services_page.json")
    assert {(p.row, p.value) for p in problems} == {
        ("#/content/0/service_areas/0", "E06000016"), ("#/content/1/service_areas/0", "E06000016")
    }
    assert all("refers to no territory" in p.reason for p in problems)


def test_a_taxonomy_file_is_not_a_directory(broken):
    [problem] = broken(FIXTURES / "hsds3" / "taxonomy_term_list.json")
    assert problem.fatal and "not a service or organisation" in problem.reason


# --------------------------------------------------------------------------
# Schemas are resolved locally: a remote $ref is refused, never fetched
# --------------------------------------------------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        _Recorder.requests.append(self.path)
        body = b'{"type": "object"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_remote_schema_ref_is_never_fetched(tmp_path, broken):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.requests = []
    try:
        remote = f"http://127.0.0.1:{server.server_port}/service.json"
        schemas = tmp_path / "schemas"
        shutil.copytree(openreferral.SCHEMAS, schemas)
        (schemas / "hsds3" / "service.json").write_text(json.dumps({"$ref": remote}))
        [problem] = broken(FIXTURES / "hsds3" / "service_full.json", schemas=schemas)
        assert problem.fatal and remote in problem.reason and "nothing is fetched" in problem.reason
        assert _Recorder.requests == []
        urllib.request.urlopen(remote, timeout=5).read()  # the recorder itself works
        assert _Recorder.requests == ["/service.json"]
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------

def test_the_command_ingests_and_refuses_broken_files(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "db")
    done = runner.invoke(app, ["--db", db, "ingest", "openreferral", str(FIXTURES / "uk" / "service_full.json")], env={})
    assert done.exit_code == 0, done.output
    assert "Service" in done.stdout and "DELIVERS" in done.stdout
    bad = _copy(tmp_path, "hsds3/service_list.json", lambda d: d["contents"][0].pop("name"))
    done = runner.invoke(app, ["--db", db, "ingest", "openreferral", str(bad)], env={})
    assert done.exit_code == 2
    assert "service_list.json, row #/contents/0/name, column 'name'" in done.output

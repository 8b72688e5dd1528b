"""Open Referral as councils publish it: blanks, variant terms, vendor fields, HSDS 1.1 packages, skipping.

Hand-made fixtures (tests/fixtures/openreferral/SOURCES.md): ``oruk-v1/services_as_published.json``
is an ORUK v1 page bent the way live feeds bend it (blank enums and URLs, ``Drop-in``, ``Home visit``,
a vendor term, a web address without its scheme, a vendor field, a service with no organisation and
one with no name); ``hsds-1.1/`` an HSDS 1.1 package (no ORUK v1 columns). Expected values worked
out by hand from those files.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import graph
from cli import app
from ingest import openreferral
from ingest.batches import ReadWarning, Skipped
from ingest.openreferral_schema import SCHEMAS, judge, standard_term, validators
from ingest.pipeline import ingest_paths
from partnermap.errors import InvalidRecords, Problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openreferral"
PUBLISHED = FIXTURES / "oruk-v1" / "services_as_published.json"
HSDS11 = FIXTURES / "hsds-1.1"
FOOD_BANK = "oruk:2f0a7a8e-1111-4c3b-9d41-000000000001"
COUNCIL = "oruk:2f0a7a8e-1111-4c3b-9d41-000000000002"
LUNCH_CLUB = "oruk:9c1e0f4a-0001-4a6b-8c7d-000000000001"


def counts(store) -> dict[str, int]:
    found = graph.stats(store)
    return {name: n for group in found.values() for name, n in group.items() if n}


def _items(path, **options):
    return list(openreferral.read(path, **options))


# --- Terms: case, spacing, punctuation and the variants table ------------------------------------


@pytest.mark.parametrize(("field", "published", "standard"), [
    ("attending_access", "Drop-in", "drop-in"), ("attending_access", "DROP IN", "drop-in"),
    ("attending_type", "Home visit", "home visit"), ("attending_type", "Home Visits", "home visit"),
    ("status", "Active", "active"), ("deliverable_type", "financial_support", "Financial Support"),
    ("attending_type", "Telephone", "phone"), ("attending_access", "Referral only", "referral"),  # variants.csv
    ("deliverable_type", "Social activity", None), ("status", "", None),
])
def test_a_published_term_is_matched_to_the_standard_one(field, published, standard):
    allowed = {"attending_access": ["referral", "appointment", "membership", "drop-in"],
               "attending_type": ["phone", "online", "venue", "home visit"],
               "status": ["active", "inactive", "defunct", "temporarily closed"],
               "deliverable_type": ["Advice", "Financial Support", "Information"]}[field]
    assert standard_term(field, published, allowed) == standard


def test_a_record_is_read_past_blanks_variants_and_vendor_fields():
    record = json.loads(PUBLISHED.read_text())["content"][1]  # Home Library Visits
    judged = judge(validators(SCHEMAS / "oruk-v1")["service.schema.json"], record, "f.json", "#/content/1",
                   "ORUK v1 service.schema.json", "service")
    assert judged.refusals == {}
    read = judged.record
    assert (read["attending_type"], read["attending_access"], read["status"]) == ("home visit", "referral", "active")
    assert "deliverable_type" not in read and "url" not in read and "uri" not in read["organization"]  # blanks: absent
    # Its organisation has no description, which ORUK v1 requires and partnermap does not use.
    assert [(w.row, w.reason) for w in judged.warnings] == [
        ("#/content/1/organization/description",
         "a value is required by ORUK v1 service.schema.json; partnermap does not need it")]


# --- A live-style page: refused without --skip-invalid, read with it -------------------------------


def test_a_page_with_invalid_services_is_refused_naming_each_and_writes_nothing(store):
    with pytest.raises(InvalidRecords) as refused:
        ingest_paths(store, "openreferral", [PUBLISHED])
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [
        ("#/content/3/organization", "organization", "a value is required (ORUK v1 service.schema.json)"),
        ("#/content/4/name", "name", "a value is required (ORUK v1 service.schema.json)"),
    ]
    assert counts(store) == {}


def test_skip_invalid_writes_the_valid_services_and_lists_the_others(store):
    done = ingest_paths(store, "openreferral", [PUBLISHED], skip_invalid=True)
    assert [(s.file, s.record, [p.column for p in s.problems]) for s in done.skipped] == [
        ("services_as_published.json", "#/content/3", ["organization"]),
        ("services_as_published.json", "#/content/4", ["name"]),
    ]
    # Three services of two organisations; Older people (esdCircumstances) a client group, Reading a theme.
    assert counts(store) == {"Source": 1, "Organisation": 2, "Service": 3, "Theme": 1, "ClientGroup": 1,
                             "DELIVERS": 3, "HAS_THEME": 1, "SERVES": 1}
    lunch = store.run(f"MATCH (s:Service {{id: '{LUNCH_CLUB}'}}) RETURN s.type AS type, s.url AS url, s.email AS email, "
                      "s.areas AS areas")
    # The vendor's term is kept as the service's type; the address got its scheme; the blank e-mail is absent.
    assert lunch == [{"type": "Social activity", "url": "http://www.example.org/lunch-club", "email": None,
                      "areas": ["Northdale"]}]
    advice = store.run("MATCH (o:Organisation)-[:DELIVERS]->(s:Service {name: 'Benefits Advice'}) "
                       "RETURN o.url AS url, s.type AS type")
    assert advice == [{"url": None, "type": "Advice"}]  # "northdale-advice" is no web address: left out
    reasons = sorted((w.problem.row, w.problem.reason.split(" (")[0]) for w in done.warnings)
    assert reasons == [
        ("#/content/0/deliverable_type", "not one of Advice, Assessment, Counselling, Equipment, Financial Support, "
                                         "Information, Permission, Training"),
        ("#/content/0/organization/description", "a value is required by ORUK v1 service.schema.json; partnermap does not need it"),
        ("#/content/0/url", "a web address without its scheme: read as http://www.example.org/lunch-club"),
        ("#/content/1/organization/description", "a value is required by ORUK v1 service.schema.json; partnermap does not need it"),
        ("#/content/2/organization/description", "a value is required by ORUK v1 service.schema.json; partnermap does not need it"),
        ("#/content/2/organization/url", "does not match ^(https?|wss?|ftp)://"),
    ]


def test_an_organisations_invalid_service_is_skipped_alone(tmp_path, store):
    page = json.loads((FIXTURES / "hsds3" / "organization_full.json").read_text())
    page["services"].append({**page["services"][0], "id": "b4f1c8a2-0000-4000-8000-000000000001", "name": " "})
    path = tmp_path / "organization.json"
    path.write_text(json.dumps(page))
    done = ingest_paths(store, "openreferral", [path], skip_invalid=True)
    assert [(s.record, s.problems[0].column) for s in done.skipped] == [("#/services/1", "name")]
    assert counts(store)["Service"] == 1 and counts(store)["Organisation"] == 1


# --- HSDS 1.1 packages: their own table schema, any subset of tables ------------------------------


def test_an_hsds_1_1_package_is_held_to_hsds_1_1_not_oruk_v1(store):
    done = ingest_paths(store, "openreferral", [HSDS11])
    assert counts(store) == {"Source": 8, "Organisation": 2, "Service": 3, "Theme": 2, "ClientGroup": 3,
                             "DELIVERS": 3, "HAS_THEME": 3, "SERVES": 3}
    # eligibility.csv has no minimum_age, maximum_age or gender (ORUK v1 requires them): no word of it.
    assert sorted((w.problem.file, w.problem.row, w.problem.column) for w in done.warnings) == [
        ("eligibility.csv", 4, "eligibility"), ("organizations.csv", 3, "description"), ("services.csv", 4, "status")]
    assert all("HSDS 1.1" in w.problem.reason for w in done.warnings)
    groups = store.run("MATCH (:Service)-[:SERVES]->(g) RETURN DISTINCT g.id AS id ORDER BY id")
    assert [g["id"] for g in groups] == ["adult", "child", "older-people"]  # Adult, children (variants.csv), as written
    rows = store.run("MATCH (o:Organisation)-[:DELIVERS]->(s:Service) RETURN o.id AS org, o.sector AS sector, "
                     "s.type AS type, s.postcodes AS postcodes ORDER BY s.name")
    assert rows == [
        {"org": FOOD_BANK, "sector": "vcse", "type": "Food", "postcodes": ["SV1 1AA"]},  # Food Parcels
        {"org": FOOD_BANK, "sector": "vcse", "type": "Food", "postcodes": ["SV1 1AA"]},  # Holiday Hunger Lunches
        {"org": COUNCIL, "sector": "local_authority", "type": "Money", "postcodes": ["SV2 2BB"]},  # Welfare Rights
    ]


def _subset(tmp_path: Path, keep: set[str], descriptor: bool = True) -> Path:
    folder = tmp_path / "package"
    folder.mkdir()
    for name in keep:
        shutil.copy(HSDS11 / name, folder / name)
    if descriptor:
        meta = json.loads((HSDS11 / "datapackage.json").read_text())
        meta["resources"] = [r for r in meta["resources"] if r["path"] in keep]
        (folder / "datapackage.json").write_text(json.dumps(meta))
    return folder


def test_the_six_table_subset_loads(tmp_path, store):
    # This subset of the HSDS 1.1 sample once ended in "TypeError: unhashable type: 'Facts'".
    package = _subset(tmp_path, {"organizations.csv", "services.csv", "locations.csv", "phones.csv", "services_at_location.csv"})
    ingest_paths(store, "openreferral", [package])
    assert counts(store) == {"Source": 3, "Organisation": 2, "Service": 3, "DELIVERS": 3}


ALL_TABLES = {p.name for p in HSDS11.glob("*.csv")}
REFERRING = {"taxonomy.csv": {"services_taxonomy.csv"}}  # a table whose rows refer to another's go with it


@pytest.mark.parametrize("left_out", sorted(ALL_TABLES - {"services.csv"}))
def test_every_table_but_services_may_be_left_out(tmp_path, store, left_out):
    if left_out == "organizations.csv":  # its services' organisations must then be known already
        ingest_paths(store, "openreferral", [HSDS11])
    ingest_paths(store, "openreferral", [_subset(tmp_path, ALL_TABLES - {left_out} - REFERRING.get(left_out, set()))])
    assert counts(store)["Service"] == 3 and counts(store)["DELIVERS"] == 3


def test_a_reference_to_a_table_left_out_is_refused_naming_it(tmp_path, store):
    with pytest.raises(InvalidRecords) as refused:
        ingest_paths(store, "openreferral", [_subset(tmp_path, ALL_TABLES - {"taxonomy.csv"})])
    assert {(p.file, p.column, p.value, p.reason) for p in refused.value.problems} == {
        ("services_taxonomy.csv", "taxonomy_id", "food", "refers to no row of taxonomy.csv"),
        ("services_taxonomy.csv", "taxonomy_id", "money", "refers to no row of taxonomy.csv")}


def test_without_a_descriptor_the_tables_say_which_standard(tmp_path, store):
    package = _subset(tmp_path, ALL_TABLES, descriptor=False)
    done = ingest_paths(store, "openreferral", [package])
    assert counts(store)["Service"] == 3
    assert len(done.warnings) == 3 and all("HSDS 1.1 " in w.problem.reason for w in done.warnings)


def test_skip_invalid_in_a_package_leaves_out_an_organisation_and_its_services(tmp_path, store):
    package = _subset(tmp_path, ALL_TABLES)
    organisations = package / "organizations.csv"
    organisations.write_text(organisations.read_text().replace(",Southvale Food Bank,", ",,"))
    with pytest.raises(InvalidRecords) as refused:
        ingest_paths(store, "openreferral", [package])
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("organizations.csv", 2, "name")]
    done = ingest_paths(store, "openreferral", [package], skip_invalid=True)
    assert [(s.file, s.record, s.problems[0].reason) for s in done.skipped] == [
        ("organizations.csv", 2, "a value is required (HSDS 1.1 organization table)"),
        ("services.csv", 2, "its organisation (organizations.csv) was left out"),
        ("services.csv", 3, "its organisation (organizations.csv) was left out"),
    ]
    rows = store.run("MATCH (o:Organisation)-[:DELIVERS]->(s:Service)-[:HAS_THEME]->(t) RETURN o.id AS o, s.name AS s, t.name AS t")
    assert rows == [{"o": COUNCIL, "s": "Welfare Rights", "t": "Money"}]


# --- The command: --skip-invalid and --rejects -----------------------------------------------------


def test_the_command_lists_skipped_records_and_writes_the_rejects_file(tmp_path):
    runner = CliRunner()
    db, rejects = str(tmp_path / "db"), tmp_path / "out" / "rejects.csv"
    done = runner.invoke(app, ["--db", db, "ingest", "openreferral", "--skip-invalid", "--rejects", str(rejects), str(PUBLISHED)])
    assert done.exit_code == 0, done.output
    assert ("skipped services_as_published.json #/content/3: organization: a value is required "
            "(ORUK v1 service.schema.json)") in done.stderr
    assert "skipped 2 invalid records (services_as_published.json: 2); the valid ones were written" in done.stderr
    assert "6 warnings: values read past" in done.stderr
    with rejects.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["file"], r["record"], r["field"], r["reason"]) for r in rows] == [
        ("services_as_published.json", "#/content/3", "organization", "a value is required (ORUK v1 service.schema.json)"),
        ("services_as_published.json", "#/content/4", "name", "a value is required (ORUK v1 service.schema.json)"),
    ]
    assert "Service" in done.stdout


def test_the_command_without_skip_invalid_writes_nothing(tmp_path):
    runner = CliRunner()
    db = tmp_path / "db"
    done = runner.invoke(app, ["--db", str(db), "ingest", "openreferral", str(PUBLISHED)])
    assert done.exit_code == 2 and "2 problems found; nothing was written" in done.stderr
    with graph.open_store(db) as store:
        assert counts(store) == {}
    done = runner.invoke(app, ["--db", str(db), "ingest", "openreferral", "--rejects", str(tmp_path / "r.csv"), str(PUBLISHED)])
    assert done.exit_code == 2 and "--rejects lists the records --skip-invalid leaves out" in done.stderr


def test_a_reader_that_reads_all_or_nothing_cannot_skip(store):
    from partnermap.errors import PartnermapError

    with pytest.raises(PartnermapError, match="the register reader cannot skip invalid records"):
        ingest_paths(store, "register", [FIXTURES], skip_invalid=True)


def test_warnings_never_reach_the_loader_as_problems(store):
    items = _items(PUBLISHED, skip_invalid=True)
    assert {type(i).__name__ for i in items} >= {"ReadWarning", "Skipped"}
    assert not any(isinstance(i, Problem) for i in items)
    assert all(isinstance(i, (ReadWarning, Skipped)) or hasattr(i, "frame") for i in items)

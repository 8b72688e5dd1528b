"""Read Open Referral service directories: HSDS 3.0 / Open Referral UK JSON, HSDS CSV packages, ORUK v1.

Accepted shapes: one service (or organisation, or service-at-location) as a JSON object, a JSON
list of them, a paginated API page (HSDS 3.0 ``{"total_items", "contents"}``, ORUK v1
``{"totalElements", "content"}``), a folder of such JSON files (one directory: organisations
and themes met in several are one node), or a folder holding a CSV data package (HSDS 3.0
tables, or the HSDS 1.1 / ORUK v1 tables many UK feeds still publish). JSON is checked against
the schemas in
``openreferral_schemas/`` (resolved locally, never fetched); CSV rows against the same schemas
(3.0) or the v1 table schema. Mapping, as the README's "Open Referral" section describes:

- organization → Organisation, id ``orgid:<org-id>`` when it carries an org-id (``GB-CHC-…``,
  ``GB-COH-…``), else ``oruk:<uuid>``; sector from the identifier scheme, then the legal status,
  then the name, else ``vcse`` (a directory's providers are mostly voluntary groups);
- service → Service ``oruk:<id>`` with DELIVERS from its organisation; taxonomy terms → Theme
  (HAS_THEME) unless their taxonomy is about eligibility or circumstances, which, with v1
  eligibility, become ClientGroup (SERVES); both keyed by ``concept_id`` as the register's are;
- Service ``type``: ORUK v1 ``deliverable_type``, else the name of its first theme;
- service areas: their names in Service ``areas``, and COVERS only to the GSS codes
  (``E06000016``) found in them: a named area that is not a code cannot be told apart from any
  other text, while a code must name a territory already in the store;
- locations: only their postcodes, in Service ``postcodes``.

CSV packages are read by :mod:`ingest.openreferral_csv`; both share the facts, schema
validators and batch building of :mod:`ingest.openreferral_facts`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.batches import Item, too_large
from ingest.openreferral_csv import read_package
from ingest.openreferral_facts import (
    PROGRESS_EVERY, V1_KEYS, Facts, Where, as_text, batches, dicts, gss_codes, log, source_batch,
)
from ontology.ids import source_id as make_source_id
from ingest.openreferral_schema import SCHEMAS, judge, tidy, validators
from partnermap.errors import Problem

__all__ = ["SCHEMAS", "read"]


def _map_organization(rec: dict, where: Where, facts: Facts) -> None:
    facts.org(rec.get("id"), rec.get("name"), where, rec.get("website") or rec.get("url"), rec.get("legal_status"))
    for i, ident in dicts(rec.get("organization_identifiers")):
        facts.org_id(rec.get("id"), ident.get("identifier_scheme"), ident.get("identifier"), ident.get("identifier_type"))


def _map_service(rec: dict, where: Where, facts: Facts, org_uuid: Any = None) -> None:
    service_id = as_text(rec.get("id"))
    if not service_id:
        return
    organization = rec.get("organization")
    if isinstance(organization, dict):
        _map_organization(organization, where.at("organization"), facts)
        org_uuid = organization.get("id")
    org_uuid = as_text(org_uuid or rec.get("organization_id"))
    if org_uuid:
        facts.delivers.append((org_uuid, service_id, where))
    areas = []
    for i, area in dicts(rec.get("service_areas")):
        name = as_text(area.get("name") or area.get("service_area"))
        if name:
            areas.append(name)
        extent = area.get("extent") if len(as_text(area.get("extent"))) <= 200 else None
        for code in gss_codes(area.get("uri"), name, area.get("service_area"), area.get("identifier"), extent):
            facts.covers.append((service_id, code, where.at("service_areas", i)))
    postcodes = []
    sals = [(i, s.get("location")) for i, s in dicts(rec.get("service_at_locations"))]
    sals += list(dicts(rec.get("locations")))  # Outpost: locations, with their address, on the service
    for _, location in sals:
        if isinstance(location, dict):
            for _, address in [(0, location)] + dicts(location.get("addresses")) + dicts(location.get("physical_addresses")):
                if as_text(address.get("postal_code")):
                    postcodes.append(as_text(address.get("postal_code")))
    for i, attribute in dicts(rec.get("attributes")):
        term = attribute.get("taxonomy_term")
        if isinstance(term, dict):
            detail = term.get("taxonomy_detail") if isinstance(term.get("taxonomy_detail"), dict) else {}
            taxonomy = " ".join(map(as_text, (term.get("taxonomy"), detail.get("name"), attribute.get("link_type"))))
            facts.concept(service_id, term.get("name") or term.get("term"), taxonomy, where.at("attributes", i))
    for i, link in dicts(rec.get("service_taxonomys")):  # ORUK v1
        taxonomy = link.get("taxonomy") if isinstance(link.get("taxonomy"), dict) else {}
        facts.concept(service_id, taxonomy.get("name"), taxonomy.get("vocabulary"), where.at("service_taxonomys", i))
    for name, label in VENDOR_CONCEPTS:  # Outpost feeds (Buckinghamshire): their own lists of terms
        for i, term in dicts(rec.get(name)):
            facts.concept(service_id, term.get("name"), label, where.at(name, i))
    for i, eligibility in dicts(rec.get("eligibilitys")):  # ORUK v1
        if as_text(eligibility.get("eligibility")):
            facts.concept(service_id, eligibility.get("eligibility"), "eligibility", where.at("eligibilitys", i))
        for j, taxonomy in dicts(eligibility.get("taxonomys")):
            facts.concept(service_id, taxonomy.get("name"), "eligibility", where.at("eligibilitys", i, "taxonomys", j))
    facts.services.append({
        "id": service_id, "name": rec.get("name"), "description": rec.get("description"), "url": rec.get("url"),
        "email": rec.get("email"), "areas": list(dict.fromkeys(areas)), "postcodes": list(dict.fromkeys(postcodes)),
        "type": rec.get("deliverable_type"), "where": where,
    })


# Vendor extensions that carry terms partnermap maps: (field, taxonomy it stands for). Outpost (the
# platform of Buckinghamshire's directory) lists themes as taxonomies, client groups as suitabilities
# and special educational needs.
VENDOR_CONCEPTS = (("taxonomies", "theme"), ("suitabilities", "client group"), ("send_needs", "client group"))


def _record_kind(rec: dict) -> str:
    """Which HSDS object a top-level record is, by the fields only that object has."""
    if isinstance(rec.get("services"), list) or "organization_identifiers" in rec or "legal_status" in rec:
        return "organization"
    if isinstance(rec.get("service"), dict) and "location" in rec:
        return "service_at_location"
    servicelike = bool(_SERVICE_KEYS & set(rec))
    if "taxonomy_terms" in rec or "term_uri" in rec or ("parent_id" in rec and "organization" not in rec):
        return "taxonomy"
    if not servicelike and ("version" in rec or set(rec) <= {"id", "name", "description", "uri", "code", "language"}):
        return "taxonomy"
    if not servicelike and ("location_type" in rec or {"latitude", "longitude", "addresses", "physical_addresses"} & set(rec)):
        return "location"
    return "service"


# Fields a service has and a taxonomy or a location has not.
_SERVICE_KEYS = {"status", "organization", "organisation", "organization_id", "service_at_locations", "service_areas",
                 "attributes", "eligibilitys", "service_taxonomys", "deliverable_type", "fees", "fees_description",
                 "taxonomies", "locations", "regular_schedules", "program"}


def _is_v1(rec: dict) -> bool:
    """Whether a record (or its nested services) has fields only ORUK v1 has."""
    nested = [s for _, s in dicts(rec.get("services"))]
    return any(V1_KEYS & set(r) for r in [rec, *nested])


def _json_records(data: Any, file: str) -> tuple[list[tuple[str, dict]], bool | None, Problem | None]:
    """(JSON pointer, record) pairs, whether the page is ORUK v1, or why the shape is not one we read."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return [(f"#/contents/{i}", r) for i, r in enumerate(data["contents"])], None, None
    if isinstance(data, dict) and isinstance(data.get("content"), list) and ("totalElements" in data or "totalPages" in data):
        return [(f"#/content/{i}", r) for i, r in enumerate(data["content"])], True, None
    if isinstance(data, list):
        return [(f"#/{i}", r) for i, r in enumerate(data)], None, None
    if isinstance(data, dict) and "id" in data:
        return [("#", data)], None, None
    return [], None, Problem(file, "#", None, None, "not an Open Referral service, organisation, list or page of them", fatal=True)


def _read_json(path: Path, raw: bytes, source_id: str, schemas: Path, facts: Facts) -> None:
    file = path.name
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        facts.problems.append(Problem(file, None, None, None, f"not UTF-8 text (byte {exc.start})", fatal=True))
        return
    except json.JSONDecodeError as exc:
        facts.problems.append(Problem(file, f"line {exc.lineno}", None, None,
                                      f"not valid JSON (truncated or damaged): {exc.msg} at line {exc.lineno} column {exc.colno}",
                                      fatal=True))
        return
    except RecursionError:  # the json module recurses once per level of nesting
        facts.problems.append(Problem(file, None, None, None, "JSON nested too deeply to read", fatal=True))
        return
    records, page_v1, problem = _json_records(data, file)
    if problem:
        facts.problems.append(problem)
        return
    hsds3, v1 = validators(schemas / "hsds3"), validators(schemas / "oruk-v1")
    for n, (pointer, rec) in enumerate(records, 1):
        if n % PROGRESS_EVERY == 0:
            log.info("%s: %d of %d records read", file, n, len(records))
        if not isinstance(rec, dict):
            facts.refuse(file, pointer, [Problem(file, pointer, None, None, "should be a JSON object (a service or organization)")])
            continue
        kind = _record_kind(rec)
        if kind in ("taxonomy", "location"):
            what = "a taxonomy or taxonomy term" if kind == "taxonomy" else "a location (with no service)"
            facts.problems.append(Problem(file, pointer, None, None,
                                          f"{what}, not a service or organisation: nothing to map", fatal=True))
            return
        is_v1 = page_v1 if page_v1 is not None else _is_v1(rec)
        if is_v1:
            schema = {"organization": "organization.schema.json"}.get(kind, "service.schema.json")
            validator, label = (v1[schema], f"ORUK v1 {schema}") if kind != "service_at_location" else (None, "")
        else:
            validator, label = hsds3[f"{kind}.json"], f"HSDS 3.0 {kind}.json"
        if validator is None:
            _map_record(kind, tidy(rec), Where(file, source_id, pointer), facts)
            continue
        judged = judge(validator, rec, file, pointer, label, kind)
        whole = judged.refusals.get(())
        if whole:  # the record is reported, not mapped: its facts would only echo the same faults
            facts.refuse(file, pointer, whole)
            continue
        for part, problems in judged.refusals.items():  # an organisation's invalid services, each on its own
            at = f"{pointer}/{part[0]}/{part[1]}"
            facts.refuse(file, at, problems)
            judged.record[part[0]][part[1]] = None
            judged.warnings = [w for w in judged.warnings if not str(w.row).startswith(at + "/")]
        facts.warnings.extend(judged.warnings)  # of what is read only
        _map_record(kind, judged.record, Where(file, source_id, pointer), facts)


def _map_record(kind: str, rec: dict, where: Where, facts: Facts) -> None:
    """The facts of one record read as valid (or valid enough): an organisation, a service at a location, a service."""
    if kind == "organization":
        _map_organization(rec, where, facts)
        for i, service in dicts(rec.get("services")):
            _map_service(service, where.at("services", i), facts, org_uuid=rec.get("id"))
    elif kind == "service_at_location":
        service = dict(rec["service"]) if isinstance(rec.get("service"), dict) else {}
        service.setdefault("service_at_locations", [{"location": rec.get("location")}])
        _map_service(service, where.at("service"), facts)
    else:
        _map_service(rec, where, facts)


def read(source: str | Path, schemas: str | Path | None = None, dataset: str | None = None,
         skip_invalid: bool = False) -> Iterator[Item]:
    """Read an Open Referral JSON file, a folder of them, or a CSV data package folder into batches.

    ``schemas`` is the folder of ``hsds3/`` and ``oruk-v1/`` JSON Schemas (default: the copies
    shipped beside this module); ``$ref`` is only ever resolved within it. ``dataset``: the name
    its sources take (``openreferral:NAME/file``; default the folder's name). ``skip_invalid``: an
    invalid record (and what hangs off it) is left out and yielded as :class:`ingest.batches.Skipped`.
    """
    path, schema_root = Path(source), Path(schemas) if schemas else SCHEMAS
    facts = Facts(skip_invalid=skip_invalid)
    if not path.exists():
        yield Problem(str(path), None, None, None, "no such file or folder", fatal=True)
        return
    pages = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if path.is_dir() and ((path / "services.csv").exists() or (path / "datapackage.json").exists() or not pages):
        package = read_package(path, schema_root, facts, dataset)
        for source_id, name, file_path, raw in package.sources:
            yield source_batch(source_id, name, file_path, raw)
    else:
        # A folder of JSON files is one directory (e.g. every page of an API harvest): an
        # organisation or theme met on several pages is one node, not a duplicate.
        for page in pages:
            if oversized := too_large(page):
                facts.problems.append(oversized)
                continue
            raw = page.read_bytes()
            source_id = make_source_id("openreferral", dataset or page.resolve().parent.name, page.name)
            _read_json(page, raw, source_id, schema_root, facts)
            if not any(p.fatal for p in facts.problems):
                yield source_batch(source_id, page.name, page, raw)
    log.info("%s: %d services, %d organisations read", path.name, len(facts.services), len(facts.orgs))
    yield from batches(facts)

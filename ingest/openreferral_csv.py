"""Read an Open Referral CSV data package: HSDS 3.0 tables, or the HSDS 1.1 / ORUK v1 tables.

A folder with ``services.csv`` (and usually ``datapackage.json``); every resource the descriptor
lists must be there. HSDS 3.0 rows are checked against the same JSON Schemas as JSON records
(cells typed as the schema declares); v1 rows against the required and enumerated fields of the
ORUK v1 table schema. Row numbers count the header as row 1.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ingest.batches import too_large
from ingest.openreferral_facts import ORG_ID, PROGRESS_EVERY, Facts, Where, as_text, gss_codes, log, short_reason, validators
from ontology.ids import source_id as make_source_id
from partnermap.errors import Problem

# Tables only HSDS 1.1 / ORUK v1 packages have: any of them means the v1 column names.
V1_TABLES = ("service_taxonomy.csv", "services_taxonomy.csv", "eligibility.csv", "physical_addresses.csv",
             "link_taxonomy.csv", "regular_schedules.csv", "identifiers.csv")


@dataclass
class _Table:
    """One CSV file's rows (numbered as a spreadsheet does), with its Source id."""

    file: str
    source: str
    rows: list[tuple[int, dict[str, str]]]

    def where(self, row: int) -> Where:
        return Where(self.file, self.source, row)


class _Package:
    """The CSV files of one data package folder, read on demand, each with its Source."""

    def __init__(self, folder: Path, facts: Facts, dataset: str | None = None):
        self.folder, self.facts = folder, facts
        self.dataset = dataset or folder.resolve().name
        self.tables: dict[str, _Table] = {}
        self.sources: list[tuple[str, str, Path, bytes]] = []  # source id, file, path, bytes

    def table(self, *names: str) -> _Table | None:
        """The first of ``names`` that exists (spellings differ between versions and feeds)."""
        for name in names:
            if name in self.tables:
                return self.tables[name]
            path = self.folder / name
            if not path.is_file():
                continue
            if oversized := too_large(path):
                self.facts.problems.append(oversized)
                return None
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                self.facts.problems.append(Problem(name, None, None, None, f"not UTF-8 text (byte {exc.start})", fatal=True))
                return None
            rows = self._rows(name, text)
            if rows is None:
                return None
            source_id = make_source_id("openreferral", self.dataset, name)
            self.sources.append((source_id, name, path, raw))
            self.tables[name] = _Table(name, source_id, rows)
            return self.tables[name]
        return None

    def _rows(self, name: str, text: str) -> list[tuple[int, dict[str, str]]] | None:
        """The file's rows as dicts keyed by lower-case column (spreadsheet row numbers), or None if unreadable."""
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [cell.strip().lower() for cell in next(reader, [])]
            rows, row = [], 1
            # Lines with no cells at all (a stray CR in "\r\r\n") are not rows, as csv.DictReader counts them.
            for row, cells in enumerate((cells for cells in reader if cells), 2):
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
                    self.facts.problems.append(Problem(name, row, None, None,
                                                       f"row has {len(cells)} fields, the header has {len(header)}"))
                    continue
                rows.append((row, {column: cell.strip() for column, cell in zip(header, cells) if column}))
        except csv.Error as exc:
            self.facts.problems.append(Problem(name, row + 1, None, None, f"not a readable CSV file: {exc}", fatal=True))
            return None
        return rows


def _csv_value(text: str, spec: dict) -> Any:
    """A CSV cell typed as the JSON schema declares, so the schema judges it as it would JSON."""
    kind = spec.get("type")
    try:
        if kind == "integer" and re.fullmatch(r"-?\d+", text):
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        pass
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _check_rows(table: _Table, schema: str, schemas: Path, facts: Facts) -> set[int]:
    """Validate each row of an HSDS 3.0 table against its object schema; returns the bad rows."""
    validator = validators(schemas / "hsds3")[schema]
    properties = _properties(schemas / "hsds3" / schema)
    bad = set()
    for row, values in table.rows:
        record = {k: _csv_value(v, properties.get(k, {})) for k, v in values.items() if v != ""}
        for error in validator.iter_errors(record):
            column = list(error.absolute_path)[0] if error.absolute_path else error.message.split("'")[1]
            value = values.get(column) or None
            facts.problems.append(Problem(table.file, row, column, value, f"{short_reason(error)} (HSDS 3.0 {schema})"))
            bad.add(row)
    return bad


@lru_cache(maxsize=32)
def _properties(schema_file: Path) -> dict[str, dict]:
    return json.loads(schema_file.read_text(encoding="utf-8")).get("properties", {})


@lru_cache(maxsize=2)
def _v1_table_schemas(schemas: Path) -> dict[str, list[dict]]:
    package = json.loads((schemas / "oruk-v1" / "ExtendedDataPackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r["schema"]["fields"] for r in package["resources"]}


def _check_v1_rows(table: _Table, resource: str, schemas: Path, facts: Facts) -> set[int]:
    """Check required and enumerated fields of an ORUK v1 table against its table schema."""
    bad = set()
    for spec in _v1_table_schemas(schemas).get(resource, []):
        constraints = spec.get("constraints") or {}
        name = spec["name"]
        for row, values in table.rows:
            value = values.get(name, "")
            if constraints.get("required") and not value:
                reason = "a value is required" if name in values else "required column is missing"
                facts.problems.append(Problem(table.file, row, name, None, f"{reason} (ORUK v1 {resource} table)"))
                bad.add(row)
            elif value and constraints.get("enum") and value not in constraints["enum"]:
                allowed = ", ".join(constraints["enum"])
                facts.problems.append(Problem(table.file, row, name, value, f"not one of {allowed} (ORUK v1 {resource} table)"))
                bad.add(row)
    return bad


def read_package(folder: Path, schemas: Path, facts: Facts, dataset: str | None = None) -> _Package:
    package = _Package(folder, facts, dataset)
    descriptor = folder / "datapackage.json"
    version = ""
    if descriptor.is_file():
        try:
            meta = json.loads(descriptor.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            facts.problems.append(Problem("datapackage.json", None, None, None, f"not valid JSON: {exc}", fatal=True))
            return package
        version = as_text(meta.get("version"))
        for i, resource in enumerate(meta.get("resources") or []):
            name = as_text(resource.get("path")) if isinstance(resource, dict) else ""
            if name and not (folder / name).is_file():
                facts.problems.append(Problem("datapackage.json", f"#/resources/{i}", "path", name,
                                              "this resource's file is missing from the data package folder", fatal=True))
    if not (folder / "services.csv").is_file():
        facts.problems.append(Problem("services.csv", None, None, None,
                                      "a data package folder needs services.csv (and datapackage.json or the other HSDS tables)", fatal=True))
    if any(p.fatal for p in facts.problems):
        return package
    v1 = version.startswith("1") or any((folder / name).is_file() for name in V1_TABLES)
    (_read_v1_tables if v1 else _read_v3_tables)(package, schemas, facts)
    return package


def _read_v3_tables(package: _Package, schemas: Path, facts: Facts) -> None:
    organizations = package.table("organizations.csv")
    if organizations:
        bad = _check_rows(organizations, "organization.json", schemas, facts)
        for row, r in organizations.rows:
            if row not in bad:
                facts.org(r.get("id"), r.get("name"), organizations.where(row), r.get("website"), r.get("legal_status"))
    identifiers = package.table("organization_identifiers.csv")
    if identifiers:
        bad = _check_rows(identifiers, "organization_identifier.json", schemas, facts)
        for row, r in identifiers.rows:
            if row not in bad:
                facts.org_id(r.get("organization_id"), r.get("identifier_scheme"), r.get("identifier"), r.get("identifier_type"))
    services = package.table("services.csv")
    if services is None:  # unreadable: its fatal problem says why
        return
    bad = _check_rows(services, "service.json", schemas, facts)
    records = {r["id"]: {**r, "where": services.where(row)} for row, r in services.rows if row not in bad and r.get("id")}
    terms = package.table("taxonomy_terms.csv")
    taxonomies = package.table("taxonomies.csv", "taxonomy.csv")
    taxonomy_names = {r.get("id"): r.get("name", "") for _, r in taxonomies.rows} if taxonomies else {}
    term_by_id = {}
    if terms:
        bad = _check_rows(terms, "taxonomy_term.json", schemas, facts)
        term_by_id = {r["id"]: r for row, r in terms.rows if row not in bad and r.get("id")}
    attributes = package.table("attributes.csv", "attribute.csv")
    links: list[tuple[str, dict, Where]] = []
    if attributes:
        bad = _check_rows(attributes, "attribute.json", schemas, facts)
        for row, r in attributes.rows:
            term = term_by_id.get(r.get("taxonomy_term_id", ""))
            if row not in bad and term and r.get("link_id") in records:
                taxonomy = " ".join((term.get("taxonomy", ""), taxonomy_names.get(term.get("taxonomy_id"), ""), r.get("link_type", "")))
                links.append((r["link_id"], {"name": term.get("name") or term.get("term"), "taxonomy": taxonomy}, attributes.where(row)))
    _package_services(package, records, links, "addresses.csv", "address.csv", facts)


def _read_v1_tables(package: _Package, schemas: Path, facts: Facts) -> None:
    organizations = package.table("organizations.csv")
    if organizations:
        bad = _check_v1_rows(organizations, "organization", schemas, facts)
        for row, r in organizations.rows:
            if row not in bad:
                facts.org(r.get("id"), r.get("name"), organizations.where(row), r.get("url"), r.get("legal_status"))
    identifiers = package.table("identifiers.csv")
    if identifiers:
        for row, r in identifiers.rows:
            scheme = r.get("register") if ORG_ID.match(r.get("register", "").upper()) else r.get("identification_body")
            facts.org_id(r.get("organization_id"), scheme, r.get("identifier"), r.get("identification_body"))
    services = package.table("services.csv")
    if services is None:  # unreadable: its fatal problem says why
        return
    bad = _check_v1_rows(services, "service", schemas, facts)
    records = {r["id"]: {**r, "where": services.where(row)} for row, r in services.rows if row not in bad and r.get("id")}
    taxonomy = package.table("taxonomy.csv")
    terms = {}
    if taxonomy:
        bad = _check_v1_rows(taxonomy, "taxonomy", schemas, facts)
        terms = {r["id"]: r for row, r in taxonomy.rows if row not in bad and r.get("id")}
    links: list[tuple[str, dict, Where]] = []
    service_taxonomy = package.table("service_taxonomy.csv", "services_taxonomy.csv")
    if service_taxonomy:
        for row, r in service_taxonomy.rows:
            term = terms.get(r.get("taxonomy_id", ""))
            if term and r.get("service_id") in records:
                links.append((r["service_id"], {"name": term.get("name"), "taxonomy": term.get("vocabulary", "")}, service_taxonomy.where(row)))
            elif r.get("taxonomy_id") and not term:
                facts.problems.append(Problem(service_taxonomy.file, row, "taxonomy_id", r["taxonomy_id"], "refers to no row of taxonomy.csv"))
    eligibility = package.table("eligibility.csv")
    if eligibility:
        bad = _check_v1_rows(eligibility, "eligibility", schemas, facts)
        by_id = {}
        for row, r in eligibility.rows:
            if row not in bad and r.get("service_id") in records:
                by_id[r.get("id")] = r["service_id"]
                if r.get("eligibility"):
                    links.append((r["service_id"], {"name": r["eligibility"], "taxonomy": "eligibility"}, eligibility.where(row)))
        link_taxonomy = package.table("link_taxonomy.csv")
        for row, r in link_taxonomy.rows if link_taxonomy else []:
            term = terms.get(r.get("taxonomy_id", ""))
            service_id = by_id.get(r.get("link_id")) or by_id.get(r.get("eligibility_id"))
            if term and service_id and r.get("link_type", "").lower() == "eligibility":
                links.append((service_id, {"name": term.get("name"), "taxonomy": "eligibility"}, link_taxonomy.where(row)))
    _package_services(package, records, links, "physical_addresses.csv", "physical_address.csv", facts)


def _package_services(package: _Package, records: dict[str, dict], links: list, *address_files: str) -> None:
    """Services, areas, postcodes and taxonomy links of a CSV package, whichever version."""
    facts = package.facts
    areas: dict[str, list[str]] = {}
    table = package.table("service_areas.csv", "service_area.csv")
    for row, r in table.rows if table else []:
        service_id = r.get("service_id", "")
        if service_id not in records:
            continue
        name = r.get("name") or r.get("service_area") or ""
        if name:
            areas.setdefault(service_id, []).append(name)
        extent = r.get("extent", "") if len(r.get("extent", "")) <= 200 else ""
        for code in gss_codes(r.get("uri"), name, r.get("service_area"), r.get("identifier"), extent):
            facts.covers.append((service_id, code, table.where(row)))
    postcodes_at: dict[str, list[str]] = {}
    addresses = package.table(*address_files)
    for _, r in addresses.rows if addresses else []:
        if r.get("postal_code"):
            postcodes_at.setdefault(r.get("location_id", ""), []).append(r["postal_code"])
    postcodes: dict[str, list[str]] = {}
    sal = package.table("service_at_location.csv", "services_at_location.csv", "service_at_locations.csv")
    for _, r in sal.rows if sal else []:
        postcodes.setdefault(r.get("service_id", ""), []).extend(postcodes_at.get(r.get("location_id", ""), []))
    for service_id, term, where in links:
        facts.concept(service_id, term["name"], term["taxonomy"], where)
    for n, (service_id, r) in enumerate(records.items(), 1):
        if n % PROGRESS_EVERY == 0:
            log.info("%s: %d of %d services read", r["where"].file, n, len(records))
        if r.get("organization_id"):
            facts.delivers.append((r["organization_id"], service_id, r["where"]))
        facts.services.append({
            "id": service_id, "name": r.get("name"), "description": r.get("description"), "url": r.get("url"),
            "email": r.get("email"), "areas": list(dict.fromkeys(areas.get(service_id, []))),
            "postcodes": list(dict.fromkeys(postcodes.get(service_id, []))), "type": r.get("deliverable_type"),
            "where": r["where"],
        })

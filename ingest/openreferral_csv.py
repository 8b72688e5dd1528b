"""Read an Open Referral CSV data package: HSDS 3.0, HSDS 1.1 or ORUK v1 tables.

A folder with ``services.csv`` (and usually ``datapackage.json``); every resource the descriptor
lists must be there, and any subset of the other tables may be. Which standard the tables follow
comes from the descriptor (its version; ORUK's title or home page), else from the tables: ORUK v1's
own columns and tables (``deliverable_type``, ``link_taxonomy.csv``, ``identifiers.csv`` …), else
HSDS 1.1's (``services_taxonomy.csv``, ``physical_addresses.csv`` …), else HSDS 3.0. HSDS 3.0 rows
are judged against the same JSON Schemas as JSON records (cells typed as the schema declares);
HSDS 1.1 and ORUK v1 rows against their own table schemas, as :mod:`ingest.openreferral_schema`
says. Row numbers count the header as row 1.
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
from ingest.openreferral_facts import ORG_ID, PROGRESS_EVERY, Facts, Where, as_text, gss_codes, log
from ingest.openreferral_schema import ESSENTIAL, judge, judge_row, table_schemas, validators
from ontology.ids import source_id as make_source_id
from partnermap.errors import Problem

# Tables only HSDS 1.1 / ORUK v1 packages have: any of them means the v1 column names.
V1_TABLES = ("service_taxonomy.csv", "services_taxonomy.csv", "eligibility.csv", "physical_addresses.csv",
             "link_taxonomy.csv", "regular_schedules.csv", "identifiers.csv")
# What only ORUK v1 (the LGA's application profile of HSDS 1.1) has: its tables, its services' columns.
ORUK_TABLES = ("link_taxonomy.csv", "identifiers.csv", "reviews.csv", "cost_option.csv")
ORUK_SERVICE_COLUMNS = ("deliverable_type", "attending_type", "attending_access")
LABELS = {"hsds-3": "HSDS 3.0", "hsds-1.1": "HSDS 1.1", "oruk-v1": "ORUK v1"}


@dataclass
class _Table:
    """One CSV file's rows (numbered as a spreadsheet does), with its Source id."""

    file: str
    source: str
    rows: list[tuple[int, dict[str, str]]]
    header: list[str]

    def where(self, row: int) -> Where:
        return Where(self.file, self.source, row)


class _Package:
    """The CSV files of one data package folder, read on demand, each with its Source."""

    def __init__(self, folder: Path, schemas: Path, facts: Facts, dataset: str | None = None):
        self.folder, self.schemas, self.facts = folder, schemas, facts
        self.dataset = dataset or folder.resolve().name
        self.tables: dict[str, _Table] = {}
        self.sources: list[tuple[str, str, Path, bytes]] = []  # source id, file, path, bytes
        self.version = "hsds-3"

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
            read = self._rows(name, text)
            if read is None:
                return None
            header, rows = read
            source_id = make_source_id("openreferral", self.dataset, name)
            self.sources.append((source_id, name, path, raw))
            self.tables[name] = _Table(name, source_id, rows, header)
            return self.tables[name]
        return None

    def _rows(self, name: str, text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]] | None:
        """The file's header and rows as dicts keyed by lower-case column (spreadsheet row numbers), or None."""
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
        return header, rows

    def judged(self, *names: str) -> tuple[_Table | None, dict[int, dict[str, str]]]:
        """A table and its rows that may be read (the others are refused or, skipping, left out)."""
        table = self.table(*names)
        if table is None:
            return None, {}
        essential = ESSENTIAL.get(names[0], frozenset())
        kept: dict[int, dict[str, str]] = {}
        if self.version == "hsds-3":
            schema = _HSDS3_SCHEMAS.get(names[0])
            if schema is None:
                return table, dict(table.rows)
            validator = validators(self.schemas / "hsds3")[schema]
            properties = _properties(self.schemas / "hsds3" / schema)
            for row, values in table.rows:
                record = {k: _csv_value(v, properties.get(k, {})) for k, v in values.items() if v != ""}
                judgement = judge(validator, record, table.file, row, f"HSDS 3.0 {schema}", names[0])
                if judgement.refusals:
                    self.facts.refuse(table.file, row, judgement.problems)
                else:
                    self.facts.warnings.extend(judgement.warnings)
                    kept[row] = {k: as_text(v) for k, v in judgement.record.items()}
            return table, kept
        schemas = table_schemas(self.version, self.schemas)
        spec = schemas.get(table.file) or schemas.get(names[0])
        for row, values in table.rows:
            refusals, warnings = judge_row(spec, table.file, row, values, f"{LABELS[self.version]} {spec.name if spec else table.file}",
                                           essential)
            if refusals:
                self.facts.refuse(table.file, row, refusals)
            else:
                self.facts.warnings.extend(warnings)
                kept[row] = values
        return table, kept

    folder_schemas: Path


# HSDS 3.0 tables and the object schema their rows are judged by.
_HSDS3_SCHEMAS = {"organizations.csv": "organization.json", "organization_identifiers.csv": "organization_identifier.json",
                  "services.csv": "service.json", "taxonomy_terms.csv": "taxonomy_term.json", "attributes.csv": "attribute.json"}


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


@lru_cache(maxsize=32)
def _properties(schema_file: Path) -> dict[str, dict]:
    return json.loads(schema_file.read_text(encoding="utf-8")).get("properties", {})


def _version(folder: Path, meta: dict | None) -> str:
    """Which standard a package's tables follow: from its descriptor, else from its tables."""
    if meta is not None:
        version = as_text(meta.get("version"))
        about = " ".join(as_text(meta.get(k)) for k in ("title", "homepage", "profile", "name")).lower()
        if version.startswith("3"):
            return "hsds-3"
        if version.startswith(("1", "2")) or "openreferraluk" in about.replace(" ", ""):
            uk = "openreferraluk" in about.replace(" ", "") or "application profile" in about
            return "oruk-v1" if uk else "hsds-1.1"
    if any((folder / name).is_file() for name in ORUK_TABLES):
        return "oruk-v1"
    services = folder / "services.csv"
    try:
        with services.open(encoding="utf-8-sig", newline="") as handle:
            header = {cell.strip().lower() for cell in next(csv.reader(handle), [])}
    except (OSError, UnicodeDecodeError, csv.Error):
        header = set()
    if header & set(ORUK_SERVICE_COLUMNS):
        return "oruk-v1"
    if any((folder / name).is_file() for name in V1_TABLES):
        return "hsds-1.1"
    return "hsds-3"


def read_package(folder: Path, schemas: Path, facts: Facts, dataset: str | None = None) -> _Package:
    """Read the data package in ``folder`` into ``facts`` (its tables' Sources are in ``.sources``)."""
    package = _Package(folder, schemas, facts, dataset)
    descriptor = folder / "datapackage.json"
    meta = None
    if descriptor.is_file():
        try:
            meta = json.loads(descriptor.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            facts.problems.append(Problem("datapackage.json", None, None, None, f"not valid JSON: {exc}", fatal=True))
            return package
        if not isinstance(meta, dict):
            facts.problems.append(Problem("datapackage.json", None, None, None, "not a data package descriptor (a JSON object)", fatal=True))
            return package
        resources = meta.get("resources")
        for i, resource in enumerate(resources if isinstance(resources, list) else []):
            name = as_text(resource.get("path")) if isinstance(resource, dict) else ""
            if name and not (folder / name).is_file():
                facts.problems.append(Problem("datapackage.json", f"#/resources/{i}", "path", name,
                                              "this resource's file is missing from the data package folder", fatal=True))
    if not (folder / "services.csv").is_file():
        facts.problems.append(Problem("services.csv", None, None, None,
                                      "a data package folder needs services.csv (and datapackage.json or the other HSDS tables)", fatal=True))
    if any(p.fatal for p in facts.problems):
        return package
    package.version = _version(folder, meta)
    log.info("%s: read as %s tables", folder.name, LABELS[package.version])
    (_read_v3_tables if package.version == "hsds-3" else _read_v1_tables)(package)
    return package


def _organisations(package: _Package, url_column: str) -> set[str] | None:
    """The ids of the organisations read from ``organizations.csv`` (refused rows left out); None without the file."""
    facts = package.facts
    table, rows = package.judged("organizations.csv")
    for row, r in rows.items():
        facts.org(r.get("id"), r.get("name"), table.where(row), r.get(url_column), r.get("legal_status"))
    return {r["id"] for r in rows.values()} if table else None


def _services(package: _Package, organisations: set[str] | None) -> dict[str, dict]:
    """The services of ``services.csv`` by id, with where each was read. With ``organizations.csv``, a
    service whose organisation was not read from it (refused, skipped or not there) is refused too."""
    facts = package.facts
    table, rows = package.judged("services.csv")
    if table is None:
        return {}
    listed = {r.get("id") for _, r in _rows(package, "organizations.csv")}
    records = {}
    for row, r in rows.items():
        org = r.get("organization_id", "")
        if organisations is not None and org and org not in organisations:
            if org not in listed:
                facts.refuse(table.file, row, [Problem(table.file, row, "organization_id", org, "refers to no row of organizations.csv")])
            elif facts.skip_invalid:  # refusing, the organisation's own problem says it all
                facts.refuse(table.file, row, [Problem(table.file, row, "organization_id", org,
                                                       "its organisation (organizations.csv) was left out")])
            continue
        if r.get("id"):
            records[r["id"]] = {**r, "where": table.where(row)}
    return records


def _read_v3_tables(package: _Package) -> None:
    facts = package.facts
    organisations = _organisations(package, "website")
    _, identifiers = package.judged("organization_identifiers.csv")
    for r in identifiers.values():
        facts.org_id(r.get("organization_id"), r.get("identifier_scheme"), r.get("identifier"), r.get("identifier_type"))
    records = _services(package, organisations)
    taxonomies = package.table("taxonomies.csv", "taxonomy.csv")
    taxonomy_names = {r.get("id"): r.get("name", "") for _, r in taxonomies.rows} if taxonomies else {}
    _, terms = package.judged("taxonomy_terms.csv")
    term_by_id = {r["id"]: r for r in terms.values() if r.get("id")}
    attributes, links_read = package.judged("attributes.csv", "attribute.csv")
    links: list[tuple[str, dict, Where]] = []
    for row, r in links_read.items():
        term = term_by_id.get(r.get("taxonomy_term_id", ""))
        if term and r.get("link_id") in records:
            taxonomy = " ".join((term.get("taxonomy", ""), taxonomy_names.get(term.get("taxonomy_id"), ""), r.get("link_type", "")))
            links.append((r["link_id"], {"name": term.get("name") or term.get("term"), "taxonomy": taxonomy}, attributes.where(row)))
    _package_services(package, records, links, "addresses.csv", "address.csv")


def _read_v1_tables(package: _Package) -> None:
    facts = package.facts
    organisations = _organisations(package, "url")
    _, identifiers = package.judged("identifiers.csv")
    for r in identifiers.values():
        scheme = r.get("register") if ORG_ID.match(r.get("register", "").upper()) else r.get("identification_body")
        facts.org_id(r.get("organization_id"), scheme, r.get("identifier"), r.get("identification_body"))
    records = _services(package, organisations)
    _, taxonomy = package.judged("taxonomy.csv")
    terms = {r["id"]: r for r in taxonomy.values() if r.get("id")}
    links: list[tuple[str, dict, Where]] = []
    listed = {t.get("id") for _, t in _rows(package, "taxonomy.csv")}
    service_taxonomy, rows = package.judged("services_taxonomy.csv", "service_taxonomy.csv")
    for row, r in rows.items():
        term = terms.get(r.get("taxonomy_id", ""))
        if term and r.get("service_id") in records:
            links.append((r["service_id"], {"name": term.get("name"), "taxonomy": term.get("vocabulary", "")}, service_taxonomy.where(row)))
        elif r.get("taxonomy_id") not in listed:  # one refused or skipped in taxonomy.csv is reported there
            facts.refuse(service_taxonomy.file, row, [Problem(service_taxonomy.file, row, "taxonomy_id", r["taxonomy_id"],
                                                              "refers to no row of taxonomy.csv")])
    eligibility, rows = package.judged("eligibility.csv")
    by_id = {}
    for row, r in rows.items():
        if r.get("service_id") in records:
            by_id[r.get("id")] = r["service_id"]
            if r.get("eligibility"):
                links.append((r["service_id"], {"name": r["eligibility"], "taxonomy": "eligibility"}, eligibility.where(row)))
    if eligibility:
        link_taxonomy, rows = package.judged("link_taxonomy.csv")
        for row, r in rows.items():
            term = terms.get(r.get("taxonomy_id", ""))
            service_id = by_id.get(r.get("link_id")) or by_id.get(r.get("eligibility_id"))
            if term and service_id and r.get("link_type", "").lower() == "eligibility":
                links.append((service_id, {"name": term.get("name"), "taxonomy": "eligibility"}, link_taxonomy.where(row)))
    _package_services(package, records, links, "physical_addresses.csv", "physical_address.csv")


def _rows(package: _Package, name: str) -> list[tuple[int, dict[str, str]]]:
    table = package.table(name)
    return table.rows if table else []


def _package_services(package: _Package, records: dict[str, dict], links: list, *address_files: str) -> None:
    """Services, areas, postcodes and taxonomy links of a CSV package, whichever version."""
    facts = package.facts
    areas: dict[str, list[str]] = {}
    table, rows = package.judged("service_areas.csv", "service_area.csv")
    for row, r in rows.items():
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
    for _, r in _rows(package, address_files[0]) or _rows(package, address_files[1]):
        if r.get("postal_code"):
            postcodes_at.setdefault(r.get("location_id", ""), []).append(r["postal_code"])
    postcodes: dict[str, list[str]] = {}
    _, rows = package.judged("services_at_location.csv", "service_at_location.csv", "service_at_locations.csv")
    for r in rows.values():
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


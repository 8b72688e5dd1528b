"""Open Referral's schemas, and how one published record is judged against them.

The JSON Schemas (HSDS 3.0, ORUK v1; ``$ref`` resolved only among the local files, never fetched)
and the table schemas (HSDS 1.1, ORUK v1) are the publishers' own rules. Live feeds bend them, so
before a record is judged:

- a blank value (``""``, spaces, ``null``) is absent;
- ``organisation`` (British spelling) is read as ``organization``; a whole-number id as its text;
- a term outside an enumeration is matched ignoring case, spacing and punctuation, then through
  ``openreferral_schemas/variants.csv`` (common variants mapped to the standard term);
- a web address without a scheme (``www.example.org``) is read as ``http://…``, with a warning.

What still breaks the schema refuses the record only where partnermap cannot do without the value:
an id, a name, a service's organisation (``ESSENTIAL``), missing or of the wrong type. Anything else
is a warning and the record is read: a value that breaks its schema is left out, except a term
outside its enumeration, which is kept as written. Fields the standard does not define (vendor
extensions) are never judged.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError, _WrappedReferencingError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7, DRAFT202012

from partnermap.errors import Problem

SCHEMAS = Path(__file__).with_name("openreferral_schemas")

# What must be there whatever the schema says (HSDS 3.0 does not require a nested service's name).
PRESENT: dict[str, tuple[str, ...]] = {
    "service": ("id", "name", "organization/id", "organization/name"),
    "organization": ("id", "name", "services/*/id", "services/*/name"),
    "service_at_location": ("service/id", "service/name"),
}
# What partnermap cannot do without, per kind of record (JSON paths, "*" for any array index) or table
# (columns): a value here that is missing or of the wrong type refuses the record.
ESSENTIAL: dict[str, frozenset[str]] = {
    "service": frozenset({"id", "name", "organization", "organization/id", "organization/name"}),
    "organization": frozenset({"id", "name", "services/*/id", "services/*/name"}),
    "service_at_location": frozenset({"service", "service/id", "service/name", "service/organization",
                                      "service/organization/id", "service/organization/name"}),
    # tables (the same names in HSDS 1.1, ORUK v1 and HSDS 3.0 packages)
    "organizations.csv": frozenset({"id", "name"}),
    "services.csv": frozenset({"id", "name", "organization_id"}),
    "services_taxonomy.csv": frozenset({"service_id", "taxonomy_id"}),
    "taxonomy.csv": frozenset({"id", "name"}),
    "taxonomy_terms.csv": frozenset({"id", "name"}),
    "attributes.csv": frozenset({"link_id", "taxonomy_term_id"}),
    "eligibility.csv": frozenset({"service_id"}),
    "service_areas.csv": frozenset({"service_id"}),
    "services_at_location.csv": frozenset({"service_id", "location_id"}),
    "link_taxonomy.csv": frozenset({"link_id", "taxonomy_id"}),
    "organization_identifiers.csv": frozenset({"organization_id", "identifier"}),
    "identifiers.csv": frozenset({"identifier"}),
}
_REFUSING = {"required", "type"}  # on an essential value; its pattern, format or enumeration only warn
_WEB = re.compile(r"^(https?|wss?|ftp)://", re.I)
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#]\S*)?$")
_IDS = re.compile(r"(^|_)id$")


# --------------------------------------------------------------------------------------------
# Validators: a local registry per folder; any $ref outside it is unresolvable, never fetched.
# --------------------------------------------------------------------------------------------

def _refuse(uri: str):
    raise NoSuchResource(ref=uri)


@lru_cache(maxsize=8)
def validators(folder: Path) -> dict[str, Any]:
    """Validators by schema file name, each resolving ``$ref`` only among the folder's files."""
    base = folder.resolve().as_uri() + "/"
    schemas = {f.name: json.loads(f.read_text(encoding="utf-8")) for f in sorted(folder.glob("*.json"))}
    draft7 = any("draft-07" in str(s.get("$schema", "")) for s in schemas.values())
    spec, cls = (DRAFT7, Draft7Validator) if draft7 else (DRAFT202012, Draft202012Validator)
    resources = [(base + name, Resource.from_contents(s, default_specification=spec)) for name, s in schemas.items()]
    registry = Registry(retrieve=_refuse).with_resources(resources)
    return {name: cls({"$ref": base + name}, registry=registry) for name in schemas}


def short_reason(error: ValidationError) -> str:
    """The schema's message, shortened to what a person needs to fix the value."""
    if error.validator == "required":
        return "a value is required"
    if error.validator == "type":
        return f"should be of type {error.validator_value}"
    if error.validator == "enum":
        return "not one of " + ", ".join(map(str, error.validator_value))
    if error.validator == "pattern":
        return f"does not match {error.validator_value}"
    return error.message if len(error.message) <= 120 else error.message[:117] + "…"


# --------------------------------------------------------------------------------------------
# Reading past what feeds bend: blanks, spellings, number ids, variant terms, scheme-less URLs.
# --------------------------------------------------------------------------------------------

def blank(value: Any) -> bool:
    """Whether a published value says nothing: null, or text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def tidy(value: Any, key: str = "") -> Any:
    """A JSON value with blank fields dropped, ``organisation`` read as ``organization`` and number ids as text."""
    if isinstance(value, dict):
        tidied = {}
        for name, item in value.items():
            name = str(name)
            if name == "organisation" and "organization" not in value:
                name = "organization"
            if not blank(item):
                tidied[name] = tidy(item, name)
        return tidied
    if isinstance(value, list):
        return [tidy(item, key) for item in value]
    if _IDS.search(key) and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def comparable(text: str) -> str:
    """A term with case, spacing and punctuation taken out ("Drop-in", "drop in" → "dropin")."""
    return re.sub(r"[\W_]+", "", text.casefold())


@cache
def _variants() -> dict[tuple[str, str], str]:
    with (SCHEMAS / "variants.csv").open(encoding="utf-8", newline="") as handle:
        return {(row["field"], comparable(row["variant"])): row["standard"] for row in csv.DictReader(handle)}


def standard_term(field_name: str, value: Any, allowed: Iterable[Any]) -> str | None:
    """The standard term a published variant means (``Home visit`` → ``home visit``), or None."""
    if not isinstance(value, str):
        return None
    allowed = [term for term in allowed if isinstance(term, str)]
    wanted = comparable(value)
    for term in allowed:
        if comparable(term) == wanted or comparable(term) == wanted.removesuffix("s"):
            return term
    mapped = _variants().get((field_name, wanted)) or _variants().get((field_name, wanted.removesuffix("s")))
    return mapped if mapped in allowed else None


def web_address(value: Any) -> str | None:
    """``http://`` + a host name written without a scheme (``www.example.org/x``), else None."""
    if isinstance(value, str) and not _WEB.match(value) and _HOST.match(value.strip()):
        return "http://" + value.strip()
    return None


# --------------------------------------------------------------------------------------------
# Judging one JSON record
# --------------------------------------------------------------------------------------------

@dataclass
class Judgement:
    """A record as read (blanks dropped, variants standardised, broken values left out), and what it broke.

    ``refusals``: what partnermap cannot do without, grouped by the part of the record they refuse
    (``()`` the whole record, ``("services", 2)`` one of an organisation's services); ``warnings``:
    everything else.
    """

    record: Any
    refusals: dict[tuple, list[Problem]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [p for found in self.refusals.values() for p in found]


def _shape(path: Iterable[Any]) -> str:
    return "/".join("*" if isinstance(step, int) else str(step) for step in path)


def _pointer(pointer: str | int, path: Iterable[Any]) -> str | int:
    """Where a value is: its JSON pointer within the record, or (a CSV row) the row itself."""
    if isinstance(pointer, int):
        return pointer
    steps = "".join(f"/{step}" for step in path)
    return pointer.rstrip("/") + steps if steps else pointer


def _at(record: Any, path: list[Any]) -> tuple[Any, Any] | None:
    """(container, key) of the value at ``path``, or None if the path no longer leads there."""
    container = record
    for step in path[:-1]:
        try:
            container = container[step]
        except (KeyError, IndexError, TypeError):
            return None
    if not path or not isinstance(container, (dict, list)):
        return None
    if isinstance(container, dict) and path[-1] not in container:
        return None
    if isinstance(container, list) and not (isinstance(path[-1], int) and path[-1] < len(container)):
        return None
    return container, path[-1]


def _errors(validator, record: Any) -> list[ValidationError]:
    return [e for e in validator.iter_errors(record) if e.validator != "additionalProperties"]


def _repair(record: Any, errors: list[ValidationError], file: str, pointer: str | int, schema: str,
            warnings: list[Problem]) -> bool:
    """Standardise variant terms and scheme-less web addresses in place; whether anything changed."""
    changed = False
    for error in errors:
        path = list(error.absolute_path)
        place = _at(record, path)
        if place is None:
            continue
        container, key = place
        value = container[key]
        if error.validator == "enum":
            term = standard_term(str(key), value, error.validator_value)
            if term is not None:
                container[key], changed = term, True
        elif error.validator in ("pattern", "format") and (address := web_address(value)) is not None:
            container[key], changed = address, True
            warnings.append(Problem(file, _pointer(pointer, path), str(key), value,
                                    f"a web address without its scheme: read as {address} ({schema})"))
        elif error.validator == "type" and error.validator_value == "string" and isinstance(value, (int, float)) \
                and not isinstance(value, bool):
            container[key], changed = (str(int(value)) if float(value).is_integer() else str(value)), True
    return changed


def judge(validator, record: Any, file: str, pointer: str | int, schema: str, kind: str) -> Judgement:
    """Read ``record`` (a ``kind`` of HSDS object, or a table's row) as the module docstring says; its Judgement.

    ``pointer``: the record's JSON pointer, or its row number in a CSV table (``kind`` is then the file name).
    """
    record = tidy(record)
    judgement = Judgement(record)
    try:
        errors = _errors(validator, record)
        if errors and _repair(record, errors, file, pointer, schema, judgement.warnings):
            errors = _errors(validator, record)
    except _WrappedReferencingError as exc:
        judgement.refusals[()] = [Problem(file, pointer, None, None, f"schema {schema} refers to {exc.__cause__!s}, "
                                          "which is not among the local schemas (nothing is fetched)", fatal=True)]
        return judgement
    essential = ESSENTIAL.get(kind, frozenset())
    dropped: list[list[Any]] = []
    for error in errors:
        path = [*error.absolute_path]
        value: Any = error.instance
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else None
            path, value = ([*path, missing] if missing else path), None
        if isinstance(value, (dict, list)):
            value = None
        field_name = str(path[-1]) if path else None
        problem_at = _pointer(pointer, path)
        if _shape(path) in essential and error.validator in _REFUSING:
            part = tuple(path[:2]) if kind == "organization" and len(path) > 2 and path[0] == "services" else ()
            judgement.refusals.setdefault(part, []).append(
                Problem(file, problem_at, field_name, value, f"{short_reason(error)} ({schema})"))
            continue
        if error.validator == "required":
            reason = f"{short_reason(error)} by {schema}; partnermap does not need it"
        elif error.validator == "enum":
            reason = f"{short_reason(error)} ({schema}): kept as written"
        elif _shape(path) in essential:
            reason = f"{short_reason(error)} ({schema}); partnermap reads it anyway"
        else:
            reason = f"{short_reason(error)} ({schema}): left out"
            dropped.append(path)
        judgement.warnings.append(Problem(file, problem_at, field_name, value, reason))
    reported = {str(p.row) for found in judgement.refusals.values() for p in found}
    for path in _absent(record, PRESENT.get(kind, ())):
        at = _pointer(pointer, path)
        if str(at) not in reported:
            part = tuple(path[:2]) if kind == "organization" and len(path) > 2 and path[0] == "services" else ()
            judgement.refusals.setdefault(part, []).append(Problem(file, at, str(path[-1]), None, "a value is required"))
    for path in sorted(dropped, key=len, reverse=True):  # the deepest first, so outer paths still lead somewhere
        place = _at(record, path)
        if place is not None:
            container, key = place
            if isinstance(container, dict):
                del container[key]
            else:
                container[key] = None  # not removed: later indexes must still point where the messages say
    return judgement


def _absent(record: Any, shapes: Iterable[str]) -> list[list[Any]]:
    """Paths of the given shapes (``services/*/name``) with no text or number there; a missing parent
    object (a service with no organisation) is not looked into: the schema says whether it must be."""
    found = []

    def walk(value: Any, steps: list[str], path: list[Any]) -> None:
        if not steps:
            return
        step, rest = steps[0], steps[1:]
        if step == "*":
            for index, item in enumerate(value if isinstance(value, list) else []):
                if isinstance(item, dict):
                    walk(item, rest, [*path, index])
            return
        if not isinstance(value, dict):
            return
        item = value.get(step)
        if not rest:
            if not isinstance(item, (str, int, float)) or isinstance(item, bool) or blank(item):
                found.append([*path, step])
        elif item is not None:
            walk(item, rest, [*path, step])

    for shape in shapes:
        walk(record, shape.split("/"), [])
    return found


# --------------------------------------------------------------------------------------------
# Table schemas: HSDS 1.1 and ORUK v1 packages
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TableSchema:
    """One package table's rules: which columns are required, which take a closed list of terms."""

    name: str
    required: tuple[str, ...]
    enums: dict[str, tuple[str, ...]]


@lru_cache(maxsize=4)
def table_schemas(version: str, schemas: Path = SCHEMAS) -> dict[str, TableSchema]:
    """The tables of ``"hsds-1.1"`` or ``"oruk-v1"`` by file name (both spellings where they differ)."""
    found: dict[str, TableSchema] = {}
    if version == "oruk-v1":
        package = json.loads((schemas / "oruk-v1" / "ExtendedDataPackage.json").read_text(encoding="utf-8"))
        for resource in package["resources"]:
            fields = resource["schema"]["fields"]
            constraints = [(f["name"], f.get("constraints") or {}) for f in fields]
            found[resource["path"]] = TableSchema(
                resource["name"], tuple(n for n, c in constraints if c.get("required")),
                {n: tuple(c["enum"]) for n, c in constraints if c.get("enum")})
    else:
        package = json.loads((schemas / "hsds-1.1" / "tables.json").read_text(encoding="utf-8"))
        for name, resource in package["resources"].items():
            found[resource["path"]] = TableSchema(name, tuple(resource.get("required", ())),
                                                  {k: tuple(v) for k, v in resource.get("enum", {}).items()})
    for path in list(found):  # the other spellings feeds use for the same tables
        for other in (path.replace("services_", "service_"), path.replace("services_", "service_").replace(".csv", "s.csv")):
            found.setdefault(other, found[path])
    return found


def judge_row(table: TableSchema | None, file: str, row: int, values: dict[str, str], label: str,
              essential: frozenset[str]) -> tuple[list[Problem], list[Problem]]:
    """(refusals, warnings) for one table row; variant terms in ``values`` are standardised in place."""
    refusals: list[Problem] = []
    warnings: list[Problem] = []
    for column in sorted(essential):  # what partnermap needs, whatever the version's schema says
        if not values.get(column):
            reason = "a value is required" if column in values else "required column is missing"
            refusals.append(Problem(file, row, column, None, f"{reason} ({label} table)"))
    if table is None:
        return refusals, warnings
    for column in table.required:
        if column not in essential and not values.get(column):
            warnings.append(Problem(file, row, column, None,
                                    f"a value is required by the {label} table; partnermap does not need it"))
    for column, allowed in table.enums.items():
        value = values.get(column)
        if value and value not in allowed:
            term = standard_term(column, value, allowed)
            if term is not None:
                values[column] = term
            else:
                warnings.append(Problem(file, row, column, value,
                                        f"not one of {', '.join(allowed)} ({label} table): kept as written"))
    return refusals, warnings

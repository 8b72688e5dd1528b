"""The 360Giving format: its schema, the flat (CSV/XLSX) serialisation, and problems named as a file names fields.

Every serialisation becomes a list of grant objects validated one by one against the 360Giving
grant schema shipped in ``ingest/giving_data/360giving`` (the package schema's ``$ref`` resolved from
those files, never fetched), so JSON, CSV and XLSX share one validation path. A problem names the
row (CSV/XLSX, header = row 1) or JSON pointer, and the field by its column title or JSON path.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pandas as pd
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ingest.values import uk_date_time
from partnermap.errors import Problem

SCHEMA_DIR = Path(__file__).with_name("giving_data") / "360giving"
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")

# Columns a flat file must have (the grant schema's required fields, for grants to organisations).
REQUIRED_FLAT = [
    ("id",), ("title",), ("description",), ("currency",), ("amountAwarded",), ("awardDate",),
    ("recipientOrganization", 0, "id"), ("recipientOrganization", 0, "name"),
    ("fundingOrganization", 0, "id"), ("fundingOrganization", 0, "name"),
]


@dataclass
class Grant:
    """One grant as a 360Giving object, where it was read, and how its fields are named there."""

    data: dict[str, Any]
    where: int | str  # a row number (CSV/XLSX, header = row 1) or a JSON pointer
    source_row: str
    titles: dict[tuple, str] = field(default_factory=dict)  # field path → the flat file's column title


@cache
def schemas() -> tuple[dict, dict, Registry]:
    """The package and grant schemas, and a registry that resolves the package's $ref to the local grant schema."""
    package = json.loads((SCHEMA_DIR / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    grant = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text(encoding="utf-8"))
    resource = DRAFT202012.create_resource(grant)  # its $schema misspells the 2020-12 URI (http:), so name the draft
    # The package (1.4.3) still points at the 1.4.2 grant schema's URL: both names mean the local file.
    uris = {grant["$id"], package["properties"]["grants"]["items"]["$ref"]}
    registry = Registry(retrieve=_no_fetch).with_resources((uri, resource) for uri in uris)
    return package, grant, registry


def _no_fetch(uri: str) -> Resource:
    raise LookupError(f"refusing to fetch {uri}: 360Giving schemas are resolved from {SCHEMA_DIR} only")


def _unique_items(validator, unique, instance, schema):
    """uniqueItems in linear time: the stock check compares every pair of grants (hours for 50,000)."""
    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[str] = set()
    for index, item in enumerate(instance):
        key = json.dumps(item, sort_keys=True, default=str)
        if key in seen:
            yield ValidationError("repeats an earlier item exactly", path=[index])
        seen.add(key)


def _date_time(value: object) -> bool:
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


@cache
def validators() -> tuple[Draft202012Validator, Draft202012Validator, jsonschema_rs.Draft202012Validator]:
    """Validators for a package's wrapper and for one grant (the package's ``$ref``, resolved locally), and a fast check.

    Grants are validated one by one so each error names its grant; ``jsonschema_rs`` (the same
    schema and date-time check, 100 times faster) passes the valid ones, and ``jsonschema``
    explains the rest: 50,000 grants take seconds instead of minutes.
    """
    package, grant, registry = schemas()
    # Dates are `oneOf` a date-time or a YYYY-MM-DD pattern: unless date-time is really checked,
    # a plain date matches both branches and fails. Checking it here keeps results independent
    # of which optional format packages happen to be installed.
    formats = FormatChecker(formats=())
    formats.checks("date-time")(_date_time)
    cls = extend(Draft202012Validator, {"uniqueItems": _unique_items})
    grants = dict(package["properties"]["grants"])
    items = grants.pop("items")
    wrapper = {**package, "properties": {**package["properties"], "grants": grants}}
    fast = jsonschema_rs.Draft202012Validator(grant, formats={"date-time": _date_time}, validate_formats=True, retriever=_no_fetch)
    return cls(wrapper, registry=registry, format_checker=formats), cls(items, registry=registry, format_checker=formats), fast


# --------------------------------------------------------------------------------------------
# Flat files: column titles ("Recipient Org:Identifier") to paths in a grant object
# --------------------------------------------------------------------------------------------


def _resolve(schema: dict, grant_schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return grant_schema["$defs"][ref.rsplit("/", 1)[1]]
    return schema


def _types(schema: dict) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def flat_path(title: str) -> tuple[tuple, str] | None:
    """The grant-object path a flat column title stands for, and its JSON type; None if unknown.

    ``Recipient Org:Identifier`` → ``(("recipientOrganization", 0, "id"), "string")``; a number
    after an array's title picks a later item (``Beneficiary Location:1:Geographic Code``).
    Titles match case-insensitively, as 360Giving tools read them.
    """
    _, grant_schema, _ = schemas()
    parts = [p.strip() for p in title.split(":")]
    schema, path = grant_schema, []
    while parts:
        schema = _resolve(schema, grant_schema)
        if "array" in _types(schema):
            items = _resolve(schema.get("items", {}), grant_schema)
            if "object" not in _types(items):
                return None
            index = int(parts.pop(0)) if parts[0].isdigit() else 0
            path.append(index)
            schema = items
            continue
        wanted = parts.pop(0).lower()
        found = None
        for name, prop in schema.get("properties", {}).items():
            if str(_resolve(prop, grant_schema).get("title", prop.get("title", ""))).lower() == wanted or name.lower() == wanted:
                found = name, prop
                break
        if found is None:
            return None
        path.append(found[0])
        schema = found[1]
    schema = _resolve(schema, grant_schema)
    kinds = _types(schema)
    if "array" in kinds:
        items = _resolve(schema.get("items", {}), grant_schema)
        if "object" in _types(items):
            return None
        return tuple(path), "list"
    for kind in ("number", "integer", "string"):
        if kind in kinds:
            return tuple(path), kind
    return tuple(path), "string"


def _title(path: tuple) -> str:
    """The flat column title for a grant path (for fields a file lacks)."""
    _, grant_schema, _ = schemas()
    schema, titles = grant_schema, []
    for step in path:
        schema = _resolve(schema, grant_schema)
        if isinstance(step, int):
            schema = schema.get("items", {})
            if step:
                titles.append(str(step))
            continue
        prop = schema.get("properties", {}).get(step, {})
        titles.append(str(prop.get("title") or _resolve(prop, grant_schema).get("title") or step))
        schema = prop
    return ":".join(titles)


def _cell(value: object, kind: str) -> Any:
    """A flat cell as the JSON value 360Giving means (numbers as numbers, dates as ISO text); None if blank."""
    if isinstance(value, str):  # every CSV cell: the common case first
        value = value.strip()
        if not value:
            return None
        if kind == "string":
            return value
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        value = excel_date_time(value)
    elif isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if kind == "list":
        return [part.strip() for part in str(value).split(";") if part.strip()]
    if kind in ("number", "integer"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        text = str(value).replace(",", "")
        for parse in (int, float):
            try:
                return parse(text)
            except ValueError:
                pass
        return value  # left as text: the schema names it "not of type number"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def excel_date_time(value: dt.datetime) -> str:
    """A spreadsheet's date or date-time cell as 360Giving's converter (flatten-tool) reads it.

    Every field of the grant schema is a string, so flatten-tool writes any date cell as an ISO
    date-time in UTC: a date at midnight is still a date-time (``2020-06-11T00:00:00+00:00``),
    which ``dateModified`` needs and ``awardDate`` accepts.
    """
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat()


def _set(grant: dict, path: tuple, value: Any) -> None:
    if len(path) == 1:
        grant[path[0]] = value
        return
    node: Any = grant
    for step, following in zip(path, path[1:]):
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            node = node[step]
        else:
            node = node.setdefault(step, [] if isinstance(following, int) else {})
    node[path[-1]] = value


def _unflatten(frame: pd.DataFrame, file: str, first_row: int) -> list[Grant]:
    """Grant objects from a flat sheet's rows (row numbers count the header as row 1)."""
    columns = []
    for title in frame.columns:
        found = flat_path(str(title))
        if found is not None:  # 360Giving allows extra columns: they carry nothing this graph holds
            columns.append((str(title), *found))
    titles = {path: title for title, path, _ in columns}
    positions = [frame.columns.get_loc(title) for title, _, _ in columns]
    grants = []
    for offset, values in enumerate(frame.itertuples(index=False, name=None)):
        grant: dict[str, Any] = {}
        for (_, path, kind), position in zip(columns, positions):
            typed = _cell(values[position], kind)
            if typed is not None:
                _set(grant, path, typed)
        if not grant:
            continue  # a blank row is spreadsheet noise
        row = first_row + offset
        for array in ("recipientOrganization", "beneficiaryLocation", "fundingOrganization", "grantProgramme", "plannedDates"):
            if array in grant:  # a later-numbered column without item 0 leaves a gap
                grant[array] = [item for item in grant[array] if item]
        grants.append(Grant(grant, row, f"{file} row {row}", titles))
    return grants


# --------------------------------------------------------------------------------------------
# Reading the three serialisations
# --------------------------------------------------------------------------------------------


def _read_json(path: Path, raw: bytes) -> tuple[dict | None, list[Problem]]:
    try:
        package = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, [Problem(path.name, None, None, None, f"not UTF-8 text (byte {exc.start})", fatal=True)]
    except json.JSONDecodeError as exc:
        return None, [Problem(path.name, None, None, None,
                              f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (is the file truncated?)", fatal=True)]
    except RecursionError:  # the json module recurses once per level of nesting
        return None, [Problem(path.name, None, None, None, "JSON nested too deeply to read", fatal=True)]
    return package, []


def _read_csv(path: Path, raw: bytes) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(path.name, line, None, raw[exc.start : exc.start + 8].hex(" "),
                              f"not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8", fatal=True)]
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return None, [Problem(path.name, None, None, None, f"not a readable CSV file: {exc}", fatal=True)]
    return frame.astype(object), []


def _read_xlsx(path: Path) -> tuple[str, pd.DataFrame | None, list[Problem]]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl", keep_default_na=False, na_filter=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        return path.name, None, [Problem(path.name, None, None, None, f"not a readable XLSX workbook: {exc}", fatal=True)]
    # 360Giving workbooks keep grants on a sheet called "grants"; otherwise the first sheet.
    name = next((n for n in sheets if str(n).strip().lower() == "grants"), next(iter(sheets)))
    return f"{path.name}[{name}]", sheets[name], []


def read_grants(path: Path, raw: bytes) -> tuple[str, dict | None, list[Grant], list[Problem]]:
    """The file as a package plus its grants with their places; or fatal problems."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        package, problems = _read_json(path, raw)
        items = package.get("grants") if isinstance(package, dict) else None
        grants = [
            Grant(g, f"/grants/{i}", f"{path.name}#/grants/{i}") for i, g in enumerate(items)
        ] if isinstance(items, list) else []
        return path.name, package, grants, problems
    if suffix == ".csv":
        frame, problems = _read_csv(path, raw)
        file = path.name
    elif suffix == ".xlsx":
        file, frame, problems = _read_xlsx(path)
    else:
        return path.name, None, [], [Problem(path.name, None, None, None,
                                             "360Giving data is a .json package, a .csv or an .xlsx file", fatal=True)]
    if frame is None:
        return file, None, [], problems
    frame.columns = [str(c).strip() for c in frame.columns]
    paths = {found[0] for found in map(flat_path, frame.columns) if found}
    needed = [p for p in REQUIRED_FLAT if p not in paths]
    if any(p[0] == "recipientIndividual" for p in paths):
        needed = [p for p in needed if p[0] != "recipientOrganization"]
    if needed:
        header = ", ".join(frame.columns[:12]) + ("…" if len(frame.columns) > 12 else "")
        return file, None, [], [
            Problem(file, 1, _title(p), None, f"required column is missing (the header has: {header})", fatal=True)
            for p in needed
        ]
    grants = _unflatten(frame, file, 2)
    return file, {"grants": [g.data for g in grants]}, grants, problems


# --------------------------------------------------------------------------------------------
# Validation problems, named as the file names them
# --------------------------------------------------------------------------------------------


def _reason(error: ValidationError) -> str:
    if error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = {"number": "a number", "integer": "a whole number", "string": "text", "array": "a list", "object": "an object"}
        return "not " + " or ".join(names.get(k, k) for k in kinds if k != "null")
    if error.validator == "enum":
        codelist = error.schema.get("codelist")
        if codelist == "currency.csv":
            return "not a currency code in the 360Giving codelist (ISO 4217, e.g. GBP)"
        return f"not one of the allowed values{f' (codelist {codelist})' if codelist else ''}"
    if error.validator == "oneOf" and any("pattern" in s for s in error.validator_value if isinstance(s, dict)):
        return "not a date in the form YYYY-MM-DD (or an ISO 8601 date-time)"
    if error.validator == "minItems":
        return f"needs at least {error.validator_value} item{'s' if error.validator_value != 1 else ''}"
    if error.validator == "uniqueItems":
        return "repeats an earlier grant exactly: grants must be unique"
    return error.message


def _leaves(error: ValidationError, grant: dict) -> Iterator[ValidationError]:
    """The errors worth reporting: for a grant failing its recipient-organisation/individual
    ``oneOf``, the errors of the branch the grant means to follow."""
    if error.validator == "oneOf" and "required" in str(error.validator_value) and not isinstance(error.instance, dict):
        return  # not an object at all: its type error says so
    if error.validator == "oneOf" and "required" in str(error.validator_value) and error.context:
        branch = 1 if "recipientIndividual" in grant and "recipientOrganization" not in grant else 0
        for sub in error.context:
            if sub.relative_schema_path and sub.relative_schema_path[0] == branch:
                yield from _leaves(sub, grant)
        return
    yield error


# What partnermap reads of a grant (paths, "*" for any item): a value here that breaks the schema
# refuses the grant; anywhere else it is a warning. Its date fields, which UK publishers write day first.
USED = ("id", "title", "currency", "amountAwarded", "awardDate", "plannedDates/*/startDate", "plannedDates/*/endDate",
        "grantProgramme/*/title", "grantProgramme/*/code", "recipientIndividual",
        *(f"{org}/*/{name}" for org in ("recipientOrganization", "fundingOrganization")
          for name in ("id", "name", "charityNumber", "companyNumber")),
        "beneficiaryLocation/*/geoCode", "beneficiaryLocation/*/name")
DATE_FIELDS = {"awardDate", "startDate", "endDate", "dateModified", "transactionDate", "valueDate"}


def _used(path: tuple) -> bool:
    """Whether a field (or what holds it) is one partnermap reads."""
    shape = ["*" if isinstance(step, int) else str(step) for step in path]
    return any(used.split("/")[:len(shape)] == shape for used in USED)


def day_first(value: Any) -> str | None:
    """``05/06/2014`` (day first, as UK publishers write it) as ``2014-06-05``, with its time if given; None
    if it is not such a date or no calendar has it."""
    return uk_date_time(value) if isinstance(value, str) and "/" in value else None


def _read_day_first(grant: Grant, file: str, json_file: bool, warnings: list[Problem]) -> None:
    """Read the grant's day-first dates (``05/06/2014``) as ISO dates, each with a warning."""
    def walk(value: Any, path: tuple) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in DATE_FIELDS and (iso := day_first(item)) is not None:
                    value[key] = iso
                    warnings.append(Problem(file, grant.where, column(grant, (*path, key), json_file), item,
                                            "a date written day first (dd/mm/yyyy), not as YYYY-MM-DD: read day first"))
                else:
                    walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(grant.data, ())


def schema_problems(file: str, package: Any, grants: list[Grant], json_file: bool) -> tuple[list[Problem], list[Problem]]:
    """Every schema violation in the package and its grants, each naming the grant's row or pointer and
    the field: (problems, warnings). A violation in a field partnermap does not read is only a warning."""
    wrapper, one_grant, fast = validators()
    problems: list[Problem] = []
    warnings: list[Problem] = []
    missing: set[tuple] = set()
    for grant in grants:
        _read_day_first(grant, file, json_file, warnings)
    errors = [(None, error) for error in wrapper.iter_errors(package)]
    for index, grant in enumerate(grants):
        if not fast.is_valid(grant.data):
            errors += [(index, error) for error in one_grant.iter_errors(grant.data)]
    for index, error in errors:
        path = list(error.absolute_path)
        if index is None and len(path) >= 2 and path[0] == "grants":
            index, path = path[1], path[2:]  # uniqueItems names the repeated grant
        elif index is None:
            where = "/" + "/".join(map(str, path)) if path else None
            problems.append(Problem(file, where if json_file else None, None, None,
                                    f"not a 360Giving package: {_reason(error)}", fatal=True))
            continue
        grant = grants[index]
        depth = len(error.absolute_path) - len(path)  # leading steps that are not inside the grant
        for leaf in _leaves(error, grant.data):
            at = tuple(leaf.absolute_path)[depth:]
            if leaf.validator == "required":
                # One error per missing property, each carrying the whole list: report each name once.
                for name in leaf.validator_value:
                    if isinstance(leaf.instance, dict) and name not in leaf.instance and (index, *at, name) not in missing:
                        missing.add((index, *at, name))
                        if _used((*at, name)):
                            problems.append(Problem(file, grant.where, column(grant, (*at, name), json_file), None,
                                                    "a value is required"))
                        else:
                            warnings.append(Problem(file, grant.where, column(grant, (*at, name), json_file), None,
                                                    "a value is required by 360Giving; partnermap does not need it"))
                continue
            value = None if leaf.validator == "uniqueItems" else leaf.instance
            if _used(at) or leaf.validator == "uniqueItems":
                problems.append(Problem(file, grant.where, column(grant, at, json_file), value, _reason(leaf)))
            else:
                shown = value if not isinstance(value, (dict, list)) else None
                warnings.append(Problem(file, grant.where, column(grant, at, json_file), shown,
                                        f"{_reason(leaf)}; partnermap does not use it"))
    return problems, warnings


def column(grant: Grant, path: tuple, json_file: bool) -> str | None:
    """A field as the file names it: its JSON path, or the flat file's column title."""
    if json_file:
        return "/".join(map(str, path)) or None
    return grant.titles.get(path) or _title(path) or None


def iso_date(value: Any) -> str | None:
    """A 360Giving date or date-time as YYYY-MM-DD; None for a partial date (YYYY or YYYY-MM)."""
    text = str(value or "").strip()
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None



def calendar_problems(file: str, grants: list[Grant], json_file: bool) -> Iterator[Problem]:
    """Dates the schema's pattern lets through but no calendar has (2013-02-30), and ends before starts."""
    for grant in grants:
        fields = [(("awardDate",), grant.data.get("awardDate"))]
        for index, event in enumerate(grant.data.get("plannedDates", [])):
            fields += [(("plannedDates", index, "startDate"), event.get("startDate")),
                       (("plannedDates", index, "endDate"), event.get("endDate"))]
        for path, value in fields:
            text = str(value or "")
            if re.match(r"^\d{4}-\d{2}-\d{2}", text):
                try:
                    dt.date.fromisoformat(text[:10])
                except ValueError:
                    yield Problem(file, grant.where, column(grant, path, json_file), value, "not a real calendar date")
        for index, event in enumerate(grant.data.get("plannedDates", [])):
            start, end = iso_date(event.get("startDate")), iso_date(event.get("endDate"))
            if start and end and end < start:
                yield Problem(file, grant.where, column(grant, ("plannedDates", index, "endDate"), json_file),
                              event.get("endDate"), f"ends before it starts ({start})")


def duplicate_ids(file: str, grants: list[Grant]) -> Iterator[Problem]:
    """Two grants with one Identifier would be one fact: say where the first was."""
    first: dict[str, Grant] = {}
    for grant in grants:
        grant_id = str(grant.data.get("id", "")).strip()
        if not grant_id:
            continue
        if grant_id in first:
            earlier = first[grant_id]
            yield Problem(file, grant.where, grant.titles.get(("id",), "id"), grant_id,
                          f"duplicate grant Identifier: already used at {earlier.source_row}")
        else:
            first[grant_id] = grant

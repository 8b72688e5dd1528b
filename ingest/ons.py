"""Read the ONS partnership geographies (names-and-codes lists and LAD lookups) into partnerships and bodies.

Each geography's GSS code is the id of what it names (``BODIES``): Community Safety Partnerships,
STPs/ICSs, LEPs, clinical networks and cancer alliances become statutory or other ``Partnership`` nodes
with their theme; fire and rescue authorities, combined authorities and NHS England regions become
``Organisation`` nodes; a police force area is a ``Territory`` (the force itself is a body a register
names). Each partnership or body ``COVERS`` the districts and unitaries the lookups put it in:
directly (``LAD19CD`` beside ``CSP19CD``), or through CCGs (``CCG20CD`` → ``STP20CD`` joined with an
LSOA → CCG → LAD lookup given alongside). The districts are written too (id, name, level) so the
reader works alone; a richer geography or register ingested after them overwrites those three.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.batches import ROW, EdgeBatch, Item, NodeBatch
from ingest.geography import GSS, files, level_of, ons_column, read_csv, same_name, source_batch
from ontology import concept_id
from ontology.ids import relationship_id
from partnermap.errors import Problem



@dataclass(frozen=True)
class Body:
    """What one ONS partnership geography becomes: its label, name pattern and properties."""

    label: str
    name: str  # "{}" is the ONS name
    properties: tuple[tuple[str, object], ...] = ()
    theme: str | None = None
    identifiers: bool = False  # Organisations record their codes as gss:/ods: identifiers


BODIES: dict[str, Body] = {
    "CSP": Body("Partnership", "{} Community Safety Partnership", (("kind", "board"), ("statutory", True)), "community safety"),
    "STP": Body("Partnership", "{} (STP/ICS)", (("kind", "board"), ("statutory", True)), "health"),
    "ICS": Body("Partnership", "{} Integrated Care System", (("kind", "board"), ("statutory", True)), "health"),
    "ICB": Body("Organisation", "{} Integrated Care Board", (("sector", "nhs"),), identifiers=True),
    "LEP": Body("Partnership", "{} Local Enterprise Partnership", (("kind", "board"), ("statutory", False)), "economy"),
    "SCN": Body("Partnership", "{} Strategic Clinical Network", (("kind", "network"), ("statutory", False)), "health"),
    "CAL": Body("Partnership", "{} Cancer Alliance", (("kind", "network"), ("statutory", False)), "health"),
    "FRA": Body("Organisation", "{} Fire and Rescue Authority", (("sector", "fire"),), identifiers=True),
    "CAUTH": Body("Organisation", "{} Combined Authority", (("sector", "local_authority"),), identifiers=True),
    "NHSER": Body("Organisation", "NHS England {} region", (("sector", "nhs"),), identifiers=True),
    "PFA": Body("Territory", "{} police force area", (("level", "police_force_area"),)),
}
DISTRICT_ENTITIES = ("LAD", "LTLA")


def _display(pattern: str, name: str) -> str:
    """The ONS name in the body's pattern, unless it already says what it is."""
    suffix = pattern.replace("{}", "").strip(" ()").lower()
    return name if suffix and suffix in name.lower() else pattern.format(name)


@dataclass
class _Node:
    label: str
    entity: str
    name: str
    year: str
    file: str
    row: int
    source: str
    ods: str = ""


class _Partnerships:
    """Everything read from the files: nodes by code, covered districts, and the CCG bridge."""

    def __init__(self) -> None:
        self.nodes: dict[str, _Node] = {}
        self.districts: dict[str, _Node] = {}
        self.covers: dict[tuple[str, str], tuple[str, str, int]] = {}  # (body, district) -> (source, file, row)
        self.via_ccg: list[tuple[str, str, str, str, int]] = []  # (body, ccg, source, file, row)
        self.ccg_districts: dict[str, set[str]] = {}
        self.problems: list[Problem] = []

    def _node(self, table: dict[str, _Node], code: str, node: _Node) -> None:
        first = table.get(code)
        if first is None:
            table[code] = node
        elif node.name and not same_name(first.name, node.name) and first.year == node.year and first.entity == node.entity:
            self.problems.append(Problem(node.file, node.row, f"{node.entity}{node.year}NM", node.name,
                                         f"{code} is named {first.name!r} at {first.file} row {first.row}: one code, two names"))

    def read(self, path: Path, header: list[str], rows: list[tuple[int, list[str]]], source: str) -> bool:
        """Read one names-and-codes list or lookup; False if it holds no partnership geography or bridge."""
        columns: dict[str, dict[str, int]] = {}
        years: dict[str, str] = {}
        for index, column in enumerate(header):
            parsed = ons_column(column)
            if parsed and not parsed.active and parsed.part in ("CD", "NM", "CDH"):
                columns.setdefault(parsed.entity, {}).setdefault(parsed.part, index)
                years.setdefault(parsed.entity, f"{parsed.year % 100:02d}" if parsed.year else "")  # as written: 19
        bodies = [e for e in columns if e in BODIES and "CD" in columns[e] and "NM" in columns[e]]
        district = next((e for e in DISTRICT_ENTITIES if "CD" in columns.get(e, {})), None)
        bridge = "CCG" in columns and "CD" in columns["CCG"] and district is not None
        if not bodies and not bridge:
            return False
        for row, cells in rows:
            if len(cells) != len(header):
                self.problems.append(Problem(path.name, row, None, None,
                                             f"row has {len(cells)} fields, the header has {len(header)} (truncated or misquoted?)"))
                continue
            codes = {}
            for entity, parts in columns.items():
                value = cells[parts["CD"]] if "CD" in parts else ""
                if value and not GSS.match(value):
                    self.problems.append(Problem(path.name, row, header[parts["CD"]], value,
                                                 "not a GSS code (a letter and 8 digits, e.g. E22000164)"))
                elif value:
                    codes[entity] = value
            lad = codes.get(district) if district else None
            if lad:
                name = cells[columns[district]["NM"]] if "NM" in columns[district] else ""
                self._node(self.districts, lad, _Node("Territory", district, name, years[district], path.name, row, source))
            if bridge and codes.get("CCG") and lad:
                self.ccg_districts.setdefault(codes["CCG"], set()).add(lad)
            for entity in bodies:
                code = codes.get(entity)
                if code is None:
                    continue
                parts = columns[entity]
                ods = cells[parts["CDH"]] if "CDH" in parts else ""
                self._node(self.nodes, code, _Node(BODIES[entity].label, entity, cells[parts["NM"]], years[entity],
                                                   path.name, row, source, ods))
                if BODIES[entity].label == "Territory":
                    continue  # an area covers nothing; what covers it is a register's to say
                if lad:
                    self.covers.setdefault((code, lad), (source, path.name, row))
                elif codes.get("CCG"):
                    self.via_ccg.append((code, codes["CCG"], source, path.name, row))
        return True

    def batches(self) -> Iterator[Item]:
        """Nodes of each label, the districts they cover, COVERS and HAS_THEME relationships."""
        for body, ccg, source, file, row in self.via_ccg:
            for lad in sorted(self.ccg_districts.get(ccg, ())):
                self.covers.setdefault((body, lad), (source, file, row))
        by_label: dict[str, list[dict]] = {}
        for code, node in self.nodes.items():
            body = BODIES[node.entity]
            record = {"id": code, "name": _display(body.name, node.name), **dict(body.properties),
                      "source": node.source, "source_row": f"{node.file} row {node.row}", ROW: node.row, "_file": node.file}
            if body.identifiers:
                record["identifiers"] = [f"gss:{code}", *([f"ods:{node.ods}"] if node.ods else [])]
            by_label.setdefault(body.label, []).append(record)
        covered = {lad for _, lad in self.covers}
        for code, node in self.districts.items():
            if code in covered and code not in self.nodes:
                by_label.setdefault("Territory", []).append({
                    "id": code, "name": node.name, "level": level_of(code, node.entity) or "district",
                    "source": node.source, "source_row": f"{node.file} row {node.row}", ROW: node.row, "_file": node.file,
                })
        for label, records in by_label.items():
            yield from _per_file(records, lambda frame, file, label=label: NodeBatch(label, frame, file))
        labels = {code: BODIES[node.entity].label for code, node in self.nodes.items()}
        covers = [
            {"from_id": body, "to_id": lad, "id": relationship_id("COVERS", body, lad), "source": source,
             "source_row": f"{file} row {row}", ROW: row, "_file": file, "_label": labels[body]}
            for (body, lad), (source, file, row) in self.covers.items() if body in labels
        ]
        for label in ("Partnership", "Organisation"):
            yield from _per_file([c for c in covers if c["_label"] == label],
                                 lambda frame, file, label=label: EdgeBatch(
                                     "COVERS", frame.drop(columns=["_label"]), file, (label,), ("Territory",), "code", "district"))
        themes = {}
        has_theme = []
        for code, node in self.nodes.items():
            theme = BODIES[node.entity].theme
            if theme and BODIES[node.entity].label == "Partnership":
                key = concept_id(theme)
                themes.setdefault(key, {"id": key, "name": theme, "source": node.source,
                                        "source_row": f"{node.file} row {node.row}", ROW: node.row, "_file": node.file})
                has_theme.append({"from_id": code, "to_id": key, "id": relationship_id("HAS_THEME", code, key), "source": node.source,
                                  "source_row": f"{node.file} row {node.row}", ROW: node.row, "_file": node.file})
        yield from _per_file(list(themes.values()), lambda frame, file: NodeBatch("Theme", frame, file))
        yield from _per_file(has_theme, lambda frame, file: EdgeBatch(
            "HAS_THEME", frame, file, ("Partnership",), ("Theme",), "code", "theme"))


def _per_file(records: list[dict], make) -> Iterator[Item]:
    """One batch per file the records were first read from, so messages name the right file."""
    if not records:
        return
    frame = pd.DataFrame(records).astype(object)
    for file, part in frame.groupby("_file", sort=False):
        yield make(part.drop(columns=["_file"]), file)


def read(source: str | Path | Iterable[str | Path], dataset: str | None = None) -> Iterator[Item]:
    """Read ONS partnership geography CSVs (a file, a folder, or several) into partnerships, bodies and coverage.

    ``dataset``: a name the files' sources take (``ons:NAME/file.csv``; default ``ons:file.csv``).
    """
    paths, problems, from_folder = files(source, (".csv",))
    yield from problems
    partnerships = _Partnerships()
    for path in paths:
        table = read_csv(path)
        if isinstance(table, Problem):
            yield table
            continue
        header, rows, raw = table
        source_id, batch = source_batch("ons", path, raw, dataset)
        if not partnerships.read(path, header, rows, source_id):
            if not from_folder or len(paths) == 1:
                yield Problem(path.name, 1, None, ", ".join(header),
                              "no ONS partnership geography columns (e.g. CSP19CD and CSP19NM, or CCG20CD beside LAD20CD)", fatal=True)
            continue
        yield batch
    batches = list(partnerships.batches())
    yield from partnerships.problems
    yield from batches

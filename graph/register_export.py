"""The graph, or what one source states, as the register's files (``ontology/model.toml`` ``[register]``).

Read from :func:`graph.dump.dump` (every label and relationship type of the model) and laid out
as the model's register columns say: a node file's rows are its labels' nodes, a reference
column names the other end of a relationship, a concept column a theme's or client group's name,
the memberships file one row per relationship. Ingesting the result gives the same facts back.
What no register column holds (a service's description, grants, mentions, a second territory
where a row holds one) is counted in :attr:`RegisterTables.left_out`, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graph.dump import Dump
from graph.facts import blank, statements_of
from graph.queries import get_query
from graph.store import Store
from ontology import Model, Property, RegisterColumn, RegisterFile, own_properties
from partnermap.errors import NotFound

_ROW = re.compile(r"row (\d+)$")
_SPLIT = "a value holds ';', which separates the values of a register cell: it would come back split"


@dataclass(frozen=True)
class LeftOut:
    """Facts or values of one kind a register cannot hold, how many, and why."""

    what: str
    count: int
    why: str


@dataclass
class RegisterTables:
    """The register's files as rows of cells (model-typed: text, dates, numbers, yes/no as text), and what was left out."""

    files: dict[str, list[dict[str, Any]]]
    left_out: list[LeftOut] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Rows per file."""
        return {name: len(rows) for name, rows in self.files.items()}


def dataset(source_id: str) -> str:
    """The dataset a source belongs to: ``county`` for ``register:county/memberships.csv``."""
    rest = source_id.partition(":")[2] or source_id
    return rest.rpartition("/")[0] or rest


def source_matches(source_id: str, wanted: str) -> bool:
    """Whether ``source_id`` is the source ``wanted`` names: its id, or its dataset's name."""
    return source_id == wanted or dataset(source_id) == wanted


@dataclass
class _Fact:
    """One fact in scope: its id, the values its (chosen) statement gives, and where that statement was."""

    id: str
    values: dict[str, Any]
    row: int | None
    ends: tuple[str, str, str, str] = ("", "", "", "")  # from label, from id, to label, to id (relationships)


def _typed(value: Any, prop: Property) -> Any:
    """A value from a statement's JSON back in the model's type (dates as dates, lists as lists)."""
    if blank(value):
        return None
    if prop.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if prop.type == "string[]":
        return [str(v) for v in value]
    return value


def _facts(frame: pd.DataFrame, properties: dict[str, Property], source: str | None, ends: bool) -> list[_Fact]:
    """The facts of one frame of the dump that are in scope, with the values to write for each."""
    own = own_properties(properties)
    own = {name: prop for name, prop in own.items() if not prop.derived}
    facts = []
    for row in frame.to_dict("records"):
        statements = statements_of(row, own)
        if source is not None:
            statements = [s for s in statements if source_matches(s[0], source)]
            if not statements:
                continue
            said = statements[0]
            values = {name: _typed(said[2].get(name), prop) for name, prop in own.items()}
            where = said[1]
        else:
            values = {name: None if blank(row.get(name)) else row.get(name) for name in own}
            where = row.get("source_row")
        number = _ROW.search(str(where or ""))
        fact = _Fact(str(row["id"]), values, int(number.group(1)) if number else None)
        if ends:
            fact.ends = (row["from_label"], row["from_id"], row["to_label"], row["to_id"])
        facts.append(fact)
    return facts


def _cell(value: Any, column: RegisterColumn, prop: Property | None) -> Any:
    """A value as the register's cell holds it: yes/no as text, lists joined with ``;``."""
    if blank(value):
        return None
    if column.type == "yes_no" or (prop is not None and prop.type == "boolean"):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return value


def register_tables(everything: Dump, model: Model, source: str | None = None) -> RegisterTables:
    """The register a dump amounts to: all of it, or (``source``: a source id or dataset name) what that source states."""
    register = model.register
    nodes = {label: _facts(frame, model.label(label).properties, source, ends=False)
             for label, frame in everything.nodes.items() if label != "Source"}
    edges = {rel: _facts(frame, model.relationship(rel).properties, source, ends=True)
             for rel, frame in everything.relationships.items()}
    names = {(label, fact.id): fact.values.get("name") for label in model.labels if label in nodes
             for fact in nodes[label]}
    # Concept names for every theme and client group, whoever states them: a row names a theme by its name.
    for label, frame in everything.nodes.items():
        if label not in nodes:
            continue
        for node_id, name in zip(frame["id"], frame["name"] if "name" in frame else []):
            names.setdefault((label, str(node_id)), name)
    placed_edges: set[tuple[str, str]] = set()
    placed_nodes: set[tuple[str, str]] = set()
    left: Counter = Counter()
    files: dict[str, list[dict[str, Any]]] = {}
    for name, file in register.items():
        if file.relationship:
            files[name] = _relationship_rows(file, register, model, edges.get(file.relationship, []), placed_edges)
        else:
            files[name] = _node_rows(file, register, model, nodes, edges, names, placed_nodes, placed_edges, left)
    for label, facts in nodes.items():
        for fact in facts:
            if (label, fact.id) not in placed_nodes:
                left[(label, "no register file holds it")] += 1
    for rel, facts in edges.items():
        for fact in facts:
            if (rel, fact.id) not in placed_edges:
                left[(rel, "no register column holds it")] += 1
    left_out = [LeftOut(what, count, why) for (what, why), count in sorted(left.items())]
    return RegisterTables(files, left_out)


def _labels(register: dict[str, RegisterFile], files: tuple[str, ...]) -> set[str]:
    return {label for name in files for label in register[name].labels}


def _ordered(facts: list[_Fact]) -> list[_Fact]:
    """Where their source had them (row order), then by id: a re-export keeps the manager's order."""
    return sorted(facts, key=lambda f: (f.row is None, f.row or 0, f.id))


def _node_rows(file: RegisterFile, register: dict[str, RegisterFile], model: Model, nodes: dict[str, list[_Fact]],
               edges: dict[str, list[_Fact]], names: dict, placed_nodes: set, placed_edges: set,
               left: Counter) -> list[dict[str, Any]]:
    mine = set(file.labels)
    # Per reference or concept column: node id → the other ends, from the relationships in scope.
    linked: dict[str, dict[str, list[tuple[str, str, str]]]] = {}
    for column in file.columns.values():
        if not column.relationship:
            continue
        others = {column.concept} if column.concept else _labels(register, column.refers)
        by_node: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for fact in edges.get(column.relationship, []):
            from_label, from_id, to_label, to_id = fact.ends
            if column.direction == "out" and from_label in mine and to_label in others:
                by_node[from_id].append((to_label, to_id, fact.id))
            elif column.direction == "in" and to_label in mine and from_label in others:
                by_node[to_id].append((from_label, from_id, fact.id))
        linked[column.name] = by_node
    rows = []
    for label in file.labels:
        properties = model.label(label).properties
        held = {c.property for c in file.columns.values() if c.property}
        for fact in _ordered(nodes.get(label, [])):
            placed_nodes.add((label, fact.id))
            row: dict[str, Any] = {}
            for column in file.columns.values():
                if column.property == "id":
                    row[column.name] = fact.id
                elif column.property:
                    value = fact.values.get(column.property)
                    row[column.name] = _cell(value, column, properties[column.property])
                    if isinstance(value, (list, tuple)) and any(";" in str(v) for v in value):
                        left[(f"{file.name}.{column.name}", _SPLIT)] += 1
                else:
                    ends = sorted(linked[column.name].get(fact.id, []))
                    if not column.multiple and len(ends) > 1:
                        left[(column.relationship, f"a {file.name} row names one {column.name}: the others are left out")] += len(ends) - 1
                        ends = ends[:1]
                    for other_label, other_id, edge_id in ends:
                        placed_edges.add((column.relationship, edge_id))
                        if column.concept:  # a theme or client group is held by the rows that name it
                            placed_nodes.add((other_label, other_id))
                    values = [names.get((other, other_id)) if column.concept else other_id for other, other_id, _ in ends]
                    if len(values) > 1 and any(";" in str(v) for v in values):
                        left[(f"{file.name}.{column.name}", _SPLIT)] += 1
                    row[column.name] = ";".join(str(v) for v in values if not blank(v)) or None
            for prop, value in fact.values.items():
                if prop not in held and not blank(value):
                    left[(f"{label}.{prop}", "the register has no column for it")] += 1
            rows.append(row)
    return rows


def _relationship_rows(file: RegisterFile, register: dict[str, RegisterFile], model: Model, facts: list[_Fact],
                       placed_edges: set) -> list[dict[str, Any]]:
    """One row per relationship whose ends are the files its end columns refer to."""
    ends = {column.end: column for column in file.columns.values() if column.end}
    from_labels, to_labels = _labels(register, ends["from"].refers), _labels(register, ends["to"].refers)
    properties = model.relationship(file.relationship).properties
    rows = []
    for fact in _ordered(facts):
        from_label, from_id, to_label, to_id = fact.ends
        if from_label not in from_labels or to_label not in to_labels:
            continue
        placed_edges.add((file.relationship, fact.id))
        row = {}
        for column in file.columns.values():
            if column.end:
                row[column.name] = from_id if column.end == "from" else to_id
            else:
                row[column.name] = _cell(fact.values.get(column.property), column, properties[column.property])
        rows.append(row)
    return rows


def area_places(store: Store, area: str) -> list[dict[str, Any]]:
    """The territory ``area`` and every place inside it (code, name, level, parent); NotFound if the store lacks it.

    A place is listed once, with one parent inside the area (the area's own parent, outside it, is left blank),
    so the list fills a register's territories sheet that ingests on its own.
    """
    query = get_query("area-places")
    rows = store.run(query.render(store.dialect), query.bind({"territory": area}))
    if not rows:
        raise NotFound(f"no territory {area!r} in the store: 'partnermap query territory-parents' lists them")
    codes = {row["code"] for row in rows}
    places: dict[str, dict[str, Any]] = {}
    for row in rows:
        parent = row["parent"] if row["parent"] in codes and row["code"] != area else None
        if row["code"] not in places or (places[row["code"]]["parent"] is None and parent is not None):
            places[row["code"]] = {"code": row["code"], "name": row["name"], "level": row["level"], "parent": parent}

    def depth(code: str | None, seen: int = 0) -> int:
        parent = places[code]["parent"] if code in places else None
        return seen if parent is None or seen > len(places) else depth(parent, seen + 1)

    return sorted(places.values(), key=lambda place: (depth(place["code"]), place["code"]))  # each after its parent

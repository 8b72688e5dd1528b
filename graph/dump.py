"""The whole graph as tables: every label's nodes and every relationship type's edges.

For exporters (RDF, CSV for ``neo4j-admin``, GraphML): they need everything the store
holds, typed per the model, without knowing an engine. One query per label and one per
(type, from label, to label) pair of the model; the text is generated from checked model
identifiers (a per-label dump cannot live in a ``.cypher`` file), values are never spliced in.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from graph.schema import quoted
from graph.store import Store
from ontology import Model, Property
from partnermap.progress import Progress, quiet, tell

EDGE_COLUMNS = ("from_label", "from_id", "to_label", "to_id")


@dataclass
class Dump:
    """What the store holds, per the model.

    ``nodes[label]``: one row per node, columns ``id`` then the label's other properties in model
    order. ``relationships[type]``: one row per relationship, columns ``from_label``, ``from_id``,
    ``to_label``, ``to_id``, ``id`` then the type's other properties. Every label and type of the
    model has a frame (perhaps empty). Values are plain Python: ``str``, ``int``, ``float``,
    ``bool``, ``datetime.date``, ``list[str]`` for ``string[]``, and ``None`` where unset (an empty
    list included).
    """

    nodes: dict[str, pd.DataFrame]
    relationships: dict[str, pd.DataFrame]

    def counts(self) -> dict[str, dict[str, int]]:
        """Rows per label and per type, shaped like :func:`graph.stats`."""
        return {
            "nodes": {label: len(frame) for label, frame in self.nodes.items()},
            "relationships": {rel: len(frame) for rel, frame in self.relationships.items()},
        }


def _properties(properties: dict[str, Property]) -> list[Property]:
    """``id`` first, then the rest in model order."""
    return [properties["id"], *(p for name, p in properties.items() if name != "id")]


def _plain(value: Any, prop: Property) -> Any:
    """One value from an engine's frame as the plain Python type the model names."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if prop.type == "string[]":
        return [str(v) for v in value] or None  # an empty list is as unset as a missing one
    if prop.type == "integer":
        return int(value)
    if prop.type == "float":
        return float(value)
    if prop.type == "boolean":
        return bool(value)
    if prop.type == "date":
        if isinstance(value, (pd.Timestamp, dt.datetime)):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value)[:10])
    return str(value)


def _typed(frame: pd.DataFrame, columns: list[str], properties: list[Property], leading: tuple[str, ...] = ()) -> pd.DataFrame:
    """The engine's frame with model-typed object columns (and the columns even when it is empty)."""
    out = pd.DataFrame(index=range(len(frame)))
    for column in leading:
        out[column] = pd.Series([str(v) for v in frame[column]] if len(frame) else [], dtype=object)
    for column, prop in zip(columns, properties):
        values = frame[column].tolist() if len(frame) else []
        out[column] = pd.Series([_plain(v, prop) for v in values], dtype=object)
    return out


def dump_label(store: Store, label: str) -> pd.DataFrame:
    """Every node of ``label``: ``id`` and its properties, typed per the model."""
    properties = _properties(store.model.label(label).properties)
    node = quoted(label)
    returns = ", ".join(f"n.{quoted(p.name)} AS {quoted(p.name)}" for p in properties)
    frame = store.frame(f"MATCH (n:{node}) RETURN {returns} ORDER BY n.id")
    return _typed(frame, [p.name for p in properties], properties)


def dump_relationships(store: Store, rel_type: str) -> pd.DataFrame:
    """Every relationship of ``rel_type`` with its endpoints' labels and ids, typed per the model."""
    rel = store.model.relationship(rel_type)
    properties = _properties(rel.properties)
    names = [p.name for p in properties]
    parts = []
    for from_label, to_label in rel.endpoints:
        returns = ", ".join(f"r.{quoted(p)} AS {quoted(p)}" for p in names)
        frame = store.frame(
            f"MATCH (a:{quoted(from_label)})-[r:{quoted(rel_type)}]->(b:{quoted(to_label)}) "
            f"RETURN a.id AS from_id, b.id AS to_id, {returns} ORDER BY r.id"
        )
        if len(frame):
            frame = frame.assign(from_label=from_label, to_label=to_label)
            parts.append(_typed(frame, names, properties, leading=EDGE_COLUMNS))
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in [*EDGE_COLUMNS, *names]})
    return pd.concat(parts, ignore_index=True)


def dump(store: Store, progress: Progress = quiet) -> Dump:
    """Everything in the store, per label and per relationship type of its model (see :class:`Dump`)."""
    model: Model = store.model
    tables = [*model.labels, *model.relationships]
    nodes, relationships = {}, {}
    for done, name in enumerate(tables, start=1):
        if name in model.labels:
            nodes[name] = dump_label(store, name)
        else:
            relationships[name] = dump_relationships(store, name)
        tell(progress, f"read {name}", stage="read", done=done, total=len(tables))
    return Dump(nodes=nodes, relationships=relationships)

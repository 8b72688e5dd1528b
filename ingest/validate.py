"""Check and type every batch against the ontology before anything is written.

All problems are collected, each naming file, row, column, value and reason;
the caller raises :class:`InvalidRecords` with all of them. Values are typed
per the model (dates, numbers, booleans, lists, vocabularies), duplicate ids are
caught, and each relationship's endpoints are resolved to labels, looking in the
batches and then in the store.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from graph import Store
from ingest.batches import ROW, EdgeBatch, NodeBatch
from ontology import Model, Property
from partnermap.errors import Problem

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str) and not value.strip())


def _typed(value: Any, prop: Property, vocabulary: tuple[str, ...] | None) -> tuple[Any, str | None]:
    """(typed value, None) or (None, reason)."""
    if _blank(value):
        return ([] if prop.type == "string[]" else None), None
    kind = prop.type
    if kind == "string":
        text = str(value).strip()
        if vocabulary is not None:
            lowered = text.lower().replace(" ", "_")
            if lowered not in vocabulary:
                return None, f"not one of the allowed {prop.vocabulary} values: {', '.join(vocabulary)}"
            return lowered, None
        return text, None
    if kind == "string[]":
        items = value if isinstance(value, list) else str(value).split(";")
        return [str(v).strip() for v in items if str(v).strip()], None
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value, None
        text = str(value).strip()
        if not _ISO_DATE.match(text):
            return None, "not a date in the form YYYY-MM-DD"
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            return None, "not a real calendar date"
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, "not yes or no"
    try:
        number = float(str(value).strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return None, f"not a {'whole number' if kind == 'integer' else 'number'}"
    if kind == "integer":
        if not number.is_integer():
            return None, "not a whole number"
        number = int(number)
    if prop.min is not None and number < prop.min or prop.max is not None and number > prop.max:
        return None, f"outside the allowed range {prop.min:g}..{prop.max:g}"
    return number, None


def _strings(
    frame: pd.DataFrame, column: str, prop: Property, vocabulary: tuple[str, ...] | None, file: str, problems: list[Problem]
) -> pd.Series:
    """A text column typed as whole columns (most of a register): blanks to None, vocabulary checked."""
    raw = frame[column].astype(object)
    text = raw.where(raw.notna(), "").map(str).str.strip()
    blank = text == ""
    values = text.where(~blank, None)
    bad = pd.Series(False, index=frame.index)
    if vocabulary is not None:
        canonical = text.str.lower().str.replace(" ", "_", regex=False)
        bad = ~blank & ~canonical.isin(vocabulary)
        values = canonical.where(~blank, None)
        allowed = ", ".join(vocabulary)
        for row, value in zip(frame.loc[bad, ROW], raw[bad]):
            problems.append(Problem(file, row, column, value, f"not one of the allowed {prop.vocabulary} values: {allowed}"))
    if prop.required:
        for row in frame.loc[blank, ROW]:
            problems.append(Problem(file, row, column, None, "a value is required"))
    return values.where(~bad, None).astype(object)


def type_columns(frame: pd.DataFrame, properties: dict[str, Property], model: Model, file: str, problems: list[Problem]) -> pd.DataFrame:
    """Type each property column of ``frame`` in place of its raw values, recording problems."""
    out = frame.copy()
    for column in frame.columns:
        if column in (ROW, "from_id", "to_id"):
            continue
        prop = properties.get(column)
        if prop is None:
            raise ValueError(f"reader produced column {column!r}, which the model does not declare")
        vocabulary = model.vocabularies[prop.vocabulary] if prop.vocabulary else None
        if prop.type == "string":
            out[column] = _strings(frame, column, prop, vocabulary, file, problems)
            continue
        values = []
        for row, value in zip(frame[ROW], frame[column]):
            typed, reason = _typed(value, prop, vocabulary)
            if reason:
                problems.append(Problem(file, row, column, value, reason))
            elif prop.required and (typed is None or typed == []):
                problems.append(Problem(file, row, column, None, "a value is required"))
            values.append(typed)
        out[column] = pd.Series(values, index=frame.index, dtype=object)
    return out


def validate(
    nodes: list[NodeBatch], edges: list[EdgeBatch], store: Store, problems: list[Problem]
) -> tuple[list[NodeBatch], list[tuple[str, str, str, pd.DataFrame]]]:
    """Type and check everything; returns typed node batches and edges grouped by (type, from, to)."""
    model = store.model
    typed_nodes = []
    by_label: dict[str, dict[str, list[tuple[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    by_file: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))  # one file may make two labels
    for batch in nodes:
        frame = type_columns(batch.frame, model.label(batch.label).properties, model, batch.file, problems)
        for row, node_id in zip(frame[ROW], frame["id"]):
            if node_id is not None:
                by_label[batch.label][node_id].append((batch.file, row))
                if row is not None:
                    by_file[batch.file][node_id].append(row)
        typed_nodes.append(NodeBatch(batch.label, frame.drop_duplicates("id"), batch.file))
    reported: set[tuple[str, Any]] = set()
    groups = [(node_id, where) for ids in by_label.values() for node_id, where in ids.items()]
    groups += [(node_id, [(file, row) for row in rows]) for file, ids in by_file.items() for node_id, rows in ids.items()]
    for node_id, where in groups:
        ordered = sorted(set(where), key=lambda place: (place[0], place[1] or 0))
        for file, row in ordered[1:]:
            if (file, row) not in reported:
                reported.add((file, row))
                first = f"{ordered[0][0]} row {ordered[0][1]}"
                problems.append(Problem(file, row, "id", node_id, f"duplicate id: already used at {first}"))
    seen = {label: dict.fromkeys(ids) for label, ids in by_label.items()}

    known = {label: set(ids) for label, ids in seen.items()}
    grouped: dict[tuple[str, str, str], list[pd.DataFrame]] = defaultdict(list)
    edge_seen: dict[str, dict[str, tuple[str, Any]]] = defaultdict(dict)
    for batch in edges:
        rel = model.relationship(batch.type)
        frame = type_columns(batch.frame, rel.properties, model, batch.file, problems)
        from_labels = _resolve(frame, "from_id", batch.from_labels, batch.from_column, batch, known, store, problems)
        to_labels = _resolve(frame, "to_id", batch.to_labels, batch.to_column, batch, known, store, problems)
        frame = frame.assign(
            _from_label=pd.Series(from_labels, index=frame.index, dtype=object),
            _to_label=pd.Series(to_labels, index=frame.index, dtype=object),
        )
        for row, edge_id, a, b in zip(frame[ROW], frame["id"], frame["_from_label"], frame["_to_label"]):
            if a is None or b is None:
                continue
            if (a, b) not in rel.endpoints:
                problems.append(Problem(batch.file, row, batch.to_column, None, f"a {a} cannot be {rel.name} a {b}"))
                continue
            first = edge_seen[rel.name].get(edge_id)
            if first is not None:
                problems.append(Problem(
                    batch.file, row, batch.to_column, None, f"the same {rel.name} fact is already at {first[0]} row {first[1]}"
                ))
                continue
            edge_seen[rel.name][edge_id] = (batch.file, row)
        ok = frame["_from_label"].notna() & frame["_to_label"].notna()
        for (a, b), part in frame[ok].groupby(["_from_label", "_to_label"]):
            grouped[(rel.name, a, b)].append(part.drop(columns=["_from_label", "_to_label"]))
    edge_groups = [
        (rel_type, a, b, pd.concat(parts).drop_duplicates("id")) for (rel_type, a, b), parts in grouped.items()
    ]
    return typed_nodes, edge_groups


def _resolve(
    frame: pd.DataFrame,
    column: str,
    labels: tuple[str, ...],
    input_column: str,
    batch: EdgeBatch,
    known: dict[str, set[str]],
    store: Store,
    problems: list[Problem],
) -> list[str | None]:
    """The label of each row's endpoint id, looking in this ingest then the store; problems otherwise."""
    ids = frame[column].astype(object)
    present = ids.notna()
    # Membership per candidate label, as whole columns: this runs over every relationship row.
    hits = {lab: ids.isin(known.get(lab, ())) for lab in labels}
    count = sum(hit.astype(int) for hit in hits.values())
    missing = sorted(set(ids[present & (count == 0)]))
    if missing:
        for lab in labels:
            found_in_store = store.existing_ids(lab, missing)
            if found_in_store:
                hits[lab] = hits[lab] | ids.isin(found_in_store)
        count = sum(hit.astype(int) for hit in hits.values())
    resolved = np.full(len(frame), None, dtype=object)
    for lab, hit in hits.items():
        resolved[(hit & (count == 1)).to_numpy()] = lab
    kinds = " or ".join(lab.lower() for lab in labels)
    for row, node_id, n in zip(frame.loc[present & (count != 1), ROW], ids[present & (count != 1)], count[present & (count != 1)]):
        if n == 0:
            reason = f"refers to no {kinds} with this id (not in this register, nor already in the store)"
        else:
            both = " and ".join(lab for lab in labels if node_id in known.get(lab, ()))
            reason = f"ambiguous: ids of {both or 'several kinds'} are both {node_id!r}"
        problems.append(Problem(batch.file, row, input_column, node_id, reason))
    return resolved.tolist()

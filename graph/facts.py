"""Facts and the sources that state them: what the store should hold once sources are (re)read or withdrawn.

A fact (a node or a relationship, by id) is what one or more sources state. Each source's
statement is its row (``source_row``) and its values. The store holds, per fact:

* the values shown: property by property, the most recent statement that gives one
  (a source silent on a value never erases another's);
* ``source`` and ``source_row``: the most recent statement;
* when several sources state it, ``sources`` (most recent first) and ``statements``, a JSON
  object ``{source: {"row": …, "values": {…}}}`` in the same order, so that withdrawing a
  source gives back what the others say; with one source both are empty.

Re-reading a source replaces its statements; a fact goes only when no source states it.
These functions work on whole frames; only facts with several statements (few) are
combined one at a time. :mod:`graph.write` reads the stored rows and writes what these return.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ontology import Property

SOURCE, ROW, SOURCES, STATEMENTS = "source", "source_row", "sources", "statements"
PROVENANCE = (SOURCE, ROW, SOURCES, STATEMENTS)
ENDS = ("from_id", "to_id")


def blank(value: Any) -> bool:
    """No value: None, NaN, an empty string or an empty list."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, list, tuple)):
        return len(value) == 0
    if isinstance(value, np.ndarray):
        return value.size == 0
    return bool(pd.isna(value)) if np.isscalar(value) else False


def _plain(value: Any) -> Any:
    """A value as JSON holds it (dates as ISO text, lists as lists), or None."""
    if blank(value):
        return None
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) else value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return list(value) if isinstance(value, tuple) else value


def _typed(value: Any, prop: Property) -> Any:
    """A value from a statement's JSON back in the model's type (dates as dates)."""
    if value is None:
        return [] if prop.type == "string[]" else None
    if prop.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


Statement = tuple[str, Any, dict[str, Any]]  # (source, row, values)


def statements_of(row: dict[str, Any], own: dict[str, Property]) -> list[Statement]:
    """The statements a stored fact holds, most recent first."""
    held = row.get(STATEMENTS)
    if not blank(held):
        return [(source, said.get("row"), said.get("values", {})) for source, said in json.loads(held).items()]
    if blank(row.get(SOURCE)):
        return []
    return [(row[SOURCE], row.get(ROW), {name: _plain(row.get(name)) for name in own if not blank(row.get(name))})]


def shown(statements: list[Statement], own: dict[str, Property]) -> dict[str, Any]:
    """The columns a fact holds for ``statements`` (most recent first): values, source, row, and the list."""
    out: dict[str, Any] = {}
    for name, prop in own.items():
        if prop.derived:  # worked out from every statement, not one source's word
            out[name] = sorted({v for _, _, said in statements for v in (said.get(name) or [])})
            continue
        value = next((said[name] for _, _, said in statements if not blank(said.get(name))), None)
        out[name] = _typed(value, prop)
    out[SOURCE], out[ROW] = statements[0][0], statements[0][1]
    if len(statements) > 1:
        out[SOURCES] = [source for source, _, _ in statements]
        out[STATEMENTS] = json.dumps({source: {"row": row, "values": {k: v for k, v in said.items() if v is not None}}
                                      for source, row, said in statements}, ensure_ascii=False, sort_keys=False)
    else:
        out[SOURCES], out[STATEMENTS] = None, None
    return out


def _incoming_statement(row: dict[str, Any], own: dict[str, Property]) -> Statement:
    return row[SOURCE], row.get(ROW), {name: _plain(row.get(name)) for name in own if name in row and not blank(row.get(name))}


def merged(incoming: pd.DataFrame, stored: pa.Table, replacing: Iterable[str],
           own: dict[str, Property]) -> pd.DataFrame:
    """What the store should hold for each fact ``incoming`` states.

    ``incoming``: rows of this ingest (``id``, maybe ``from_id``/``to_id``, properties, ``source``,
    ``source_row``), several per id when several of its sources state a fact (the later row is
    the more recent). ``stored``: the store's rows for those ids (every property and the
    provenance; it may hold other ids too). ``replacing``: every source this ingest reads; their
    stored statements are replaced by this ingest's. Returns one row per id with every own
    property and the provenance.
    """
    replacing = set(replacing)
    ends = [c for c in ENDS if c in incoming.columns]
    incoming = incoming.drop_duplicates(["id", SOURCE], keep="last") if SOURCE in incoming else incoming
    columns = ["id", *ends, *own, *PROVENANCE]
    out = incoming.reindex(columns=columns)
    out[SOURCES] = None
    out[STATEMENTS] = None
    several = incoming["id"].duplicated(keep=False).to_numpy().copy()
    if stored.num_rows:
        key = stored.select(["id", SOURCE, STATEMENTS]).to_pandas().drop_duplicates("id").set_index("id", drop=False)
        hit = key.reindex(incoming["id"].to_numpy(dtype=object))
        held = hit["id"].notna().to_numpy()
        alone = hit[STATEMENTS].isna().to_numpy()
        replaced = hit[SOURCE].isin(replacing).to_numpy()
        # Held, and only by a source this ingest re-reads: this ingest's statement alone (the common case).
        several |= held & ~(alone & replaced)
    if not several.any():
        return out.drop_duplicates("id", keep="last").reset_index(drop=True)
    simple = out[~several]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for row in incoming[several].to_dict("records"):
        by_id.setdefault(row["id"], []).append(row)
    stored_rows: dict[str, dict[str, Any]] = {}
    if stored.num_rows:
        wanted = stored.filter(pc.is_in(stored.column("id"), value_set=pa.array(list(by_id), type=pa.string())))
        stored_rows = {row["id"]: row for row in wanted.to_pylist()}
    combined = []
    for fact_id, rows in by_id.items():
        statements = [_incoming_statement(row, own) for row in reversed(rows)]
        if fact_id in stored_rows:
            statements += [s for s in statements_of(stored_rows[fact_id], own) if s[0] not in replacing]
        combined.append({"id": fact_id, **{end: rows[-1][end] for end in ends}, **shown(statements, own)})
    together = pd.DataFrame(combined, columns=columns)
    return pd.concat([simple, together], ignore_index=True)


def withdrawn(stored: pd.DataFrame, replacing: Iterable[str], own: dict[str, Property]) -> tuple[list[str], pd.DataFrame]:
    """Facts the sources in ``replacing`` stated and no longer state: which to delete, which to keep.

    ``stored``: those facts as the store holds them. A fact no other source states is deleted
    (its id is returned); one that others still state keeps their statements (returned rows).
    """
    replacing = set(replacing)
    if stored.empty:
        return [], stored
    alone = stored[STATEMENTS].isna().to_numpy() if STATEMENTS in stored else np.ones(len(stored), dtype=bool)
    gone = list(stored.loc[alone & stored[SOURCE].isin(replacing).to_numpy(), "id"])
    kept = []
    ends = [c for c in ENDS if c in stored.columns]
    for row in stored[~alone].to_dict("records"):
        statements = [s for s in statements_of(row, own) if s[0] not in replacing]
        if not statements:
            gone.append(row["id"])
        elif len(statements) < len(statements_of(row, own)):
            kept.append({"id": row["id"], **{end: row[end] for end in ends}, **shown(statements, own)})
    columns = ["id", *ends, *own, *PROVENANCE]
    return gone, pd.DataFrame(kept, columns=columns)


def disagreements(row: dict[str, Any], own: dict[str, Property]) -> list[dict[str, Any]]:
    """Where the sources of one fact give different values: one entry per property, every value with its source.

    Text is compared ignoring case and spacing ("Health" and "health" agree); a source silent on
    a property does not disagree with one that gives it.
    """
    statements = statements_of(row, own)
    out = []
    for name, prop in own.items():
        if prop.derived:
            continue
        given = [(source, said_row, said[name]) for source, said_row, said in statements if not blank(said.get(name))]
        if len({_comparable(value) for _, _, value in given}) > 1:
            out.append({"property": name,
                        "values": [{"source": source, "row": said_row, "value": value} for source, said_row, value in given]})
    return out


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    if isinstance(value, list):
        return tuple(_comparable(v) for v in value)
    return value

"""What an ingest would change, told instead of written (``partnermap ingest … --dry-run``).

A :class:`graph.write.Write` decides, table by table, which rows are new, which change and
which facts its sources no longer state, and hands each decision to its target: the store, or
a :class:`Preview`, which writes nothing and keeps the decisions with the values they replace.
Preview and write therefore cannot disagree: they are the same decisions.

The report is grouped by source (one per register file) and then by kind (label or
relationship type), each fact by id: ``added``, ``changed`` (field: old → new), ``removed``,
and ``kept`` (this source no longer states it, but others still do: it only loses this source).
A change of provenance alone (a row that moved down its file) is counted as ``restated``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import pyarrow as pa

from graph.facts import ROW, SOURCE, SOURCES, blank, _plain
from graph.schema import quoted
from ontology import Property

KINDS = ("added", "changed", "removed", "kept")
# The Source nodes an ingest writes record the ingest itself (its time, its path): not facts to review.
NOT_SHOWN = frozenset({"Source"})


def _value(value: Any, prop: Property | None = None) -> Any:
    """A value as the report shows it, in the model's type (dates as ISO text, lists sorted), None for no value."""
    plain = _plain(value)
    if prop is not None and prop.type == "integer" and isinstance(plain, float) and plain.is_integer():
        return int(plain)  # a column with a gap is read as floats
    return sorted(plain) if isinstance(plain, list) else plain


def attached_statement(label: str) -> str:
    """Every relationship of the nodes of ``label`` in ``$ids``: the node's id, the type and the relationship's id."""
    return (f"UNWIND $ids AS wanted MATCH (n:{quoted(label)} {{id: wanted}})-[r]-() "
            "RETURN n.id AS id, type(r) AS type, r.id AS rel")


class Preview:
    """The decisions of one ingest's write, kept instead of applied; :meth:`report` tells them."""

    def __init__(self) -> None:
        self.sources: list[str] = []
        self._entries: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {}  # source → kind → change → rows
        self._removed: set[tuple[str, str]] = set()  # (type, id) of relationships it would delete
        self.restated: Counter = Counter()

    def _add(self, source: str | None, kind: str, change: str, entry: dict[str, Any]) -> None:
        if kind in NOT_SHOWN:
            return
        by_kind = self._entries.setdefault(source or "", {}).setdefault(kind, {name: [] for name in KINDS})
        by_kind[change].append(entry)

    # -- the decisions, as Write hands them over ---------------------------------------------------
    def upserted(self, kind: str, rows: pd.DataFrame, stored: pa.Table, own: dict[str, Property]) -> None:
        """Rows the write would create or update: new ids are added; others changed in the fields that differ."""
        if rows.empty:
            return
        ends = [c for c in ("from_id", "to_id") if c in rows.columns]
        held = {}
        if stored.num_rows:
            held = {row["id"]: row for row in stored.to_pylist()}
        for row in rows.to_dict("records"):
            entry = {"id": row["id"], "row": row.get(ROW), **{end: row[end] for end in ends}}
            before = held.get(row["id"])
            if before is None:
                self._add(row.get(SOURCE), kind, "added", entry)
                continue
            fields = {}
            for name in [*ends, *own]:
                if own.get(name) is not None and own[name].derived:
                    continue
                old, new = _value(before.get(name), own.get(name)), _value(row.get(name), own.get(name))
                if old != new and not (blank(old) and blank(new)):
                    fields[name] = {"old": old, "new": new}
            if fields:
                self._add(row.get(SOURCE), kind, "changed", {**entry, "fields": fields})
            elif kind not in NOT_SHOWN:
                self.restated[row.get(SOURCE) or ""] += 1

    def withdrawn(self, kind: str, stale: pd.DataFrame, gone: list[str], kept: pd.DataFrame,
                  sources: list[str], relationship: bool) -> None:
        """Facts the sources no longer state: those no one else states would go; the others keep their other sources."""
        by_id = stale.drop_duplicates("id").set_index("id", drop=False)
        for fact_id in gone:
            row = by_id.loc[fact_id]
            if relationship:
                self._removed.add((kind, fact_id))
            self._add(self._which(row, sources), kind, "removed", self._entry(row))
        for row in kept.to_dict("records"):
            stale_row = by_id.loc[row["id"]]
            others = list(row.get(SOURCES) or []) or [row.get(SOURCE)]
            self._add(self._which(stale_row, sources), kind, "kept",
                      {**self._entry(stale_row), "also_stated_by": [s for s in others if s]})

    def nodes_staying(self, store, label: str, gone: list[str]) -> set[str]:
        """Of the nodes ``gone`` would delete, those a relationship the write keeps still joins (the write leaves them)."""
        if not gone:
            return set()
        from graph.queries import render_embedded

        statement = attached_statement(label)
        rows = store.run(render_embedded(statement) if store.dialect == "embedded" else statement, {"ids": gone})
        return {row["id"] for row in rows if (row["type"], row["rel"]) not in self._removed}

    @staticmethod
    def _which(row: pd.Series, sources: list[str]) -> str:
        stated = list(row.get(SOURCES) or []) if SOURCES in row and row.get(SOURCES) is not None else []
        for source in [*stated, row.get(SOURCE)]:
            if source in sources:
                return source
        return row.get(SOURCE) or ""

    @staticmethod
    def _entry(row: pd.Series) -> dict[str, Any]:
        entry = {"id": row["id"]}
        for end in ("from_id", "to_id"):
            if end in row and row[end] is not None:
                entry[end] = row[end]
        return entry

    # -- the answer --------------------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        """The preview as plain data: counts first, then per source and kind, each change by id."""
        counts = Counter({name: 0 for name in KINDS})
        by_source = []
        for source in sorted(self._entries):
            kinds = []
            for kind in sorted(self._entries[source]):
                changes = {name: sorted(rows, key=lambda r: str(r["id"]))
                           for name, rows in self._entries[source][kind].items()}
                if not any(changes.values()):
                    continue
                counts.update({name: len(rows) for name, rows in changes.items()})
                kinds.append({"kind": kind, **changes})
            if kinds:
                by_source.append({"source": source, "kinds": kinds})
        return {"sources": list(self.sources), "counts": {**{name: counts[name] for name in KINDS},
                                                            "restated": sum(self.restated.values())},
                "changes": by_source}


def _detail(change: str, entry: dict[str, Any]) -> str:
    """One change in words: the fields and their values, or the other sources that keep a fact."""
    if change == "changed":
        return "; ".join(f"{name}: {_shown(said['old'])} → {_shown(said['new'])}" for name, said in entry["fields"].items())
    if change == "kept":
        return "kept: also stated by " + ", ".join(entry["also_stated_by"])
    if "from_id" in entry:
        return f"{entry['from_id']} → {entry['to_id']}"
    return ""


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "(none)"
    return str(value)


def report_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A preview's changes as flat rows (source, kind, change, id, row, detail), for a table or a page."""
    rows = []
    for group in report["changes"]:
        for kind in group["kinds"]:
            for change in KINDS:
                for entry in kind[change]:
                    rows.append({"source": group["source"], "kind": kind["kind"], "change": change, "id": entry["id"],
                                 "row": entry.get("row") or "", "detail": _detail(change, entry)})
    return rows


__all__ = ["KINDS", "Preview", "report_rows"]

"""Every write an ingest makes, in one place: all of it, or nothing.

:func:`writing` opens a :class:`Write` for the sources an ingest reads. The ingest hands it
checked nodes and relationships as it goes (it never hands the store anything to call back);
on a clean exit the write withdraws what those sources stated before and no longer state,
and commits; on an exception nothing is written.

* Into an empty store whose engine has a bulk path (the embedded one), the tables go to
  :meth:`Store.bulk_writer` as they come, and are copied while the ingest checks the next ones.
* Otherwise, one transaction: for each table, the stored rows of the same ids are read, the
  sources' statements merged (:mod:`graph.facts`), and only rows that change are written.
* With a :class:`graph.preview.Preview` (a dry run), the same decisions are made as in the
  previous case, but handed to the preview instead of the store: nothing is written.

Every fact written or deleted goes through the ``_apply_*`` methods, the one place that chooses
between applying a decision and telling it to a preview (a relationship that moves, deleted and
written again between its new ends, shows there as a change of its ends; the count of facts each
Source states is not a fact, and a dry run leaves it).

The Cypher here reads and deletes by id; labels and types come only from the model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.columns import ARROW_TYPES, arrow_table, digests
from graph.facts import PROVENANCE, SOURCE, SOURCES, STATEMENTS, merged, withdrawn
from graph.preview import Preview
from graph.schema import quoted
from graph.store import Store
from ontology import Model, Property, own_properties
from partnermap.errors import Unconfirmed
from partnermap.progress import Progress, quiet, tell

# Tables of this many rows or more are compared with the whole stored table, read once;
# smaller ones read only their own ids.
WHOLE_TABLE_FROM_ROWS = 2000


# A list of ids is always joined, never tested with IN: the embedded engine tests `x IN $list`
# item by item for every row (200 ids against 200,000 relationships: 530 ms), but joins
# `UNWIND $ids AS wanted … WHERE x.id = wanted` through a hash table (56 ms, one scan).
_WANTED = "UNWIND $ids AS wanted "


def _node_pattern(label: str) -> str:
    return f"(n:{quoted(label)})"


def _relationship_pattern(rel_type: str, from_label: str | None, to_label: str | None) -> str:
    a = f"(a:{quoted(from_label)})" if from_label else "(a)"
    b = f"(b:{quoted(to_label)})" if to_label else "(b)"
    return f"{a}-[r:{quoted(rel_type)}]->{b}"


def read_nodes_statement(model: Model, label: str, by_id: bool) -> str:
    """Stored nodes of ``label`` (those in ``$ids``, or all) with every property."""
    columns = ", ".join(f"n.{quoted(p)} AS {quoted(p)}" for p in model.label(label).properties)
    if by_id:
        return f"{_WANTED}MATCH (n:{quoted(label)} {{id: wanted}}) RETURN {columns}"
    return f"MATCH {_node_pattern(label)} RETURN {columns}"


def read_relationships_statement(model: Model, rel_type: str, from_label: str, to_label: str, by_id: bool) -> str:
    """Stored relationships of one type between two labels (those in ``$ids``, or all) with their ends."""
    columns = ", ".join(f"r.{quoted(p)} AS {quoted(p)}" for p in model.relationship(rel_type).properties)
    start, where = (_WANTED, " WHERE r.id = wanted") if by_id else ("", "")
    return (f"{start}MATCH {_relationship_pattern(rel_type, from_label, to_label)}{where} "
            f"RETURN a.id AS from_id, b.id AS to_id, {columns}")


def stated_nodes_statement(label: str, details: bool) -> str:
    """Nodes of ``label`` that ``$sources`` may state (any fact several sources state is a candidate).

    Without ``details``, their ids only; with them, those in ``$ids`` with their provenance.
    """
    if not details:
        return f"MATCH {_node_pattern(label)} WHERE n.source IN $sources OR n.sources IS NOT NULL RETURN n.id AS id"
    return (f"{_WANTED}MATCH (n:{quoted(label)} {{id: wanted}}) WHERE n.source IN $sources OR n.sources IS NOT NULL "
            "RETURN n.id AS id, n.source AS source, n.source_row AS source_row, n.sources AS sources, "
            "n.statements AS statements")


def stated_relationships_statement(rel_type: str, details: bool) -> str:
    """Relationships of one type that ``$sources`` may state: their ids, or (``details``) those in ``$ids`` in full."""
    stated = "(r.source IN $sources OR r.sources IS NOT NULL)"
    if not details:
        return f"MATCH {_relationship_pattern(rel_type, None, None)} WHERE {stated} RETURN r.id AS id"
    return (f"{_WANTED}MATCH {_relationship_pattern(rel_type, None, None)} WHERE r.id = wanted AND {stated} "
            "RETURN labels(a)[0] AS from_label, labels(b)[0] AS to_label, a.id AS from_id, b.id AS to_id, "
            "r.id AS id, r.source AS source, r.source_row AS source_row, r.sources AS sources, r.statements AS statements")


def delete_relationships_statement(rel_type: str) -> str:
    """Delete the relationships of one type whose ids are in ``$ids``."""
    return f"{_WANTED}MATCH {_relationship_pattern(rel_type, None, None)} WHERE r.id = wanted DELETE r"


def delete_nodes_statement(label: str) -> str:
    """Delete the nodes of ``label`` in ``$ids`` that no relationship still needs; how many went."""
    return (f"{_WANTED}MATCH (n:{quoted(label)} {{id: wanted}}) WHERE NOT EXISTS {{ MATCH (n)--() }} "
            "DELETE n RETURN count(*) AS n")


def holders_statement(label: str) -> str:
    """Which of ``$ids`` are nodes of ``label``, with the sources that state them."""
    return (f"{_WANTED}MATCH (n:{quoted(label)} {{id: wanted}}) "
            "RETURN n.id AS id, n.source AS source, n.sources AS sources")


def _render(store: Store, statement: str) -> str:
    # The few Neo4j functions these statements use have embedded spellings (graph.queries).
    from graph.queries import render_embedded

    return render_embedded(statement) if store.dialect == "embedded" else statement


def stored_sources_statement() -> str:
    """The Source nodes among ``$ids``, with where each was read from and how many facts each stated."""
    return (f"{_WANTED}MATCH (n:{quoted('Source')} {{id: wanted}}) "
            "RETURN n.id AS id, n.path AS path, n.reader AS reader, n.ingested_at AS ingested_at, n.facts AS facts, "
            "n.owner AS owner")


def source_facts_statement() -> str:
    """Record on each Source in ``$rows`` (id, facts) how many facts it states now."""
    return f"UNWIND $rows AS row MATCH (n:{quoted('Source')} {{id: row.id}}) SET n.facts = row.facts"


def stored_sources(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The Source nodes among ``ids`` the store already holds, by id (their path, reader and last ingest)."""
    if not ids:
        return {}
    return {row["id"]: row for row in store.run(stored_sources_statement(), {"ids": list(ids)})}


class Write:
    """One ingest's writes for the sources it reads (``sources``); see the module docstring."""

    def __init__(self, store: Store, sources: Iterable[str], progress: Progress = quiet, total: int | None = None,
                 most_removed: float | None = None, preview: Preview | None = None):
        self.store, self.model, self.progress = store, store.model, progress
        self.preview = preview  # a dry run: decisions go there, and nothing to the store
        self.total = total  # rows this ingest hands over, for a progress bar
        # The most of what the sources stated before this write may remove, as a share (None: any).
        self.most_removed = most_removed
        self.handed = 0
        self.sources = sorted(set(sources))
        self.written: dict[str, Counter] = {"nodes": Counter(), "relationships": Counter(),
                                            "removed": Counter(facts=0, statements=0)}
        self._stated: dict[str, list[pa.Array]] = {}  # ids this ingest states, per label or type
        self._new: dict[str, list[pa.Array]] = {}  # ids of nodes the store did not hold before, per label
        self._previous: dict[str, dict[str, Any]] = {}  # the stored Source nodes of these sources
        self._stating: Counter = Counter()  # facts each source states in this ingest
        self._restated: Counter = Counter()  # of those, facts each source stated before
        self._removing: Counter = Counter()  # facts each source would no longer state
        self._bulk = None
        self._stack = ExitStack()
        self.seen_before = False

    # -- the session ------------------------------------------------------------------------
    def __enter__(self) -> "Write":
        self._previous = stored_sources(self.store, self.sources)
        self.seen_before = bool(self._previous)
        if self.preview is not None:
            self.preview.sources = list(self.sources)
            return self  # reads only: no bulk path, no transaction
        self._bulk = None if self.seen_before else self.store.bulk_writer(self._say)
        if self._bulk is None:
            self._stack.enter_context(self.store.transaction())
        return self

    def __exit__(self, kind, error, trace) -> None:
        if error is not None:
            if self._bulk is not None:
                self._bulk.abandon()
            self._stack.__exit__(kind, error, trace)  # rolls the transaction back
            return
        if self._bulk is not None:
            self._bulk.finish(then=self._facts_counted())  # in the same load: a kill leaves all or nothing
            return
        try:
            if self.seen_before:
                self._withdraw()
            if self.preview is None:
                self._count_facts()
        except BaseException as failure:
            if not self._stack.__exit__(type(failure), failure, failure.__traceback__):
                raise
            return
        self._stack.__exit__(None, None, None)  # commits

    @property
    def bulk(self) -> bool:
        """Whether this write builds an empty store by the engine's bulk path."""
        return self._bulk is not None

    # -- lookups for checking ---------------------------------------------------------------
    def existing(self, label: str, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` (not in this ingest) the store holds as ``label`` and will still hold afterwards.

        A node stated only by sources this ingest re-reads is about to go unless restated, so
        a reference to it is dangling, as it would be on a fresh store.
        """
        ids = sorted(set(ids))
        if not ids or self.bulk:
            return set()
        found = set()
        for row in self.store.run(holders_statement(self.model.label(label).name), {"ids": ids}):
            stated_by = set(row["sources"] or []) or {row["source"]}
            if not stated_by <= set(self.sources):
                found.add(row["id"])
        return found

    # -- writing ----------------------------------------------------------------------------
    def nodes(self, label: str, frame: pd.DataFrame) -> None:
        """Write the nodes of ``label`` this ingest states (typed; ``source``, ``source_row`` per row)."""
        spec = self.model.label(label)
        own = own_properties(spec.properties)
        given = len(frame)
        self._remember(label, frame)
        self._count_stating(frame)
        if self.bulk:
            rows = merged(frame, _empty_table(), self.sources, own)
            self.handed += len(frame)  # before the hand-over: the copy reports when it is done
            self._bulk.nodes(label, arrow_table(rows, list(spec.properties.values())), len(rows))
            self.written["nodes"][label] += len(rows)
            return
        stored = self._stored(read_nodes_statement(self.model, label, by_id=len(frame) < WHOLE_TABLE_FROM_ROWS),
                              frame, spec.properties)
        ids = pa.array(frame["id"], type=pa.string())
        self._new.setdefault(label, []).append(ids.filter(pc.invert(pc.is_in(ids, value_set=stored.column("id")))))
        self._count_restated(stored, ids)
        stated = frame["id"].nunique()
        frame = _unchanged_dropped(frame, stored, spec.properties, ("id",))
        rows = merged(frame, stored, self.sources, own)
        changed = _changed(rows, stored, spec.properties, ("id",))
        if len(changed):
            self._apply_nodes(label, changed, stored, own)
        self.written["nodes"][label] += stated
        self._say(f"wrote {stated} {label} nodes ({len(changed)} changed)", given)

    def relationships(self, rel_type: str, from_label: str, to_label: str, frame: pd.DataFrame) -> None:
        """Write the relationships of one type between two labels this ingest states."""
        rel = self.model.relationship(rel_type)
        if (from_label, to_label) not in rel.endpoints:
            raise ValueError(f"{rel_type} does not join {from_label} to {to_label} in the model")
        own = own_properties(rel.properties)
        given = len(frame)
        self._remember(rel_type, frame)
        self._count_stating(frame)
        if self.bulk:
            rows = merged(frame, _empty_table(), self.sources, own)
            table = arrow_table(rows.rename(columns={"from_id": "from", "to_id": "to"}), list(rel.properties.values()),
                                leading=("from", "to"))
            self.handed += len(frame)
            self._bulk.relationships(rel_type, from_label, to_label, table, len(rows))
            self.written["relationships"][rel_type] += len(rows)
            return
        if self._all_new(from_label, frame["from_id"]) or self._all_new(to_label, frame["to_id"]):
            stored = _typed_table(pa.table({}), rel.properties, ends=True)  # no stored fact can reach a new node
        else:
            statement = read_relationships_statement(self.model, rel_type, from_label, to_label,
                                                     by_id=len(frame) < WHOLE_TABLE_FROM_ROWS)
            stored = self._stored(statement, frame, rel.properties, ends=True)
            self._count_restated(stored, pa.array(frame["id"], type=pa.string()))
        stated = frame["id"].nunique()
        frame = _unchanged_dropped(frame, stored, rel.properties, ("from_id", "to_id", "id"))
        rows = merged(frame, stored, self.sources, own)
        moved = _moved(rows, stored)
        if moved and self.preview is None:  # the same fact between other ends (an id given by its source): it moves
            self._apply_deleted_relationships(rel_type, moved)
        changed = _changed(rows, stored, rel.properties, ("from_id", "to_id", "id"))
        if len(changed):
            self._apply_relationships(rel_type, from_label, to_label, changed, stored, own)
        self.written["relationships"][rel_type] += stated
        self._say(f"wrote {stated} {rel_type} relationships ({from_label} → {to_label}; {len(changed)} changed)", given)

    # -- applying: the store, or the preview of a dry run ----------------------------------------
    def _apply_nodes(self, label: str, rows: pd.DataFrame, stored: pa.Table, own: dict[str, Property]) -> None:
        if self.preview is not None:
            self.preview.upserted(label, rows, stored, own)
            return
        self.store.upsert_nodes(label, rows)

    def _apply_relationships(self, rel_type: str, from_label: str, to_label: str, rows: pd.DataFrame,
                             stored: pa.Table, own: dict[str, Property]) -> None:
        if self.preview is not None:  # a moved relationship shows as a change of its ends
            self.preview.upserted(rel_type, rows, stored, own)
            return
        held = pc.is_in(pa.array(rows["id"], type=pa.string()), value_set=stored.column("id").combine_chunks())
        fresh = pd.Series(~held.to_numpy(zero_copy_only=False), index=rows.index)
        if fresh.any():  # not in the store: created without looking through their ends' relationships
            self.store.upsert_relationships(rel_type, from_label, to_label, rows[fresh], new=True)
        if (~fresh).any():
            self.store.upsert_relationships(rel_type, from_label, to_label, rows[~fresh])

    def _apply_deleted_relationships(self, rel_type: str, ids: list[str]) -> None:
        self.store.run(_render(self.store, delete_relationships_statement(rel_type)), {"ids": ids})

    def _apply_withdrawn(self, name: str, stale: pd.DataFrame, gone: list[str], kept: pd.DataFrame,
                         relationship: bool) -> int:
        """Delete ``gone`` and rewrite ``kept`` (fewer statements), or tell the preview; how many facts went."""
        if self.preview is not None:
            if not relationship:  # a node a kept relationship still joins is left where it is
                staying = self.preview.nodes_staying(self.store, name, gone)
                gone = [fact for fact in gone if fact not in staying]
            self.preview.withdrawn(name, stale, gone, kept, self.sources, relationship)
            return len(gone)
        removed = 0
        if relationship:
            if gone:
                self._apply_deleted_relationships(name, gone)
                removed = len(gone)
            if len(kept):
                kept = kept.join(stale.set_index("id")[["from_label", "to_label"]], on="id")
                for (a, b), part in kept.groupby(["from_label", "to_label"]):
                    self.store.upsert_relationships(name, a, b, part.drop(columns=["from_label", "to_label"]))
            return removed
        if gone:
            answer = self.store.run(delete_nodes_statement(name), {"ids": gone})
            removed = answer[0]["n"] if answer else 0
        if len(kept):
            self.store.upsert_nodes(name, kept)
        return removed

    def _all_new(self, label: str, ids: pd.Series) -> bool:
        """Whether every one of ``ids`` is a node this write created (so no stored relationship touches it)."""
        new = self._new.get(label)
        if not new or not len(ids):
            return False
        return bool(pc.all(pc.is_in(pa.array(ids, type=pa.string()), value_set=pa.chunked_array(new).combine_chunks())).as_py())

    def _allowed(self, stale: pd.DataFrame, gone: list[str]) -> None:
        """Unconfirmed (and nothing written) once a source would lose more than ``most_removed`` of its facts."""
        if self.most_removed is None or not gone:
            return
        going = stale[stale["id"].isin(gone)]
        for source, sources in zip(going[SOURCE], going[SOURCES] if SOURCES in going else [None] * len(going)):
            for said in set(sources or [source]) & set(self.sources):
                self._removing[said] += 1
        for source, count in self._removing.items():
            before = (self._previous.get(source) or {}).get("facts") or 0
            if before and count > self.most_removed * before:
                raise Unconfirmed(
                    f"this would remove at least {count} of the {before} facts {source} stated (more than "
                    f"{self.most_removed:.0%}); nothing was written. Send it again confirming that this is "
                    "meant, or check it is the right file")

    def _say(self, message: str, rows: int = 0) -> None:
        self.handed += rows
        if self.preview is not None and message.startswith("wrote "):
            message = "would write " + message[len("wrote "):]
        tell(self.progress, message, stage="write", done=self.handed, total=self.total)

    def _count_stating(self, frame: pd.DataFrame) -> None:
        if "source" in frame:
            self._stating.update(frame.drop_duplicates(["id", "source"])["source"].dropna().value_counts().to_dict())

    def _count_restated(self, stored: pa.Table, ids: pa.Array) -> None:
        """Count, per source of this ingest, the stored facts among ``ids`` it stated before."""
        if not self.seen_before or stored.num_rows == 0:
            return
        stored = stored.filter(pc.is_in(stored.column("id"), value_set=ids))
        lengths = pc.fill_null(pc.list_value_length(stored.column(SOURCES)), 0)
        alone, several = stored.filter(pc.equal(lengths, 0)), stored.filter(pc.greater(lengths, 0))
        said = pa.concat_arrays([alone.column(SOURCE).combine_chunks().cast(pa.string()),
                                 pc.list_flatten(several.column(SOURCES).combine_chunks()).cast(pa.string())])
        said = said.filter(pc.is_in(said, value_set=pa.array(self.sources, type=pa.string())))
        for entry in pc.value_counts(said).to_pylist():
            self._restated[entry["values"]] += entry["counts"]

    def _facts_counted(self) -> list[tuple[str, dict[str, Any]]]:
        """The statement recording on each Source how many facts it states now (see ``Source.facts``)."""
        rows = [{"id": source, "facts": int(self._stating[source])} for source in self.sources]
        # An ingest of facts with no Source among them (a test's hand-made batches) counts none.
        return [(source_facts_statement(), {"rows": rows})] if rows else []

    def _count_facts(self) -> None:
        for statement, params in self._facts_counted():
            self.store.run(statement, params)

    def _clean(self) -> set[str]:
        """The sources that restated every fact they stated before: none of theirs can be stale."""
        return {source for source, held in self._previous.items()
                if held.get("facts") is not None and self._restated[source] >= held["facts"]}

    def _remember(self, name: str, frame: pd.DataFrame) -> None:
        if self.seen_before:
            self._stated.setdefault(name, []).append(pa.array(frame["id"], type=pa.string()))

    def _stale(self, name: str, statement: str, details: str, sources: list[str]) -> pd.DataFrame:
        """The facts of one label or type ``sources`` may state and this ingest did not, in full."""
        ids = self.store.table(_render(self.store, statement), {"sources": sources})
        if ids.num_rows == 0:
            return pd.DataFrame()
        ids = ids.column("id").cast(pa.string())
        stated = self._stated.get(name)
        if stated:  # in C++, not Python: a national re-ingest restates 1.5 million
            ids = ids.filter(pc.invert(pc.is_in(ids, value_set=pa.chunked_array(stated).combine_chunks())))
        if len(ids) == 0:
            return pd.DataFrame()
        return _statements_frame(self.store.frame(_render(self.store, details),
                                                  {"sources": sources, "ids": ids.to_pylist()}))

    def _stored(self, statement: str, frame: pd.DataFrame, properties: dict[str, Property],
                ends: bool = False) -> pa.Table:
        params = {"ids": list(pd.unique(frame["id"]))} if "$ids" in statement else {}
        table = self.store.table(statement, params)
        return _typed_table(table, properties, ends)

    # -- withdrawing --------------------------------------------------------------------------
    def _withdraw(self) -> None:
        """What these sources stated before and no longer state: their statements go, and facts no one states."""
        removed = withdrawn_statements = 0
        # A source that restated as many facts as it stated before has none left to withdraw, and
        # a fact none of the others stated before could only be stale through one of those.
        unclean = sorted(set(self.sources) - self._clean())
        if not unclean:
            self.written["removed"] = Counter(facts=0, statements=0)
            return
        for rel_type, rel in self.model.relationships.items():
            stale = self._stale(rel_type, stated_relationships_statement(rel_type, False),
                                stated_relationships_statement(rel_type, True), unclean)
            if stale.empty:
                continue
            gone, kept = withdrawn(stale, self.sources, own_properties(rel.properties))
            self._allowed(stale, gone)
            removed += self._apply_withdrawn(rel_type, stale, gone, kept, relationship=True)
            withdrawn_statements += len(kept)
        for label, spec in self.model.labels.items():
            stale = self._stale(label, stated_nodes_statement(label, False), stated_nodes_statement(label, True), unclean)
            if stale.empty:
                continue
            gone, kept = withdrawn(stale, self.sources, own_properties(spec.properties))
            self._allowed(stale, gone)
            removed += self._apply_withdrawn(label, stale, gone, kept, relationship=False)
            withdrawn_statements += len(kept)
        self.written["removed"] = Counter(facts=removed, statements=withdrawn_statements)
        if removed or withdrawn_statements:
            tell(self.progress, f"removed {removed} facts no longer in the re-ingested sources"
                 + (f"; {withdrawn_statements} kept, still stated by other sources" if withdrawn_statements else ""),
                 stage="withdraw")


@contextmanager
def writing(store: Store, sources: Iterable[str], progress: Progress = quiet, total: int | None = None,
            most_removed: float | None = None, preview: Preview | None = None) -> Iterator[Write]:
    """A :class:`Write` for ``sources``: everything handed to it is written on a clean exit, nothing otherwise.

    ``total``: the rows that will be handed over, if known (a progress bar shows how far it has got).
    ``most_removed``: the largest share of what the sources stated before that it may remove
    (Unconfirmed otherwise, nothing written); None for any.
    ``preview``: a dry run; what would be written is told to it, and nothing is written.
    """
    with Write(store, sources, progress, total, most_removed, preview) as write:
        yield write


def _empty_table() -> pa.Table:
    return pa.table({name: pa.array([], type=pa.string()) for name in ("id", *PROVENANCE) if name != SOURCES})


def _typed_table(table: pa.Table, properties: dict[str, Property], ends: bool) -> pa.Table:
    """The stored rows with each column cast to the model's type (engines answer sums and nulls loosely)."""
    names = [*(("from_id", "to_id") if ends else ()), *properties]
    columns = []
    for name in names:
        kind = pa.string() if name in ("from_id", "to_id") else ARROW_TYPES[properties[name].type]
        column = table.column(name) if name in table.column_names else pa.nulls(table.num_rows, kind)
        columns.append(column.cast(kind) if column.type != kind else column)
    return pa.table(columns, names=names)


def _changed(rows: pd.DataFrame, stored: pa.Table, properties: dict[str, Property], key: tuple[str, ...]) -> pd.DataFrame:
    """The rows the store does not already hold exactly (same id, ends, values and provenance)."""
    if stored.num_rows == 0 or rows.empty:
        return rows
    leading = tuple(c for c in key if c != "id")
    names = ["id", *leading, *(p for p in properties if p != "id")]
    stored = stored.select(names)
    held = pd.Series(digests(stored), index=stored.column("id").to_pylist())
    held = held[~held.index.duplicated(keep=False)]  # an id the store holds twice is never skipped
    types = {"id": pa.string(), **{c: pa.string() for c in leading}}
    incoming = digests(arrow_table(rows, [properties[p] for p in names if p in properties and p != "id"],
                                   leading=("id", *leading), types=types).select(names))
    same = held.reindex(rows["id"].to_numpy(dtype=object)).to_numpy() == incoming
    return rows[~same]


def _unchanged_dropped(frame: pd.DataFrame, stored: pa.Table, properties: dict[str, Property],
                       key: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` without the rows the store already holds exactly, as their one source's statement.

    Re-reading an unchanged source (a national register: 1.8 million rows) writes nothing and
    merges nothing. A fact several rows state is always merged: one of them alone is not it.
    """
    if stored.num_rows == 0 or frame.empty:
        return frame
    alone = ~frame["id"].duplicated(keep=False).to_numpy()
    as_held = frame.reindex(columns=[*key, *(p for p in properties if p != "id")])
    as_held = as_held.assign(**{name: None for name in (SOURCES, STATEMENTS) if name in as_held})
    unchanged = alone & ~as_held.index.isin(_changed(as_held, stored, properties, key).index)
    return frame[~unchanged]


def _moved(rows: pd.DataFrame, stored: pa.Table) -> list[str]:
    """Ids whose stored relationship joins other ends than the one written now."""
    if stored.num_rows == 0:
        return []
    ends = stored.select(["id", "from_id", "to_id"]).to_pandas().drop_duplicates("id")
    both = rows[["id", "from_id", "to_id"]].merge(ends, on="id", suffixes=("", "_stored"))
    differ = (both["from_id"] != both["from_id_stored"]) | (both["to_id"] != both["to_id_stored"])
    return list(both.loc[differ.to_numpy(), "id"])


def _statements_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Candidates as :func:`graph.facts.withdrawn` reads them (nulls as None, lists as lists)."""
    out = frame.astype(object).where(frame.notna(), None)
    if SOURCES in out:
        out[SOURCES] = [list(v) if isinstance(v, (list, np.ndarray)) else None for v in out[SOURCES]]
    for column in (SOURCE, STATEMENTS):
        if column not in out:
            out[column] = None
    return out




def withdraw(store: Store, sources: Iterable[str], progress: Progress = quiet) -> Counter:
    """Withdraw every statement of ``sources``: facts only they state go, others keep their other sources.

    Their Source nodes go too (each states itself). Counts of facts removed and statements withdrawn;
    NotFound naming the sources the store does not hold.
    """
    from partnermap.errors import NotFound

    sources = sorted(set(sources))
    missing = sorted(set(sources) - set(stored_sources(store, sources)))
    if missing:
        raise NotFound(f"the store holds no source {', '.join(repr(m) for m in missing)} "
                       "('partnermap sources' lists those it holds)")
    with writing(store, sources, progress) as write:
        pass
    return write.written["removed"]


__all__ = ["Write", "stored_sources", "withdraw", "writing"]

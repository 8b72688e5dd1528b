"""Write validated batches into a store: all of it in one transaction, or nothing.

This is the one function every reader's output goes through. It validates
everything (collecting every problem) and writes nodes and relationships through
the store's bulk path (MERGE on ids, so ingesting twice changes nothing), each type
as soon as it is checked, inside one transaction that a problem found later undoes.
Into an empty embedded store it builds a new database file instead: the nodes entity
resolution cannot change are copied while organisations are resolved and the
relationships checked, and any problem found discards the file. Nothing is written
either way.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pandas as pd

from graph import Store, quoted
from ingest.batches import ROW, EdgeBatch, Item, NodeBatch
from ingest.resolve import ORGANISATION, Resolver
from ingest.validate import CheckedNodes, one_node_per_id, validate_edges
from partnermap.errors import InvalidRecords, Problem


def load(
    store: Store, items: Iterable[Item], progress: Callable[[str], None] = lambda _: None, resolver: Resolver | None = None
) -> dict[str, Counter]:
    """Validate and write a reader's output; InvalidRecords (nothing written) on any problem.

    With a ``resolver`` (:class:`ingest.resolve.Resolver`), organisations that certainly match
    known ones are merged into them first; ``resolver.matches`` then lists what it found.

    Returns counts of what was written: ``{"nodes": Counter(label), "relationships": Counter(type),
    "removed": Counter(facts=n)}``; ``removed`` counts facts an earlier ingest of the same
    sources wrote that these no longer hold (deleted in the same transaction).
    """
    proposals = _Proposals(resolver) if resolver is not None else None
    try:
        written = _load(store, items, progress, proposals)
    except BaseException:
        if proposals is not None:
            proposals.abandon()
        raise
    if proposals is not None:
        proposals.wait()
        progress(f"{len(resolver.matches) - sum(m.certain for m in resolver.matches)} uncertain matches to review")
    return written


class _Proposals:
    """The resolver's uncertain pairs, found on a thread of their own while the ingest writes.

    They change nothing written (a person decides them later), so the Python work of finding
    them fills time the ingest spends waiting for the engine.
    """

    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._find, name="partnermap-proposals", daemon=True)

    def _find(self) -> None:
        try:
            self.resolver.propose()
        except BaseException as exc:  # noqa: BLE001 -- raised in the ingest's own thread by wait()
            self._error = exc

    def start(self) -> None:
        self._thread.start()

    def wait(self) -> None:
        """Until they are found (found here if the thread never started); raises what failed."""
        if self._thread.ident is None:
            self._find()
        else:
            self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        """The ingest failed: nothing to propose, but the thread, if started, ends before the ingest does."""
        if self._thread.ident is not None:
            self._thread.join()


def _load(
    store: Store, items: Iterable[Item], progress: Callable[[str], None], proposals: _Proposals | None
) -> dict[str, Counter]:
    nodes: list[NodeBatch] = []
    edges: list[EdgeBatch] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, NodeBatch):
            nodes.append(item)
        elif isinstance(item, EdgeBatch):
            edges.append(item)
        else:
            problems.append(item)
    # A file that could not be read at all (missing, bad encoding, bad header) makes every
    # reference into it fail too: report the files first rather than a flood of follow-ons.
    unreadable = [p for p in problems if p.fatal]
    if unreadable:
        raise InvalidRecords(unreadable)
    progress(f"read {sum(len(b.frame) for b in nodes)} node rows and {sum(len(b.frame) for b in edges)} relationship rows")
    # Sources read before: what they held and this ingest does not is about to be removed.
    sources = sorted({s for batch in nodes for s in batch.frame["source"].dropna().unique()}) if nodes else []
    replacing = sorted(store.existing_ids("Source", sources)) if sources else []
    del items  # the read batches live on in nodes and edges only, until they are typed
    # Resolution can change only organisations and the facts about them: the other nodes are
    # typed first, and a first load copies them while the organisations are resolved.
    checked = CheckedNodes(store.model, problems)
    held = [b for b in nodes if proposals is not None and b.label == ORGANISATION]
    ready = checked.add([b for b in nodes if proposals is None or b.label != ORGANISATION])
    del nodes
    typed_nodes: list[NodeBatch] = []  # every node batch, typed, once node_frames() has run
    later: dict[str, Any] = {}  # what the relationships need from the nodes: the edges, the ids known

    # Both writers below exhaust node_frames() before they start on edge_frames().
    def node_frames() -> Iterator[tuple[str, pd.DataFrame]]:
        settled = one_node_per_id(ready)
        typed_nodes.extend(settled)
        yield from _node_frames(settled)
        resolved: list[Item] = [*held, *edges]
        held.clear()
        edges.clear()
        if proposals is not None:
            resolved = proposals.resolver.merge_certain(resolved)
            progress(f"resolved {len(proposals.resolver.matches)} organisations into known ones")
        organisations = one_node_per_id(checked.add([b for b in resolved if isinstance(b, NodeBatch)]))
        typed_nodes.extend(organisations)
        later["known"] = checked.finish()
        later["edges"] = [b for b in resolved if isinstance(b, EdgeBatch)]
        del resolved
        if proposals is not None:
            proposals.start()  # only now: earlier, it would slow the work the first COPY waits for
        yield from _node_frames(organisations)

    def edge_frames() -> Iterator[tuple[str, str, str, pd.DataFrame]]:
        groups = validate_edges(later.pop("edges"), later.pop("known"), store, problems, replacing)  # takes them over
        yield from _edge_frames(_unless_problems(groups, problems))

    # Facts can only be stale if one of these sources was ingested before.
    seen_before = bool(replacing)
    if not seen_before and not problems:
        # Into an empty store the nodes are copied while organisations are resolved and the
        # relationships checked: a problem found late discards the new file, and nothing is written.
        written = store.bulk_load(node_frames(), edge_frames(), progress)
        if written is not None:
            written["removed"] = Counter()
            return written
    if problems:  # in the nodes: every problem is still reported, nothing is written
        for _ in node_frames():
            pass
        for _ in edge_frames():
            pass
        raise InvalidRecords(problems)
    # Each type is written as soon as it is checked, and let go: a problem found later raises
    # inside the transaction, which then writes nothing.
    written = {"nodes": Counter(), "relationships": Counter()}
    kept_edges: dict[str, set] = {}  # the facts of each type this ingest holds, for the stale ones
    with store.transaction():
        for label, frame in node_frames():
            written["nodes"][label] += store.upsert_nodes(label, frame)
            progress(f"wrote {len(frame)} {label} nodes")
        for rel_type, from_label, to_label, frame in edge_frames():
            if seen_before:
                kept_edges.setdefault(rel_type, set()).update(frame["id"])
            written["relationships"][rel_type] += store.upsert_relationships(rel_type, from_label, to_label, frame)
            progress(f"wrote {len(frame)} {rel_type} relationships ({from_label} → {to_label})")
        removed = _remove_stale(store, typed_nodes, kept_edges) if seen_before else 0
        if removed:
            progress(f"removed {removed} facts no longer in the re-ingested sources")
    written["removed"] = Counter({"facts": removed})
    return written


def _node_frames(batches: list[NodeBatch]) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each label's typed rows, as one frame."""
    by_label: dict[str, list[pd.DataFrame]] = {}
    for batch in batches:
        by_label.setdefault(batch.label, []).append(batch.frame.drop(columns=[ROW]))
    for label, frames in by_label.items():
        yield label, pd.concat(frames).drop_duplicates("id")


def _unless_problems(groups: Iterator[tuple[str, str, str, pd.DataFrame]],
                     problems: list[Problem]) -> Iterator[tuple[str, str, str, pd.DataFrame]]:
    """The checked groups, then InvalidRecords (raised into the writer) if any problem was found."""
    yield from groups
    if problems:
        raise InvalidRecords(problems)


def _edge_frames(edge_groups: Iterable[tuple[str, str, str, pd.DataFrame]]) -> Iterator[tuple[str, str, str, pd.DataFrame]]:
    for rel_type, from_label, to_label, frame in edge_groups:
        yield rel_type, from_label, to_label, frame.drop(columns=[ROW])


def _remove_stale(store: Store, nodes: list[NodeBatch], kept_edges: dict[str, set]) -> int:
    """Delete what an earlier ingest of the same sources wrote but this one no longer holds.

    Re-ingesting a register after deleting a row must delete its fact, not leave it behind.
    Only facts whose ``source`` is one of this ingest's sources are candidates, and a node
    still used by a relationship from another source is kept. ``kept_edges``: the ids of the
    facts of each type this ingest holds.
    """
    sources = sorted({s for batch in nodes for s in batch.frame["source"].dropna().unique()})
    if not sources:
        return 0
    kept_nodes: dict[str, set] = {}
    for batch in nodes:
        kept_nodes.setdefault(batch.label, set()).update(batch.frame["id"])
    removed = 0
    for rel_type in store.model.relationships:
        rel = quoted(rel_type)
        have = store.run(f"MATCH ()-[r:{rel}]->() WHERE r.source IN $sources RETURN r.id AS id", {"sources": sources})
        stale = sorted({row["id"] for row in have} - kept_edges.get(rel_type, set()))
        if stale:
            store.run(f"MATCH ()-[r:{rel}]->() WHERE r.source IN $sources AND r.id IN $stale DELETE r",
                      {"sources": sources, "stale": stale})
            removed += len(stale)
    for label in store.model.labels:
        node = quoted(label)
        have = store.run(f"MATCH (n:{node}) WHERE n.source IN $sources RETURN n.id AS id", {"sources": sources})
        stale = sorted({row["id"] for row in have} - kept_nodes.get(label, set()))
        if stale:
            gone = store.run(
                f"MATCH (n:{node}) WHERE n.source IN $sources AND n.id IN $stale "
                "AND NOT EXISTS { MATCH (n)-[r]-() WHERE NOT r.source IN $sources } "
                "DETACH DELETE n RETURN count(*) AS n",
                {"sources": sources, "stale": stale},
            )
            removed += gone[0]["n"] if gone else 0
    return removed

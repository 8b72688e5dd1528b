"""Check, resolve and write a reader's output: all of it, or nothing.

This is the one function every reader's output goes through, and it reads one way:

    read batches → type and check the nodes → resolve organisations → look up the ids the
    relationships name that this ingest does not hold → check the relationships → write

Checking is pure: what the store holds reaches it only as lookups fetched before it starts.
Everything written goes through one :func:`graph.writing` session for the sources read: the
checked tables are handed to it as they are ready, and it writes them (into an empty store by
the engine's bulk path, copied while the next tables are checked; otherwise as upserts in one
transaction). Any problem raises InvalidRecords, every problem reported, and the session
writes nothing. A fact several sources state keeps each statement; re-reading a source
replaces its statements and withdraws the facts only it stated (``graph.facts``).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace as replaced
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

import graph
from graph import Store
from ingest.batches import ROW, EdgeBatch, Item, NodeBatch
from ingest.resolve import ORGANISATION, Resolver
from ingest.validate import CheckedNodes, unknown_references, validate_edges
from partnermap.errors import Forbidden, InvalidRecords, Problem
from partnermap.progress import Progress, quiet, tell


def load(
    store: Store, items: Iterable[Item], progress: Progress = quiet,
    resolver: Resolver | None = None, replace: bool = False, owner: str | None = None,
    most_removed: float | None = None, preview: graph.Preview | None = None,
) -> dict[str, Counter]:
    """Check and write a reader's output; InvalidRecords (nothing written) on any problem.

    With a ``resolver`` (:class:`ingest.resolve.Resolver`), organisations that certainly match
    known ones are merged into them first; ``resolver.matches`` then lists what it found.
    ``replace``: a stored source of the same name read from another path is replaced on purpose
    (``--replace``); otherwise that is refused, naming the source. ``owner``: who writes (a digest
    of an API key): a source another owner wrote is Forbidden, and a new one becomes this owner's.
    ``most_removed``: the largest share of what the sources stated before this may remove
    (Unconfirmed otherwise); None for any. ``preview``: a dry run (``--dry-run``): everything is
    read, checked and resolved, what would change is told to it, and nothing is written.

    Returns counts of what was written: ``{"nodes": Counter(label), "relationships": Counter(type),
    "removed": Counter(facts=n, statements=n)}``; ``removed`` counts facts an earlier ingest of the
    same sources wrote that these no longer hold (deleted in the same transaction), and statements
    withdrawn from facts other sources still state (kept).
    """
    proposals = _Proposals(resolver) if resolver is not None else None
    try:
        written = _load(store, items, progress, proposals, replace, owner, most_removed, preview)
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


def _load(store: Store, items: Iterable[Item], progress: Progress, proposals: _Proposals | None,
          replace: bool, owner: str | None, most_removed: float | None,
          preview: graph.Preview | None = None) -> dict[str, Counter]:
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
    del items  # the read batches live on in nodes and edges only, until they are typed
    # A file that could not be read at all (missing, bad encoding, bad header) makes every
    # reference into it fail too: report the files first rather than a flood of follow-ons.
    unreadable = [p for p in problems if p.fatal]
    if unreadable:
        raise InvalidRecords(unreadable)
    total = sum(len(b.frame) for b in nodes) + sum(len(b.frame) for b in edges)
    tell(progress, f"read {sum(len(b.frame) for b in nodes)} node rows and {sum(len(b.frame) for b in edges)} relationship rows",
         stage="read", done=total, total=total)
    sources = _sources(nodes)
    stored = graph.stored_sources(store, sources)
    _check_owner(stored, owner)
    nodes = [_owned(batch, stored, owner) for batch in nodes]
    if not replace:
        problems += _clashing_sources(stored, nodes)
    checked = CheckedNodes(store.model, problems)
    # Resolution can change only organisations and the facts about them: the other nodes are
    # checked and handed over first (a first load copies them while organisations are resolved).
    held = [b for b in nodes if proposals is not None and b.label == ORGANISATION]
    ready = checked.add([b for b in nodes if proposals is None or b.label != ORGANISATION])
    del nodes
    with graph.writing(store, sources, progress, total, most_removed, preview) as write:
        _write_nodes(write, ready, problems)
        del ready
        resolved: list[Item] = [*held, *edges]
        held.clear()
        edges.clear()
        if proposals is not None:
            resolved = proposals.resolver.merge_certain(resolved)
            tell(progress, f"resolved {len(proposals.resolver.matches)} organisations into known ones", stage="resolve",
                 done=write.handed, total=total)
        _write_nodes(write, checked.add([b for b in resolved if isinstance(b, NodeBatch)]), problems)
        known = checked.finish()
        edges = [b for b in resolved if isinstance(b, EdgeBatch)]
        del resolved
        existing = {label: write.existing(label, ids) for label, ids in unknown_references(edges, known).items()}
        if proposals is not None:
            proposals.start()  # only now: earlier, it would slow the work the first COPY waits for
        for rel_type, from_label, to_label, frame in validate_edges(edges, known, existing, store.model, problems):
            if not problems:  # once anything is wrong, check the rest but write no more
                write.relationships(rel_type, from_label, to_label, frame.drop(columns=[ROW]))
        if problems:
            raise InvalidRecords(problems)  # the session then writes nothing
    return write.written


def _sources(nodes: list[NodeBatch]) -> list[str]:
    """The sources this ingest reads: every Source node it holds (each states its own facts)."""
    return sorted({s for batch in nodes if batch.label == "Source" for s in batch.frame["id"].dropna()})


def _check_owner(stored: dict[str, dict], owner: str | None) -> None:
    """Forbidden where a source this ingest would replace was written by another owner (an API key)."""
    if owner is None:
        return  # the command line: whoever runs it owns the store
    theirs = sorted(source for source, held in stored.items() if held.get("owner") and held["owner"] != owner)
    if theirs:
        raise Forbidden(f"{', '.join(theirs)} {'was' if len(theirs) == 1 else 'were'} written with another key: "
                        "only that key may replace or withdraw it; choose another name for this upload")


def _owned(batch: NodeBatch, stored: dict[str, dict], owner: str | None) -> NodeBatch:
    """Source rows keep who owns them: the owner already recorded, else the one writing now."""
    if batch.label != "Source":
        return batch
    owners = [(stored.get(source) or {}).get("owner") or owner for source in batch.frame["id"]]
    return replaced(batch, frame=batch.frame.assign(owner=pd.Series(owners, index=batch.frame.index, dtype=object)))


def _clashing_sources(stored: dict[str, dict], nodes: list[NodeBatch]) -> list[Problem]:
    """Sources whose names the store already holds for files read from another path.

    Two folders that happen to share a name (two councils' ``register``) must not replace each
    other's facts unless the person says so (``--replace``), or names one apart (``--source``).
    """
    if not stored:
        return []
    problems = []
    for batch in nodes:
        if batch.label != "Source" or "path" not in batch.frame:
            continue
        for source_id, path in zip(batch.frame["id"], batch.frame["path"]):
            held = stored.get(source_id)
            if held and held.get("path") and path and Path(str(held["path"])) != Path(str(path)):
                problems.append(Problem(
                    batch.file, None, "source", source_id,
                    f"the store already holds a source of this name, read from {held['path']}; ingesting this one "
                    "would replace its facts. Give this one its own name (--source NAME), or replace that one on "
                    "purpose (--replace)"))
    return problems


def _write_nodes(write: graph.Write, batches: list[NodeBatch], problems: list[Problem]) -> None:
    """Hand each label's checked rows to the write, once per label, unless something is already wrong."""
    by_label: dict[str, list[pd.DataFrame]] = {}
    for batch in batches:
        by_label.setdefault(batch.label, []).append(batch.frame.drop(columns=[ROW]))
    if problems:
        return
    for label, frames in by_label.items():
        write.nodes(label, pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])

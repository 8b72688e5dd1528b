"""Ingest files of one kind into a store, as every caller does it: the CLI, the API and the benchmark.

Read (with the graph's names for readers that match text), resolve organisations against
those already known, then :func:`ingest.load` (validate everything, write all or nothing).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import graph
from ingest import READERS, documents
from ingest import resolve as resolution
from ingest.load import load

# Readers that match text against what the graph already holds: they are given its names.
NEEDS_NAMES = frozenset({"documents"})
# Readers whose files share ids (lookups naming the same codes): several paths are one source.
TOGETHER = frozenset({"geography", "boundaries", "ons-partnerships"})


@dataclass
class Ingested:
    """What an ingest wrote, removed, and left for a person to decide."""

    counts: dict[str, Counter]
    matches: list = field(default_factory=list)

    @property
    def removed(self) -> int:
        return self.counts.get("removed", Counter())["facts"]

    @property
    def to_review(self) -> int:
        return sum(not m.certain for m in self.matches)


def ingest_paths(store: graph.Store, kind: str, paths: Sequence[str | Path], decisions: Path | None = None,
                 progress: Callable[[str], None] = lambda _: None) -> Ingested:
    """Read ``paths`` with the ``kind`` reader and write them to ``store``; InvalidRecords writes nothing."""
    reader = READERS[kind]
    if kind in NEEDS_NAMES:
        reader = functools.partial(reader, names=documents.NameIndex(graph.run_query(store, "document-names")))
    items = list(reader(list(paths))) if kind in TOGETHER else [item for path in paths for item in reader(path)]
    chosen = resolution.read_decisions(decisions) if decisions else None
    resolver = resolution.Resolver.from_store(store, chosen)
    counts = load(store, items, progress=progress, resolver=resolver)
    return Ingested(counts, resolver.matches)

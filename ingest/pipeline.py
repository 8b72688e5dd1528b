"""Ingest files of one kind into a store, as every caller does it: the CLI, the API and the benchmark.

Read (with the graph's names for readers that match text), resolve organisations against
those already known, then :func:`ingest.load` (validate everything, write all or nothing).
"""

from __future__ import annotations

import functools
import gc
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import graph
from ingest import READERS, documents
from ingest import resolve as resolution
from ingest.batches import ReadWarning, SetAside, Skipped
from ingest.load import load
from partnermap.errors import PartnermapError

# Readers that match text against what the graph already holds: they are given its names.
NEEDS_NAMES = frozenset({"documents"})
# Readers whose files share ids (lookups naming the same codes): several paths are one source.
TOGETHER = frozenset({"geography", "boundaries", "ons-partnerships", "moderngov"})
# Readers that can leave out an invalid record, and what hangs off it, when asked (--skip-invalid).
SKIPPING = frozenset({"openreferral", "360giving"})


@dataclass
class Ingested:
    """What an ingest wrote, removed, and left for a person to decide."""

    counts: dict[str, Counter]
    matches: list = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    preview: dict | None = None  # a dry run's report (graph.Preview.report); nothing was written

    @property
    def removed(self) -> int:
        return self.counts.get("removed", Counter())["facts"]

    @property
    def to_review(self) -> int:
        return sum(not m.certain for m in self.matches)


def ingest_paths(store: graph.Store, kind: str, paths: Sequence[str | Path], decisions: Path | None = None,
                 progress: Callable[[str], None] = lambda _: None, source: str | None = None,
                 replace: bool = False, owner: str | None = None, most_removed: float | None = None,
                 skip_invalid: bool = False, options: dict | None = None, dry_run: bool = False) -> Ingested:
    """Read ``paths`` with the ``kind`` reader and write them to ``store``; InvalidRecords writes nothing.

    ``source``: the name of the dataset the files are (their sources' ids take it); without it each
    reader names it from the folder or file. A stored source of the same name read from another
    path is replaced only with ``replace`` (otherwise a problem says so and nothing is written).
    ``owner`` and ``most_removed``: see :func:`ingest.load` (the API's uploads set both).
    ``skip_invalid`` (readers in ``SKIPPING``): records the reader finds invalid are left out, with
    what hangs off them, and listed in ``Ingested.skipped``; the valid ones are written, all or nothing.
    ``options``: the reader's own keyword arguments (``council=`` for ModernGov).
    ``dry_run``: read, check and resolve, and write nothing; ``Ingested.preview`` says what would change.
    """
    if skip_invalid and kind not in SKIPPING:
        raise PartnermapError(f"the {kind} reader cannot skip invalid records: it reads all or nothing "
                              f"(skipping works with {', '.join(sorted(SKIPPING))})")
    with _collector_paused():
        return _ingest(store, kind, paths, decisions, progress, source, replace, owner, most_removed, skip_invalid,
                       options or {}, dry_run)


def _ingest(store: graph.Store, kind: str, paths: Sequence[str | Path], decisions: Path | None,
            progress: Callable[[str], None], source: str | None, replace: bool, owner: str | None,
            most_removed: float | None, skip_invalid: bool, options: dict, dry_run: bool = False) -> Ingested:
    reader = functools.partial(READERS[kind], **options) if options else READERS[kind]
    if source:
        reader = functools.partial(reader, dataset=source)
    if kind in NEEDS_NAMES:
        reader = functools.partial(reader, names=documents.NameIndex(graph.run_query(store, "document-names"),
                                                                     territories=graph.run_query(store, "territory-parents")))
    if skip_invalid:
        reader = functools.partial(reader, skip_invalid=True)
    # Handed over unread: load() keeps the read batches no longer than it needs them (memory).
    items = reader(list(paths)) if kind in TOGETHER else (item for path in paths for item in reader(path))
    aside = SetAside(items)
    chosen = resolution.read_decisions(decisions) if decisions else None
    resolver = resolution.Resolver.from_store(store, chosen)
    preview = graph.Preview() if dry_run else None
    counts = load(store, aside, progress=progress, resolver=resolver, replace=replace, owner=owner,
                  most_removed=None if dry_run else most_removed, preview=preview)
    if aside.skipped:
        progress(f"skipped {len(aside.skipped)} invalid records")
    return Ingested(counts, resolver.matches, aside.warnings, aside.skipped,
                    preview.report() if preview is not None else None)


_pauses = 0  # ingests running now; the collector is held off while any is
_resume = True  # whether the collector was on when the first of them began
_pauses_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while an ingest runs.

    Reading and resolving a national register allocates millions of objects, and every 700
    allocations the collector walks them all again: measured, reading took 4.7 s with it and
    3.8 s without, resolving 1.7 s and 1.1 s. Counted, so overlapping ingests (the API's
    uploads run in threads) turn it back on only when the last one ends.
    """
    global _pauses, _resume
    with _pauses_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()

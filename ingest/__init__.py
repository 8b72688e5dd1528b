"""Readers turn files into batches; :func:`load` validates them and writes them to a store.

``READERS`` is the one table of readers: adding a format means adding one module
with ``read(source) -> Iterator[Item]`` and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ingest import register
from ingest import rdf
from ingest import openreferral
from ingest import giving
from ingest import documents
from ingest import geography, boundaries, ons
from ingest import moderngov
from ingest import popolo
from ingest.batches import EdgeBatch, Item, NodeBatch, SetAside, guarded
from ingest.load import load as _load

READERS: dict[str, Callable[[str | Path], Iterator[Item]]] = {kind: guarded(read) for kind, read in {
    "register": register.read,
    "rdf": rdf.read,
    "openreferral": openreferral.read,
    "360giving": giving.read,
    "documents": documents.read,  # the CLI passes names=… (what the graph holds) to match against
    "geography": geography.read, "boundaries": boundaries.read, "ons-partnerships": ons.read,  # each takes several paths at once
    "moderngov": moderngov.read,  # several answers of one site at once; the CLI passes council=… where the files do not say
    "popolo": popolo.read,
}.items()}  # guarded: a failure no reader foresaw is still a Problem naming the file, never a traceback



def load(store, items, *args, **options):
    """:func:`ingest.load.load` (validate all, write all or nothing) on a reader's batches and problems.

    Its warnings and skipped records are set aside: :func:`ingest.pipeline.ingest_paths` reports them.
    """
    return _load(store, SetAside(items), *args, **options)


__all__ = ["READERS", "EdgeBatch", "Item", "NodeBatch", "load"]

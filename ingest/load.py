"""Write validated batches into a store: all of it in one transaction, or nothing.

This is the one function every reader's output goes through. It validates
everything first (collecting every problem), then upserts nodes and relationships
through the store's bulk path (MERGE on ids, so ingesting twice changes nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import pandas as pd

from graph import Store
from ingest.batches import ROW, EdgeBatch, Item, NodeBatch
from ingest.validate import validate
from partnermap.errors import InvalidRecords, Problem


def load(store: Store, items: Iterable[Item], progress: Callable[[str], None] = lambda _: None) -> dict[str, Counter]:
    """Validate and write a reader's output; InvalidRecords (nothing written) on any problem.

    Returns counts of what was written: ``{"nodes": Counter(label), "relationships": Counter(type)}``.
    """
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
    progress(f"read {sum(len(b.frame) for b in nodes)} node rows and {sum(len(b.frame) for b in edges)} relationship rows")
    typed_nodes, edge_groups = validate(nodes, edges, store, problems)
    if problems:
        raise InvalidRecords(problems)

    by_label: dict[str, list[pd.DataFrame]] = {}
    for batch in typed_nodes:
        by_label.setdefault(batch.label, []).append(batch.frame.drop(columns=[ROW]))
    written: dict[str, Counter] = {"nodes": Counter(), "relationships": Counter()}
    with store.transaction():
        for label, frames in by_label.items():
            frame = pd.concat(frames).drop_duplicates("id")
            written["nodes"][label] += store.upsert_nodes(label, frame)
            progress(f"wrote {len(frame)} {label} nodes")
        for rel_type, from_label, to_label, frame in edge_groups:
            written["relationships"][rel_type] += store.upsert_relationships(
                rel_type, from_label, to_label, frame.drop(columns=[ROW])
            )
            progress(f"wrote {len(frame)} {rel_type} relationships ({from_label} → {to_label})")
    return written

"""Organisations as entity resolution needs them: the few that share a match key with an ingest's own.

A national store holds 50,000 organisations; a county's register names a hundred. Reading every
one with its names costs a second; reading only their keys as columns and matching them in Arrow
costs a few dozen milliseconds (``list_has_any`` over the same column took 0.6 to 1.2 s).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graph.queries import get_query
from graph.store import Store


def sharing_keys(store: Store, keys: list[str]) -> list[dict[str, Any]]:
    """The organisations whose ``match_keys`` include any of ``keys`` (id, name, sector, aliases, identifiers)."""
    if not keys:
        return []
    held = store.table(get_query("organisation-keys").render(store.dialect))
    if held.num_rows == 0:
        return []
    lists = held.column("match_keys").combine_chunks()
    if not pa.types.is_list(lists.type):  # every value null: no keys to match
        return []
    hit = pc.is_in(pc.list_flatten(lists), value_set=pa.array(sorted(set(keys)), type=pa.string()))
    rows = pc.unique(pc.list_parent_indices(lists).filter(hit))
    ids = held.column("id").take(rows).to_pylist()
    if not ids:
        return []
    query = get_query("organisations-by-id")
    return store.run(query.render(store.dialect), {"ids": ids})

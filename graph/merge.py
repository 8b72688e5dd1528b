"""Merge two organisation nodes already in the store into one, keeping every fact's provenance.

``partnermap resolve --apply`` calls :func:`merge_organisations` for each accepted pair.
Relationships are read with their properties, deleted and written again from the kept
node through the store's upsert (so their sources and statements travel with them); edge ids
that embed the dropped id are re-pointed with :func:`ontology.ids.repointed`, the same rule
ingest-time resolution uses, so re-ingesting the dropped node's source changes nothing. A
fact both nodes had (the same re-pointed id) keeps the statements of both; so does the kept
node, which gains the dropped node's statements after its own.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from graph.facts import PROVENANCE, shown, statements_of
from graph.schema import quoted
from graph.store import Store
from ontology import Model, own_properties
from ontology.ids import repointed
from partnermap.errors import NotFound

ORGANISATION = "Organisation"


def _repointed(edge_id: str, start: str, end: str, drop: str, keep: str) -> str:
    """An edge's id once its ends that were ``drop`` are ``keep``."""
    if start == drop:
        edge_id = repointed(edge_id, "from", drop, keep)
    if end == drop:
        edge_id = repointed(edge_id, "to", drop, keep)
    return edge_id


def _organisation_edges(model: Model) -> list[tuple[str, str, str]]:
    """(type, from label, to label) of every relationship an organisation can take part in."""
    return [
        (rel.name, a, b) for rel in model.relationships.values() for a, b in rel.endpoints if ORGANISATION in (a, b)
    ]


def edges_statement(model: Model, rel_type: str, from_label: str, to_label: str, node: str) -> str:
    """Read the relationships of ``$id`` (as ``node``: 'from' or 'to') with every model property."""
    rel = model.relationship(rel_type)
    pattern = _pattern(rel_type, from_label, to_label, node)
    columns = ", ".join(f"r.{quoted(p)} AS {quoted(p)}" for p in rel.properties)
    return f"MATCH {pattern} RETURN a.id AS from_id, b.id AS to_id, {columns}"


def delete_statement(rel_type: str, from_label: str, to_label: str, node: str) -> str:
    """Delete the relationships of ``$id`` (as ``node``) of one type between two labels."""
    return f"MATCH {_pattern(rel_type, from_label, to_label, node)} DELETE r"


def _pattern(rel_type: str, from_label: str, to_label: str, node: str) -> str:
    a = f"(a:{quoted(from_label)}" + (" {id: $id})" if node == "from" else ")")
    b = f"(b:{quoted(to_label)}" + (" {id: $id})" if node == "to" else ")")
    return f"{a}-[r:{quoted(rel_type)}]->{b}"


NODE_STATEMENT = (f"MATCH (n:{quoted(ORGANISATION)} {{id: $id}}) RETURN "
                  + ", ".join(f"n.{quoted(p)} AS {quoted(p)}" for p in ("name", "sector", "aliases", "identifiers", "url",
                                                                      *PROVENANCE)))
DELETE_NODE_STATEMENT = f"MATCH (n:{quoted(ORGANISATION)} {{id: $id}}) DETACH DELETE n"


def merge_organisations(store: Store, keep: str, drop: str) -> dict[str, int]:
    """Move every relationship of ``drop`` to ``keep``, record the merge on ``keep``, delete ``drop``.

    Returns ``{"moved": n, "duplicates": n}``: a fact ``keep`` already states (same rebuilt id) is kept
    as it is and ``drop``'s copy counted as a duplicate. NotFound if either node is missing.
    """
    if keep == drop:
        return {"moved": 0, "duplicates": 0}
    with store.transaction():
        kept, dropped = store.run(NODE_STATEMENT, {"id": keep}), store.run(NODE_STATEMENT, {"id": drop})
        for node_id, found in ((keep, kept), (drop, dropped)):
            if not found:
                raise NotFound(f"no organisation with id {node_id!r} in the store")
        moved = duplicates = 0
        rows_by_group: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for rel_type, a, b in _organisation_edges(store.model):
            for node in ("from", "to"):
                if (a if node == "from" else b) != ORGANISATION:
                    continue
                rows = store.run(edges_statement(store.model, rel_type, a, b, node), {"id": drop})
                if rows:
                    store.run(delete_statement(rel_type, a, b, node), {"id": drop})
                    group = rows_by_group.setdefault((rel_type, a, b), [])
                    group.extend(row for row in rows if row["id"] not in {r["id"] for r in group})  # a self-loop is read twice
        for (rel_type, a, b), rows in rows_by_group.items():
            frame = pd.DataFrame(rows)
            frame["id"] = [_repointed(edge_id, start, end, drop, keep)
                           for edge_id, start, end in zip(frame["id"], frame["from_id"], frame["to_id"])]
            for column in ("from_id", "to_id"):
                frame[column] = frame[column].where(frame[column] != drop, keep)
            held = {}
            for node in ("from", "to"):
                if (a if node == "from" else b) == ORGANISATION:
                    held.update({row["id"]: row for row in store.run(edges_statement(store.model, rel_type, a, b, node), {"id": keep})})
            own = own_properties(store.model.relationship(rel_type).properties)
            written = []
            for row in frame.drop_duplicates("id").to_dict("records"):
                if row["id"] in held:  # a fact both had: one fact, every statement kept
                    duplicates += 1
                    mine = statements_of(held[row["id"]], own)
                    row = {**row, **shown(mine + [s for s in statements_of(row, own) if s[0] not in {m[0] for m in mine}], own)}
                else:
                    moved += 1
                written.append(row)
            store.upsert_relationships(rel_type, a, b, pd.DataFrame(written))
        kept_node, dropped_node = kept[0], dropped[0]
        aliases = list(kept_node["aliases"] or [])
        for name in [dropped_node["name"], *(dropped_node["aliases"] or [])]:
            if name and name != kept_node["name"] and name not in aliases:
                aliases.append(name)
        identifiers = list(kept_node["identifiers"] or [])
        for identifier in [*(dropped_node["identifiers"] or []), f"merged:{drop}"]:
            if identifier not in identifiers:
                identifiers.append(identifier)
        own = own_properties(store.model.label(ORGANISATION).properties)
        mine = statements_of(kept_node, own)
        theirs = [s for s in statements_of(dropped_node, own) if s[0] not in {m[0] for m in mine}]
        record = {**kept_node, **(shown(mine + theirs, own) if mine + theirs else {}),
                  "aliases": aliases or [kept_node["name"]], "identifiers": identifiers}
        record.update({name: kept_node[name] for name in ("name", "sector")})  # the kept node is named as it was
        store.upsert_nodes(ORGANISATION, pd.DataFrame([{"id": keep, **record}]))
        store.run(DELETE_NODE_STATEMENT, {"id": drop})
    return {"moved": moved, "duplicates": duplicates}

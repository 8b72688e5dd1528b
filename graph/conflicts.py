"""Facts whose sources disagree: every value each source gives, beside the one shown.

Only facts several sources state keep what each says (``statements``, see :mod:`graph.facts`),
so only those are read: one query per label and per relationship type, each matching the few
facts with statements. Runs as the named query ``conflicts``.
"""

from __future__ import annotations

from typing import Any

from graph.facts import _plain, disagreements
from graph.schema import quoted
from graph.store import Store
from ontology import own_properties
from partnermap.errors import QueryError


def nodes_with_statements(label: str) -> str:
    """Nodes of ``label`` that several sources state, with what each says."""
    return (f"MATCH (n:{quoted(label)}) WHERE n.statements IS NOT NULL "
            "RETURN n.id AS id, n.name AS about, n.statements AS statements, n.source AS source, n.source_row AS source_row")


def relationships_with_statements(rel_type: str) -> str:
    """Relationships of one type that several sources state, with their ends' names and what each source says."""
    return (f"MATCH (a)-[r:{quoted(rel_type)}]->(b) WHERE r.statements IS NOT NULL "
            "RETURN r.id AS id, a.name + ' → ' + b.name AS about, r.statements AS statements, "
            "r.source AS source, r.source_row AS source_row")


def conflicts(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (fact, property, source) where sources disagree; the shown value is flagged."""
    model = store.model
    wanted = params.get("kind") or ""
    kinds = [(name, nodes_with_statements(name), model.label(name).properties) for name in model.labels] + \
            [(name, relationships_with_statements(name), model.relationship(name).properties) for name in model.relationships]
    if wanted and wanted not in {name for name, _, _ in kinds}:
        raise QueryError(f"no label or relationship type {wanted!r}; the model has "
                         f"{', '.join(name for name, _, _ in kinds)}")
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for name, statement, properties in kinds:
        if wanted and name != wanted:
            continue
        own = own_properties(properties)
        for row in store.run(statement):
            for disagreement in disagreements(row, own):
                found.append((name, row, disagreement))
    found.sort(key=lambda item: (item[0], str(item[1]["id"]), item[2]["property"]))
    limit = params.get("limit") or 0
    if limit:
        found = found[:limit]
    sources = sorted({value["source"] for _, _, d in found for value in d["values"]})
    stated = {row["id"]: row["ingested_at"] for row in store.run(
        f"MATCH (s:{quoted('Source')}) WHERE s.id IN $ids RETURN s.id AS id, s.ingested_at AS ingested_at",
        {"ids": sources})} if sources else {}
    rows = []
    for name, row, disagreement in found:
        for position, value in enumerate(disagreement["values"]):
            rows.append({
                "kind": name, "id": row["id"], "about": row["about"], "property": disagreement["property"],
                "value": _plain(value["value"]), "shown": position == 0, "source": value["source"],
                "source_row": value["row"], "stated_at": stated.get(value["source"]),
            })
    return rows

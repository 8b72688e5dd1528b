"""The graph store over two real engines, and the named queries that read it.

``ENGINES`` is the one table of implementations: the embedded default (ladybug,
on disk, no server) and Neo4j (official driver). Everything above the store calls
:func:`open_store`, :func:`run_query` and :func:`stats`; nothing outside this
package imports an engine's own package.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.analyses import ANALYSES, Analysis
from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.queries import NamedQuery, Param, get_query, load_queries, render_embedded
from graph.schema import embedded_ddl, neo4j_constraints, quoted
from graph.store import Store
from graph.write import Write, stored_sources, withdraw, writing
from ontology import Model, concept_id

ENGINES: dict[str, type[Store]] = {"embedded": EmbeddedStore, "neo4j": Neo4jStore}


def open_store(
    db: str | Path = "data/graph",
    neo4j_uri: str | None = None,
    neo4j_user: str = "neo4j",
    neo4j_password: str = "",
    neo4j_database: str = "neo4j",
    read_only: bool = False,
) -> Store:
    """Neo4j when a URI is given, else the embedded store at ``db`` (``read_only``: shared with other readers)."""
    if neo4j_uri:
        return ENGINES["neo4j"](neo4j_uri, neo4j_user, neo4j_password, neo4j_database)
    return ENGINES["embedded"](db, read_only=read_only)


# Parameters a query may ask for with ``@context``: filled from the model, never from the user.
HEALTH_AND_PROBATION = ("nhs", "probation")
CONTEXT: dict[str, Callable[[Model], Any]] = {
    "theme_sectors": lambda model: [
        {"theme": concept_id(theme), "sector": sector}
        for theme, sectors in model.theme_sectors.items()
        for sector in sectors
    ],
    "linked_themes": lambda model: [
        concept_id(theme) for theme, sectors in model.theme_sectors.items() if set(sectors) & set(HEALTH_AND_PROBATION)
    ],
    "target_sectors": lambda model: list(HEALTH_AND_PROBATION),
}


def run_query(store: Store, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run a named query (a Cypher file, or a network analysis) with checked, typed parameters."""
    if name in ANALYSES:
        analysis = ANALYSES[name]
        return analysis.run(store, analysis.bind(params or {}))
    query = get_query(name)
    bound = query.bind(params or {})
    bound.update({key: CONTEXT[key](store.model) for key in query.context})
    rows = store.run(query.render(store.dialect), bound)
    for column in query.flatten:
        for row in rows:
            row[column] = [item for part in row.get(column) or [] for item in (part or [])]
    if query.order:
        rows.sort(key=lambda row: tuple(_sort_key(row.get(column)) for column in query.order))
    return rows


def query_names() -> list[str]:
    """Every name ``run_query`` accepts: the Cypher files, then the network analyses."""
    return [*load_queries(), *ANALYSES]


def describe(name: str) -> tuple[str, tuple[Param, ...]]:
    """A query's description and declared parameters (NotFound if there is none by that name)."""
    if name in ANALYSES:
        return ANALYSES[name].description, ANALYSES[name].params
    query = get_query(name)
    return query.description, query.params


def _sort_key(value: Any) -> tuple[int, Any]:
    # None sorts first and never compares with a value of another type.
    return (0, "") if value is None else (1, value if isinstance(value, (int, float)) else str(value))


def stats(store: Store) -> dict[str, dict[str, int]]:
    """Node counts per label and relationship counts per type, as ``partnermap stats`` prints."""
    model = store.model
    nodes = {
        label: store.run(f"MATCH (n:{quoted(label)}) RETURN count(n) AS n")[0]["n"] for label in model.labels
    }
    relationships = {
        rel: store.run(f"MATCH ()-[r:{quoted(rel)}]->() RETURN count(r) AS n")[0]["n"]
        for rel in model.relationships
    }
    return {"nodes": nodes, "relationships": relationships}


__all__ = [
    "ANALYSES",
    "Analysis",
    "CONTEXT",
    "ENGINES",
    "EmbeddedStore",
    "NamedQuery",
    "Neo4jStore",
    "Param",
    "Store",
    "describe",
    "embedded_ddl",
    "get_query",
    "load_queries",
    "neo4j_constraints",
    "open_store",
    "query_names",
    "quoted",
    "render_embedded",
    "run_query",
    "stats",
    "stored_sources",
    "withdraw",
    "Write",
    "writing",
]

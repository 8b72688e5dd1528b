"""The graph store over two real engines, and the named queries that read it.

``ENGINES`` is the one table of implementations: the embedded default (ladybug,
on disk, no server) and Neo4j (official driver). Everything above the store calls
:func:`open_store`, :func:`run_query` and :func:`stats`; nothing outside this
package imports an engine's own package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.queries import NamedQuery, Param, get_query, load_queries, render_embedded
from graph.schema import embedded_ddl, neo4j_constraints, quoted
from graph.store import Store

ENGINES: dict[str, type[Store]] = {"embedded": EmbeddedStore, "neo4j": Neo4jStore}


def open_store(
    db: str | Path = "data/graph",
    neo4j_uri: str | None = None,
    neo4j_user: str = "neo4j",
    neo4j_password: str = "",
    neo4j_database: str = "neo4j",
) -> Store:
    """Neo4j when a URI is given, else the embedded store at ``db``."""
    if neo4j_uri:
        return ENGINES["neo4j"](neo4j_uri, neo4j_user, neo4j_password, neo4j_database)
    return ENGINES["embedded"](db)


def run_query(store: Store, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run the named query on ``store`` in its dialect, with checked, typed parameters."""
    query = get_query(name)
    rows = store.run(query.render(store.dialect), query.bind(params or {}))
    if query.order:
        rows.sort(key=lambda row: tuple(_sort_key(row.get(column)) for column in query.order))
    return rows


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
    "ENGINES",
    "EmbeddedStore",
    "NamedQuery",
    "Neo4jStore",
    "Param",
    "Store",
    "embedded_ddl",
    "get_query",
    "load_queries",
    "neo4j_constraints",
    "open_store",
    "render_embedded",
    "run_query",
    "stats",
]

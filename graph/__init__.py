"""The graph store over two real engines, and the named queries that read it.

``ENGINES`` is the one table of implementations: the embedded default (ladybug,
on disk, no server) and Neo4j (official driver). Everything above the store calls
:func:`open_store`, :func:`run_query` and :func:`stats`; nothing outside this
package imports an engine's own package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph import budget
from graph.analyses import ANALYSES, Analysis
from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.queries import NamedQuery, Param, get_query, load_queries, render_embedded
from graph.schema import embedded_ddl, neo4j_constraints, quoted
from graph.store import Store
from graph.write import Write, stored_sources, withdraw, writing
from graph.preview import Preview
from ontology import Model, concept_id
from partnermap.errors import NotFound, QueryError

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


def run_query(store: Store, name: str, params: dict[str, Any] | None = None,
              max_rows: int | None = None) -> list[dict[str, Any]]:
    """Run a named query (a Cypher file, or a network analysis) with checked, typed parameters.

    With ``max_rows``, an answer of more rows is refused (QueryError) and the engine stops
    after ``max_rows + 1`` rows of each part of the query rather than building all of it.
    """
    if name in ANALYSES:
        analysis = ANALYSES[name]
        return _at_most(name, analysis.run(store, analysis.bind(params or {})), max_rows)
    query = get_query(name)
    return _run_bound(store, query, query.bind(params or {}), max_rows)


def _run_bound(store: Store, query: NamedQuery, bound: dict[str, Any], max_rows: int | None) -> list[dict[str, Any]]:
    bound.update({key: CONTEXT[key](store.model) for key in query.context})
    if max_rows is None:
        rows = store.run(query.render(store.dialect), bound)
    else:
        rows = store.run(query.render_capped(store.dialect, ROW_CAP), {**bound, ROW_CAP: max_rows + 1})
    rows = _flattened(query, _at_most(query.name, rows, max_rows))
    if query.order:
        budget.check()
        rows.sort(key=lambda row: tuple(_sort_key(row.get(column)) for column in query.order))
    return rows


def _flattened(query: NamedQuery, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for column in query.flatten:
        for row in rows:
            row[column] = [item for part in row.get(column) or [] for item in (part or [])]
    return rows


def _at_most(name: str, rows: list[dict[str, Any]], max_rows: int | None) -> list[dict[str, Any]]:
    if max_rows is not None and len(rows) > max_rows:
        raise QueryError(f"query {name!r} answers more than {max_rows:,} rows, more than is paged through; "
                         "narrow it with its parameters (a territory, a theme, a threshold)")
    return rows


# Paging through a named query (the API's /queries/{name}): rows offset .. offset + limit.
PAGE_LIMIT = Param("limit", "int", "100", False, "most rows to return (0: the default)", 0, 1000)
OFFSET = Param("offset", "int", "0", False, "rows to skip", 0, 10_000)
# The most rows a query without a limit of its own may answer to be paged through; the engine is
# stopped past it. Coverage of all England answered 265,000 rows and held 300 MB doing so.
ANSWER_ROWS = 50_000
ROW_CAP = "row_cap"  # the engine-side cap's parameter (never a query's own)
PAGE_SKIP, PAGE_ROWS = "page_skip", "page_rows"  # the engine-side page's parameters


@dataclass(frozen=True)
class Page:
    """One page of a query's answer: its rows, whether more follow, and the whole answer's size when known."""

    rows: list[dict[str, Any]]
    limit: int
    offset: int
    more: bool
    total: int | None  # None for a query with a limit of its own: it stops at the page and never counts the rest


def paging_params(name: str) -> tuple[Param, ...]:
    """The parameters :func:`run_page` takes for a query: its own, then ``limit`` (if not its own) and ``offset``."""
    _, params = describe(name)
    own = {p.name for p in params}
    return (*params, *(p for p in (PAGE_LIMIT, OFFSET) if p.name not in own))


def run_page(store: Store, name: str, params: dict[str, Any] | None = None) -> Page:
    """Rows ``offset`` to ``offset + limit`` of a named query (``limit`` and ``offset`` among ``params``).

    A query with a ``limit`` of its own (the top-N diagnostics) is asked for the rows up to the
    page's end and no more; one ordered by its own ORDER BY is paged by the engine (SKIP and
    LIMIT); any other is read whole, at most :data:`ANSWER_ROWS` rows, ordered, and cut. Both
    numbers are checked: ``limit`` 0..1000 (0: the query's default), ``offset`` at most 10,000.
    """
    _, declared = describe(name)
    if name not in ANALYSES and get_query(name).internal:
        raise NotFound(f"query {name!r} is not served a page at a time: its rows have no bound on their size "
                       "(the CLI runs it)")
    given = dict(params or {})
    offset = OFFSET.coerce(given.pop(OFFSET.name, None) or 0)
    own_limit = next((p for p in declared if p.name == "limit"), None)
    if own_limit is None:
        limit = PAGE_LIMIT.coerce(given.pop("limit", None) or 0)
        query = None if name in ANALYSES else get_query(name)
        paged = query.render_paged(store.dialect, PAGE_SKIP, PAGE_ROWS) if query else None
        if paged is None:  # read whole (at most ANSWER_ROWS), ordered here, then cut
            rows = run_query(store, name, given, max_rows=ANSWER_ROWS)
            return Page(rows[offset:offset + limit], limit, offset, len(rows) > offset + limit, len(rows))
        # Ordered by the query itself: the engine skips to the page and stops after it (+1: is there more?).
        bound = query.bind(given)
        bound.update({key: CONTEXT[key](store.model) for key in query.context})
        rows = _flattened(query, store.run(paged, {**bound, PAGE_SKIP: offset, PAGE_ROWS: limit + 1}))
        return Page(rows[:limit], limit, offset, len(rows) > limit, None)
    # The query's own limit, checked as the client gave it, then widened to the page's end (+1: is there more?).
    if name in ANALYSES:
        analysis = ANALYSES[name]
        bound = analysis.bind(given)
        limit, bound["limit"] = bound["limit"], offset + bound["limit"] + 1
        rows = analysis.run(store, bound)
    else:
        query = get_query(name)
        bound = query.bind(given)
        limit, bound["limit"] = bound["limit"], offset + bound["limit"] + 1
        rows = _run_bound(store, query, bound, None)
    return Page(rows[offset:offset + limit], limit, offset, len(rows) > offset + limit, None)


def query_names() -> list[str]:
    """Every name ``run_query`` accepts: the Cypher files, then the network analyses."""
    return [*load_queries(), *ANALYSES]


def served_query_names() -> list[str]:
    """The names :func:`run_page` serves: all but the ``@internal`` queries (rows of unbounded size)."""
    return [name for name in query_names() if name in ANALYSES or not get_query(name).internal]


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
    "ANSWER_ROWS",
    "Analysis",
    "CONTEXT",
    "ENGINES",
    "EmbeddedStore",
    "NamedQuery",
    "Neo4jStore",
    "OFFSET",
    "PAGE_LIMIT",
    "Page",
    "Param",
    "Preview",
    "Store",
    "budget",
    "describe",
    "embedded_ddl",
    "get_query",
    "load_queries",
    "neo4j_constraints",
    "open_store",
    "paging_params",
    "query_names",
    "quoted",
    "render_embedded",
    "run_page",
    "served_query_names",
    "run_query",
    "stats",
    "stored_sources",
    "withdraw",
    "Write",
    "writing",
]

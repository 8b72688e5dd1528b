"""Named queries: list them with their parameters, and run one by name (never Cypher)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

import graph
from api.deps import StoreDep
from api.errors import ERROR_RESPONSES
from api.models import QueryInfo, QueryParam, QueryResult
from partnermap.errors import QueryError

router = APIRouter(prefix="/queries", tags=["queries"], responses=ERROR_RESPONSES)


def _info(name: str) -> QueryInfo:
    description, params = graph.describe(name)
    return QueryInfo(
        name=name,
        description=description,
        params=[
            QueryParam(name=p.name, type=p.type, default=None if p.default is None else str(p.default),
                       required=p.required, description=p.description)
            for p in params
        ],
    )


@router.get("", response_model=list[QueryInfo])
def list_queries() -> list[QueryInfo]:
    """Every named query with what it answers and its parameters."""
    return [_info(name) for name in graph.query_names()]


@router.get("/{name}", response_model=QueryResult)
def run_named_query(
    store: StoreDep, request: Request, name: Annotated[str, Path(min_length=1, max_length=100)]
) -> QueryResult:
    """Run the named query with the query string as its parameters (unknown parameters are a 400)."""
    graph.describe(name)  # NotFound (404) before anything else for a name that is not a query
    params: dict[str, str | list[str]] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        if len(values) > 1:
            raise QueryError(f"parameter {key!r} was given {len(values)} times; give it once (lists: a,b,c)")
        params[key] = values[0]
    rows = graph.run_query(store, name, params)
    return QueryResult(name=name, total=len(rows), rows=rows)

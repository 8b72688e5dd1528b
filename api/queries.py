"""Named queries: list them with their parameters, and run one by name (never Cypher), a page at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

import graph
from api.deps import StoreDep
from api.errors import ERROR_RESPONSES
from api.models import QueryInfo, QueryParam, QueryResult
from partnermap.errors import QueryError

router = APIRouter(prefix="/queries", tags=["queries"], responses=ERROR_RESPONSES)


def _info(name: str) -> QueryInfo:
    description, _ = graph.describe(name)
    return QueryInfo(
        name=name,
        description=description,
        params=[
            QueryParam(name=p.name, type=p.type, default=None if p.default is None else str(p.default),
                       required=p.required, description=p.description,
                       least=_shown(p.bounds()[0]), greatest=_shown(p.bounds()[1]))
            for p in graph.paging_params(name)
        ],
    )


def _shown(bound: object) -> str | None:
    return None if bound is None else str(bound)


@router.get("", response_model=list[QueryInfo])
def list_queries() -> list[QueryInfo]:
    """Every named query served here with what it answers and its parameters (with their ranges)."""
    return [_info(name) for name in graph.served_query_names()]


@router.get("/{name}", response_model=QueryResult)
def run_named_query(
    store: StoreDep,
    request: Request,
    name: Annotated[str, Path(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=0, le=graph.PAGE_LIMIT.high,
                                description="Most rows to return, at most 1000 (0: the query's default: its own "
                                            "limit's, else 100).")] = 0,
    offset: Annotated[int, Query(ge=0, le=graph.OFFSET.high, description="Rows to skip, at most 10,000.")] = 0,
) -> QueryResult:
    """Run the named query with the rest of the query string as its parameters (unknown ones are a 400).

    Each parameter is checked against its declared range (``GET /queries`` lists them). A query
    without a limit of its own answering more than 50,000 rows is refused with 400: narrow it.
    """
    graph.describe(name)  # NotFound (404) before anything else for a name that is not a query
    params: dict[str, str | list[str]] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        if len(values) > 1:
            raise QueryError(f"parameter {key!r} was given {len(values)} times; give it once (lists: a,b,c)")
        params[key] = values[0]
    params.update({"limit": limit, "offset": offset})
    page = graph.run_page(store, name, params)
    return QueryResult(name=name, limit=page.limit, offset=page.offset, more=page.more, total=page.total, rows=page.rows)

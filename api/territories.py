"""Territories: search by name or code, one territory with its parents and children, and coverage.

Every answer here comes from the in-memory coverage index (:mod:`graph.coverage`), rebuilt
after each write, so a lookup costs microseconds rather than a PART_OF walk per request.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import AsOfDep, PageDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.models import CoveragePage, Territory, TerritoryDetail, TerritoryPage
from graph.coverage import CoverageIndex, KINDS

router = APIRouter(prefix="/territories", tags=["territories"], responses=ERROR_RESPONSES)

Code = Annotated[str, Path(description="GSS code, e.g. E07000129", min_length=1, max_length=64)]


def coverage_index(request: Request, store: StoreDep) -> CoverageIndex:
    """The app's coverage index for its store, as the store is now."""
    return request.app.state.coverage.get(store)


def _territory(index: CoverageIndex, code: str) -> Territory:
    known = index.territory(code)
    return Territory(code=known.code, name=known.name, level=known.level,
                     parent=known.parents[0] if known.parents else None)


@router.get("", response_model=TerritoryPage)
def search_territories(
    request: Request,
    store: StoreDep,
    page: PageDep,
    q: Annotated[str, Query(description="Part of a name or code, any case.", max_length=200)] = "",
) -> dict:
    """Territories whose name or code contains ``q`` (all when empty), by code."""
    index = coverage_index(request, store)
    needle = q.strip().casefold()
    codes = sorted(
        code for code, t in index.territories.items()
        if needle in code.casefold() or needle in (t.name or "").casefold()
    )
    result = page.slice(codes)
    result["items"] = [_territory(index, code) for code in result["items"]]
    return result


@router.get("/{code}", response_model=TerritoryDetail)
def get_territory(request: Request, store: StoreDep, code: Code) -> TerritoryDetail:
    """One territory, the chain it lies inside (nearest first) and the territories directly inside it."""
    index = coverage_index(request, store)
    territory = _territory(index, code)
    parents = [_territory(index, parent) for parent in index.ancestors(code) if parent in index]
    children = [_territory(index, child) for child in index.children(code)]
    return TerritoryDetail(**territory.model_dump(), parents=parents, children=children)


@router.get("/{code}/coverage", response_model=CoveragePage)
async def territory_coverage(
    request: Request,
    store: StoreDep,
    code: Code,
    page: PageDep,
    as_of: AsOfDep,
    kind: Annotated[str, Query(description=f"Only this kind: {', '.join(KINDS)} (any case).", max_length=64)] = "",
    theme: Annotated[str, Query(description="Only things on this theme (name or id, any case).", max_length=200)] = "",
    client_group: Annotated[str, Query(description="Only services for this client group (name or id, any case).",
                                       max_length=200)] = "",
) -> Response:
    """Everything covering the territory itself, a territory it lies in, or one inside it.

    Each item says the territory it came through (``via``) and how (``relation``).
    """
    # The hot path of the API: answered on the event loop when the index is up to date (a lookup
    # takes under a millisecond), in a worker thread when it must first be built (seconds).
    cache = request.app.state.coverage
    index = cache.fresh(store) or await run_in_threadpool(cache.get, store)
    rows = index.lookup(code, kind=kind, theme=theme, client_group=client_group, as_of=as_of)
    # Encoded straight to bytes: pydantic would re-validate each of up to 1,000 rows per request.
    return Response(orjson.dumps(page.slice(rows)), media_type="application/json")

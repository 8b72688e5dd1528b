"""Territories: search by name or code, one territory with its parents and children, and coverage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

import graph
from api.deps import PageDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.models import CoveragePage, Territory, TerritoryDetail, TerritoryPage
from partnermap.errors import NotFound

router = APIRouter(prefix="/territories", tags=["territories"], responses=ERROR_RESPONSES)

Code = Annotated[str, Path(description="GSS code, e.g. E07000129", min_length=1, max_length=64)]


def _territories(store: graph.Store) -> dict[str, Territory]:
    """Every territory by code, from the ``territory-parents`` query (ordered by code)."""
    return {
        row["territory"]: Territory(code=row["territory"], name=row["territory_name"], level=row["level"],
                                    parent=row["parent"])
        for row in graph.run_query(store, "territory-parents")
    }


def _known(territories: dict[str, Territory], code: str) -> Territory:
    if code not in territories:
        raise NotFound(f"no territory with code {code!r}")
    return territories[code]


@router.get("", response_model=TerritoryPage)
def search_territories(
    store: StoreDep,
    page: PageDep,
    q: Annotated[str, Query(description="Part of a name or code, any case.", max_length=200)] = "",
) -> dict:
    """Territories whose name or code contains ``q`` (all when empty), by code."""
    needle = q.strip().casefold()
    matches = [
        territory for territory in _territories(store).values()
        if needle in territory.code.casefold() or needle in (territory.name or "").casefold()
    ]
    return page.slice(matches)


@router.get("/{code}", response_model=TerritoryDetail)
def get_territory(store: StoreDep, code: Code) -> TerritoryDetail:
    """One territory, the chain it lies inside (nearest first) and the territories directly inside it."""
    territories = _territories(store)
    territory = _known(territories, code)
    parents: list[Territory] = []
    seen = {code}
    parent = territory.parent
    while parent and parent not in seen and parent in territories:  # a loop in the data must not hang us
        seen.add(parent)
        parents.append(territories[parent])
        parent = territories[parent].parent
    children = [t for t in territories.values() if t.parent == code]
    return TerritoryDetail(**territory.model_dump(), parents=parents, children=children)


@router.get("/{code}/coverage", response_model=CoveragePage)
def territory_coverage(
    store: StoreDep,
    code: Code,
    page: PageDep,
    kind: Annotated[str, Query(description="Only this kind: Partnership, Forum, Service or Organisation.",
                               max_length=64)] = "",
) -> dict:
    """Everything covering the territory itself, a territory it lies in, or one inside it."""
    _known(_territories(store), code)
    rows = graph.run_query(store, "coverage", {"territory": code})
    if kind:
        rows = [row for row in rows if row["kind"].casefold() == kind.strip().casefold()]
    return page.slice(rows)

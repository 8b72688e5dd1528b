"""Which territories contain a point, and what covers the smallest of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.deps import AsOfDep, PageDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.models import LocateAnswer
from api.territories import coverage_index
from graph.coverage import KINDS

router = APIRouter(tags=["territories"], responses=ERROR_RESPONSES)


@router.get("/locate", response_model=LocateAnswer)
def locate(
    request: Request,
    store: StoreDep,
    page: PageDep,
    as_of: AsOfDep,
    lat: Annotated[float, Query(ge=-90, le=90, description="Latitude (WGS84), e.g. 52.5946.")],
    lon: Annotated[float, Query(ge=-180, le=180, description="Longitude (WGS84), e.g. -1.2089.")],
    approximate: Annotated[bool, Query(description="Include territories without a boundary of their own whose "
                                                   "parent's boundary holds the point (marked approximate).")] = True,
    kind: Annotated[str, Query(description=f"Coverage of only this kind: {', '.join(KINDS)}.", max_length=64)] = "",
    theme: Annotated[str, Query(description="Coverage on this theme only.", max_length=200)] = "",
    client_group: Annotated[str, Query(description="Services for this client group only.", max_length=200)] = "",
) -> LocateAnswer:
    """The territories containing the point, smallest first, and the coverage of the smallest.

    Needs boundaries (``partnermap ingest boundaries``); with none, ``territories`` is empty.
    The coverage is that of the smallest territory found by its own boundary that lies in the
    territory tree, exactly as ``/territories/{code}/coverage`` answers it.
    """
    locator = request.app.state.locator.get(store)
    territories = locator.locate(lat, lon, approximate=approximate)
    smallest = locator.smallest(lat, lon)
    coverage = None
    if smallest is not None:
        index = coverage_index(request, store)
        if smallest in index:
            coverage = page.slice(index.lookup(smallest, kind=kind, theme=theme, client_group=client_group, as_of=as_of))
    return LocateAnswer(lat=lat, lon=lon, territories=territories, coverage_of=smallest, coverage=coverage)

"""The workspace's pages: overview, findings (with CSV and XLSX downloads), search, profiles, places, network, governance.

Routes read their parameters, hand them to :mod:`pages` and return its HTML; an error a person
caused (an unknown place, a bad date) comes back as a page saying so, with its status code.
"""

from __future__ import annotations

from typing import Annotated, Callable

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep
from pages import changes, finding_page, governance, network, overview, places, profiles, search
from pages.context import Workspace, common
from pages.findings import Filters
from pages.render import render
from partnermap.errors import NotFound, PartnermapError, QueryError

router = APIRouter(tags=["workspace"], include_in_schema=False)

Area = Annotated[str, Query(max_length=64)]
Theme = Annotated[str, Query(max_length=200)]
AsOf = Annotated[str, Query(max_length=10)]


def workspace(request: Request, store: StoreDep) -> Workspace:
    """The store with the app's coverage index and findings cache."""
    return Workspace(store, request.app.state.coverage, request.app.state.findings)


def error_page(exc: PartnermapError) -> HTMLResponse:
    """A page for an error a person can put right: 404 for what does not exist, 400 for bad input."""
    status = 404 if isinstance(exc, NotFound) else 400 if isinstance(exc, QueryError) else 503
    heading = {404: "Page not found", 400: "There is a problem with what you asked for"}.get(
        status, "Sorry, the map is unavailable")
    message = str(exc) if status != 503 else "The graph store could not be reached. Try again later."
    return HTMLResponse(render("error.html", **common("", heading=heading, message=message)), status_code=status)


async def html(build: Callable[[], str]) -> HTMLResponse:
    """Build a page on a worker thread (queries may take a while); errors become error pages."""
    try:
        return HTMLResponse(await run_in_threadpool(build))
    except PartnermapError as exc:
        return error_page(exc)


@router.get("/", response_class=HTMLResponse)
async def overview_page(request: Request, store: StoreDep, area: Area = "", as_of: AsOf = "") -> HTMLResponse:
    """What needs attention, where: the headline findings with their counts."""
    space = workspace(request, store)
    return await html(lambda: overview.page(space, Filters.parse(area, "", as_of)))


@router.get("/findings/{slug}.{fmt}")
async def finding_download(request: Request, store: StoreDep, slug: str, fmt: str, area: Area = "",
                           theme: Theme = "", as_of: AsOf = "") -> Response:
    """A finding's rows under the filters as CSV or XLSX."""
    space = workspace(request, store)
    if fmt not in ("csv", "xlsx"):
        return error_page(NotFound(f"downloads come as .csv or .xlsx, not .{fmt}"))
    try:
        content, media, name = await run_in_threadpool(
            finding_page.download, space, slug, Filters.parse(area, theme, as_of), fmt)
    except PartnermapError as exc:
        return error_page(exc)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/findings/{slug}", response_class=HTMLResponse)
async def finding(request: Request, store: StoreDep, slug: str, area: Area = "", theme: Theme = "",
                  as_of: AsOf = "", sort: Annotated[str, Query(max_length=64)] = "",
                  order: Annotated[str, Query(pattern="^(asc|desc)?$")] = "",
                  page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    """One diagnostic: its findings with evidence and sources, sortable and paged."""
    space = workspace(request, store)
    return await html(lambda: finding_page.page(space, slug, Filters.parse(area, theme, as_of), sort,
                                                order == "desc", page))


@router.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, store: StoreDep, q: Annotated[str, Query(max_length=200)] = "",
                      page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    """Find organisations, partnerships, services, strategies and places by name, other name, code or identifier."""
    space = workspace(request, store)
    return await html(lambda: search.page(space, q, page))


@router.get("/profile/{node_id}", response_class=HTMLResponse)
async def profile_page(request: Request, store: StoreDep, node_id: Annotated[str, Path(max_length=200)],
                       kind: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    """One thing's facts with their sources, its neighbours and its small network."""
    space = workspace(request, store)
    return await html(lambda: profiles.page(space, node_id, kind))


@router.get("/places", response_class=HTMLResponse)
async def places_page(request: Request, store: StoreDep, level: Annotated[str, Query(max_length=40)] = "",
                      measure: Annotated[str, Query(max_length=40)] = "partnerships") -> HTMLResponse:
    """The ingested boundaries, shaded by partnership density or findings."""
    space = workspace(request, store)
    return await html(lambda: places.map_page(space, level, measure))


@router.get("/places/{code}", response_class=HTMLResponse)
async def place_page(request: Request, store: StoreDep, code: Annotated[str, Path(max_length=64)],
                     page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    """A territory: what covers it, where it lies, its boundary."""
    space = workspace(request, store)
    return await html(lambda: places.territory_page(space, code, page))


@router.get("/network", response_class=HTMLResponse)
async def network_page(request: Request, store: StoreDep, area: Area = "", theme: Theme = "", as_of: AsOf = "",
                       sector: Annotated[str, Query(max_length=40)] = "",
                       focus: Annotated[str, Query(max_length=200)] = "",
                       depth: Annotated[int, Query(ge=1, le=4)] = 1,
                       from_date: Annotated[str, Query(alias="from", max_length=10)] = "",
                       to_date: Annotated[str, Query(alias="to", max_length=10)] = "") -> HTMLResponse:
    """The partnership network, readable, with the findings marked (and with from and to, what joined and left)."""
    space = workspace(request, store)
    between = (from_date, to_date) if from_date or to_date else None
    return await html(lambda: network.page(space, Filters.parse(area, theme, as_of), sector, focus, depth,
                                           between=between))


@router.get("/governance", response_class=HTMLResponse)
async def governance_page(request: Request, store: StoreDep, area: Area = "") -> HTMLResponse:
    """Who reports to whom, top-down, gaps and loops marked."""
    space = workspace(request, store)
    return await html(lambda: governance.page(space, Filters.parse(area)))


@router.get("/what-changed", response_class=HTMLResponse)
async def changes_page(request: Request, store: StoreDep, area: Area = "",
                       from_date: Annotated[str, Query(alias="from", max_length=10)] = "",
                       to_date: Annotated[str, Query(alias="to", max_length=10)] = "") -> HTMLResponse:
    """What began, ended, appeared or cleared between two days, counts first."""
    space = workspace(request, store)
    return await html(lambda: changes.page(space, from_date, to_date, area))

"""The partnership network of a place and theme: as JSON, and as one self-contained HTML page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

import viz
from api.deps import AsOfDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.models import Graph
from pages import maps
from pages.maps import MAP_MEMBERSHIPS

router = APIRouter(tags=["maps"], responses=ERROR_RESPONSES)


Focus = Annotated[str, Query(description="An organisation or partnership id to centre on (everything when empty).",
                             max_length=200)]
Depth = Annotated[int, Query(ge=1, le=6, description="With focus: how many membership steps from it to include.")]


# The page is HTML; its errors are the one JSON error shape, so they are documented as JSON.
JSON_ERRORS = {status: {"description": spec["description"],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
               for status, spec in ERROR_RESPONSES.items()}


@router.get("/graph.html", response_class=HTMLResponse, responses=JSON_ERRORS)
def graph_page(
    store: StoreDep,
    territory: Annotated[str, Query(description="GSS code of the place (all places when empty).", max_length=64)] = "",
    theme: Annotated[str, Query(description="Only partnerships on this theme.", max_length=200)] = "",
    focus: Focus = "",
    depth: Depth = 2,
) -> HTMLResponse:
    """The membership network of the territory and theme, as ``partnermap viz`` draws it.

    A map of more than 5,000 memberships is refused (400): choose a theme, a smaller place, or a focus.
    """
    return HTMLResponse(maps.overview_page(store, territory.strip(), theme.strip(), focus=focus.strip(), depth=depth,
                                           max_memberships=MAP_MEMBERSHIPS))


@router.get("/graph", response_model=Graph)
def graph_json(
    store: StoreDep,
    as_of: AsOfDep,
    territory: Annotated[str, Query(description="GSS code of the place (all places when empty).", max_length=64)] = "",
    theme: Annotated[str, Query(description="Only partnerships on this theme.", max_length=200)] = "",
    focus: Focus = "",
    depth: Depth = 2,
) -> Graph:
    """The membership network of the territory and theme as nodes and edges (what /graph.html draws).

    With ``focus``, only the organisations and partnerships within ``depth`` membership steps of it
    (depth 1: its partnerships, or its members; 2: also who else sits on them; …). More than
    5,000 memberships are refused (400), as for the page.
    """
    rows = maps.network_rows(store, territory.strip(), theme.strip(), as_of.isoformat() if as_of else None,
                             focus.strip(), depth, MAP_MEMBERSHIPS)
    nodes, edges = viz.membership_network(rows)
    return Graph(nodes=nodes, edges=edges)

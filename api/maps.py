"""The partnership network of a place and theme: as JSON, and as one self-contained HTML page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

import graph
import viz
from api.deps import StoreDep
from api.errors import ERROR_RESPONSES
from api.models import Graph
from partnermap import maps

router = APIRouter(tags=["maps"], responses=ERROR_RESPONSES)


@router.get("/graph.html", response_class=HTMLResponse)
def graph_page(
    store: StoreDep,
    territory: Annotated[str, Query(description="GSS code of the place (all places when empty).", max_length=64)] = "",
    theme: Annotated[str, Query(description="Only partnerships on this theme.", max_length=200)] = "",
) -> HTMLResponse:
    """The membership network of the territory and theme, as ``partnermap viz`` draws it."""
    return HTMLResponse(maps.overview_page(store, territory.strip(), theme.strip()))


@router.get("/graph", response_model=Graph)
def graph_json(
    store: StoreDep,
    territory: Annotated[str, Query(description="GSS code of the place (all places when empty).", max_length=64)] = "",
    theme: Annotated[str, Query(description="Only partnerships on this theme.", max_length=200)] = "",
    as_of: Annotated[str, Query(description="Memberships in force on this day, YYYY-MM-DD (today when empty).", max_length=10)] = "",
) -> Graph:
    """The membership network of the territory and theme as nodes and edges (what /graph.html draws)."""
    params = {"territory": territory.strip(), "theme": theme.strip()}
    if as_of.strip():
        params["as_of"] = as_of.strip()
    nodes, edges = viz.membership_network(graph.run_query(store, "network", params))
    return Graph(nodes=nodes, edges=edges)

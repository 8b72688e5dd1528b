"""The interactive partnership map of a place and theme, as one self-contained HTML page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.errors import ERROR_RESPONSES
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

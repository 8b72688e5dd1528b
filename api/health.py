"""Liveness and version."""

from __future__ import annotations

from fastapi import APIRouter

import graph
from api.deps import StoreDep
from api.errors import ERROR_RESPONSES
from api.models import Health, Version
from partnermap import __version__

router = APIRouter(tags=["service"], responses=ERROR_RESPONSES)


@router.get("/health", response_model=Health)
def health(store: StoreDep) -> Health:
    """Up, with a store that answers a trivial query (503 if it does not)."""
    # The cheapest named query: a round trip to the engine without reading the graph.
    graph.run_query(store, "names", {"ids": ["-"]})
    return Health(status="ok", store=store.dialect)


@router.get("/version", response_model=Version)
def version() -> Version:
    """The partnermap version serving this API."""
    return Version(version=__version__)

"""Liveness, readiness and version.

``/health`` answers from the process alone, so a supervisor never restarts a server that is
busy ingesting; ``/ready`` asks the store, so a load balancer sends requests only where the
store answers.
"""

from __future__ import annotations

from fastapi import APIRouter

import graph
from api.deps import SettingsDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.models import Health, Version
from partnermap import __version__

router = APIRouter(tags=["service"], responses=ERROR_RESPONSES)

READY_SECONDS = 5.0  # how long /ready waits for the store before saying it is not ready


@router.get("/health", response_model=Health)
def health(settings: SettingsDep) -> Health:
    """Up: the process answers. Never touches the store (see ``/ready``)."""
    return Health(status="ok", store="neo4j" if settings.neo4j_uri else "embedded")


@router.get("/ready", response_model=Health)
def ready(store: StoreDep) -> Health:
    """Ready: the store answers a trivial query within a few seconds (503 if it does not)."""
    # The cheapest named query: a round trip to the engine without reading the graph.
    with graph.budget.within(READY_SECONDS):
        graph.run_query(store, "names", {"ids": ["-"]})
    return Health(status="ready", store=store.dialect)


@router.get("/version", response_model=Version)
def version() -> Version:
    """The partnermap version serving this API."""
    return Version(version=__version__)

"""Organisations, partnerships, services and strategies: one node and its neighbours each.

The four resources answer the same way from the ``profile`` query and differ only in the
kinds of node they accept, so one function builds each router rather than four copies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

import graph
from api.deps import Page, PageDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.models import Neighbour, Profile
from ontology import load_model
from partnermap.errors import NotFound


def profile(store: graph.Store, node_id: str, kinds: tuple[str, ...], noun: str, page: Page) -> Profile:
    """The node ``node_id`` with a page of its neighbours; NotFound unless it exists and is one of ``kinds``."""
    rows = graph.run_query(store, "profile", {"id": node_id}, max_rows=graph.ANSWER_ROWS)
    if not rows or rows[0]["kind"] not in kinds:
        raise NotFound(f"no {noun} with id {node_id!r}")
    first = rows[0]
    neighbours = [
        Neighbour(direction=row["direction"], relationship=row["relationship"], relationship_id=row["relationship_id"],
                  kind=row["neighbour_kind"], id=row["neighbour_id"], name=row["neighbour_name"],
                  source=row["relationship_source"], source_row=row["relationship_source_row"],
                  sources=[s for s in row["relationship_sources"] or [] if s])
        for row in rows
        if row["relationship"]  # a node with no relationship one way still returns one empty row
    ]
    return Profile(kind=first["kind"], id=first["id"], name=first["name"], source=first["source"],
                   source_row=first["source_row"], sources=[s for s in first["sources"] or [] if s],
                   neighbours_total=len(neighbours), limit=page.limit, offset=page.offset,
                   neighbours=neighbours[page.offset:page.offset + page.limit])


def profile_router(prefix: str, kinds: tuple[str, ...], noun: str) -> APIRouter:
    """A router serving ``GET {prefix}/{id}`` for nodes of ``kinds``."""
    router = APIRouter(prefix=prefix, tags=[prefix.strip("/")], responses=ERROR_RESPONSES)

    @router.get("/{node_id}", response_model=Profile, summary=f"One {noun} and its neighbours")
    def get_profile(store: StoreDep, page: PageDep, node_id: Annotated[str, Path(min_length=1, max_length=200)]) -> Profile:
        return profile(store, node_id, kinds, noun, page)

    get_profile.__doc__ = (f"The {noun}, a page of its relationships in or out (``limit``, ``offset``), and the "
                           "source row of each fact.")
    return router


organisations = profile_router("/organisations", ("Organisation",), "organisation")
partnerships = profile_router("/partnerships", load_model().kind("Group"), "partnership")
services = profile_router("/services", ("Service",), "service")
strategies = profile_router("/strategies", ("Strategy",), "strategy")

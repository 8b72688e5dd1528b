"""Sources and what they disagree on: which files and datasets the graph was read from, and conflicts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

import graph
from api.deps import StoreDep
from api.errors import ERROR_RESPONSES
from api.models import Conflict, ConflictValue, SourceInfo

router = APIRouter(tags=["sources"], responses=ERROR_RESPONSES)


@router.get("/sources", response_model=list[SourceInfo])
def list_sources(store: StoreDep, reader: Annotated[str, Query(max_length=50, description="Only sources read by this reader, e.g. register.")] = "") -> list[SourceInfo]:
    """Every source the graph was read from, and when it last stated its facts."""
    return [SourceInfo(**row) for row in graph.run_query(store, "sources", {"reader": reader})]


@router.get("/conflicts", response_model=list[Conflict])
def list_conflicts(
    store: StoreDep,
    kind: Annotated[str, Query(max_length=64, description="One label or relationship type, e.g. MEMBER_OF (empty: all).")] = "",
    limit: Annotated[int, Query(ge=1, le=10_000, description="Most facts and properties to list.")] = 1000,
) -> list[Conflict]:
    """Facts whose sources disagree, each property with every value and its source; the first value is the one shown."""
    grouped: dict[tuple[str, str, str], Conflict] = {}
    for row in graph.run_query(store, "conflicts", {"kind": kind, "limit": limit}):
        key = (row["kind"], row["id"], row["property"])
        if key not in grouped:
            grouped[key] = Conflict(kind=row["kind"], id=row["id"], about=row["about"], property=row["property"], values=[])
        grouped[key].values.append(ConflictValue(value=row["value"], shown=row["shown"], source=row["source"],
                                                 source_row=row["source_row"], stated_at=row["stated_at"]))
    return list(grouped.values())

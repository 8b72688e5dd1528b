"""Sources and what they disagree on: which files and datasets the graph was read from, and conflicts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

import graph
from api import uploads
from api.deps import QueryPageDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.models import Conflict, ConflictValue, SourceInfo
from ontology import load_model

router = APIRouter(tags=["sources"], responses=ERROR_RESPONSES)

_MODEL = load_model()
# What ``kind`` accepts, as the OpenAPI document says it: a label or relationship type of the model.
KINDS = ["", *_MODEL.labels, *_MODEL.relationships]


@router.get("/sources", response_model=list[SourceInfo])
def list_sources(store: StoreDep, page: QueryPageDep,
                 reader: Annotated[str, Query(max_length=50, description="Only sources read by this reader, e.g. register.")] = "") -> list[SourceInfo]:
    """The sources the graph was read from (a page of them, by id), and when each last stated its facts."""
    found = graph.run_page(store, "sources", {"reader": reader, "limit": page.limit, "offset": page.offset})
    return [SourceInfo(**{**row, "path": uploads.shown_path(row["path"])}) for row in found.rows]


@router.get("/conflicts", response_model=list[Conflict])
def list_conflicts(
    store: StoreDep,
    kind: Annotated[str, Query(max_length=64, description="One label or relationship type, e.g. MEMBER_OF (empty: all).",
                               json_schema_extra={"enum": KINDS})] = "",
    limit: Annotated[int, Query(ge=0, le=1000, description="Most facts and properties to list, at most 1000 "
                                                           "(0: the default, 1000).")] = 1000,
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

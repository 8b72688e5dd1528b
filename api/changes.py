"""What changed between two days: memberships, chairs, partnerships, forums and strategies begun or
ended, and the findings that appeared or cleared (:mod:`graph.changes`), a page at a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DATE_PATTERN, QueryPageDep, StoreDep
from api.errors import ERROR_RESPONSES
from api.models import ChangesPage
from graph.changes import changes

router = APIRouter(tags=["changes"], responses=ERROR_RESPONSES)


def _day(name: str, description: str):
    return Query(alias=name, description=description, pattern=DATE_PATTERN, max_length=10, json_schema_extra={"format": "date"})


@router.get("/changes", response_model=ChangesPage, response_model_by_alias=True)
def list_changes(
    store: StoreDep,
    page: QueryPageDep,
    from_date: Annotated[str, _day("from", "The earlier day, YYYY-MM-DD from 1900-01-01 to 2100-12-31: what began on it "
                                   "was already in force, what had it as its last day ended.")],
    to_date: Annotated[str, _day("to", "The later day, YYYY-MM-DD, not before from: what began on it counts, what has it "
                                 "as its last day was still in force.")],
    territory: Annotated[str, Query(description="GSS code: only partnerships, forums and strategies working there "
                                                "(covering it, a place inside it or a place it lies in).", max_length=64)] = "",
) -> ChangesPage:
    """What changed after ``from`` up to ``to``: the count of every kind of change, and a page of the changes.

    Memberships, chairs, partnerships, forums and strategies begun or ended, and the findings that
    appeared or cleared between the two days (overload up or down, duplicate partnerships new or
    resolved, missing links and strategy gaps opened or closed). 400 when ``from`` is after ``to``.
    """
    found = changes(store, from_date, to_date, territory)
    return ChangesPage(from_date=found.from_date, to_date=found.to_date, territory=found.territory,
                       counts=found.counts(), total=len(found.rows), limit=page.limit, offset=page.offset,
                       items=found.rows[page.offset:page.offset + page.limit])

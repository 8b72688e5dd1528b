"""The register template: an Excel workbook to fill in, generated from the model (no key needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import StoreDep
from api.errors import ERROR_RESPONSES
from graph.register_export import area_places
from ontology import load_model
from viz.register_workbook import workbook_bytes

router = APIRouter(tags=["register"], responses=ERROR_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/template.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "The register template, an .xlsx workbook."}})
def register_template(
    store: StoreDep,
    area: Annotated[str, Query(max_length=16, pattern=r"^[A-Za-z0-9]*$",
                               description="GSS code of an area the store holds: its places fill the territories "
                                           "sheet and the territory drop-downs (404 for an unknown code).")] = "",
) -> Response:
    """The register as an empty workbook: instructions, a sheet per file, a note per column, drop-down lists."""
    places = area_places(store, area) if area else None
    name = f"register-{area}.xlsx" if area else "register.xlsx"
    return Response(workbook_bytes(load_model(), places=places), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

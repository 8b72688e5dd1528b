"""Writes: upload a partnership register (.zip of its CSV files, or an .xlsx workbook).

Runs the same reader and loader as ``partnermap ingest register``: all or nothing, every
problem reported together (422). Requires ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

import graph
from api.archive import check_workbook, unpack_register
from api.deps import SettingsDep, StoreDep, WriterDep
from api.errors import ERROR_RESPONSES, ApiError, ErrorBody
from api.models import IngestResult
from ingest.pipeline import ingest_paths

router = APIRouter(
    prefix="/ingest",
    tags=["ingest"],
    dependencies=[WriterDep],
    responses={
        **ERROR_RESPONSES,
        401: {"model": ErrorBody, "description": "missing or wrong API key"},
        403: {"model": ErrorBody, "description": "writes are disabled"},
        415: {"model": ErrorBody, "description": "not a .zip or .xlsx upload"},
        422: {"model": ErrorBody, "description": "the register breaks the model; nothing was written"},
    },
)

ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip"}
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
GENERIC_TYPES = {"application/octet-stream", ""}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _format(content_type: str, filename: str) -> str:
    """``zip`` or ``xlsx`` from the Content-Type, or the file name's extension for a generic type."""
    media = content_type.split(";")[0].strip().lower()
    if media in ZIP_TYPES:
        return "zip"
    if media in XLSX_TYPES:
        return "xlsx"
    suffix = Path(filename).suffix.lower()
    if media in GENERIC_TYPES and suffix in (".zip", ".xlsx"):
        return suffix[1:]
    raise ApiError(415, "send a .zip of the register's CSV files (application/zip) or an .xlsx workbook "
                        "(application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)")


def _register_name(name: str, filename: str) -> str:
    """The register's name, recorded in each fact's provenance; re-uploading under it merges."""
    chosen = name or Path(filename).stem or "upload"
    cleaned = _UNSAFE_NAME.sub("-", chosen).strip(".-")
    return cleaned[:100] or "upload"


def _ingest(store: graph.Store, path: Path, name: str) -> IngestResult:
    # The same path as the CLI: organisations that certainly match known ones merge into them.
    # The upload's name is its source's name (the temporary folder it was unpacked in is not).
    done = ingest_paths(store, "register", [path], source=name, replace=True)
    return IngestResult(
        nodes=dict(done.counts.get("nodes", Counter())),
        relationships=dict(done.counts.get("relationships", Counter())),
        removed=done.removed,
    )


@router.post("/register", response_model=IngestResult)
async def ingest_register(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    filename: Annotated[str, Query(description="The upload's file name; its extension is used when "
                                               "the Content-Type is application/octet-stream.", max_length=255)] = "",
    name: Annotated[str, Query(description="The register's name in provenance (default: the file name).",
                               max_length=100)] = "",
) -> IngestResult:
    """Ingest a register sent as the request body; all or nothing, like the CLI."""
    kind = _format(request.headers.get("content-type", ""), filename)
    data = await request.body()  # the size limit middleware has already bounded this
    if not data.startswith(b"PK"):  # both formats are zip containers
        raise ApiError(422, f"the upload is not a readable .{kind} file")
    register = _register_name(name, filename)
    with tempfile.TemporaryDirectory(prefix="partnermap-upload-") as tmp:
        if kind == "xlsx":
            check_workbook(data, settings.max_upload_members, settings.max_unpacked_bytes)
            source = Path(tmp) / f"{register}.xlsx"
            source.write_bytes(data)
        else:
            folder = Path(tmp) / register
            folder.mkdir()
            source = unpack_register(data, folder, settings.max_upload_members, settings.max_unpacked_bytes)
        return await run_in_threadpool(_ingest, store, source, register)

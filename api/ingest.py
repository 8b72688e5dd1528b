"""Writes: upload a partnership register, an Open Referral directory or a 360Giving file, ingested in the background.

``POST /ingest/register?name=…`` (a .zip of CSV files or an .xlsx workbook), ``/ingest/openreferral``
and ``/ingest/360giving`` check and unpack the upload at once, then answer 202 with a job that the
app's one ingest worker runs (:mod:`api.jobs`): the same reader and loader as ``partnermap ingest``,
all or nothing; Open Referral and 360Giving take ``skip_invalid``, as the commands' ``--skip-invalid``
(invalid records left out and listed in the job's ``written.skipped``). ``GET /ingest/jobs/{id}`` says
how it went. All need ``Authorization: Bearer <key>``; a job is shown only to the key that sent it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Path as PathParam, Query, Request, Response

import graph
from api import uploads
from api.archive import check_workbook, unpack, unpack_register
from api.deps import SettingsDep, StoreDep, WriterDep, WriterKey
from api.errors import ApiError, ErrorBody, keyed_responses
from api.held import HeldUploads
from api.jobs import IngestWorker, Job, new_job_id
from api.models import IngestJob, IngestResult, SkippedRecord
from ingest.pipeline import ingest_paths
from partnermap.errors import NotFound, StoreUnavailable
from partnermap.settings import Settings

router = APIRouter(
    prefix="/ingest",
    tags=["ingest"],
    dependencies=[WriterDep],
    responses=keyed_responses("writes are disabled"),
)

ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_TYPES = {XLSX_TYPE}
JSON_TYPES = {"application/json", "application/ld+json"}
CSV_TYPES = {"text/csv", "application/csv"}
GENERIC_TYPES = {"application/octet-stream", ""}
_MEDIA = {**{t: "zip" for t in ZIP_TYPES}, **{t: "xlsx" for t in XLSX_TYPES}, **{t: "json" for t in JSON_TYPES},
          **{t: "csv" for t in CSV_TYPES}}
MEDIA_OF = {"zip": "application/zip", "xlsx": XLSX_TYPE, "json": "application/json", "csv": "text/csv"}
# What each reader's upload takes (formats), as the OpenAPI describes the body, and as a refusal says it.
TAKES = {
    "register": (("zip", "xlsx"), "The register: a .zip of its CSV files, or an .xlsx workbook with a sheet per file.",
                 f"a .zip of the register's CSV files (application/zip) or an .xlsx workbook ({XLSX_TYPE})"),
    "openreferral": (("json", "zip"), "An Open Referral directory: a JSON file (a service, an organisation, a list or "
                                      "a page), or a .zip of a CSV data package or of JSON pages.",
                     "an Open Referral JSON file (application/json) or a .zip of a CSV data package or of JSON pages "
                     "(application/zip)"),
    "360giving": (("json", "csv", "xlsx"), "360Giving grants: the JSON package, the flat CSV or an .xlsx workbook.",
                  f"a 360Giving .json package (application/json), flat .csv (text/csv) or .xlsx ({XLSX_TYPE})"),
}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
WAIT_SECONDS = 30  # the longest a client may ask GET /ingest/jobs/{id} to wait for the end

# The upload as the OpenAPI document describes it, so client generators and fuzzers can send one:
# the raw body in each of its types, and the source's name (read by hand below, to answer 422 for
# a missing one rather than the 400 of other parameters).
def upload_openapi(reader: str) -> dict[str, Any]:
    formats, body, _ = TAKES[reader]
    return {
        "requestBody": {
            "required": True,
            "description": body,
            "content": {MEDIA_OF[form]: {"schema": {"type": "string", "format": "binary"}} for form in formats},
        },
        "parameters": [{
            "name": "name", "in": "query", "required": True,
            "description": "The source's name, recorded in each fact's provenance: letters, digits, '.', '_' and '-', "
                           "up to 100, starting with a letter or digit. Uploading again under the same name replaces "
                           "what that source said before.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": NAME.pattern},
        }],
    }


UPLOAD_OPENAPI = upload_openapi("register")


def upload_format(content_type: str, filename: str, reader: str = "register") -> str:
    """The upload's format (``zip``, ``xlsx``, ``json``, ``csv``) from the Content-Type, or the file name's
    extension for a generic type; 415 if ``reader`` does not take it."""
    accepted, _, described = TAKES[reader]
    media = content_type.split(";")[0].strip().lower()
    found = _MEDIA.get(media)
    if found is None and media in GENERIC_TYPES:
        found = Path(filename).suffix.lower().lstrip(".") or None
    if found not in accepted:
        raise ApiError(415, f"send {described}")
    return found


def _source_name(request: Request) -> str:
    """The upload's ``name``: required, one value, safe as a file name; ApiError 422 otherwise."""
    names = request.query_params.getlist("name")
    if len(names) != 1 or not names[0]:
        raise ApiError(422, "name the upload's source: ?name=… (letters, digits, '.', '_' and '-'); "
                            "an upload without a name would replace another's")
    if not NAME.fullmatch(names[0]):
        raise ApiError(422, "a source's name is letters, digits, '.', '_' and '-', up to 100, "
                            "starting with a letter or digit")
    return names[0]


# Without confirm=true, an upload may remove at most this share of what its sources stated before.
MOST_REMOVED_UNCONFIRMED = 0.25


def _ingest(store: graph.Store, path: Path, name: str, progress, owner: str, confirm: bool, reader: str = "register",
            skip_invalid: bool = False, dry_run: bool = False) -> dict[str, Any]:
    # The same path as the CLI: organisations that certainly match known ones merge into them.
    # The upload's name is its source's name (the temporary folder it was unpacked in is not);
    # the name is bound to the key that first wrote it.
    done = ingest_paths(store, reader, [path], progress=progress, source=name, replace=True, owner=owner,
                        most_removed=None if confirm else MOST_REMOVED_UNCONFIRMED, skip_invalid=skip_invalid,
                        dry_run=dry_run)
    return IngestResult(
        nodes=dict(done.counts.get("nodes", Counter())),
        relationships=dict(done.counts.get("relationships", Counter())),
        removed=done.preview["counts"]["removed"] if dry_run else done.removed,
        warnings=len(done.warnings),
        skipped=[SkippedRecord(**row) for record in done.skipped for row in record.rows()],
        dry_run=dry_run,
        preview=done.preview,
    ).model_dump()


def queue_upload(ingests: IngestWorker, store: graph.Store, settings: Settings, owner: str, data: bytes, kind: str,
                 register: str, confirm: bool = False, reader: str = "register", skip_invalid: bool = False,
                 held: HeldUploads | None = None) -> Job:
    """Check and unpack an upload (of format ``kind``, for ``reader``) into a folder of its own, and queue its
    ingest under the source name ``register``; the job (ApiError if unreadable).

    ``confirm``: go on even if it removes much of what its source stated before (see :func:`_ingest`).
    ``skip_invalid``: leave out invalid records (readers that can). ``held``: a dry run, whose upload
    is kept there, under the job's id, until confirmed (:func:`queue_confirmed`) or expired.
    """
    if kind in ("zip", "xlsx") and not data.startswith(b"PK"):  # both formats are zip containers
        raise ApiError(422, f"the upload is not a readable .{kind} file")
    folder = uploads.new_folder()
    try:
        if kind == "xlsx":
            check_workbook(data, settings.max_upload_members, settings.max_unpacked_bytes)
        if kind != "zip":
            source = folder / f"{register}.{kind}"
            source.write_bytes(data)
        else:
            (folder / register).mkdir()
            if reader == "register":
                source = unpack_register(data, folder / register, settings.max_upload_members, settings.max_unpacked_bytes)
            else:
                source = unpack(data, folder / register, settings.max_upload_members, settings.max_unpacked_bytes,
                                "services.csv")
        if held is None:
            return ingests.submit(owner, register, lambda progress: _ingest(store, source, register, progress, owner,
                                                                            confirm, reader, skip_invalid),
                                  cleanup=lambda: uploads.remove(folder), tidy=lambda said: uploads.scrub(said, folder))
        job_id, previewed = new_job_id(), []

        def preview(progress) -> dict[str, Any]:
            answer = _ingest(store, source, register, progress, owner, confirm, reader, skip_invalid, dry_run=True)
            previewed.append(True)
            return answer

        held.hold(job_id, owner, register, folder, source, reader, skip_invalid)
        try:
            return ingests.submit(owner, register, preview, cleanup=lambda: None if previewed else held.drop(job_id),
                                  tidy=lambda said: uploads.scrub(said, folder), job_id=job_id)
        except BaseException:
            held.drop(job_id)
            raise
    except BaseException:
        uploads.remove(folder)
        raise


def queue_confirmed(ingests: IngestWorker, store: graph.Store, held: HeldUploads, job_id: str, owner: str) -> Job:
    """Queue the real ingest of the upload a dry run previewed (the same folder, once); its job.

    The person has seen what it removes, so it is not held back for removing much.
    """
    ingests.check_room()
    upload = held.take(job_id, owner)
    try:
        return ingests.submit(owner, upload.name, lambda progress: _ingest(
            store, upload.source, upload.name, progress, owner, True, upload.reader, upload.skip_invalid),
            cleanup=lambda: uploads.remove(upload.folder), tidy=lambda said: uploads.scrub(said, upload.folder))
    except BaseException:
        uploads.remove(upload.folder)
        raise


def held_uploads(request: Request) -> HeldUploads:
    """The app's previewed uploads waiting for confirmation (made on first use)."""
    held = getattr(request.app.state, "held", None)
    if held is None:
        held = request.app.state.held = HeldUploads()
    return held


def worker(request: Request) -> IngestWorker:
    """The app's ingest worker (StoreUnavailable before the app has started)."""
    ingests = getattr(request.app.state, "ingest", None)
    if ingests is None:
        raise StoreUnavailable("the server is not serving a store")
    return ingests


def _responses(reader: str) -> dict:
    return {202: {"description": "accepted: the job, queued (Location: /ingest/jobs/{id})"},
            413: {"model": ErrorBody, "description": "the body, or what it unpacks to, is too large"},
            415: {"model": ErrorBody, "description": f"not {TAKES[reader][2]}"},
            422: {"model": ErrorBody, "description": "no source name, or not a readable archive"},
            503: {"model": ErrorBody, "description": "too many uploads waiting (Retry-After)"}}


FileName = Annotated[str, Query(description="The upload's file name; its extension is used when "
                                            "the Content-Type is application/octet-stream.", max_length=255)]
Confirm = Annotated[bool, Query(description="Go on even if this removes more than a quarter of the facts the "
                                            "source stated before (otherwise the job fails, 409, and writes nothing).")]
SkipInvalid = Annotated[bool, Query(description="Leave out invalid records (and what hangs off them), list them in "
                                                "the job's `written.skipped`, and write the valid ones, all or nothing.")]
DryRun = Annotated[bool, Query(description="Read, check and resolve, and write nothing: the job ends `done` with "
                                           "`written.preview` (what would be added, changed and removed). The upload "
                                           "is kept for 30 minutes: `POST /ingest/jobs/{id}/confirm` writes it.")]


async def _accept(request: Request, response: Response, store: graph.Store, settings: Settings, owner: str,
                  reader: str, filename: str, confirm: bool, skip_invalid: bool = False,
                  dry_run: bool = False) -> dict[str, Any]:
    name = _source_name(request)
    kind = upload_format(request.headers.get("content-type", ""), filename, reader)
    ingests = worker(request)
    ingests.check_room()
    data = await request.body()  # the size limit middleware has already bounded this
    job = queue_upload(ingests, store, settings, owner, data, kind, name, confirm, reader, skip_invalid,
                       held_uploads(request) if dry_run else None)
    response.headers["Location"] = f"/ingest/jobs/{job.id}"
    return job.view()


@router.post("/register", status_code=202, response_model=IngestJob, openapi_extra=UPLOAD_OPENAPI,
             responses=_responses("register"))
async def ingest_register(request: Request, response: Response, store: StoreDep, settings: SettingsDep,
                          owner: WriterKey, filename: FileName = "", confirm: Confirm = False,
                          dry_run: DryRun = False) -> dict[str, Any]:
    """Accept a register sent as the request body and queue its ingest; all or nothing, like the CLI.

    A source's name belongs to the key that first uploaded it: another key gets 403. An upload that
    would remove more than a quarter of what its source stated before fails (409) unless ``confirm``.

    Answers 202 with the job at once; ``GET /ingest/jobs/{id}`` says when it is done (what was
    written) or failed (the problems: the first 1,000, the rest counted).
    """
    return await _accept(request, response, store, settings, owner, "register", filename, confirm, dry_run=dry_run)


@router.post("/openreferral", status_code=202, response_model=IngestJob, openapi_extra=upload_openapi("openreferral"),
             responses=_responses("openreferral"))
async def ingest_openreferral(request: Request, response: Response, store: StoreDep, settings: SettingsDep,
                              owner: WriterKey, filename: FileName = "", confirm: Confirm = False,
                              skip_invalid: SkipInvalid = False, dry_run: DryRun = False) -> dict[str, Any]:
    """Accept an Open Referral directory (JSON, or a .zip of a CSV package or of JSON pages) and queue its ingest,
    as the register's; ``skip_invalid`` as the command's ``--skip-invalid``."""
    return await _accept(request, response, store, settings, owner, "openreferral", filename, confirm, skip_invalid,
                         dry_run)


@router.post("/360giving", status_code=202, response_model=IngestJob, openapi_extra=upload_openapi("360giving"),
             responses=_responses("360giving"))
async def ingest_360giving(request: Request, response: Response, store: StoreDep, settings: SettingsDep,
                           owner: WriterKey, filename: FileName = "", confirm: Confirm = False,
                           skip_invalid: SkipInvalid = False, dry_run: DryRun = False) -> dict[str, Any]:
    """Accept a 360Giving file (JSON package, flat CSV or .xlsx) and queue its ingest, as the register's;
    ``skip_invalid`` as the command's ``--skip-invalid``."""
    return await _accept(request, response, store, settings, owner, "360giving", filename, confirm, skip_invalid,
                         dry_run)


@router.get("/jobs/{job_id}", response_model=IngestJob,
            responses={404: {"model": ErrorBody, "description": "no such job for this key"}})
async def ingest_job(
    request: Request,
    owner: WriterKey,
    job_id: Annotated[str, PathParam(min_length=1, max_length=64)],
    wait: Annotated[float, Query(ge=0, le=WAIT_SECONDS, description="Seconds to wait for the job to end before "
                                 f"answering, at most {WAIT_SECONDS} (0: answer at once).")] = 0,
) -> dict[str, Any]:
    """An upload's job: queued, running (with progress), done (what was written) or failed (the problems)."""
    ingests = worker(request)
    job = await ingests.wait(ingests.get(job_id, owner), wait)
    return job.view()


@router.post("/jobs/{job_id}/confirm", status_code=202, response_model=IngestJob,
             responses={404: {"model": ErrorBody, "description": "no previewed upload of that id for this key"},
                        410: {"model": ErrorBody, "description": "the previewed upload expired (kept 30 minutes)"},
                        503: {"model": ErrorBody, "description": "too many uploads waiting (Retry-After)"}})
async def confirm_dry_run(
    request: Request,
    response: Response,
    store: StoreDep,
    owner: WriterKey,
    job_id: Annotated[str, PathParam(min_length=1, max_length=64)],
) -> dict[str, Any]:
    """Write the upload a dry run (``dry_run=true``) previewed, without sending it again: a new job, 202.

    Only the key that sent it, once, within 30 minutes of sending it; the dry run must have ended
    ``done`` (a dry run that failed keeps nothing to confirm).
    """
    ingests = worker(request)
    try:
        previewed = ingests.get(job_id, owner)
    except NotFound:  # jobs and holds are pruned apart: the hold says whether it expired
        previewed = None
    if previewed is not None and previewed.status != "done":
        raise ApiError(409, f"the dry run {job_id} is {previewed.status}: only a dry run that ended done can be "
                            "confirmed", code="not_previewed")
    job = queue_confirmed(ingests, store, held_uploads(request), job_id, owner)
    response.headers["Location"] = f"/ingest/jobs/{job.id}"
    return job.view()


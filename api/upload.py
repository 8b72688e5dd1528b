"""The upload page: a person sends a register (.xlsx or .zip) with their API key from a form.

The same checks, job queue and loader as ``POST /ingest/register``: all or nothing. The page waits
for the job (up to ``WAIT_SECONDS``); problems come back as a table (file, row, column, value,
reason), and on success the page says what was written. With "check the changes first" ticked,
the upload is a dry run: the page shows what it would change and asks to confirm, and
``POST /upload/confirm`` writes that very upload (held by :mod:`api.held`), as
``POST /ingest/jobs/{id}/confirm`` does.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep, StoreDep, key_allowed, key_owner
from api.errors import ApiError
from api.ingest import NAME, WAIT_SECONDS, held_uploads, queue_confirmed, queue_upload, upload_format, worker
from api.jobs import DONE, FAILED, IngestWorker, Job
from pages import upload
from partnermap.errors import NotFound, PartnermapError

router = APIRouter(tags=["workspace"], include_in_schema=False)


def _refused(settings) -> str | None:
    if settings.read_only:
        return "Uploads are turned off: this server shows its map read-only."
    if not settings.api_keys:
        return "Uploads are turned off: no API keys are set up on this server (PARTNERMAP_API_KEYS)."
    return None


@router.get("/upload", response_class=HTMLResponse)
def upload_form(settings: SettingsDep) -> HTMLResponse:
    """The form: a file and the API key."""
    return HTMLResponse(upload.form_page(_refused(settings)))


def _source_name(name: str, filename: str) -> str:
    """The source's name: as given, else the file's name made safe (letters, digits, '.', '_', '-')."""
    chosen = name.strip() or re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(filename).stem).strip(".-_")[:100]
    return chosen


@router.post("/upload", response_class=HTMLResponse)
async def upload_register(request: Request, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    """Queue the uploaded register's ingest and wait for it (up to WAIT_SECONDS): its problems, or what was written."""
    refused = _refused(settings)
    if refused:
        return HTMLResponse(upload.form_page(refused), status_code=403)
    form = await request.form()
    sent, key, name = form.get("register"), str(form.get("api_key") or ""), str(form.get("name") or "")
    dry_run = form.get("preview") == "yes"
    if not key_allowed(settings, key):
        return HTMLResponse(upload.form_page(None, error="Enter a valid API key", field="api_key"), status_code=401)
    if sent is None or isinstance(sent, str) or not sent.filename:
        return HTMLResponse(upload.form_page(None, error="Choose a register file to upload", field="register"),
                            status_code=400)
    register = _source_name(name, sent.filename)
    if not NAME.fullmatch(register):
        return HTMLResponse(upload.form_page(None, error="Enter a register name of letters, digits, '.', '_' and '-', "
                                             "starting with a letter or digit", field="name"), status_code=422)

    async def queued(ingests: IngestWorker) -> Job:
        kind = upload_format(sent.content_type or "", sent.filename)
        ingests.check_room()
        return queue_upload(ingests, store, settings, key_owner(key), await sent.read(), kind, register,
                            held=held_uploads(request) if dry_run else None)

    return await _waited(request, queued, sent.filename)


@router.post("/upload/confirm", response_class=HTMLResponse)
async def confirm_upload(request: Request, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    """Write the upload a preview showed (the same key, once), and wait for it as an upload does."""
    refused = _refused(settings)
    if refused:
        return HTMLResponse(upload.form_page(refused), status_code=403)
    form = await request.form()
    key, job_id = str(form.get("api_key") or ""), str(form.get("job") or "")
    if not key_allowed(settings, key):  # the preview belongs to its key: without it, nothing to show again
        return HTMLResponse(upload.form_page(None, error="Enter a valid API key", field="api_key"), status_code=401)

    async def queued(ingests: IngestWorker) -> Job:
        return queue_confirmed(ingests, store, held_uploads(request), job_id, key_owner(key))

    return await _waited(request, queued, str(form.get("filename") or "the upload"), gone="Upload the file again.")


async def _waited(request: Request, queued: Callable[[IngestWorker], Awaitable[Job]], filename: str,
                  gone: str = "") -> HTMLResponse:
    """Queue a job and wait for it (up to WAIT_SECONDS): the page for how it ended, or the form with what refused it.

    ``gone``: added to a NotFound's message (a preview no longer held).
    """
    try:
        ingests = worker(request)
        job = await ingests.wait(await queued(ingests), WAIT_SECONDS)
    except ApiError as exc:
        return HTMLResponse(upload.form_page(None, error=exc.message, field="register"), status_code=exc.status)
    except NotFound as exc:
        return HTMLResponse(upload.form_page(None, error=f"{exc} {gone}".strip(), field="register"), status_code=404)
    except PartnermapError as exc:
        return HTMLResponse(upload.form_page(None, error=str(exc), field="register"), status_code=400)
    return _answer(job, filename)


def _answer(job, filename: str) -> HTMLResponse:
    """The page for a job that ended (or is still running): a preview, what was written, or its problems."""
    if job.status == DONE and (job.written or {}).get("dry_run"):
        return HTMLResponse(upload.preview_page(filename, job.id, job.written["preview"], job.name))
    if job.status == DONE:
        written = job.written or {}
        return HTMLResponse(upload.done_page(filename, written.get("nodes", {}), written.get("relationships", {}),
                                             written.get("removed", 0)))
    if job.status == FAILED:
        error = job.error or {}
        if error.get("problems"):
            return HTMLResponse(upload.problems_page(filename, error["problems"], error.get("more_problems")),
                                status_code=422)
        return HTMLResponse(upload.form_page(None, error=str(error.get("message") or "the upload failed"),
                                             field="register"), status_code=int(error.get("status") or 500))
    return HTMLResponse(upload.waiting_page(filename), status_code=202)

"""Uploads ingested in the background, one at a time: a queue, one worker thread, and each job's state.

An upload is accepted at once (202) as a job; the worker takes jobs in order, so one ingest
writes at a time. A job is ``queued``, ``running`` (with the ingest's progress messages),
``done`` (with what was written) or ``failed`` (with the error in the API's one shape, problems
capped). Jobs are kept in memory for :data:`KEEP_SECONDS` after they end, at most
:data:`KEEP_JOBS` of them; a job is shown only to the key that sent it. A client (or a test)
waits for the end by asking with ``wait``, which returns as soon as the job ends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.errors import ApiError
from partnermap.errors import NotFound

log = logging.getLogger("partnermap.api")

KEEP_SECONDS = 3600.0  # how long a job that ended is kept
KEEP_JOBS = 200  # the most jobs kept; the oldest that ended go first
PROGRESS_LINES = 50  # the latest progress messages a running job shows

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

# What a job runs: given a progress callback, it ingests and returns what was written.
Work = Callable[[Callable[[str], None]], dict[str, Any]]


@dataclass
class Job:
    """One upload's ingest: who sent it, its state, and what came of it."""

    id: str
    owner: str  # a digest of the key that sent it
    name: str
    work: Work | None
    cleanup: Callable[[], None]
    tidy: Callable[[Any], Any]  # what the job says (progress, written, error) as a client may see it
    loop: asyncio.AbstractEventLoop
    status: str = QUEUED
    submitted_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    progress: deque[str] = field(default_factory=lambda: deque(maxlen=PROGRESS_LINES))
    steps: int = 0
    written: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    ended_at_monotonic: float | None = None

    def tell(self, message: str) -> None:
        """A progress message from the ingest (the worker thread calls this)."""
        self.progress.append(self.tidy(message))
        self.steps += 1

    def view(self) -> dict[str, Any]:
        """The job as the API shows it."""
        return {"id": self.id, "name": self.name, "status": self.status,
                "submitted_at": self.submitted_at, "started_at": self.started_at, "finished_at": self.finished_at,
                "steps": self.steps, "progress": list(self.progress), "written": self.written, "error": self.error}


def new_job_id() -> str:
    """A fresh job id (unguessable: it is the handle a client confirms a dry run by)."""
    return uuid.uuid4().hex


class IngestWorker:
    """The app's one ingest thread and its queue; ``describe_error`` turns an exception into the error shape."""

    def __init__(self, max_queued: int, describe_error: Callable[[BaseException], dict[str, Any]],
                 after: Callable[[], None] = lambda: None):
        """``after``: run once a job has written, before it is done (the app refreshes its indexes: a
        client that saw ``done`` then reads what was written)."""
        self.max_queued = max_queued
        self._describe_error = describe_error
        self._after = after
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker thread (at app startup, once the store is open)."""
        self._thread = threading.Thread(target=self._run, name="partnermap-ingest", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Let the running job end, fail the queued ones (their folders removed), and stop the thread."""
        with self._lock:
            waiting = [job for job in self._jobs.values() if job.status == QUEUED]
            for job in waiting:
                job.work = None  # the worker skips it
        for job in waiting:
            self._end(job, FAILED, error=self._describe_error(
                ApiError(503, "the server stopped before this upload was ingested; send it again", code="stopped")))
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join()

    def queued(self) -> int:
        """Jobs waiting for the worker."""
        with self._lock:
            return sum(job.status == QUEUED for job in self._jobs.values())

    def check_room(self) -> None:
        """ApiError 503 when the queue is full (before the upload is unpacked for nothing)."""
        if self.queued() >= self.max_queued:
            raise ApiError(503, f"{self.max_queued} uploads are already waiting to be ingested; try again later",
                           code="busy")

    def submit(self, owner: str, name: str, work: Work, cleanup: Callable[[], None],
               tidy: Callable[[Any], Any] = lambda said: said, job_id: str | None = None) -> Job:
        """Queue ``work`` as a job (call on the event loop); ApiError 503 when the queue is full.

        ``cleanup`` runs once the job has ended, however it ended; ``tidy`` is applied to all the job says.
        ``job_id``: the job's id, when the caller needs it before the job may run (see :func:`new_job_id`).
        """
        self.check_room()
        job = Job(job_id or new_job_id(), owner, name, work, cleanup, tidy, asyncio.get_running_loop())
        with self._lock:
            self._prune()
            self._jobs[job.id] = job
        self._queue.put(job)
        return job

    def get(self, job_id: str, owner: str) -> Job:
        """The job ``job_id`` if ``owner`` sent it; NotFound otherwise (another key's job is not shown)."""
        with self._lock:
            self._prune()
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFound(f"no upload job {job_id!r} (jobs are kept for an hour after they end)")
        return job

    async def wait(self, job: Job, seconds: float) -> Job:
        """The job once it has ended, or as it is after ``seconds``."""
        if seconds > 0 and job.status in (QUEUED, RUNNING):
            try:
                await asyncio.wait_for(job.ended.wait(), seconds)
            except TimeoutError:
                pass
        return job

    def _prune(self) -> None:
        now = time.monotonic()
        ended = [job for job in self._jobs.values() if job.ended_at_monotonic is not None]
        for job in ended:
            if now - job.ended_at_monotonic > KEEP_SECONDS:
                del self._jobs[job.id]
        ended = [job for job in ended if job.id in self._jobs]
        for job in ended[: max(0, len(self._jobs) - KEEP_JOBS + 1)]:
            del self._jobs[job.id]

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            with self._lock:  # stop() takes only jobs still queued, under the same lock
                work = job.work
                if work is None:  # failed by stop() before it could run
                    continue
                job.status, job.started_at = RUNNING, dt.datetime.now(dt.UTC)
            try:
                written = work(job.tell)
                self._after()
            except Exception as exc:  # noqa: BLE001 -- every failure is the job's answer, never the thread's end
                error = self._describe_error(exc)
                if error["status"] == 500:
                    log.exception("upload %s failed", job.id, exc_info=exc)
                self._end(job, FAILED, error=error)
            else:
                self._end(job, DONE, written=written)

    def _end(self, job: Job, status: str, written: dict[str, Any] | None = None,
             error: dict[str, Any] | None = None) -> None:
        try:
            job.cleanup()
        finally:
            job.written, job.error = job.tidy(written), job.tidy(error)
            job.finished_at, job.ended_at_monotonic = dt.datetime.now(dt.UTC), time.monotonic()
            job.status = status
            job.work = None
            try:
                job.loop.call_soon_threadsafe(job.ended.set)
            except RuntimeError:  # the event loop has closed: nobody is waiting
                pass

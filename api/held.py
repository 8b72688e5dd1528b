"""Uploads kept after a dry run, so that confirming writes the very upload that was previewed.

A dry run (``dry_run=true``) leaves its unpacked upload in its folder, held under the job's id
for :data:`HOLD_SECONDS`, for the key that sent it only. ``POST /ingest/jobs/{id}/confirm`` takes it
(once) and queues the real ingest of that folder. A hold that expired is removed with its folder,
and confirming it says so (410) rather than that it never was (404).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from api import uploads
from api.errors import ApiError
from partnermap.errors import NotFound

HOLD_SECONDS = 1800.0  # how long a previewed upload waits to be confirmed
EXPIRED_REMEMBERED = 500  # how many expired holds are remembered, to say "expired" rather than "unknown"


@dataclass(frozen=True)
class HeldUpload:
    """A previewed upload: where it was unpacked, what reads it, and the options it was sent with."""

    owner: str
    name: str
    folder: Path
    source: Path
    reader: str
    skip_invalid: bool
    until: float


class HeldUploads:
    """The previewed uploads waiting for confirmation, by job id; ``clock`` is monotonic seconds."""

    def __init__(self, seconds: float = HOLD_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.clock = seconds, clock
        self._held: dict[str, HeldUpload] = {}
        self._expired: OrderedDict[str, str] = OrderedDict()  # job id → owner
        self._lock = threading.Lock()

    def hold(self, job_id: str, owner: str, name: str, folder: Path, source: Path, reader: str,
             skip_invalid: bool) -> None:
        """Keep a dry run's upload for ``seconds``."""
        with self._lock:
            self._sweep()
            self._held[job_id] = HeldUpload(owner, name, folder, source, reader, skip_invalid,
                                            self.clock() + self.seconds)

    def take(self, job_id: str, owner: str) -> HeldUpload:
        """The held upload of ``job_id`` for ``owner``, no longer held; NotFound if none, 410 if it expired."""
        with self._lock:
            self._sweep()
            held = self._held.get(job_id)
            if held is not None and held.owner == owner:
                return self._held.pop(job_id)
            if self._expired.get(job_id) == owner:
                raise ApiError(410, f"the dry run {job_id} expired: previewed uploads are kept for "
                                    f"{self.seconds / 60:g} minutes; send the upload again", code="expired")
        raise NotFound(f"no previewed upload {job_id!r} waits for this key: confirm the job of an upload sent "
                       "with dry_run=true, once")

    def drop(self, job_id: str) -> None:
        """Stop holding ``job_id`` (its dry run failed) and remove its folder."""
        with self._lock:
            held = self._held.pop(job_id, None)
        if held is not None:
            uploads.remove(held.folder)

    def clear(self) -> None:
        """Remove every held upload (the server stops)."""
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for upload in held:
            uploads.remove(upload.folder)

    def _sweep(self) -> None:
        now = self.clock()
        for job_id, held in list(self._held.items()):
            if held.until <= now:
                del self._held[job_id]
                uploads.remove(held.folder)
                self._expired[job_id] = held.owner
        while len(self._expired) > EXPIRED_REMEMBERED:
            self._expired.popitem(last=False)


__all__ = ["HOLD_SECONDS", "HeldUpload", "HeldUploads"]

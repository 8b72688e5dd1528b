"""Operations on the running server: a backup of its store, taken while it serves.

An embedded store belongs to the process serving it, so ``partnermap backup`` cannot read it while
``partnermap serve`` runs; ``POST /admin/backup`` takes the backup inside that process, from a
read-only snapshot, while reads and uploads go on. It needs an API key (as uploads do, and also on
a read-only server) and writes only to the folder ``PARTNERMAP_BACKUP_DIR`` names, under a name the
server makes, never to a path from the request.
"""

from __future__ import annotations

import logging
import threading
import time

from fastapi import APIRouter

from api.deps import KeyDep, SettingsDep, StoreDep
from api.errors import ApiError, ErrorBody, keyed_responses
from api.models import BackupTaken
from graph.backup import NEO4J, backup, backup_name
from partnermap.errors import BackupRefused

log = logging.getLogger("partnermap.api")

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[KeyDep],
    responses=keyed_responses("no API keys configured, or no backup folder"),
)

# One backup at a time in this process: a second one asked for meanwhile is told to wait (503).
_backing_up = threading.Lock()


@router.post("/backup", status_code=201, response_model=BackupTaken,
             responses={201: {"description": "the backup, written to the server's backup folder"},
                        501: {"model": ErrorBody, "description": "a Neo4j store: back it up with neo4j-admin"},
                        503: {"model": ErrorBody, "description": "a backup is being taken already (Retry-After)"}})
def take_backup(store: StoreDep, settings: SettingsDep) -> BackupTaken:
    """Write a consistent copy of the store to the backup folder (``PARTNERMAP_BACKUP_DIR``) while it serves.

    Read from a snapshot: the store as it was when the backup began, an upload being ingested
    meanwhile either wholly in it or not at all. ``partnermap restore FILE`` brings it back.
    """
    if store.dialect != "embedded":
        raise ApiError(501, NEO4J, code="not_implemented")
    if settings.backup_dir is None:
        raise ApiError(403, "backups over HTTP are off: set PARTNERMAP_BACKUP_DIR to a folder this server may write")
    if not _backing_up.acquire(blocking=False):
        raise ApiError(503, "a backup is being taken already; try again when it is done", code="busy")
    started = time.perf_counter()
    try:
        taken = backup(store, settings.backup_dir / backup_name())
    except BackupRefused as exc:  # the folder cannot be written: said without the server's path
        log.error("a backup failed: %s", exc)
        reason = getattr(exc.__cause__, "strerror", None) or "the server's log says why"
        raise ApiError(500, f"the backup could not be written to the backup folder ({reason}); nothing was kept",
                       code="backup_failed") from exc
    finally:
        _backing_up.release()
    return BackupTaken(file=taken.path.name, taken_at=taken.taken_at, bytes=taken.bytes, nodes=taken.nodes,
                       relationships=taken.relationships, seconds=round(time.perf_counter() - started, 3))

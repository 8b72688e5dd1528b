"""Where an upload waits for its ingest: a temporary folder of its own, removed once it is done.

Each folder is ``partnermap-upload-<pid>-<random>`` in the system's temporary directory, so a
server starting up can tell the folders of processes no longer running (a server killed
mid-upload once left 51 MB behind) from those of another server still at work, and removes
only the first. What is said about an upload names its files as the client sent them, never
the folder they waited in.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from partnermap.processes import running

PREFIX = "partnermap-upload-"
_OWNED = re.compile(rf"^{PREFIX}(?P<pid>\d+)-")


def new_folder() -> Path:
    """A new, empty folder for one upload, named for this process."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))


def remove(folder: Path) -> None:
    """Remove an upload's folder and everything in it (nothing if it is gone already)."""
    shutil.rmtree(folder, ignore_errors=True)


def sweep(directory: Path | None = None) -> list[str]:
    """Remove the upload folders left by processes no longer running; the names of those removed.

    Run on start: this process has made none yet, so a folder bearing its own pid (reused from a
    dead one) is a leftover too.
    """
    directory = Path(directory or tempfile.gettempdir())
    removed = []
    for entry in directory.glob(f"{PREFIX}*"):
        match = _OWNED.match(entry.name)
        if match is None or not entry.is_dir():
            continue
        pid = int(match["pid"])
        if pid == os.getpid() or not running(pid):
            remove(entry)
            removed.append(entry.name)
    return removed


def shown_path(path: str | None) -> str | None:
    """A stored source's path as a client may see it: an upload's waiting folder becomes ``upload``.

    The reader records where it read a file; for an upload that is a folder that no longer exists.
    """
    if path and Path(path).is_relative_to(tempfile.gettempdir()) and PREFIX in path:
        return "upload"
    return path


def scrub(value: Any, folder: Path) -> Any:
    """``value`` (text, or lists and dicts of it) with every mention of ``folder`` taken out."""
    if isinstance(value, str):
        for form in {str(folder.resolve()), str(folder)}:
            value = value.replace(form + os.sep, "").replace(form, "")
        return value
    if isinstance(value, list):
        return [scrub(item, folder) for item in value]
    if isinstance(value, dict):
        return {key: scrub(item, folder) for key, item in value.items()}
    return value

"""Whether a process still runs: for files named after the process that made them (uploads, partial backups).

A file whose maker is gone is a leftover to remove; one whose maker runs is still being written.
"""

from __future__ import annotations

import os


def running(pid: int) -> bool:
    """Whether process ``pid`` is running (another user's counts; a number beyond any kernel's pids does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**22  # another user's process is running; a pid beyond any kernel's is not one
    return True

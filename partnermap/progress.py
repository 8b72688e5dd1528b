"""Progress reports from long work (ingest, export, push), for whoever shows them.

Every layer reports through a plain callable taking a message. One that also wants the stage and
the counts (the CLI's progress bar on a terminal) says so with ``structured = True`` and takes
``stage``, ``done`` and ``total`` as keywords; :func:`tell` gives each what it takes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Progress = Callable[..., Any]


def tell(progress: Progress, message: str, *, stage: str = "", done: int | None = None,
         total: int | None = None) -> None:
    """Report ``message`` (and, to a structured receiver, the stage and how far it has got)."""
    if getattr(progress, "structured", False):
        progress(message, stage=stage, done=done, total=total)
    else:
        progress(message)


def quiet(message: str, **_: Any) -> None:
    """A receiver that shows nothing."""


__all__ = ["Progress", "quiet", "tell"]

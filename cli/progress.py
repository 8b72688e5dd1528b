"""How the command line shows progress: a bar on a terminal, plain lines when piped or in CI.

Long work reports through a callable (:mod:`partnermap.progress`); on a terminal it is a rich
progress bar with the stage (read, write, withdraw, export, push), the counts and the time
taken; elsewhere each report is a plain line on stderr, as logs and CI want them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from partnermap.progress import Progress


def _on_terminal() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class _Bar:
    """A rich progress bar fed by structured reports (stage, done, total)."""

    structured = True

    def __init__(self, bar: Any, title: str):
        self.bar, self.title = bar, title
        self.task = bar.add_task(title, total=None)

    def __call__(self, message: str, *, stage: str = "", done: int | None = None, total: int | None = None) -> None:
        update: dict[str, Any] = {"description": f"{stage or self.title}: {message}"}
        if total:
            update["total"] = total
        if done is not None:
            update["completed"] = done
        self.bar.update(self.task, **update)


@contextmanager
def shown(title: str, force_bar: bool = False) -> Iterator[Progress]:
    """A progress receiver for ``title``: a bar on a terminal (or when ``force_bar``), plain lines otherwise."""
    if not (force_bar or _on_terminal()):
        yield lambda message: typer.echo(f"  {message}", err=True)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, force_terminal=force_bar or None)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with RichProgress(*columns, console=console, transient=False) as bar:
        yield _Bar(bar, title)

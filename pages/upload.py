"""The upload pages: the form, the problems found (nothing written), or what was written."""

from __future__ import annotations

from typing import Any

from pages.context import common
from pages.render import render


def form_page(refused: str | None, error: str = "", field: str = "") -> str:
    """The upload form, with an error against the field it concerns."""
    return render("upload.html", **common("/upload", refused=refused, error=error, field=field, problems=None,
                                          done=None, filename=""))


def problems_page(filename: str, problems: list[dict[str, Any]], more: int | None = None) -> str:
    """Every problem in the register as a table: file, row, column, value, reason. Nothing was written."""
    rows = [{key: "" if problem.get(key) is None else problem.get(key) for key in ("file", "row", "column", "value", "reason")}
            for problem in problems]
    return render("upload.html", **common("/upload", refused=None, error="", field="", problems=rows, done=None,
                                          filename=filename, more=more or 0))


def waiting_page(filename: str) -> str:
    """The upload is queued or still being read: the page says so, and where to look later."""
    return render("upload.html", **common("/upload", refused=None, error="", field="", problems=None, done=None,
                                          filename=filename, waiting=True))


def done_page(filename: str, nodes: dict[str, int], relationships: dict[str, int], removed: int) -> str:
    """What the upload wrote: nodes and relationships by kind, and facts removed."""
    done = {"nodes": sorted(nodes.items()), "relationships": sorted(relationships.items()), "removed": removed}
    return render("upload.html", **common("/upload", refused=None, error="", field="", problems=None, done=done,
                                          filename=filename))

"""The upload pages: the form, the problems found (nothing written), a preview to confirm, or what was written."""

from __future__ import annotations

from typing import Any

from graph.preview import report_rows
from pages.context import common
from pages.render import render

PREVIEW_ROWS = 1000  # the most changes a preview page lists; the counts above it cover them all


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


def preview_page(filename: str, job_id: str, report: dict[str, Any], name: str) -> str:
    """What the upload would change (counts first, then each change), and a form to write it: nothing written yet."""
    rows = report_rows(report)
    preview = {"counts": report["counts"], "rows": rows[:PREVIEW_ROWS], "more": max(0, len(rows) - PREVIEW_ROWS),
               "job": job_id, "name": name}
    return render("upload.html", **common("/upload", refused=None, error="", field="", problems=None, done=None,
                                          filename=filename, preview=preview))

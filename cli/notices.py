"""What an ingest read past or left out, as the CLI reports it on stderr and in a rejects file.

Warnings can run to thousands on a live feed (a blank field on every record): they are counted by
file, field and reason, the most frequent first. Skipped records are few and each one matters:
every one is listed, with its reasons.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ingest.batches import ReadWarning, Skipped
from partnermap.errors import Problem
from partnermap.output import render

WARNING_LINES = 20


def warning_lines(warnings: Sequence[ReadWarning]) -> list[str]:
    """A count line, then the most frequent (file, field, reason) with how often each came."""
    if not warnings:
        return []
    counted = Counter((w.problem.file, _field(w.problem), w.problem.reason) for w in warnings)
    lines = [f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}: values read past "
             "(they break their standard's schema, but partnermap does not need them as published):"]
    for (file, column, reason), n in counted.most_common(WARNING_LINES):
        field = f", field {column!r}" if column else ""
        lines.append(f"  {file}{field}: {reason} ×{n}")
    if len(counted) > WARNING_LINES:
        lines.append(f"  … and {len(counted) - WARNING_LINES} more kinds")
    return lines


def _field(problem: Problem) -> str | None:
    """The field a warning is about, the same for every record: ``#/content/*/organization/id``, or the column."""
    if isinstance(problem.row, str) and problem.row.startswith("#"):
        return re.sub(r"/\d+(?=/|$)", "/*", problem.row)
    return problem.column


def skipped_lines(skipped: Sequence[Skipped]) -> list[str]:
    """Every skipped record with its reasons, then the count per file."""
    if not skipped:
        return []
    lines = []
    for record in skipped:
        reasons = "; ".join(f"{p.column + ': ' if p.column else ''}{p.reason}" for p in record.problems)
        lines.append(f"  skipped {record.file} {'row ' if isinstance(record.record, int) else ''}{record.record}: {reasons}")
    per_file = Counter(record.file for record in skipped)
    lines.append(f"skipped {len(skipped)} invalid record{'s' if len(skipped) != 1 else ''} "
                 f"({', '.join(f'{file}: {n}' for file, n in per_file.items())}); the valid ones were written")
    return lines


def write_rejects(skipped: Sequence[Skipped], path: Path) -> int:
    """Write the skipped records, one row per reason, as CSV (formula-safe); the number of rows."""
    rows = [row for record in skipped for row in record.rows()]
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(rows, "csv") if rows else ",".join(REJECTS_COLUMNS)
    path.write_text(text + "\n", encoding="utf-8", newline="")
    return len(rows)


REJECTS_COLUMNS = ("file", "record", "field", "value", "reason")

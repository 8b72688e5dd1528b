"""Present query rows as a table, JSON or CSV (dates as ISO text, lists joined by ``;``).

CSV cells that a spreadsheet would run as formulas are neutralised with a leading quote;
JSON and the table keep every value verbatim.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

FORMATS = ("table", "json", "csv")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """A value JSON can carry: dates as ISO strings, everything else as it is."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _csv_cell(value: Any) -> str:
    """A cell for CSV export: text a spreadsheet would run as a formula gets a leading quote."""
    text = _cell(value)
    if not isinstance(value, (int, float)) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    """Rows in ``fmt`` (table, json or csv)."""
    if fmt == "json":
        return json.dumps([plain(r) for r in rows], indent=2, ensure_ascii=False)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if fmt == "csv":
        # "\r" in the terminator makes the writer quote a cell holding one (with "\n" alone, Python
        # 3.11 leaves it bare and a spreadsheet splits the row); lines are then joined with "\n".
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        lines = []
        for cells in [columns, *([_csv_cell(row.get(c)) for c in columns] for row in rows)]:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(cells)
            lines.append(buffer.getvalue()[:-2])
        return "\n".join(lines)
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not rows:
        return "(no rows)"
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [min(48, max(len(c), *(len(r[i]) for r in cells))) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)

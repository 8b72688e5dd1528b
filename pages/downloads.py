"""A finding's rows as files to download: CSV (as ``partnermap query --format csv`` writes) and XLSX."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from partnermap.output import FORMULA_STARTS, plain, render

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV; cells a spreadsheet would run as formulas start with a quote."""
    return render(rows, "csv") + "\n"


def _xlsx_cell(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, list):
        value = "; ".join("" if v is None else str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # openpyxl would store text starting "=" as a formula
    return value


def xlsx_bytes(rows: list[dict[str, Any]], title: str) -> bytes:
    """The rows as a one-sheet workbook with a header row; formula-like text is kept as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Findings"
    columns = list(dict.fromkeys(k for row in rows for k in row))
    sheet.append(columns)
    for row in rows:
        sheet.append([_xlsx_cell(row.get(c)) for c in columns])
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(12, len(column) + 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Edit a register copy as a person would in a spreadsheet (row numbers count the header as 1)."""

from __future__ import annotations

import csv
from pathlib import Path


def read_rows(path: Path) -> list[list[str]]:
    """Every row of a CSV file, header first."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    """Write rows back as CSV."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def set_cell(register: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` counts the header as row 1, as the messages do."""
    rows = read_rows(register / file)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(register / file, rows)

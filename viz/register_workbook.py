"""The register as a person fills it in: an XLSX workbook (a template, or filled) or a folder of CSV files.

Generated from the model's ``[register]`` alone: an "Instructions" sheet first, then one sheet per
register file with its header, a note on each column's header cell, drop-down lists for every
controlled value and yes/no, lists of the ids of the sheets a reference column names, and date
columns formatted and checked as dates. The lists live in a hidden "lists" sheet, which the
register reader ignores. Rows come in as plain values (see ``graph.register_export``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ontology import Model, RegisterColumn, RegisterFile

INSTRUCTIONS = "Instructions"
LISTS = "lists"
ROWS = 5000  # rows below the header that drop-downs and date checks cover in an empty sheet
DATE_FORMAT = "yyyy-mm-dd"
YES_NO = ("yes", "no")
# Excel refuses (with a repair prompt) a validation title over 32 characters or a message over 255.
_TITLE, _MESSAGE = 32, 255


def _allowed(model: Model, column: RegisterColumn) -> tuple[str, ...]:
    if column.vocabulary:
        return model.vocabularies[column.vocabulary]
    if column.type == "yes_no":
        return YES_NO
    return ()


def _help(model: Model, file: RegisterFile, column: RegisterColumn) -> str:
    """What the header's note says: the column's note, whether it is required, what it takes."""
    parts = [column.note, "Required." if column.required else "Optional."]
    allowed = _allowed(model, column)
    if allowed:
        parts.append("One of: " + ", ".join(allowed) + ".")
    if column.refers:
        parts.append("An id from the " + " or ".join(f"{name} sheet" for name in column.refers) + ".")
    if column.type == "date":
        parts.append("A date, e.g. 2025-04-01.")
    if column.multiple:
        parts.append("Several values: separate them with ;")
    return " ".join(parts)


class _Lists:
    """The hidden sheet of allowed values: one column per list, each written once."""

    def __init__(self, book: Workbook):
        self.sheet = book.create_sheet(LISTS)
        self.sheet.sheet_state = "hidden"
        self.ranges: dict[str, str] = {}

    def range_of(self, name: str, values: tuple[str, ...] | list[str]) -> str:
        """The range holding ``values`` (written under the header ``name`` the first time it is asked for)."""
        if name not in self.ranges:
            letter = get_column_letter(len(self.ranges) + 1)
            self.sheet.cell(1, len(self.ranges) + 1, name)
            for row, value in enumerate(values, start=2):
                cell = self.sheet.cell(row, len(self.ranges) + 1)
                cell.value, cell.data_type = str(value), TYPE_STRING
            self.ranges[name] = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${max(len(values), 1) + 1}"
        return self.ranges[name]


def _validation(kind: str, column: RegisterColumn, **options: Any) -> DataValidation:
    check = DataValidation(type=kind, allow_blank=True, showErrorMessage=True, showInputMessage=True, **options)
    check.promptTitle = column.name[:_TITLE]
    check.prompt = column.note[:_MESSAGE]
    check.errorTitle = f"Not a valid {column.name}"[:_TITLE]
    return check


def _column_check(model: Model, register: dict[str, RegisterFile], file: RegisterFile, column: RegisterColumn,
                  cell: str, lists: _Lists, places: list[str] | None, last: int) -> DataValidation | None:
    """The data validation a column takes, or None for free text (names, notes, themes)."""
    allowed = _allowed(model, column)
    if allowed:
        check = _validation("list", column, formula1=lists.range_of(column.vocabulary or column.type, allowed))
        check.error = f"Pick one from the list: {', '.join(allowed)}"[:_MESSAGE]
        return check
    if column.type == "date":
        check = _validation("date", column, operator="greaterThanOrEqual", formula1="1")
        check.error = "Type a date, e.g. 2025-04-01."
        return check
    if column.type == "fraction":
        check = _validation("decimal", column, operator="between", formula1="0", formula2="1")
        check.error = "A share between 0 and 1, or a percentage such as 80%."
        return check
    if column.type == "integer":
        prop = _property(model, file, column)
        low, high = int(prop.min or 0), int(prop.max if prop.max is not None else 1_000_000)
        check = _validation("whole", column, operator="between", formula1=str(low), formula2=str(high))
        check.error = f"A whole number from {low} to {high}."
        return check
    if not column.refers:
        return None
    if column.refers == ("territories",) and places is not None:
        targets = [lists.range_of("places", places)]
    else:
        targets = [_id_range(register[name], last) for name in column.refers]
    if len(targets) == 1:
        check = _validation("list", column, formula1=targets[0])
    else:  # a list takes one range: the value must be in one of them
        found = ",".join(f"COUNTIF({target},{cell})>0" for target in targets)
        check = _validation("custom", column, formula1=f"OR({found})")
    check.error = ("Use an id from the " + " or ".join(f"{name} sheet" for name in column.refers) + ".")[:_MESSAGE]
    if column.multiple:  # "a;b" is not in the list: say so, but let it be typed
        check.errorStyle = "information"
    return check


def _property(model: Model, file: RegisterFile, column: RegisterColumn):
    owner = model.label(file.labels[0]) if file.labels else model.relationship(file.relationship)
    return owner.properties[column.property]


def _id_range(file: RegisterFile, last: int) -> str:
    letter = get_column_letter(list(file.columns).index(file.key) + 1)
    return f"{quote_sheetname(file.name)}!${letter}$2:${letter}${last}"


def _write_cell(sheet, row: int, column: int, value: Any, date: bool) -> None:
    cell = sheet.cell(row, column)
    if value is None:
        return
    if isinstance(value, str):  # never a formula, whatever it starts with
        cell.value, cell.data_type = value, TYPE_STRING
        return
    cell.value = value
    if date or isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def workbook(model: Model, rows: dict[str, list[dict[str, Any]]] | None = None,
             places: list[dict[str, Any]] | None = None) -> Workbook:
    """The register as a workbook: empty (a template), or holding ``rows`` per file.

    ``places``: territories (code, name, level, parent) of an area: its codes are what territory
    columns offer, and they fill the territories sheet when no rows are given.
    """
    register = model.register
    rows = dict(rows or {})
    if places is not None and not rows.get("territories"):
        rows["territories"] = [{"code": p["code"], "name": p["name"], "level": p["level"], "parent": p.get("parent")}
                               for p in places]
    book = Workbook()
    instructions = book.active
    instructions.title = INSTRUCTIONS
    last = 1 + max([ROWS, *(len(r) + ROWS for r in rows.values())])
    sheets = {name: book.create_sheet(name) for name in register}
    lists = _Lists(book)
    codes = [str(p["code"]) for p in places] if places is not None else None
    for name, file in register.items():
        sheet = sheets[name]
        for position, column in enumerate(file.columns.values(), start=1):
            letter = get_column_letter(position)
            header = sheet.cell(1, position, column.name)
            header.font = Font(bold=True)
            note = Comment(_help(model, file, column), "partnermap")
            note.width, note.height = 320, 140
            header.comment = note
            sheet.column_dimensions[letter].width = max(14, min(40, len(column.name) + 4))
            check = _column_check(model, register, file, column, f"{letter}2", lists, codes, last)
            if check is not None:
                check.add(f"{letter}2:{letter}{last}")
                sheet.add_data_validation(check)
            if column.type == "date":
                sheet.column_dimensions[letter].number_format = DATE_FORMAT
        for row_number, row in enumerate(rows.get(name, []), start=2):
            for position, column in enumerate(file.columns.values(), start=1):
                _write_cell(sheet, row_number, position, row.get(column.name), column.type == "date")
        sheet.freeze_panes = "A2"
    _instructions(instructions, model)
    return book


def _instructions(sheet, model: Model) -> None:
    """The first sheet: how to fill the workbook in, and every column with its note and allowed values."""
    lines = [
        "The partnership register",
        "Fill in one sheet per kind of thing. Row 1 is the header: do not change it. Each row below is one "
        "thing. Hover over a header for what to write; pick controlled values from the drop-down lists.",
        "Sheets refer to each other by id: a membership names a partnership's id and an organisation's id; "
        "places are named by their GSS code. Several values in one cell are separated by ;",
        "Territories, organisations and partnerships are required; the other sheets may stay empty. "
        "Dates are written 2025-04-01 or 1/4/2025 (day first).",
        "When done, upload the workbook or run: partnermap ingest register register.xlsx",
    ]
    for row, text in enumerate(lines, start=1):
        cell = sheet.cell(row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = Font(bold=True, size=14)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        sheet.row_dimensions[row].height = 16 if row == 1 else 32
    row = len(lines) + 2  # a blank row, then the table of columns
    for position, title in enumerate(("sheet", "column", "required", "what to write", "allowed values"), start=1):
        sheet.cell(row, position, title).font = Font(bold=True)
    for name, file in model.register.items():
        row += 1
        sheet.cell(row, 1, name).font = Font(bold=True)
        sheet.cell(row, 4, file.note + (" Required sheet." if file.required else ""))
        for column in file.columns.values():
            row += 1
            allowed = _allowed(model, column)
            values = ", ".join(allowed) if allowed else (
                "ids from " + " or ".join(column.refers) if column.refers else "")
            for position, value in enumerate((name, column.name, "yes" if column.required else "", column.note, values),
                                             start=1):
                sheet.cell(row, position).value, sheet.cell(row, position).data_type = value, TYPE_STRING
    for letter, width in zip("ABCDE", (16, 20, 10, 70, 60)):
        sheet.column_dimensions[letter].width = width


def workbook_bytes(model: Model, rows: dict[str, list[dict[str, Any]]] | None = None,
                   places: list[dict[str, Any]] | None = None) -> bytes:
    """:func:`workbook` as the bytes of an ``.xlsx`` file (for a download)."""
    out = io.BytesIO()
    workbook(model, rows, places).save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    """A value as a CSV cell holds it (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer() and abs(value) > 1:
        return str(int(value))
    return str(value)


def write_register(target: Path, model: Model, rows: dict[str, list[dict[str, Any]]]) -> list[Path]:
    """Write ``rows`` as a register: an ``.xlsx`` workbook, or else a folder of CSV files; the files written."""
    if target.suffix.lower() == ".xlsx":
        target.parent.mkdir(parents=True, exist_ok=True)
        workbook(model, rows).save(target)
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, file in model.register.items():
        if not rows.get(name) and not file.required:
            continue
        path = target / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(list(file.columns))
            for row in rows.get(name, []):
                out.writerow([_text(row.get(column)) for column in file.columns])
        written.append(path)
    return written

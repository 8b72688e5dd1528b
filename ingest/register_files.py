"""A register's files as people save them, read into frames of text: CSV files in a folder, or a workbook.

CSV files are read in whatever encoding and with whichever delimiter they were saved (``ingest.text``);
columns with no header and no values (Excel writes ``,,`` to the end of its used range) and blank rows
are left out; a row with more cells than the header, a cell holding a control character, and a workbook
formula with no saved value are refused naming the row and column (or cell). Dates written day first
(``01/06/2001``, ``1 June 2001``) and percentages (``92%``) in the columns the model types as dates and
fractions are read into ISO dates and fractions (``ingest.values``), which validation takes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from ingest.batches import ReadWarning, too_large
from ingest.text import CONTROL, DELIMITERS, decode, delimiter, has_control
from ingest.values import fraction, pounds, uk_date
from ontology import load_model
from partnermap.errors import Problem

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PANDAS_TOO_MANY = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNNAMED = re.compile(r"^unnamed: \d+$")


@dataclass
class Table:
    """One register file or sheet: its name in messages, its cells as text, its bytes (for the checksum)."""

    file: str
    frame: pd.DataFrame
    raw: bytes


def read_tables(path: Path, names: list[str]) -> tuple[dict[str, Table], list]:
    """The register's files present among ``names`` (``territories`` …) and the problems and warnings met."""
    if path.is_dir():
        return _read_folder(path, names)
    if path.suffix.lower() == ".xlsx":
        return _read_workbook(path, names)
    return {}, [Problem(str(path), None, None, None, "a register is a folder of CSV files or an .xlsx workbook", fatal=True)]


def _read_folder(path: Path, names: list[str]) -> tuple[dict[str, Table], list]:
    tables: dict[str, Table] = {}
    found: list = []
    for name in names:
        file = path / f"{name}.csv"
        if not file.exists():
            continue
        if oversized := too_large(file):
            found.append(oversized)
            continue
        raw = file.read_bytes()
        decoded = decode(file.name, raw)
        if isinstance(decoded, Problem):
            found.append(decoded)
            continue
        if decoded.name != "UTF-8":
            found.append(ReadWarning(Problem(file.name, None, None, None, f"not UTF-8: read as {decoded.name} (Excel's "
                                             "plain 'CSV' saves Windows-1252; 'CSV UTF-8' keeps every character)")))
        text, sep = decoded.text, delimiter(decoded.text)
        if has_control(decoded, raw):
            found += _control_characters(file.name, text, sep)
            text = CONTROL.sub("", text)
        try:
            # Blank lines kept (and dropped later) so row numbers match the spreadsheet's; no header row
            # yet, so that a row longer than the header is an error here rather than silently cut.
            frame = pd.read_csv(  # object, not str: Python strings straight from the parser, no Arrow
                io.StringIO(text), sep=sep, header=None, dtype=object, keep_default_na=False, na_filter=False,
                skipinitialspace=True, skip_blank_lines=False,
            )
        except pd.errors.ParserError as exc:
            longer = _PANDAS_TOO_MANY.search(str(exc))
            if longer:
                expected, line, saw = longer.groups()
                found.append(Problem(file.name, int(line), None, None,
                                     f"row has {saw} cells, the header has {expected} (cells separated by "
                                     f"{DELIMITERS[sep]}s; a cell holding one must be in double quotes)", fatal=True))
            else:
                found.append(Problem(file.name, None, None, None, f"not a readable CSV file: {exc}", fatal=True))
            continue
        except pd.errors.EmptyDataError as exc:
            found.append(Problem(file.name, None, None, None, f"not a readable CSV file: {exc}", fatal=True))
            continue
        header = [trimmed(cell) for cell in frame.iloc[0]] if len(frame) else []
        frame = frame.iloc[1:].reset_index(drop=True)
        frame.columns = header
        frame, problems = _headed(file.name, frame)
        found += problems
        tables[name] = Table(file.name, frame, raw)
    return tables, found


def _read_workbook(path: Path, names: list[str]) -> tuple[dict[str, Table], list]:
    if oversized := too_large(path):
        return {}, [oversized]
    raw = path.read_bytes()
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl", keep_default_na=False, na_filter=False)
    except Exception as exc:  # noqa: BLE001 -- openpyxl raises many kinds for a damaged workbook
        return {}, [Problem(path.name, None, None, None, f"not a readable XLSX workbook: {exc}", fatal=True)]
    wanted = {str(sheet): str(sheet).strip().lower() for sheet in sheets if str(sheet).strip().lower() in names}
    found: list = _formulas_without_values(path, raw, wanted)
    tables: dict[str, Table] = {}
    for sheet, name in wanted.items():
        file = f"{path.name}[{sheet}]"
        frame = sheets[sheet].map(_cell_text)
        frame.columns = ["" if _UNNAMED.match(str(c).strip().lower()) else str(c).strip() for c in frame.columns]
        for column in frame.columns:
            bad = frame[column].map(lambda v: bool(CONTROL.search(v)))
            for index in frame.index[bad]:
                found.append(_control_problem(file, int(index) + 2, column, frame.at[index, column]))
                frame.at[index, column] = CONTROL.sub("", frame.at[index, column])
        frame, problems = _headed(file, frame)
        found += problems
        tables[name] = Table(file, frame, raw)
    return tables, found


def _headed(file: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Columns with no header left out if they hold nothing; a repeated header, or values under none, refused."""
    problems: list[Problem] = []
    keep = []
    seen: set[str] = set()
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if not column:
            filled = values.map(trimmed) != ""
            if filled.any():
                row = int(filled.idxmax()) + 2
                problems.append(Problem(file, row, f"column {_letters(position)}", trimmed(values[filled].iloc[0]),
                                        "a value in a column with no header: name the column, or delete it", fatal=True))
            continue
        key = column.strip().lower()
        if key in seen:
            problems.append(Problem(file, 1, column, None, "this column appears twice in the header", fatal=True))
            continue
        seen.add(key)
        keep.append(position)
    return frame.iloc[:, keep], problems


def _letters(position: int) -> str:
    """A spreadsheet's column letters for a 0-based position (0 → A, 26 → AA)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _control_problem(file: str, row: int, column: str, value: str) -> Problem:
    found = CONTROL.search(value)
    return Problem(file, row, column or None, value.encode("unicode_escape").decode("ascii")[:60],
                   f"holds a control character (U+{ord(found.group()):04X}) no text should: remove it", fatal=True)


def _control_characters(file: str, text: str, sep: str) -> list[Problem]:
    """Each cell holding a control character, named by row and column (the slow path: only when there is one)."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    header = [cell.strip() for cell in rows[0]] if rows else []
    return [_control_problem(file, number, header[position] if position < len(header) else _letters(position), cell)
            for number, cells in enumerate(rows[1:], 2) for position, cell in enumerate(cells) if CONTROL.search(cell)]


def _formulas_without_values(path: Path, raw: bytes, sheets: dict[str, str]) -> list[Problem]:
    """Formula cells whose workbook holds no value for them (written by a program that does not calculate)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if not any(b"<f" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")):
                return []
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    import openpyxl

    problems = []
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in sheets:
            header: list[str] = []
            for row_number, (cells, saved) in enumerate(zip(formulas[sheet].iter_rows(values_only=True),
                                                            values[sheet].iter_rows(values_only=True)), start=1):
                if row_number == 1:
                    header = [str(c).strip() if c is not None else "" for c in cells]
                for position, (cell, value) in enumerate(zip(cells, saved)):
                    if isinstance(cell, str) and cell.startswith("=") and value is None:
                        column = header[position] if position < len(header) and header[position] else None
                        problems.append(Problem(
                            f"{path.name}[{sheet}]", row_number, column, cell,
                            f"cell {_letters(position)}{row_number} is a formula with no saved value (the program that "
                            "wrote the workbook did not calculate it): open it in a spreadsheet and save it, or type the value",
                            fatal=True))
    finally:
        formulas.close()
        values.close()
    return problems


def trimmed(value: object) -> str:
    """A cell as trimmed text, blank as ""."""
    if value.__class__ is str:
        return value.strip()
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV would hold (dates as ISO, whole floats without .0)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@cache
def _typed_columns() -> dict[str, str]:
    """Register columns named as a model property typed date or float (``since``, ``start``, ``attendance`` …)."""
    model = load_model()
    typed: dict[str, str] = {}
    for item in [*model.labels.values(), *model.relationships.values()]:
        for name, prop in item.properties.items():
            if prop.type in ("date", "float"):
                typed.setdefault(name, prop.type)
    return typed


def as_model_reads(frame: pd.DataFrame) -> pd.DataFrame:
    """Day-first dates, percentages and pounds (``£12,500``) in date and number columns read as the model holds them."""
    for column in frame.columns:
        kind = _typed_columns().get(str(column))
        if kind is None:
            continue
        read = {}
        for value in frame[column].unique():
            text = trimmed(value)
            if not text or (kind == "date" and _ISO.match(text)):
                continue
            converted = uk_date(text) if kind == "date" else fraction(text) or pounds(text)
            if converted is not None:
                read[value] = converted
        if read:
            frame[column] = frame[column].map(lambda v, read=read: read.get(v, v))
    return frame

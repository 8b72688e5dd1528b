"""Read a partnership register: a folder of CSV files, or one XLSX workbook with the same sheets.

The register is what partnership managers fill in by hand (see README, "The register").
References are by id (or territory code); multi-valued cells are separated by ``;``;
themes and client groups become shared nodes keyed case-insensitively. Row numbers
in messages and provenance count the header as row 1, as a spreadsheet does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.batches import ROW, EdgeBatch, Item, NodeBatch
from ingest.register_files import trimmed, as_model_reads, read_tables
from ontology import concept_id, load_model
from ontology.ids import relationship_ids, source_id as make_source_id
from partnermap.errors import Problem


FILES = load_model().register  # which files, their columns and which are required: ontology/model.toml [register]
PARTNERS = load_model().kind("Group")  # what organisations sit on
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(text: str) -> dt.date | None:
    """An ISO date, or None where the cell is blank or malformed (validation reports those)."""
    try:
        return dt.date.fromisoformat(text) if _ISO.match(text) else None
    except ValueError:
        return None
OWNERS = load_model().relationship("OWNS").from_labels  # what can own a strategy or a target


def split(cell: str) -> list[str]:
    """A multi-valued cell's values (``;``-separated), trimmed, blanks dropped."""
    return [part.strip() for part in str(cell).split(";") if part.strip()]


class _Sheet:
    """One register file as strings, with its row numbers and provenance columns."""

    def __init__(self, name: str, file: str, frame: pd.DataFrame, source_id: str):
        self.name, self.file, self.source_id = name, file, source_id
        # Plain Python strings, trimmed in one pass per column: they are walked value by value
        # later, and pandas' string methods convert to Arrow and back (measured 0.8 s of 4.4 s).
        frame = pd.DataFrame({name: [v.strip() if v.__class__ is str else trimmed(v)  # inlined for str: 3x faster
                                     for v in frame[name].to_numpy(dtype=object)] for name in frame.columns},
                             index=frame.index, dtype=object)
        frame = frame[(frame != "").any(axis=1)]  # wholly blank rows are spreadsheet noise
        frame[ROW] = frame.index + 2
        self.frame = frame
        self._row_names: np.ndarray | None = None

    def provenance(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self._row_names is None:  # once per sheet, shared by every batch it gives (one string per row)
            prefix = f"{self.file} row "
            last = int(self.frame[ROW].max()) if len(self.frame) else 0
            self._row_names = np.array([f"{prefix}{row}" for row in range(last + 1)], dtype=object)
        rows = pd.Series(self._row_names[frame[ROW].to_numpy(dtype=np.int64)], index=frame.index, dtype=object)
        return frame.assign(source=self.source_id, source_row=rows)

    def nodes(self, label: str, columns: dict[str, str], rows: pd.Series | None = None) -> NodeBatch:
        """Nodes of ``label`` from ``columns`` (property ← input column)."""
        frame = self.frame if rows is None else self.frame[rows]
        out = pd.DataFrame({prop: frame[col] for prop, col in columns.items() if col in frame})
        out[ROW] = frame[ROW]
        return NodeBatch(label, self.provenance(out), self.file, clean=True)

    def edges(
        self,
        rel_type: str,
        from_column: str,
        to_column: str,
        from_labels: tuple[str, ...],
        to_labels: tuple[str, ...],
        properties: dict[str, str] | None = None,
        key_columns: tuple[str, ...] = (),
        many: bool = False,
        to_key=None,
    ) -> EdgeBatch | None:
        """Relationships from one id column to another (``many``: the target cell holds a list)."""
        if from_column not in self.frame or to_column not in self.frame:
            return None
        frame = self.frame[(self.frame[to_column] != "") & (self.frame[from_column] != "")].copy()
        if many:  # as whole columns: a national register has a million cells to split
            frame[to_column] = frame[to_column].str.split(";")
            frame = frame.explode(to_column)
            frame[to_column] = frame[to_column].str.strip()
            frame = frame[frame[to_column].notna() & (frame[to_column] != "")]
        if to_key is not None:
            frame[to_column] = frame[to_column].map(to_key)
            frame = frame[frame[to_column] != ""]  # reported by _blank_concepts
        if many:
            frame = frame.drop_duplicates([ROW, to_column])  # "Health; health" in one cell is one fact
        out = pd.DataFrame({"from_id": frame[from_column].astype(object), "to_id": frame[to_column].astype(object)})
        keys = [frame[c].tolist() if c in frame else [""] * len(frame) for c in key_columns]
        out["id"] = pd.Series(relationship_ids(rel_type, out["from_id"].tolist(), out["to_id"].tolist(), *keys),
                              index=out.index, dtype=object)
        for prop, col in (properties or {}).items():
            if col in frame:
                out[prop] = frame[col]
        out[ROW] = frame[ROW]
        return EdgeBatch(rel_type, self.provenance(out), self.file, from_labels, to_labels, from_column, to_column,
                         clean=True)


def read(source: str | Path, dataset: str | None = None) -> Iterator[Item]:
    """Read a register folder or workbook into node and relationship batches (and problems).

    ``dataset``: the register's name in its sources' ids (default: the folder's or workbook's name).
    """
    path = Path(source)
    if not path.exists():
        yield Problem(str(path), None, None, None, "no such file or folder", fatal=True)
        return
    tables, found = read_tables(path, list(FILES))
    yield from found
    problems = [p for p in found if isinstance(p, Problem)]
    register = dataset or (path.stem if path.is_file() else path.resolve().name)
    sheets: dict[str, _Sheet] = {}
    for name, spec in FILES.items():
        if name not in tables:
            # Not when the file itself could not be read: its own problem says why.
            if spec.required and not any(p.file.startswith(f"{name}.") or p.file == path.name for p in problems):
                if path.is_dir():
                    yield Problem(f"{name}.csv", None, None, None, "this required file is missing from the register", fatal=True)
                else:
                    yield Problem(path.name, None, None, name, "this required sheet is missing from the workbook", fatal=True)
            continue
        file, frame, raw = tables[name].file, tables[name].frame, tables[name].raw
        frame.columns = [str(c).strip().lower() for c in frame.columns]
        header = ", ".join(frame.columns)
        missing = [c for c in spec.required_columns if c not in frame.columns]
        for column in missing:
            yield Problem(file, 1, column, None, f"required column is missing (the header has: {header})", fatal=True)
        unknown = [c for c in frame.columns if c not in spec.columns]
        for column in unknown:
            yield Problem(file, 1, column, None, f"unknown column; {name} has: {', '.join(spec.columns)}")
        if missing:
            continue
        frame = as_model_reads(frame.drop(columns=unknown))
        source_id = make_source_id("register", register, file)
        sheets[name] = _Sheet(name, file, frame, source_id)
        digest = hashlib.sha256(raw).hexdigest()
        yield NodeBatch(
            "Source",
            pd.DataFrame([{
                "id": source_id, "name": file, "reader": "register", "path": str(path.resolve()),
                "sha256": digest, "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": source_id, "source_row": file, ROW: None,
            }]),
            file,
        )
    yield from _batches(sheets)


def _batches(sheets: dict[str, _Sheet]) -> Iterator[Item]:
    def some(*batches):
        return [b for b in batches if b is not None]

    if "territories" in sheets:
        s = sheets["territories"]
        yield s.nodes("Territory", {"id": "code", "name": "name", "level": "level"})
        yield from some(s.edges("PART_OF", "code", "parent", ("Territory",), ("Territory",)))
    if "organisations" in sheets:
        s = sheets["organisations"]
        yield s.nodes("Organisation", {"id": "id", "name": "name", "sector": "sector", "aliases": "aliases", "identifiers": "identifiers"})
        yield from some(s.edges("COVERS", "id", "territory", ("Organisation",), ("Territory",)))
    if "partnerships" in sheets:
        s = sheets["partnerships"]
        # Every column that fills a property of the partnership (the governance columns too), as the model says.
        columns = {column.property: name for name, column in FILES["partnerships"].columns.items() if column.property}
        is_forum = s.frame["kind"].str.lower() == "forum"
        yield s.nodes("Partnership", columns, ~is_forum)
        yield s.nodes("Forum", columns, is_forum)
        yield from some(
            s.edges("COVERS", "id", "territory", PARTNERS, ("Territory",)),
            s.edges("REPORTS_TO", "id", "reports_to", PARTNERS, PARTNERS),
        )
        yield from _ends_before_it_starts(s, "start", "end")
    if "memberships" in sheets:
        s = sheets["memberships"]
        yield from some(s.edges(
            "MEMBER_OF", "organisation", "partnership", ("Organisation",), PARTNERS,
            properties={"role": "role", "representative": "representative", "attendance": "attendance", "since": "since", "until": "until"},
            key_columns=("representative",),
        ))
        yield from _ends_before_it_starts(s, "since", "until")
    if "strategies" in sheets:
        s = sheets["strategies"]
        yield s.nodes("Strategy", {"id": "id", "name": "name", "start": "start", "end": "end"})
        yield from some(
            s.edges("OWNS", "owner", "id", OWNERS, ("Strategy",)),
            s.edges("COVERS", "id", "territory", ("Strategy",), ("Territory",)),
            s.edges("ALIGNS_WITH", "id", "links_to", ("Strategy",), ("Strategy",), many=True),
            s.edges("CONTRIBUTES_TO", "id", "targets", ("Strategy",), ("Target",), many=True),
        )
    if "targets" in sheets:
        s = sheets["targets"]
        yield s.nodes("Target", {"id": "id", "name": "name"})
        yield from some(s.edges("OWNS_TARGET", "owner", "id", OWNERS, ("Target",)))
    if "services" in sheets:
        s = sheets["services"]
        yield s.nodes("Service", {"id": "id", "name": "name", "type": "type"})
        yield from some(
            s.edges("DELIVERS", "provider", "id", ("Organisation",), ("Service",)),
            s.edges("COMMISSIONS", "commissioner", "id", OWNERS, ("Service",)),
            s.edges("COVERS", "id", "territory", ("Service",), ("Territory",)),
            s.edges("SERVES", "id", "client_groups", ("Service",), ("ClientGroup",), many=True, to_key=concept_id),
        )
        yield from _concepts(sheets, "ClientGroup", ["services"], "client_groups")
    for name, label in (("partnerships", PARTNERS), ("strategies", ("Strategy",)), ("targets", ("Target",)), ("services", ("Service",))):
        if name in sheets:
            yield from some(sheets[name].edges("HAS_THEME", "id", "themes", label, ("Theme",), many=True, to_key=concept_id))
    yield from _concepts(sheets, "Theme", ["partnerships", "strategies", "targets", "services"], "themes")
    yield from _blank_concepts(sheets)


def _ends_before_it_starts(sheet: _Sheet, start: str, end: str) -> Iterator[Problem]:
    """Rows whose end date comes before their start date (a register's dated memberships and partnerships)."""
    if {start, end} <= set(sheet.frame.columns):
        for row, first, last in zip(sheet.frame[ROW], sheet.frame[start], sheet.frame[end]):
            # Only well-formed dates are compared; a malformed one is reported by validation.
            if _date(first) and _date(last) and _date(first) > _date(last):
                yield Problem(sheet.file, row, end, last, f"ends before it starts ({start} {first})")


def _blank_concepts(sheets: dict[str, _Sheet]) -> Iterator[Problem]:
    """Themes or client groups with no letters or digits cannot be told apart: say so."""
    for sheet in sheets.values():
        for column in ("themes", "client_groups"):
            if column not in sheet.frame:
                continue
            # Cells repeat (the same few themes in every row): check each distinct cell once.
            bad = {cell for cell in sheet.frame[column].unique() if any(not concept_id(v) for v in split(cell))}
            if not bad:
                continue
            rows = sheet.frame[sheet.frame[column].isin(bad)]
            for row, cell in zip(rows[ROW], rows[column]):
                for value in split(cell):
                    if not concept_id(value):
                        yield Problem(sheet.file, row, column, value, "needs letters or digits to name a theme or group")


def _concepts(sheets: dict[str, _Sheet], label: str, names: list[str], column: str) -> Iterator[NodeBatch]:
    """Shared Theme/ClientGroup nodes, named as first written, from every sheet that mentions them."""
    seen: set[str] = set()
    for name in names:
        sheet = sheets.get(name)
        if sheet is None or column not in sheet.frame:
            continue
        rows = []
        # The first row of each distinct cell, in order: where each name was first written.
        firsts = sheet.frame.drop_duplicates(column)
        for row, cell in zip(firsts[ROW], firsts[column]):
            for value in split(cell):
                key = concept_id(value)
                if key and key not in seen:
                    seen.add(key)
                    rows.append({"id": key, "name": value, ROW: row})
        if rows:
            yield NodeBatch(label, sheet.provenance(pd.DataFrame(rows)), sheet.file, clean=True)

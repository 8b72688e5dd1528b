"""A value typed past the template's drop-down lists is refused by the ingest, naming the sheet, row and column.

Every column the model's ``[register]`` gives a vocabulary, yes/no, a reference, a date, a fraction or
a whole number gets one row of its own holding a bad value; one ingest must report each of them.
"""

from __future__ import annotations

import pytest

import graph
import ingest
from ontology import load_model
from partnermap.errors import InvalidRecords
from viz.register_workbook import write_register

MODEL = load_model()
BASE = {
    "territories": {"code": "E06000051", "name": "Shropshire", "level": "unitary"},
    "organisations": {"id": "council", "name": "Shropshire Council", "sector": "local_authority", "territory": "E06000051"},
    "partnerships": {"id": "partnership", "name": "Shropshire Partnership", "kind": "lsp"},
    "memberships": {"partnership": "partnership", "organisation": "council", "role": "chair"},
    "strategies": {"id": "strategy", "name": "Health and Wellbeing Strategy"},
    "targets": {"id": "target", "name": "Fewer falls"},
    "services": {"id": "service", "name": "Falls clinic"},
}
BAD = {"date": "someday", "fraction": "150%", "integer": "lots", "yes_no": "maybe"}


def _bad_value(column) -> str | None:
    if column.vocabulary:
        return "not-on-the-list"
    if column.refers:
        return "E99999999" if column.refers == ("territories",) else "no-such-id"
    return BAD.get(column.type)


def _planted() -> tuple[dict[str, list[dict]], set[tuple[str, int, str]]]:
    rows = {name: [dict(row)] for name, row in BASE.items()}
    expected = set()
    for name, file in MODEL.register.items():
        for column in file.columns.values():
            value = _bad_value(column)
            if value is None:
                continue
            row = dict(BASE[name])
            if file.key:
                row[file.key] = f"E0599{len(rows[name]):04d}" if name == "territories" else f"bad-{column.name}"
            else:
                row["representative"] = f"bad {column.name}"
            row[column.name] = value
            rows[name].append(row)
            expected.add((f"bad.xlsx[{name}]", len(rows[name]) + 1, column.name))
    return rows, expected


def test_a_value_outside_every_list_is_refused_naming_sheet_row_and_column(tmp_path):
    rows, expected = _planted()
    # By hand: sector, kind, role, level, significance; statutory; 14 reference columns; since, until, a
    # strategy's start and end, a partnership's start and end, its terms of reference review and last review;
    # attendance; meetings_per_year.
    assert len(expected) == 5 + 1 + 14 + 8 + 1 + 1
    write_register(tmp_path / "bad.xlsx", MODEL, rows)
    with graph.open_store(tmp_path / "db") as store:
        with pytest.raises(InvalidRecords) as refused:
            ingest.load(store, ingest.READERS["register"](tmp_path / "bad.xlsx"))
        assert graph.stats(store)["nodes"]["Organisation"] == 0  # nothing written
    named = {(p.file, p.row, p.column) for p in refused.value.problems}
    assert expected <= named, sorted(expected - named)


def test_the_same_rows_with_good_values_ingest(tmp_path):
    write_register(tmp_path / "good.xlsx", MODEL, {name: [row] for name, row in BASE.items()})
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](tmp_path / "good.xlsx"))
        assert graph.stats(store)["relationships"]["MEMBER_OF"] == 1

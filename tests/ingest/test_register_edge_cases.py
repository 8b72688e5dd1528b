"""Edge cases of the register reader that were once defects (found when the tests were written).

Blank typed columns, NaN attendance, row numbers after blank lines, workbook text that
looks like NA, a repeated id across partnership kinds, and a malformed date compared.
"""

from __future__ import annotations


import openpyxl
import pytest

import graph
import ingest
from tests.ingest.spreadsheet import read_rows, set_cell, write_rows
from partnermap.errors import InvalidRecords


def load(store, path):
    return ingest.load(store, ingest.READERS["register"](path))


@pytest.mark.parametrize(
    ("file", "row", "column"),
    [
        ("partnerships.csv", 5, "statutory"),  # the only Forum row: Forum.statutory all blank
        ("memberships.csv", 9, "since"),  # the only Organisation->Forum membership: since all blank
    ],
    ids=["forum-statutory", "forum-membership-since"],
)
def test_blank_optional_typed_value_on_the_only_row_of_a_batch(register_copy, store, file, row, column):
    set_cell(register_copy, file, row, column, "")
    load(store, register_copy)  # a valid register: blank optional cells are allowed
    assert graph.stats(store)["nodes"]["Forum"] == 1


def test_register_whose_strategies_have_no_end_date(register_copy, store):
    set_cell(register_copy, "strategies.csv", 2, "end", "")
    set_cell(register_copy, "strategies.csv", 3, "end", "")
    load(store, register_copy)
    ends = store.run("MATCH (s:Strategy) RETURN s.`end` AS e")
    assert ends == [{"e": None}, {"e": None}]


def test_attendance_nan_is_rejected(register_copy, store):
    set_cell(register_copy, "memberships.csv", 4, "attendance", "NaN")
    with pytest.raises(InvalidRecords) as info:
        load(store, register_copy)
    assert [(p.file, p.row, p.column, p.value) for p in info.value.problems] == [
        ("memberships.csv", 4, "attendance", "NaN")
    ]


def test_row_numbers_after_a_blank_line(register_copy, store):
    path = register_copy / "organisations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "")  # row 3 is now empty; helping-hands moves from row 6 to row 7
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    set_cell(register_copy, "organisations.csv", 7, "sector", "charity")
    assert read_rows(path)[6][0] == "helping-hands"
    with pytest.raises(InvalidRecords) as info:
        load(store, register_copy)
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(7, "sector", "charity")]


def test_workbook_keeps_text_that_looks_like_na(register_copy, store, tmp_path):
    set_cell(register_copy, "organisations.csv", 4, "aliases", "NA")
    set_cell(register_copy, "memberships.csv", 4, "representative", "N/A")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for file in sorted(register_copy.glob("*.csv")):
        sheet = book.create_sheet(file.stem)
        for row in read_rows(file):
            sheet.append(row)
    book.save(tmp_path / "book.xlsx")

    load(store, tmp_path / "book.xlsx")

    org = store.run("MATCH (o:Organisation {id: 'shire-police'}) RETURN o.aliases AS a")
    rel = store.run(
        "MATCH (:Organisation {id: 'shire-police'})-[r:MEMBER_OF]->(:Partnership {id: 'shire-together'}) "
        "RETURN r.representative AS r"
    )
    assert (org, rel) == ([{"a": ["NA"]}], [{"r": "N/A"}])


def test_duplicate_id_across_partnership_kinds(register_copy, store):
    rows = read_rows(register_copy / "partnerships.csv")
    header = rows[0]
    for name, kind in (("Lonely One", "forum"), ("Lonely Two", "board")):  # rows 6 and 7
        values = {"id": "lonely", "name": name, "kind": kind, "statutory": "no", "meetings_per_year": "1"}
        rows.append([values.get(c, "") for c in header])
    write_rows(register_copy / "partnerships.csv", rows)

    with pytest.raises(InvalidRecords) as info:
        load(store, register_copy)
    problem = next(p for p in info.value.problems if p.row == 7)
    assert (problem.file, problem.column, problem.value) == ("partnerships.csv", "id", "lonely")
    assert "partnerships.csv row 6" in problem.reason


def test_malformed_since_is_reported_once(register_copy, store):
    # Row 5 ends 2006-03-31; '2020-13-01' is not a date, so no ordering can be claimed.
    set_cell(register_copy, "memberships.csv", 5, "since", "2020-13-01")
    with pytest.raises(InvalidRecords) as info:
        load(store, register_copy)
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(5, "since", "2020-13-01")]


def test_an_unreadable_file_is_reported_alone_not_with_a_flood_of_follow_ons(register_copy, store):
    rows = read_rows(register_copy / "organisations.csv")
    column = rows[0].index("sector")
    write_rows(register_copy / "organisations.csv", [r[:column] + r[column + 1 :] for r in rows])
    with pytest.raises(InvalidRecords) as info:
        load(store, register_copy)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [("organisations.csv", 1, "sector")]


def test_a_theme_repeated_in_one_cell_is_one_fact_and_punctuation_is_no_theme(register_copy, store):
    rows = read_rows(register_copy / "partnerships.csv")
    themes = rows[0].index("themes")
    rows[1][themes] = "Health; health ;HEALTH"
    write_rows(register_copy / "partnerships.csv", rows)
    load(store, register_copy)
    partnership = rows[1][rows[0].index("id")]
    themed = store.run("MATCH (p {id: $id})-[:HAS_THEME]->(t:Theme) RETURN t.id AS id", {"id": partnership})
    assert themed == [{"id": "health"}]

    rows[1][themes] = "???"
    write_rows(register_copy / "partnerships.csv", rows)
    with pytest.raises(InvalidRecords) as info:
        load(store, register_copy)
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(2, "themes", "???")]

"""Bad registers: each test copies the small register, breaks one thing and loads it.

Each must raise InvalidRecords with a problem naming the file, row, column and
value at fault and a reason a person can act on, and must write nothing. Row
numbers count the header as row 1. Expected rows are worked out from the fixture:

    organisations.csv  2 shire-cc  3 blaby-homes  4 shire-police  5 shire-pct  6 helping-hands
    memberships.csv    2 shire-together/shire-cc chair      3 shire-together/shire-cc secretariat
                       4 shire-together/shire-police        5 shire-together/shire-pct (until 2006-03-31)
                       6 blaby-lsp/blaby-homes              7 blaby-lsp/shire-cc (2003-01-01..2004-12-31)
                       8 safer-shire/shire-police           9 vcs-forum/helping-hands
    partnerships.csv   2 shire-together  3 blaby-lsp  4 safer-shire  5 vcs-forum
    territories.csv    2 England  3 East Midlands  4 Shire  5 Blaby
    strategies.csv     2 shire-plan  3 safer-plan
"""

from __future__ import annotations

from pathlib import Path

import pytest

import graph
import ingest
from tests.ingest.spreadsheet import read_rows, set_cell, write_rows
from partnermap.errors import InvalidRecords, Problem


def append_row(register: Path, file: str, values: dict[str, str]) -> int:
    """Add a data row (unnamed columns blank); returns its row number."""
    rows = read_rows(register / file)
    rows.append([values.get(column, "") for column in rows[0]])
    write_rows(register / file, rows)
    return len(rows)


def drop_column(register: Path, file: str, column: str) -> None:
    rows = read_rows(register / file)
    index = rows[0].index(column)
    write_rows(register / file, [row[:index] + row[index + 1 :] for row in rows])


def add_column(register: Path, file: str, column: str, value: str) -> None:
    rows = read_rows(register / file)
    write_rows(register / file, [rows[0] + [column]] + [row + [value] for row in rows[1:]])


def all_zero(stats: dict[str, dict[str, int]]) -> bool:
    return not any(stats["nodes"].values()) and not any(stats["relationships"].values())


def problems_loading(register: Path, db: Path) -> tuple[list[Problem], str]:
    """Load into a fresh store, expecting rejection and an empty store afterwards."""
    with graph.open_store(db) as store:
        with pytest.raises(InvalidRecords) as info:
            ingest.load(store, ingest.READERS["register"](register))
        stats = graph.stats(store)
        assert all_zero(stats), f"something was written: {stats}"
    assert info.value.problems, "InvalidRecords without problems"
    return info.value.problems, str(info.value)


def the_problem(problems: list[Problem], file: str, row, column) -> Problem:
    """The one problem at (file, row, column)."""
    found = [p for p in problems if (p.file, p.row, p.column) == (file, row, column)]
    assert len(found) == 1, f"expected one problem at {file} row {row} column {column!r}; got:\n" + "\n".join(
        map(str, problems)
    )
    return found[0]


def check(problems, file, row, column, value, *words) -> Problem:
    problem = the_problem(problems, file, row, column)
    assert problem.value == value
    for word in words:
        assert word.lower() in problem.reason.lower(), f"{word!r} not in {problem.reason!r}"
    return problem


# --------------------------------------------------------------------------
# Unknown references
# --------------------------------------------------------------------------


def test_membership_of_an_unknown_partnership(register_copy, tmp_path):
    set_cell(register_copy, "memberships.csv", 4, "partnership", "no-such-partnership")

    problems, message = problems_loading(register_copy, tmp_path / "db")

    check(problems, "memberships.csv", 4, "partnership", "no-such-partnership", "refers to no", "partnership")
    assert len(problems) == 1
    assert "memberships.csv, row 4, column 'partnership'" in message


def test_organisation_in_an_unknown_territory(register_copy, tmp_path):
    set_cell(register_copy, "organisations.csv", 3, "territory", "E99999999")

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    check(problems, "organisations.csv", 3, "territory", "E99999999", "refers to no", "territory")
    assert len(problems) == 1


# --------------------------------------------------------------------------
# Values outside a vocabulary
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "allowed"),
    [
        ("organisations.csv", 6, "sector", "charity", "vcse"),
        ("memberships.csv", 2, "role", "president", "chair"),
        ("territories.csv", 5, "level", "city", "district"),
    ],
    ids=["sector", "role", "level"],
)
def test_value_outside_a_vocabulary(register_copy, tmp_path, file, row, column, value, allowed):
    set_cell(register_copy, file, row, column, value)

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    problem = check(problems, file, row, column, value, "allowed")
    assert allowed in problem.reason  # the message lists what would have been accepted
    assert len(problems) == 1


# --------------------------------------------------------------------------
# Numbers, booleans, dates
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "word"),
    [("1.5", "range"), ("abc", "number")],
    ids=["above-one", "not-a-number"],
)
def test_bad_attendance(register_copy, tmp_path, value, word):
    set_cell(register_copy, "memberships.csv", 4, "attendance", value)

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    check(problems, "memberships.csv", 4, "attendance", value, word)
    assert len(problems) == 1


@pytest.mark.parametrize(
    ("file", "row", "column"),
    [("memberships.csv", 2, "since"), ("strategies.csv", 3, "end")],
    ids=["membership-since", "strategy-end"],
)
@pytest.mark.parametrize(
    ("value", "word"),
    [("2020-13-01", "date"), ("31/02/2020", "YYYY-MM-DD")],
    ids=["month-13", "day-first-no-such-day"],
)
def test_malformed_date(register_copy, tmp_path, file, row, column, value, word):
    # memberships row 2 has no `until`, strategies row 3 starts in 2008: no ordering check is involved.
    set_cell(register_copy, file, row, column, value)

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    check(problems, file, row, column, value, word)
    assert len(problems) == 1


def test_membership_ending_before_it_starts(register_copy, tmp_path):
    # Row 7 runs 2003-01-01 .. 2004-12-31; move the start after the end.
    set_cell(register_copy, "memberships.csv", 7, "since", "2005-06-01")

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    problem = check(problems, "memberships.csv", 7, "until", "2004-12-31", "before")
    assert "2005-06-01" in problem.reason
    assert len(problems) == 1


def test_partnership_dates_are_dates_and_end_after_they_start(register_copy, tmp_path):
    # The small register's partnerships have no start or end: give row 3 (blaby-lsp) an end before its
    # start, and row 4 (safer-shire) a start that is no date.
    add_column(register_copy, "partnerships.csv", "start", "")
    add_column(register_copy, "partnerships.csv", "end", "")
    set_cell(register_copy, "partnerships.csv", 3, "start", "2010-04-01")
    set_cell(register_copy, "partnerships.csv", 3, "end", "2009-03-31")
    set_cell(register_copy, "partnerships.csv", 4, "start", "2010-02-30")

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    problem = check(problems, "partnerships.csv", 3, "end", "2009-03-31", "before")
    assert "2010-04-01" in problem.reason
    check(problems, "partnerships.csv", 4, "start", "2010-02-30", "date")
    assert len(problems) == 2


def test_meetings_per_year_not_a_number(register_copy, tmp_path):
    set_cell(register_copy, "partnerships.csv", 4, "meetings_per_year", "twelve")

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    check(problems, "partnerships.csv", 4, "meetings_per_year", "twelve", "whole number")
    assert len(problems) == 1


def test_statutory_neither_yes_nor_no(register_copy, tmp_path):
    set_cell(register_copy, "partnerships.csv", 3, "statutory", "maybe")

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    check(problems, "partnerships.csv", 3, "statutory", "maybe", "yes or no")
    assert len(problems) == 1


# --------------------------------------------------------------------------
# Duplicates and structure
# --------------------------------------------------------------------------


def test_duplicate_organisation_id_names_the_earlier_row(register_copy, tmp_path):
    row = append_row(
        register_copy, "organisations.csv", {"id": "blaby-homes", "name": "Blaby Homes Again", "sector": "housing"}
    )
    assert row == 7

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    problem = check(problems, "organisations.csv", 7, "id", "blaby-homes", "duplicate")
    assert "organisations.csv row 3" in problem.reason
    assert len(problems) == 1


def test_missing_required_column(register_copy, tmp_path):
    drop_column(register_copy, "organisations.csv", "sector")

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    problem = check(problems, "organisations.csv", 1, "sector", None, "required column", "missing")
    assert "id, name, aliases, territory, identifiers" in problem.reason  # says what the header has


def test_unknown_extra_column(register_copy, tmp_path):
    add_column(register_copy, "organisations.csv", "website", "https://example.org")

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    problem = check(problems, "organisations.csv", 1, "website", None, "unknown column")
    assert "sector" in problem.reason  # lists the columns the file may have


def test_missing_required_file(register_copy, tmp_path):
    (register_copy / "partnerships.csv").unlink()

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    check(problems, "partnerships.csv", None, None, None, "required", "missing")


def test_a_file_in_neither_utf8_nor_windows_1252(register_copy, tmp_path):
    path = register_copy / "organisations.csv"
    text = path.read_text(encoding="utf-8").replace("Helping Hands Trust", "Helping Hands Caf\x81")
    path.write_bytes(text.encode("latin-1"))  # 0x81 is a control in Latin-1 and no character in Windows-1252

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    problem = the_problem(problems, "organisations.csv", 6, None)
    assert isinstance(problem.value, str) and problem.value.startswith("81")
    assert "neither UTF-8 nor Windows-1252" in problem.reason and "save the file as CSV UTF-8" in problem.reason
    # The file is not also reported as missing.
    assert not any("missing" in p.reason for p in problems if p.file.startswith("organisations"))


# --------------------------------------------------------------------------
# Everything is reported at once
# --------------------------------------------------------------------------


def test_several_problems_are_all_reported(register_copy, tmp_path):
    set_cell(register_copy, "organisations.csv", 4, "sector", "charity")
    set_cell(register_copy, "memberships.csv", 3, "role", "president")
    set_cell(register_copy, "memberships.csv", 6, "attendance", "abc")
    set_cell(register_copy, "memberships.csv", 8, "organisation", "no-such-org")
    set_cell(register_copy, "strategies.csv", 2, "start", "31/04/2008")  # day first, but April has 30 days
    set_cell(register_copy, "territories.csv", 5, "level", "city")
    set_cell(register_copy, "partnerships.csv", 4, "statutory", "maybe")
    add_column(register_copy, "services.csv", "notes", "")  # nothing refers to services: no knock-on problems

    problems, message = problems_loading(register_copy, tmp_path / "db")

    assert sorted(((p.file, p.row or 0, p.column or "", p.value or "") for p in problems)) == sorted([
        ("organisations.csv", 4, "sector", "charity"),
        ("memberships.csv", 3, "role", "president"),
        ("memberships.csv", 6, "attendance", "abc"),
        ("memberships.csv", 8, "organisation", "no-such-org"),
        ("strategies.csv", 2, "start", "31/04/2008"),
        ("territories.csv", 5, "level", "city"),
        ("partnerships.csv", 4, "statutory", "maybe"),
        ("services.csv", 1, "notes", ""),
    ])
    assert message.startswith("8 problems found; nothing was written")
    for problem in problems:
        assert str(problem) in message


# --------------------------------------------------------------------------
# A rejected re-ingest leaves an existing graph alone
# --------------------------------------------------------------------------


def test_broken_reingest_leaves_the_store_as_it_was(small_register, register_copy, tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](small_register))
        before = graph.stats(store)
        assert sum(before["nodes"].values()) == 40 and sum(before["relationships"].values()) == 65

        # A good change (a rename, a new organisation) and a bad one in the same register.
        set_cell(register_copy, "organisations.csv", 3, "name", "Blaby Homes Renamed")
        append_row(register_copy, "organisations.csv", {"id": "new-org", "name": "New", "sector": "other"})
        set_cell(register_copy, "memberships.csv", 5, "attendance", "1.5")
        with pytest.raises(InvalidRecords) as info:
            ingest.load(store, ingest.READERS["register"](register_copy))

        check(info.value.problems, "memberships.csv", 5, "attendance", "1.5", "range")
        assert graph.stats(store) == before
        names = store.run("MATCH (o:Organisation {id: 'blaby-homes'}) RETURN o.name AS name")
        assert names == [{"name": "Blaby Homes"}]
        assert store.run("MATCH (o:Organisation {id: 'new-org'}) RETURN o.id AS id") == []


# --------------------------------------------------------------------------
# Governance columns (optional): significance, lead_officer, resources, risks, review dates
# --------------------------------------------------------------------------


def test_bad_governance_values_are_named_with_nothing_written(register_copy, tmp_path):
    rows = read_rows(register_copy / "partnerships.csv")
    columns = ["significance", "resources_cash", "terms_of_reference_review", "last_review"]
    bad = {3: ["urgent", "", "", ""], 4: ["high", "lots", "31/13/2024", "2023-02-30"]}
    write_rows(register_copy / "partnerships.csv",
               [rows[0] + columns] + [row + bad.get(number, [""] * 4) for number, row in enumerate(rows[1:], start=2)])

    problems, _ = problems_loading(register_copy, tmp_path / "db")

    check(problems, "partnerships.csv", 3, "significance", "urgent", "high", "medium", "low")
    check(problems, "partnerships.csv", 4, "resources_cash", "lots")
    check(problems, "partnerships.csv", 4, "terms_of_reference_review", "31/13/2024")
    check(problems, "partnerships.csv", 4, "last_review", "2023-02-30")
    assert len(problems) == 4


def test_governance_columns_are_read_as_a_manager_writes_them(register_copy, tmp_path):
    rows = read_rows(register_copy / "partnerships.csv")
    columns = ["significance", "lead_officer", "resources_cash", "resources_in_kind", "risks",
               "terms_of_reference_review", "last_review"]
    values = {2: ["High", "Partnership Manager", "£12,500.50", "two officers", "funding ends March", "31/03/2025", "1 June 2024"]}
    write_rows(register_copy / "partnerships.csv",
               [rows[0] + columns] + [row + values.get(number, [""] * 7) for number, row in enumerate(rows[1:], start=2)])
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](register_copy))
        [row] = graph.run_query(store, "governance-fields", {"partnership": "shire-together"})
    assert (row["significance"], row["lead_officer"], row["resources_cash"], row["resources_in_kind"], row["risks"]) == (
        "high", "Partnership Manager", 12500.5, "two officers", "funding ends March")
    assert (str(row["terms_of_reference_review"]), str(row["last_review"])) == ("2025-03-31", "2024-06-01")

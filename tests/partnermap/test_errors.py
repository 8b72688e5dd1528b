"""An error report stays small however much of the input is wrong."""

from __future__ import annotations

from partnermap.errors import COUNTED_GROUPS, LISTED_PROBLEMS, OTHER_REASONS, InvalidRecords, Problem


def test_the_first_problems_are_listed_and_the_rest_counted_by_file_column_and_reason():
    problems = [Problem("organisations.csv", row, "sector", "x", "not a sector") for row in range(2, 2502)]
    problems += [Problem("memberships.csv", row, "role", "boss", "not a role") for row in range(2, 302)]
    error = InvalidRecords(iter(problems))  # taken as it comes: a generator is never held whole
    assert error.count == 2800
    assert error.problems == problems[:LISTED_PROBLEMS]
    # 1,000 listed from organisations.csv; its other 1,500 and memberships' 300 are counted
    assert [(g.file, g.column, g.reason, g.count) for g in error.unlisted] == [
        ("organisations.csv", "sector", "not a sector", 1500), ("memberships.csv", "role", "not a role", 300)]
    text = str(error)
    assert text.startswith("2,800 problems found; nothing was written:")
    assert "    1,500 × organisations.csv, column 'sector': not a sector" in text
    assert len(text.splitlines()) == 1 + LISTED_PROBLEMS + 1 + 2  # a count, the listed, a heading, the groups


def test_reasons_that_quote_a_value_are_counted_together_past_a_thousand_kinds():
    problems = [Problem("a.csv", 2, "x", None, f"a second boundary for {i}") for i in range(LISTED_PROBLEMS + COUNTED_GROUPS + 50)]
    error = InvalidRecords(problems)
    assert len(error.unlisted) == COUNTED_GROUPS + 1
    assert error.unlisted[0].reason == OTHER_REASONS and error.unlisted[0].count == 50
    assert sum(g.count for g in error.unlisted) == COUNTED_GROUPS + 50


def test_a_long_value_is_quoted_short():
    error = InvalidRecords([Problem("a.csv", 2, "name", "x" * 32_767, "too long")])
    assert len(str(error)) < 400 and "…" in str(error)

"""Finding pages' rows: filtered by area, theme and date, sorted, paged; downloads neutralise formulas."""

from __future__ import annotations

import io

import openpyxl
import pytest

import graph

from graph.coverage import CoverageCache
from pages import findings, overview
from pages.context import Workspace
from pages.downloads import csv_text, xlsx_bytes
from pages.findings import Filters, FindingsCache
from partnermap.errors import NotFound, QueryError


@pytest.fixture(scope="module")
def space(sample_store):
    return Workspace(sample_store, CoverageCache(), FindingsCache())


def test_every_finding_names_a_query_and_links_columns_it_returns(space):
    for item in findings.FINDINGS:
        rows = findings.rows(space.store, space.cache, item, Filters(as_of="2008-01-01"), None)
        if rows:
            for column, link in item.links.items():
                assert column in rows[0] and link.id_column in rows[0], (item.slug, column)
            assert not set(item.hidden) & set(findings.columns(item, rows))


def test_the_theme_filter_keeps_rows_on_that_theme_any_case(space):
    item = findings.finding("missing-links")
    every = findings.rows(space.store, space.cache, item, Filters(as_of="2008-01-01"), None)
    health = findings.rows(space.store, space.cache, item, Filters(theme="HEALTH", as_of="2008-01-01"), None)
    assert health and len(health) < len(every)
    assert {row["theme"] for row in health} == {"health"}


def test_the_area_filter_keeps_what_works_there(space):
    # Blaby's LSP works in Blaby (E07000129); Leicester's partnerships do not.
    item = findings.finding("governance-gaps")
    covering = overview.covering_ids(space.index, "E07000129")
    rows = findings.rows(space.store, space.cache, item, Filters(area="E07000129"), covering)
    assert rows and all(row["partnership"] in covering for row in rows)
    assert "leicester-partnership" not in covering


def test_sorting_puts_empty_values_last_both_ways():
    rows = [{"n": 2}, {"n": None}, {"n": 10}, {"n": 1}]
    assert [r["n"] for r in findings.sort_rows(rows, "n", False)] == [1, 2, 10, None]
    assert [r["n"] for r in findings.sort_rows(rows, "n", True)] == [10, 2, 1, None]


def test_a_page_past_the_end_shows_the_last():
    paged = findings.page_of(list(range(60)), 9, size=25)
    assert (paged.page, paged.pages, paged.first, paged.rows) == (3, 3, 51, list(range(50, 60)))


def test_bad_filters_and_unknown_findings_are_clear_errors():
    with pytest.raises(QueryError, match="year-month-day"):
        Filters.parse(as_of="1/2/2008")
    with pytest.raises(NotFound, match="no finding called 'nope'"):
        findings.finding("nope")


def test_downloads_keep_formulas_as_text():
    rows = [{"name": "=HYPERLINK(\"http://x\")", "count": 3, "themes": ["a", "b"]}]
    # The cell holds quotes, so CSV quotes it and doubles them.
    assert csv_text(rows).splitlines() == ["name,count,themes", '"\'=HYPERLINK(""http://x"")",3,a; b']
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows, "Overload: per/post"))).active
    assert sheet.title == "Overload perpost"
    assert [c.value for c in sheet[2]] == ["'=HYPERLINK(\"http://x\")", 3, "a; b"]
    assert sheet["A2"].data_type == "s"


def test_an_area_counts_overload_in_the_groups_working_there_as_the_territory_walk_does(space):
    # The page passes the groups from the coverage index; the query's own PART_OF walk must agree.
    item = findings.finding("overloaded-organisations")
    found = 0
    for area in ("E07000129", "E10000018", "E06000016"):
        covering = overview.covering_ids(space.index, area)
        paged = findings.rows(space.store, space.cache, item, Filters(area=area, as_of="2008-01-01"), covering)
        walked = graph.run_query(space.store, "overload", {"territory": area, "min": 5, "as_of": "2008-01-01"})
        assert [(r["organisation"], r["memberships"]) for r in paged] == \
            [(r["organisation"], r["memberships"]) for r in walked]
        found += len(paged)
    assert found  # the areas hold overloaded organisations: the comparison is not of empty lists

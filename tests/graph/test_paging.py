"""Paging a named query: the same rows as the whole answer, cut where asked, never more read than allowed."""

from __future__ import annotations

import pytest

import graph
from partnermap.errors import QueryError
from tests.conftest import lint


def test_a_page_of_a_query_read_whole_is_a_slice_of_its_answer(sample_store):
    whole = graph.run_query(sample_store, "coverage", {"territory": "E07000130"})
    page = graph.run_page(sample_store, "coverage", {"territory": "E07000130", "limit": "3", "offset": "2"})
    assert page.rows == whole[2:5] and page.total == len(whole) and page.more is (len(whole) > 5)
    last = graph.run_page(sample_store, "coverage", {"territory": "E07000130", "offset": str(len(whole) - 1)})
    assert last.rows == whole[-1:] and last.more is False and last.limit == 100


def test_a_query_with_its_own_order_is_paged_by_the_engine(sample_store):
    whole = graph.run_query(sample_store, "attendance", {"threshold": "1"})
    assert len(whole) > 4
    page = graph.run_page(sample_store, "attendance", {"threshold": "1", "limit": "2", "offset": "2"})
    assert page.rows == whole[2:4] and page.more is True and page.total is None
    end = graph.run_page(sample_store, "attendance", {"threshold": "1", "offset": str(len(whole) - 1)})
    assert end.rows == whole[-1:] and end.more is False


@pytest.mark.parametrize("name", ["overload", "suggested-links"])
def test_a_query_with_its_own_limit_is_asked_for_the_page_and_no_more(sample_store, name):
    params = {"min_shared": "1"} if name == "suggested-links" else {}
    whole = graph.run_query(sample_store, name, {**params, "limit": "6"})
    assert len(whole) == 6
    page = graph.run_page(sample_store, name, {**params, "limit": "2", "offset": "3"})
    assert page.rows == whole[3:5] and page.more is True and page.total is None and page.limit == 2


def test_an_answer_too_large_to_page_is_refused(sample_store, monkeypatch):
    monkeypatch.setattr(graph, "ANSWER_ROWS", 5)
    assert len(graph.run_query(sample_store, "coverage", {"territory": "E07000130"})) > 5
    with pytest.raises(QueryError, match="answers more than 5 rows"):
        graph.run_page(sample_store, "coverage", {"territory": "E07000130"})
    with pytest.raises(QueryError, match="answers more than 5 rows"):
        graph.run_query(sample_store, "coverage", {"territory": "E07000130"}, max_rows=5)


def test_paging_parameters_are_checked(sample_store):
    for given, message in (({"limit": "1001"}, "'limit' must be from 0 to 1000"),
                           ({"offset": "10001"}, "'offset' must be from 0 to 10000"),
                           ({"offset": str(2**64)}, "'offset' must be from 0 to 10000"),
                           ({"offset": "-1"}, "'offset' must be from 0 to 10000")):
        with pytest.raises(QueryError, match=message):
            graph.run_page(sample_store, "coverage", {"territory": "E07000130", **given})
        with pytest.raises(QueryError, match=message):
            graph.run_page(sample_store, "overload", given)


def test_the_capped_and_paged_renderings_lint_clean_as_neo4j_cypher():
    # What the renderings add: a LIMIT at the end of each part of a UNION, or SKIP and LIMIT after
    # an ORDER BY. One of each shape is linted (every file is linted as it stands in test_lint).
    queries = graph.load_queries()
    texts = {"coverage capped": queries["coverage"].render_capped("neo4j", "row_cap"),
             "network capped": queries["network"].render_capped("neo4j", "row_cap"),
             "overload capped": queries["overload"].render_capped("neo4j", "row_cap"),
             "attendance paged": queries["attendance"].render_paged("neo4j", "page_skip", "page_rows"),
             "missing-links paged": queries["missing-links"].render_paged("neo4j", "page_skip", "page_rows")}
    assert lint(texts) == {name: [] for name in texts}

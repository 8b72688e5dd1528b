"""The time budget: the embedded engine stops a query past it, the Python-run analyses check it as they go."""

from __future__ import annotations

import pytest

import graph
from graph import budget
from partnermap.errors import QueryTimeout
from tests.conftest import SAMPLE

# Four cartesian products of every node with a filter the engine cannot factor out: on the
# 2,000 nodes made below, 1.6e13 combinations, hours of work. Stopped by the budget it ends
# in a fraction of a second; were the budget ignored, the test would hang, never pass.
SLOW = "MATCH (a:Territory), (b:Territory), (c:Territory), (d:Territory) WHERE a.year + b.year + c.year + d.year = 7 RETURN count(*) AS n"


@pytest.fixture
def crowded(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        store.run("UNWIND range(1, 2000) AS i CREATE (:Territory {id: CAST(i AS STRING), year: i})")
        yield store


def test_the_engine_stops_a_query_past_its_budget_and_answers_the_next(crowded):
    with budget.within(0.3), pytest.raises(QueryTimeout, match="time budget of 0.3 s"):
        crowded.run(SLOW)
    # The connection's timeout is lifted again: outside any budget, queries run as before.
    assert crowded.run("MATCH (t:Territory) RETURN count(t) AS n") == [{"n": 2000}]
    with budget.within(30):
        assert crowded.frame("MATCH (t:Territory) WHERE t.year < 4 RETURN t.id AS id ORDER BY id")["id"].tolist() == ["1", "2", "3"]


def test_a_spent_budget_stops_before_the_engine_is_asked(crowded):
    with budget.within(0), pytest.raises(QueryTimeout):
        crowded.run("RETURN 1 AS one")


def test_an_inner_budget_never_outlasts_the_outer_one():
    with budget.within(0):
        with budget.within(3600):
            assert budget.remaining() <= 0
            with pytest.raises(QueryTimeout):
                budget.check()
    assert budget.remaining() is None
    budget.check()  # outside any budget: nothing to stop


def test_an_analysis_checks_the_budget_as_it_goes(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        import ingest

        ingest.load(store, ingest.READERS["register"](SAMPLE))
        # Read once without a budget: the projections are kept, so the second run never asks the
        # engine and only the analysis' own checks can stop it.
        expected = graph.run_query(store, "suggested-links", {"min_shared": 1})
        graph.run_query(store, "duplicate-services", {})
        assert expected
        with budget.within(0), pytest.raises(QueryTimeout):
            graph.run_query(store, "suggested-links", {"min_shared": 1})
        with budget.within(0), pytest.raises(QueryTimeout):
            graph.run_query(store, "duplicate-services", {})
        assert graph.run_query(store, "suggested-links", {"min_shared": 1}) == expected

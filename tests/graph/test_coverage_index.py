"""The in-memory coverage index answers exactly what the coverage query answers, and filters."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import graph
import ingest
from graph.coverage import CoverageCache, CoverageIndex
from partnermap.errors import NotFound

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registers"
KEY = ("relation", "kind", "name", "via", "id", "source", "source_row")


def _sorted(rows):
    return sorted((tuple(str(r[k]) for k in KEY) for r in rows))


@pytest.fixture(scope="module")
def diagnostics(tmp_path_factory):
    store = graph.open_store(tmp_path_factory.mktemp("coverage") / "db")
    ingest.load(store, ingest.READERS["register"](FIXTURES / "diagnostics"))
    yield store
    store.close()


def test_the_index_answers_the_coverage_query_for_every_territory(sample_store, diagnostics):
    for store in (sample_store, diagnostics):
        index = CoverageIndex.build(store)
        assert len(index.territories) > 5
        for code in index.territories:
            expected = graph.run_query(store, "coverage", {"territory": code})
            got = index.lookup(code)
            assert _sorted(got) == _sorted(expected), code
            # The query's own order: relation, kind, name, via.
            assert [(r["relation"], r["kind"], r["name"], r["via"]) for r in got] == sorted(
                (r["relation"], r["kind"], r["name"], r["via"]) for r in got)


def test_filters_by_kind_theme_and_client_group(diagnostics):
    index = CoverageIndex.build(diagnostics)
    # Northdale Abbey (E05000911): P5 north-older-people covers it; the Northdale partnerships
    # (P2, P4, P6, P7) and the county one (P1) cover what it lies in.
    partnerships = {r["id"] for r in index.lookup("E05000911", kind="partnership")}
    assert {"north-older-people", "northdale-lsp", "north-wellbeing", "north-safety", "testshire-together"} <= partnerships
    health = {r["id"] for r in index.lookup("E05000911", kind="Partnership", theme="HEALTH")}
    assert health == {"testshire-together", "north-wellbeing"}  # P1 Economy;Health, P4 Health;Older People
    # Services for older people around Abbey: fs-abbey (Abbey) and fs-north (Northdale); not fs-young.
    older = {r["id"] for r in index.lookup("E05000911", client_group="older people")}
    assert {"fs-abbey", "fs-north"} <= older and "fs-young" not in older
    assert all(r["kind"] == "Service" for r in index.lookup("E05000911", client_group="older people"))
    assert index.lookup("E05000911", theme="no such theme") == []


def test_as_of_keeps_strategies_in_force(tmp_path):
    register = tmp_path / "register"
    shutil.copytree(FIXTURES / "small", register)
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](register))
        index = CoverageIndex.build(store)
        strategies = [(r["id"], r["via"]) for r in index.lookup("E07000129") if r["kind"] == "Strategy"]
        assert strategies, "the small register has a strategy covering Blaby or the county"
        dated = {row["id"]: row for row in graph.run_query(store, "profile", {"id": strategies[0][0]})}
        assert dated
        everything = index.lookup("E07000129", kind="strategy")
        long_ago = index.lookup("E07000129", kind="strategy", as_of=dt.date(1900, 1, 1))
        assert len(long_ago) < len(everything)


def test_unknown_territory_is_not_found(diagnostics):
    with pytest.raises(NotFound, match="no territory with code 'E99999999'"):
        CoverageIndex.build(diagnostics).lookup("E99999999")


def test_the_cache_rebuilds_after_a_write_and_not_before(tmp_path):
    register = tmp_path / "register"
    shutil.copytree(FIXTURES / "small", register)
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](register))
        cache = CoverageCache()
        first = cache.get(store)
        assert cache.get(store) is first
        header, floating_support, *others = (register / "services.csv").read_text().splitlines()
        assert floating_support.startswith("floating-support,")  # covers Blaby
        (register / "services.csv").write_text("\n".join([header, *others]) + "\n")
        ingest.load(store, ingest.READERS["register"](register))
        assert cache.fresh(store) is None  # out of date now
        rebuilt = cache.refresh(store)  # what a writer does once it has written
        assert rebuilt is not first and cache.get(store) is rebuilt
        count = lambda index: sum(1 for code in index.territories for r in index.lookup(code) if r["kind"] == "Service")
        assert count(rebuilt) < count(first)
        assert "floating-support" not in {r["id"] for r in rebuilt.lookup("E07000129")}


def test_while_an_index_is_rebuilt_readers_get_the_last_one_at_once():
    """Order set by the test: the rebuild (on a thread of its own) waits until readers have been answered."""
    import threading

    from graph.coverage import PerGeneration

    class Store:
        generation = 1

    store, building, answered, built = Store(), threading.Event(), threading.Event(), threading.Event()
    builds = []

    def build(_store):
        builds.append(_store.generation)
        if len(builds) == 2:  # the rebuild after a write: held until the readers have been answered
            building.set()
            assert answered.wait(timeout=60)
            built.set()
        return f"index {_store.generation}"

    cache = PerGeneration(build)
    assert cache.get(store) == "index 1"  # the first build is waited for
    store.generation = 2
    assert cache.get(store) == "index 1"  # the store changed: the last one answers, the next is built
    assert building.wait(timeout=60)
    assert cache.get(store) == "index 1" and cache.fresh(store) is None  # still building: still the last one
    answered.set()
    assert built.wait(timeout=60)
    for thread in [t for t in threading.enumerate() if t.name == "partnermap-index"]:
        thread.join(timeout=60)  # it sets the new one just after building it
    assert cache.get(store) == "index 2" and builds == [1, 2]

"""Projections the Python-run diagnostics read are reused until the store is next written, never after."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import graph
import ingest
from graph.analyses import membership_network
from graph.pairs import projection

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "small"
DIAGNOSTICS = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "diagnostics"


@contextmanager
def _recorded(tmp_path: Path, fixture: Path) -> Iterator[tuple[graph.Store, Path, list[str]]]:
    """A store holding a copy of ``fixture`` (the copy, to edit and re-ingest), and the list of its reads from now on."""
    register = tmp_path / "register"
    shutil.copytree(fixture, register)
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](register))
        reads: list[str] = []
        real_frame = store.frame
        store.frame = lambda query, params=None: reads.append(query) or real_frame(query, params)
        yield store, register, reads


def test_a_projection_is_read_once_per_generation_and_reread_after_a_write(tmp_path):
    with _recorded(tmp_path, SMALL) as (store, register, reads):
        first = projection(store, "membership-pairs", {"as_of": "2006-06-01"})
        again = projection(store, "membership-pairs", {"as_of": "2006-06-01"})
        assert len(reads) == 1 and again.equals(first)
        projection(store, "membership-pairs", {"as_of": "2001-01-01"})  # other parameters: another read
        assert len(reads) == 2

        # A caller changing its copy does not change what the next caller gets.
        again.loc[again.index[0], "organisation"] = "changed"
        assert "changed" not in set(projection(store, "membership-pairs", {"as_of": "2006-06-01"})["organisation"])

        # A re-ingest without the last membership row: the next read sees the graph as it is now.
        memberships = (register / "memberships.csv").read_text().splitlines()
        (register / "memberships.csv").write_text("\n".join(memberships[:-1]) + "\n")
        generation = store.generation
        ingest.load(store, ingest.READERS["register"](register))
        assert store.generation > generation
        after = projection(store, "membership-pairs", {"as_of": "2006-06-01"})
        pairs_query = graph.get_query("membership-pairs").render(store.dialect)
        assert [query for query in reads if query == pairs_query] == [pairs_query] * 3  # the ingest read other things
        assert len(after) == len(first) - 1


def test_reads_do_not_change_the_generation(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        before = store.generation
        graph.run_query(store, "overload", {})
        store.run("MATCH (n:Organisation) RETURN count(n) AS n")
        assert store.generation == before


def _pairs(rows):
    return [(r["a"], r["b"]) for r in rows]


def test_duplicate_services_keeps_its_numbered_projections_until_a_write(tmp_path):
    with _recorded(tmp_path, DIAGNOSTICS) as (store, register, reads):
        first = graph.run_query(store, "duplicate-services", {})
        assert _pairs(first) == [("handy-south-a", "handy-south-b"), ("fs-abbey", "fs-north")]
        read = len(reads)
        assert graph.run_query(store, "duplicate-services", {}) == first
        assert len(reads) == read  # answered from the kept codes: nothing read again

        # fs-brook moves from north-homes (fs-north's provider) to north-cvs: Brook lies in
        # Northdale, so fs-brook / fs-north is now a duplicate, "a inside b".
        services = (register / "services.csv").read_text()
        (register / "services.csv").write_text(services.replace("fs-brook,Brook Floating Support,north-homes", "fs-brook,Brook Floating Support,north-cvs"))
        ingest.load(store, ingest.READERS["register"](register))
        after = {(r["a"], r["b"]): r for r in graph.run_query(store, "duplicate-services", {})}
        assert set(after) == {("handy-south-a", "handy-south-b"), ("fs-abbey", "fs-north"), ("fs-brook", "fs-north")}
        assert (after[("fs-brook", "fs-north")]["overlap"], after[("fs-brook", "fs-north")]["provider_a"]) == ("a inside b", "Northdale Voluntary Action")


def test_the_membership_network_is_shared_until_a_write(tmp_path):
    with _recorded(tmp_path, DIAGNOSTICS) as (store, register, _):
        network = membership_network(store, "2020-06-01")
        assert membership_network(store, "2020-06-01") is network  # brokers and clusters measure one graph
        edges = network.graph.ecount()

        # Without its last membership row the graph read after the write has one edge fewer.
        memberships = (register / "memberships.csv").read_text().splitlines()
        (register / "memberships.csv").write_text("\n".join(memberships[:-1]) + "\n")
        ingest.load(store, ingest.READERS["register"](register))
        after = membership_network(store, "2020-06-01")
        assert after is not network and after.graph.ecount() == edges - 1


def test_the_membership_network_does_not_depend_on_the_order_rows_come_in(monkeypatch):
    """The engine returns membership pairs in no fixed order; sampled betweenness and clusters must not care."""
    import numpy as np
    import pandas as pd

    from graph import analyses

    rng = np.random.default_rng(5)
    edges = pd.DataFrame({"organisation": [f"org-{i}" for i in rng.integers(0, 400, 3000)],
                          "partnership": [f"p-{i}" for i in rng.integers(0, 120, 3000)]}).drop_duplicates()
    shuffled = edges.sample(frac=1, random_state=9).reset_index(drop=True)
    monkeypatch.setattr(analyses, "EXACT_LIMIT", 10)  # 520 nodes: estimated from a sample, as at national size
    first, second = analyses.MembershipNetwork(edges), analyses.MembershipNetwork(shuffled)
    assert first.nodes == second.nodes
    assert np.array_equal(analyses.betweenness(first), analyses.betweenness(second))


def test_duplicate_services_and_suggested_links_do_not_depend_on_the_engines_row_order(tmp_path):
    """The engine gives projection rows in no promised order (and in another order on Neo4j)."""
    import numpy as np
    import pandas as pd

    from graph.pairs import forget_projections

    with _recorded(tmp_path, DIAGNOSTICS) as (store, _, _):
        # Two services covering two places each: their territories tie on the service.
        store.upsert_relationships("COVERS", "Service", "Territory", pd.DataFrame(
            {"from_id": ["fs-abbey", "fs-brook"], "to_id": ["E05000912", "E05000911"],
             "id": ["COVERS|fs-abbey|E05000912", "COVERS|fs-brook|E05000911"]}))
        asked = [("duplicate-services", {"limit": 0}), ("suggested-links", {"limit": 1000, "min_shared": 1})]
        forget_projections()
        expected = [graph.run_query(store, name, params) for name, params in asked]
        shared = [row["territory"] for row in expected[0] if {row["a"], row["b"]} == {"fs-abbey", "fs-brook"}]
        assert shared == ["E05000911"]  # of the two wards both cover, the first by id
        real_frame = store.frame
        for seed in range(3):
            rng = np.random.default_rng(seed)

            def shuffled(query, params=None, rng=rng):
                frame = real_frame(query, params)
                return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)

            store.frame = shuffled
            forget_projections()
            assert [graph.run_query(store, name, params) for name, params in asked] == expected

"""Projections the Python-run diagnostics read are reused until the store is next written, never after."""

from __future__ import annotations

import shutil
from pathlib import Path

import graph
import ingest
from graph.pairs import projection

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "small"


def test_a_projection_is_read_once_per_generation_and_reread_after_a_write(tmp_path):
    register = tmp_path / "register"
    shutil.copytree(SMALL, register)
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](register))
        reads = []
        real_frame = store.frame
        store.frame = lambda query, params=None: reads.append(query) or real_frame(query, params)

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
        assert len(reads) == 3
        assert len(after) == len(first) - 1


def test_reads_do_not_change_the_generation(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        before = store.generation
        graph.run_query(store, "overload", {})
        store.run("MATCH (n:Organisation) RETURN count(n) AS n")
        assert store.generation == before

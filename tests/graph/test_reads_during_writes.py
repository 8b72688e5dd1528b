"""Reads never wait for writes: while one thread writes, another reads the last committed state.

The order is the test's: the writer holds its transaction open until the reader has answered,
so a read that waited for the write would never answer (the wait below would time out).
"""

from __future__ import annotations

import threading

import pandas as pd

import graph
from graph.pairs import projection


def _territories(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"id": list(ids), "name": list(ids), "level": ["ward"] * len(ids)})


def test_a_read_during_a_write_answers_the_committed_state_without_waiting(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        store.upsert_nodes("Territory", _territories("a", "b"))
        written, answered = threading.Event(), threading.Event()
        seen: dict[str, object] = {}

        def writer() -> None:
            with store.transaction():
                store.upsert_nodes("Territory", _territories("c"))
                seen["writer"] = store.run("MATCH (t:Territory) RETURN count(*) AS n")[0]["n"]  # its own write
                written.set()
                seen["answered in time"] = answered.wait(timeout=60)

        def reader() -> None:
            written.wait(timeout=60)
            seen["reader"] = store.run("MATCH (t:Territory) RETURN count(*) AS n")[0]["n"]
            seen["frame"] = len(store.frame("MATCH (t:Territory) RETURN t.id AS id"))
            answered.set()

        threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert seen == {"writer": 3, "reader": 2, "frame": 2, "answered in time": True}
        assert store.run("MATCH (t:Territory) RETURN count(*) AS n")[0]["n"] == 3  # and after the commit, all of it


def test_what_a_reader_keeps_during_a_write_is_not_reused_once_it_commits(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        store.upsert_nodes("Territory", _territories("a"))
        in_write, read_done = threading.Event(), threading.Event()
        counts = []

        def writer() -> None:
            with store.transaction():
                store.upsert_nodes("Territory", _territories("b"))
                in_write.set()
                read_done.wait(timeout=60)

        thread = threading.Thread(target=writer)
        thread.start()
        in_write.wait(timeout=60)
        counts.append(len(projection(store, "territory-parents")))  # read, and kept, during the write
        read_done.set()
        thread.join(timeout=120)
        counts.append(len(projection(store, "territory-parents")))  # after the commit: read again
        assert counts == [1, 2]

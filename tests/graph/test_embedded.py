"""The embedded store's guarantees under faults, measured on ladybug 0.22 (see graph/embedded.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import graph
from graph.embedded import DATABASE_FILE
from partnermap.errors import QueryError, StoreUnavailable

ROOT = Path(__file__).resolve().parents[2]


def _territories(*ids):
    return pd.DataFrame({"id": list(ids), "name": [i.title() for i in ids], "level": ["ward"] * len(ids)})


def test_damaged_write_ahead_log_is_kept_and_the_store_opens_at_its_last_transaction(tmp_path):
    db = tmp_path / "db"
    # A child process commits 'a', checkpoints, commits 'b' and dies without closing: 'b' lives only in the WAL.
    script = (
        "import sys, os, pandas as pd, graph\n"
        f"s = graph.open_store({str(db)!r})\n"
        "s.upsert_nodes('Territory', pd.DataFrame({'id': ['a'], 'name': ['A'], 'level': ['ward']}))\n"
        "s.run('CHECKPOINT')\n"
        "s.upsert_nodes('Territory', pd.DataFrame({'id': ['b'], 'name': ['B'], 'level': ['ward']}))\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT)
    wal = db / f"{DATABASE_FILE}.wal"
    damaged = bytearray(wal.read_bytes())
    for i in range(len(damaged) - 40, len(damaged) - 8):  # flip bytes in the last record, as a torn write would
        damaged[i] ^= 0xFF
    wal.write_bytes(bytes(damaged))

    store = graph.open_store(db)
    try:
        assert [r["id"] for r in store.run("MATCH (t:Territory) RETURN t.id AS id")] == ["a"]
        assert len(store.warnings) == 1 and "write-ahead log was damaged" in store.warnings[0]
        kept = list(db.glob(f"{DATABASE_FILE}.wal.refused-*"))
        assert len(kept) == 1 and kept[0].read_bytes() == bytes(damaged)
    finally:
        store.close()


def test_a_second_process_cannot_open_an_owned_store(tmp_path):
    store = graph.open_store(tmp_path / "db")
    try:
        script = f"import graph\ngraph.open_store({str(tmp_path / 'db')!r})\n"
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode != 0
        assert "StoreUnavailable" in done.stderr and "another process" in done.stderr
        assert f"pid {os.getpid()} writing" in done.stderr  # it names the holder
    finally:
        store.close()


def _open_in_child(db, read_only: bool) -> subprocess.CompletedProcess:
    script = f"import graph\ngraph.open_store({str(db)!r}, read_only={read_only}).close()\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_readers_share_a_store_and_exclude_a_writer_both_ways(tmp_path):
    db = tmp_path / "db"
    graph.open_store(db).close()
    reader = graph.open_store(db, read_only=True)
    try:
        assert _open_in_child(db, read_only=True).returncode == 0  # a second reader is welcome
        refused = _open_in_child(db, read_only=False)
        assert refused.returncode != 0 and f"pid {os.getpid()} reading" in refused.stderr
        assert "cannot write to it" in refused.stderr
    finally:
        reader.close()
    writer = graph.open_store(db)
    try:
        refused = _open_in_child(db, read_only=True)
        assert refused.returncode != 0 and "cannot read it" in refused.stderr
    finally:
        writer.close()
    assert _open_in_child(db, read_only=False).returncode == 0  # released on close


def test_read_only_needs_an_existing_store(tmp_path):
    with pytest.raises(StoreUnavailable, match="no embedded store in .* to open read-only"):
        graph.open_store(tmp_path / "nothing", read_only=True)


def test_a_failing_statement_rolls_back_the_whole_transaction(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        with pytest.raises(QueryError):
            with store.transaction():
                store.upsert_nodes("Territory", _territories("a", "b"))
                store.run("MATCH (t:Territory) RETURN t.nosuchproperty")  # the engine refuses this
                store.upsert_nodes("Territory", _territories("c"))  # never reached
        assert store.run("MATCH (t:Territory) RETURN count(t) AS n") == [{"n": 0}]
        # and the store is usable afterwards, in auto-commit as before
        store.upsert_nodes("Territory", _territories("d"))
        assert store.run("MATCH (t:Territory) RETURN t.id AS id") == [{"id": "d"}]


def test_several_statements_in_one_query_are_refused(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        store.upsert_nodes("Territory", _territories("a"))
        with pytest.raises(QueryError, match="one statement"):
            store.run("MATCH (t:Territory) RETURN t.id; MATCH (t:Territory) DETACH DELETE t")


@pytest.mark.parametrize("label", ["Territory) DETACH DELETE (n", "Territory`", "Nope", "territory; DROP TABLE Territory"])
def test_labels_that_are_not_in_the_model_never_reach_a_query(tmp_path, label):
    with graph.open_store(tmp_path / "db") as store:
        with pytest.raises(ValueError):
            store.upsert_nodes(label, _territories("a"))
        with pytest.raises(ValueError):
            store.existing_ids(label, ["a"])


def test_values_are_parameters_even_when_hostile(tmp_path):
    hostile = "x'}) DETACH DELETE n //"
    with graph.open_store(tmp_path / "db") as store:
        store.upsert_nodes("Territory", _territories("keep", hostile))
        assert store.existing_ids("Territory", [hostile, "keep"]) == {hostile, "keep"}
        assert graph.run_query(store, "profile", {"id": hostile})[0]["name"] == hostile.title()


def test_undeclared_property_columns_are_refused(tmp_path):
    with graph.open_store(tmp_path / "db") as store:
        with pytest.raises(QueryError, match="no property"):
            store.upsert_nodes("Territory", _territories("a").assign(colour="red"))


def test_the_store_adds_columns_the_model_gained(tmp_path, monkeypatch):
    db = tmp_path / "db"
    with graph.open_store(db) as store:
        store.upsert_nodes("Territory", _territories("a"))
    from dataclasses import replace

    from ontology import Property, load_model

    model = load_model()
    territory = model.labels["Territory"]
    grown = replace(model, labels={**model.labels, "Territory": replace(territory, properties={**territory.properties, "population": Property("population", "integer")})})
    with graph.EmbeddedStore(db, model=grown) as store:
        store.upsert_nodes("Territory", pd.DataFrame({"id": ["a"], "population": [1200]}))
        assert store.run("MATCH (t:Territory) RETURN t.name AS name, t.population AS p") == [{"name": "A", "p": 1200}]


def test_missing_directory_is_created_and_a_file_in_the_way_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="cannot use .*file as an embedded store directory"):
        graph.open_store(tmp_path / "file")
    with graph.open_store(tmp_path / "deep" / "er" / "db") as store:
        assert graph.stats(store)["nodes"]["Territory"] == 0

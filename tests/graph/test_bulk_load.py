"""A first load into an empty embedded store: built beside it by bulk COPY, swapped in whole.

It must leave exactly what the transactional upserts leave, take nothing from a failed load,
and never be taken when the store already holds something.
"""

import shutil
import threading
from pathlib import Path

import ladybug
import pandas as pd
import pytest

import graph
import ingest
from graph.embedded import DATABASE_FILE, LOADING_FILE, EmbeddedStore
from partnermap.errors import InvalidRecords, QueryError
from tests.trust.test_faults import fingerprint

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "leicestershire"


def _leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.iterdir() if p.name.startswith(LOADING_FILE))


def _spy(monkeypatch) -> list:
    """Record what each bulk_writer call answered (None: it declined)."""
    answers = []
    real = EmbeddedStore.bulk_writer

    def recording(self, *args, **kwargs):
        answers.append(real(self, *args, **kwargs))
        return answers[-1]

    monkeypatch.setattr(EmbeddedStore, "bulk_writer", recording)
    return answers


def _first_load(store, nodes, edges, progress=lambda _: None) -> graph.Write:
    """Write ``nodes`` and ``edges`` as an ingest of one source does: through one graph.writing session."""
    with graph.writing(store, ["test"], progress) as write:
        for label, frame in nodes:
            write.nodes(label, frame)
        for rel_type, a, b, frame in edges:
            write.relationships(rel_type, a, b, frame)
    return write


@pytest.fixture(scope="module")
def upserted(tmp_path_factory):
    """The sample written through the transactional upserts (a transaction around load declines the bulk path)."""
    db = tmp_path_factory.mktemp("upserted") / "db"
    with graph.open_store(db) as store:
        with store.transaction():
            ingest.load(store, ingest.READERS["register"](SAMPLE))
        return fingerprint(store)


@pytest.mark.parametrize("folder", ["db", "it's a store"])  # a quote in the path: the COPY takes an Arrow table
def test_a_first_load_holds_what_the_upserts_write(tmp_path, monkeypatch, upserted, folder):
    answers = _spy(monkeypatch)
    db = tmp_path / folder
    with graph.open_store(db) as store:
        written = ingest.load(store, ingest.READERS["register"](SAMPLE))
        assert answers and answers[0] is not None  # the bulk path was taken
        assert fingerprint(store) == upserted
        assert written["nodes"]["Organisation"] == upserted["Organisation"][0]
        assert written["relationships"]["MEMBER_OF"] == upserted["MEMBER_OF"][0]
        assert _leftovers(db) == []
        # The swapped-in store is the store: it takes writes and keeps them.
        store.upsert_nodes("Territory", pd.DataFrame({"id": ["X1"], "name": ["Extra"], "level": ["ward"]}))
    with graph.open_store(db, read_only=True) as store:
        assert store.run("MATCH (t:Territory {id: 'X1'}) RETURN t.name AS name") == [{"name": "Extra"}]
        assert fingerprint(store)["Service"] == upserted["Service"]


def test_a_store_that_holds_anything_is_written_by_upserts(tmp_path, monkeypatch):
    answers = _spy(monkeypatch)
    with graph.open_store(tmp_path / "db") as store:
        store.upsert_nodes("Territory", pd.DataFrame({"id": ["X1"], "name": ["Extra"], "level": ["ward"]}))
        ingest.load(store, ingest.READERS["register"](SAMPLE))
        assert answers == [None]
        assert store.run("MATCH (t:Territory {id: 'X1'}) RETURN count(*) AS n") == [{"n": 1}]
        assert store.run("MATCH (o:Organisation) RETURN count(*) AS n")[0]["n"] > 0


def test_a_failed_first_load_leaves_the_store_empty_and_nothing_beside_it(tmp_path):
    db = tmp_path / "db"
    nodes = [("Territory", pd.DataFrame({"id": ["A"], "name": ["A"], "level": ["ward"]}))]
    wrong = [("PART_OF", "Organisation", "Service", pd.DataFrame({"from_id": ["A"], "to_id": ["A"], "id": ["e"]}))]
    with graph.open_store(db) as store:
        with pytest.raises(ValueError, match="PART_OF does not join Organisation to Service"):
            _first_load(store, nodes, wrong)
        # An engine refusal (an edge to a node that is not there) is a QueryError.
        dangling = [("PART_OF", "Territory", "Territory", pd.DataFrame({"from_id": ["A"], "to_id": ["Z"], "id": ["e"]}))]
        with pytest.raises(QueryError, match="refused the bulk load"):
            _first_load(store, nodes, dangling)
        assert store.run("MATCH (n) RETURN count(*) AS n") == [{"n": 0}]
        assert _leftovers(db) == []
        assert _first_load(store, nodes, []).bulk  # and a good one still goes through
        assert store.run("MATCH (t:Territory) RETURN t.id AS id") == [{"id": "A"}]


def test_what_an_interrupted_first_load_left_is_removed_on_open(tmp_path):
    db = tmp_path / "db"
    graph.open_store(db).close()
    (db / LOADING_FILE).write_bytes(b"half a database")
    (db / f"{LOADING_FILE}.wal").write_bytes(b"half a log")
    (db / f"{LOADING_FILE}.parts-x").mkdir()
    (db / f"{LOADING_FILE}.parts-x" / "Service.parquet").write_bytes(b"PAR1")
    with graph.open_store(db) as store:
        assert _leftovers(db) == []
        assert store.run("MATCH (n) RETURN count(*) AS n") == [{"n": 0}]
    assert (db / DATABASE_FILE).exists()


def test_a_read_only_or_transactional_store_declines(tmp_path):
    nodes = [("Territory", pd.DataFrame({"id": ["A"], "name": ["A"], "level": ["ward"]}))]
    with graph.open_store(tmp_path / "db") as store:
        with store.transaction():
            assert store.bulk_writer() is None
            assert not _first_load(store, nodes, []).bulk  # written by the upserts, inside the transaction
        assert store.run("MATCH (t:Territory) RETURN t.id AS id") == [{"id": "A"}]
    with graph.open_store(tmp_path / "db2") as store:
        pass
    with graph.open_store(tmp_path / "db2", read_only=True) as store:
        assert store.bulk_writer() is None


def test_a_problem_found_after_copying_began_writes_nothing(tmp_path, monkeypatch):
    """Relationships are checked while earlier tables are copied: a late problem discards the new file.

    The order is the test's, not the scheduler's: checking the services' relationships (where the
    problem is) waits until the memberships have been copied into the new file.
    """
    import ingest.validate

    register = tmp_path / "register"
    shutil.copytree(SAMPLE, register, ignore=shutil.ignore_patterns("boundaries", "geography", "ons"))
    services = pd.read_csv(register / "services.csv", dtype=str, keep_default_na=False)
    services.loc[len(services) - 1, "provider"] = "no-such-provider"
    services.to_csv(register / "services.csv", index=False)
    copied: list[str] = []
    members_copied = threading.Event()
    real_execute, real_type_columns = ladybug.Connection.execute, ingest.validate.type_columns

    def execute(self, query, *args, **kwargs):
        answer = real_execute(self, query, *args, **kwargs)
        if query.startswith("COPY"):
            copied.append(query.split()[1])
            if query.startswith("COPY `MEMBER_OF`"):
                members_copied.set()
        return answer

    def type_columns(frame, properties, model, file, problems, clean=False):
        if file == "services.csv" and "from_id" in frame.columns:
            assert members_copied.wait(timeout=120), "the memberships were never copied"
        return real_type_columns(frame, properties, model, file, problems, clean)

    monkeypatch.setattr(ladybug.Connection, "execute", execute)
    monkeypatch.setattr(ingest.validate, "type_columns", type_columns)
    db = tmp_path / "db"
    with graph.open_store(db) as store:
        with pytest.raises(InvalidRecords) as raised:
            ingest.load(store, ingest.READERS["register"](register))
        assert [(p.file, p.row, p.column, p.value) for p in raised.value.problems] == [
            ("services.csv", len(services) + 1, "provider", "no-such-provider")]
        assert "`Organisation`" in copied and "`MEMBER_OF`" in copied  # copying had begun, and got that far
        assert store.run("MATCH (n) RETURN count(*) AS n") == [{"n": 0}]
        assert _leftovers(db) == []
    assert not [t for t in threading.enumerate() if t.name == "partnermap-bulk-copy"]


def test_the_next_table_is_prepared_while_a_copy_runs(tmp_path, monkeypatch):
    """The first COPY waits until the caller has handed over the second table: run in line, it would never end."""
    handed_over = threading.Event()
    real = ladybug.Connection.execute

    def execute(self, query, *args, **kwargs):
        if query.startswith("COPY `Territory`"):
            assert handed_over.wait(timeout=300), "the second table was not prepared while the first was copied"
        return real(self, query, *args, **kwargs)

    def nodes():
        yield "Territory", pd.DataFrame({"id": ["A", "B"], "name": ["A", "B"], "level": ["ward", "district"]})
        yield "Theme", pd.DataFrame({"id": ["health"], "name": ["Health"]})
        handed_over.set()

    monkeypatch.setattr(ladybug.Connection, "execute", execute)
    edges = [("PART_OF", "Territory", "Territory", pd.DataFrame({"from_id": ["A"], "to_id": ["B"], "id": ["A|B"]}))]
    with graph.open_store(tmp_path / "db") as store:
        messages = []
        written = _first_load(store, nodes(), edges, messages.append).written
        assert written["nodes"] == {"Territory": 2, "Theme": 1} and written["relationships"] == {"PART_OF": 1}
        assert messages == ["wrote 2 Territory nodes", "wrote 1 Theme nodes", "wrote 1 PART_OF relationships (Territory → Territory)"]
        assert store.run("MATCH (a)-[:PART_OF]->(b) RETURN a.id AS a, b.id AS b") == [{"a": "A", "b": "B"}]


def test_an_error_while_preparing_a_table_stops_the_copies_and_writes_nothing(tmp_path):
    def edges():
        yield "PART_OF", "Territory", "Territory", pd.DataFrame({"from_id": ["A"], "to_id": ["A"], "id": ["A|A"]})
        raise OSError("the disk went away")

    nodes = [("Territory", pd.DataFrame({"id": ["A"], "name": ["A"], "level": ["ward"]}))]
    db = tmp_path / "db"
    with graph.open_store(db) as store:
        with pytest.raises(OSError, match="the disk went away"):
            _first_load(store, nodes, edges())
        assert store.run("MATCH (n) RETURN count(*) AS n") == [{"n": 0}]
        assert _leftovers(db) == []
    assert not [t for t in threading.enumerate() if t.name == "partnermap-bulk-copy"]


def test_other_nodes_are_copied_while_organisations_are_resolved(tmp_path, monkeypatch):
    """Resolution changes only organisations: a first load starts copying the rest before it."""
    from ingest.resolve import Resolver

    copying = threading.Event()
    real_execute, real_merge = ladybug.Connection.execute, Resolver.merge_certain

    def execute(self, query, *args, **kwargs):
        if query.startswith("COPY `Territory`"):
            copying.set()
        return real_execute(self, query, *args, **kwargs)

    def merge_certain(self, items):
        assert copying.wait(timeout=300), "nothing was copied before organisations were resolved"
        return real_merge(self, items)

    monkeypatch.setattr(ladybug.Connection, "execute", execute)
    monkeypatch.setattr(Resolver, "merge_certain", merge_certain)
    with graph.open_store(tmp_path / "db") as store:
        messages = []
        ingest.load(store, ingest.READERS["register"](SAMPLE), messages.append, Resolver.from_store(store))
        assert messages.index("resolved 0 organisations into known ones") < next(
            i for i, m in enumerate(messages) if m.endswith("Organisation nodes"))
        assert store.run("MATCH (o:Organisation) RETURN count(*) AS n")[0]["n"] > 0

"""The same behaviour on every engine: embedded always, Neo4j when NEO4J_URI is set.

On Neo4j these compare every named query's rows with the embedded engine's on the same
sample, so a dialect difference that changes an answer shows up as a failure.
"""

import ingest
import graph
from tests.conftest import SAMPLE


def _ingest(store):
    return ingest.load(store, ingest.READERS["register"](SAMPLE))


def test_ingest_is_idempotent_and_stats_match_the_sample(store):
    first = _ingest(store)
    before = graph.stats(store)
    _ingest(store)
    assert graph.stats(store) == before
    # Every row written was counted once by the loader, and stats sees exactly that.
    assert before["nodes"] == {label: first["nodes"].get(label, 0) for label in before["nodes"]}
    assert before["relationships"] == {t: first["relationships"].get(t, 0) for t in before["relationships"]}


def test_named_queries_give_the_same_rows_on_every_engine(store, sample_store):
    _ingest(store)
    cases = [
        ("coverage", {"territory": "E05014672"}),
        ("coverage", {"territory": "E07000130"}),
        ("coverage", {"territory": "E06000016"}),
        ("profile", {"id": "sp-commissioning-body"}),
        ("profile", {"id": "E10000018"}),
    ]
    for name, params in cases:
        assert graph.run_query(store, name, params) == graph.run_query(sample_store, name, params), (name, params)

"""The embedded engine's variants (``graph/queries/embedded/``) answer what their Neo4j text answers.

The projections duplicate-services and suggested-links read give nodes by number: in the
portable text a node's id, in the embedded variant its offset (an integer: no string per row).
Decoded through the node lists, a variant's rows must be the portable text's rows on the same
store, and the diagnostics must give the same answers whichever text they read.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

import graph
import ingest
from graph import pairs
from graph.queries import QUERY_DIR, render_embedded
from tests.conftest import SAMPLE

REGISTERS = {"diagnostics": Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "diagnostics", "sample": SAMPLE}
AS_OF = "2020-06-01"

# Node lists, with the column holding the id each number stands for.
NODE_LISTS = {
    "service-numbers": "service", "territory-numbers": "territory", "client-group-numbers": "client_group",
    "organisation-numbers": "organisation", "theme-numbers": "theme",
}
# Projections giving nodes by number: which node list numbers each column.
BY_NUMBER = {
    "service-places": {"service": "service-numbers", "territory": "territory-numbers"},
    "service-groups": {"service": "service-numbers", "client_group": "client-group-numbers"},
    "service-providers": {"service": "service-numbers", "provider": "organisation-numbers"},
    "service-commissioners": {"service": "service-numbers", "commissioner": "organisation-numbers"},
    "service-themes": {"service": "service-numbers", "theme": "theme-numbers"},
    "territory-tree": {"territory": "territory-numbers", "parent": "territory-numbers"},
}


@pytest.fixture(scope="module", params=sorted(REGISTERS))
def store(request, tmp_path_factory):
    """A register ingested into an embedded store (read-only use)."""
    s = graph.open_store(tmp_path_factory.mktemp(request.param) / "db")
    try:
        ingest.load(s, ingest.READERS["register"](REGISTERS[request.param]))
        yield s
    finally:
        s.close()


def _variant(store, name):
    query = graph.get_query(name)
    return store.run(query.render("embedded"), query.bind({}))


def _portable(store, name):
    query = graph.get_query(name)
    return store.run(render_embedded(query.render("neo4j")), query.bind({}))


def _rows(rows):
    return Counter(tuple(sorted(row.items())) for row in rows)


def test_every_embedded_variant_is_checked_here():
    variants = {path.stem.replace("_", "-") for path in (QUERY_DIR / "embedded").glob("*.cypher")}
    assert variants == set(NODE_LISTS) | set(BY_NUMBER)


@pytest.mark.parametrize("name", sorted(NODE_LISTS))
def test_a_node_list_numbers_each_node_once(store, name):
    numbered, portable = _variant(store, name), _portable(store, name)
    assert portable and all(row["number"] == row[NODE_LISTS[name]] for row in portable)  # there, the number is the id
    numbers = [row["number"] for row in numbered]
    assert all(isinstance(n, int) for n in numbers) and len(set(numbers)) == len(numbers)
    assert _rows({k: v for k, v in row.items() if k != "number"} for row in numbered) == \
        _rows({k: v for k, v in row.items() if k != "number"} for row in portable)
    # service-numbers comes in id order either way: duplicate-services' a < b rests on it.
    key = NODE_LISTS[name]
    if name == "service-numbers":
        assert [row[key] for row in numbered] == [row[key] for row in portable] == sorted(row[key] for row in portable)


@pytest.mark.parametrize("name", sorted(BY_NUMBER))
def test_a_projection_by_number_decodes_to_the_portable_rows(store, name):
    ids = {
        nodes: {row["number"]: row[NODE_LISTS[nodes]] for row in _variant(store, nodes)}
        for nodes in set(BY_NUMBER[name].values())
    }
    numbered = _variant(store, name)
    assert all(isinstance(row[column], int) for row in numbered for column in BY_NUMBER[name])
    decoded = [{column: ids[nodes][row[column]] for column, nodes in BY_NUMBER[name].items()} for row in numbered]
    portable = _portable(store, name)
    assert portable and _rows(decoded) == _rows(portable)


@pytest.mark.parametrize(("name", "params"), [
    ("duplicate-services", {"limit": 0}),
    ("duplicate-services", {"type": "handyperson"}),
    ("suggested-links", {"as_of": AS_OF, "limit": 1000, "min_shared": 1}),
    ("suggested-links", {"as_of": AS_OF}),
])
def test_the_diagnostics_answer_the_same_from_either_text(store, monkeypatch, name, params):
    real = pairs.get_query

    def portable(query_name):
        query = real(query_name)
        return dataclasses.replace(query, texts={**query.texts, "embedded": render_embedded(query.render("neo4j"))})

    pairs.forget_projections()
    try:
        by_number = graph.run_query(store, name, params)
        monkeypatch.setattr(pairs, "get_query", portable)
        pairs.forget_projections()
        by_id = graph.run_query(store, name, params)
    finally:
        pairs.forget_projections()
    assert by_id == by_number
    if store.path.parent.name.startswith("diagnostics"):  # that register plants findings of both
        assert by_number

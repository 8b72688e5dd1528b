"""Shared fixtures: real embedded stores in temporary directories, and Neo4j when NEO4J_URI is set."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import graph
import ingest
from ingest.names import NameIndex
from ontology import load_model

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "leicestershire"
LINTER = ROOT / "tools" / "cypher-lint.mjs"


def _engines() -> list:
    live = pytest.param("neo4j", marks=pytest.mark.neo4j)
    return ["embedded", live]


@pytest.fixture(params=_engines())
def store(request, tmp_path):
    """An empty store on each engine: embedded always; Neo4j only when NEO4J_URI is set."""
    if request.param == "neo4j":
        uri = os.environ.get("NEO4J_URI")
        if not uri:
            pytest.skip("NEO4J_URI is not set: no live Neo4j to test against")
        s = graph.open_store(
            neo4j_uri=uri,
            neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
            neo4j_password=os.environ.get("NEO4J_PASSWORD", ""),
            neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        )
        s.run("MATCH (n) DETACH DELETE n")  # the live suite needs a throwaway database
    else:
        s = graph.open_store(tmp_path / "db")
    yield s
    s.close()


DOCUMENTS = ROOT / "tests" / "fixtures" / "documents"


def build_demo(db: Path) -> None:
    """What `make demo` builds: LLR geography, boundaries and ONS partnerships, then the register,
    then (beyond the demo) the seed documents matched against it."""
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["geography"]([SAMPLE / "geography"]))
        ingest.load(store, ingest.READERS["boundaries"]([SAMPLE / "boundaries"]))
        ingest.load(store, ingest.READERS["ons-partnerships"](
            [SAMPLE / "ons", SAMPLE / "geography" / "lsoa11_to_ccg20_to_lad20.csv"]))
        ingest.load(store, ingest.READERS["register"](SAMPLE))
        # As `partnermap ingest documents` does: the names with the places of the graph's territories.
        names = NameIndex(graph.run_query(store, "document-names"), territories=graph.run_query(store, "territory-parents"))
        ingest.load(store, ingest.READERS["documents"](DOCUMENTS, names=names))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A closed store holding the demo's data (so an app or a child process can own it)."""
    db = tmp_path_factory.mktemp("demo") / "db"
    build_demo(db)
    return db


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """The Leicestershire sample ingested once into an embedded store (read-only use)."""
    s = graph.open_store(tmp_path_factory.mktemp("sample") / "db")
    ingest.load(s, ingest.READERS["register"](SAMPLE))
    yield s
    s.close()


def _context_keys(model) -> set[str]:
    keys = set()
    for provide in graph.CONTEXT.values():
        for item in provide(model):
            if isinstance(item, dict):
                keys |= set(item)
    return keys


def lint(queries: dict[str, str]) -> dict[str, list[dict]]:
    """Run Neo4j's own Cypher linter on each query; returns the diagnostics that count.

    Parameter-not-defined diagnostics are dropped (the linter has no parameter values);
    everything else, errors and warnings (unknown labels, types, functions), counts.
    """
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@neo4j-cypher" / "language-support").exists():
        pytest.fail("Neo4j's Cypher linter is not installed: run 'make test' (it runs npm ci)")
    model = load_model()
    request = {
        "labels": list(model.labels),
        "relationshipTypes": list(model.relationships),
        # from_id/to_id are keys of the bulk writers' row maps, and context parameters are
        # maps too: their keys are map keys, not stored properties, but the linter can't tell.
        "propertyKeys": [*model.property_names, "from_id", "to_id", *_context_keys(model)],
        "queries": [{"name": name, "text": text} for name, text in queries.items()],
    }
    done = subprocess.run(
        [node, str(LINTER)], input=json.dumps(request), capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return {
        result["name"]: [d for d in result["diagnostics"] if not d["message"].startswith("Parameter $")]
        for result in json.loads(done.stdout)
    }

"""`partnermap export …` and `partnermap push` as a user runs them."""

import csv
import json

import networkx as nx
import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import SAMPLE

runner = CliRunner()
NO_NEO4J = {"NEO4J_URI": "", "PARTNERMAP_NEO4J_URI": ""}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli-export") / "db"
    done = runner.invoke(app, ["--db", str(path), "ingest", "register", str(SAMPLE)], env=NO_NEO4J)
    assert done.exit_code == 0, done.output
    return str(path)


def test_every_export_writes_the_whole_sample(db, tmp_path):
    # The sample: 203 nodes, 776 relationships (counts in tests/graph/test_dump via graph.stats).
    for command, target in [("neo4j-csv", "neo4j"), ("graphml", "g.graphml"), ("gexf", "g.gexf"),
                            ("json", "g.json"), ("csv", "sheets")]:
        done = runner.invoke(app, ["--db", db, "export", command, str(tmp_path / target)], env=NO_NEO4J)
        assert done.exit_code == 0, done.output
        assert f"wrote {tmp_path / target}: 203 nodes, 776 relationships" in done.stdout
    assert (tmp_path / "neo4j" / "import.sh").stat().st_mode & 0o111
    assert "neo4j-admin" in (tmp_path / "neo4j" / "import.sh").read_text()
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() == 203
    assert len(json.loads((tmp_path / "g.json").read_text())["edges"]) == 776
    with (tmp_path / "sheets" / "Partnership.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 27  # partnerships.csv: 35 rows, 8 of them forums


def test_push_needs_a_neo4j_and_says_when_it_cannot_reach_it(db):
    done = runner.invoke(app, ["--db", db, "push"], env=NO_NEO4J)
    assert done.exit_code == 2 and "push --neo4j URI" in done.output
    done = runner.invoke(app, ["--db", db, "push", "--neo4j", "neo4j://127.0.0.1:9"], env=NO_NEO4J)
    assert done.exit_code == 2 and "cannot reach Neo4j at neo4j://127.0.0.1:9" in done.output

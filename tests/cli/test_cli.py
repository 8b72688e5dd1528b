"""The partnermap command as a user runs it: global store options, ingest, query, stats, cypher."""

import json
import os
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from tests.conftest import ROOT, SAMPLE

runner = CliRunner()


def invoke(*args, env=None):
    return runner.invoke(app, list(args), env=env or {})


def test_ingest_then_query_coverage_as_json(tmp_path):
    db = str(tmp_path / "db")
    done = invoke("--db", db, "ingest", "register", str(SAMPLE))
    assert done.exit_code == 0, done.output
    assert "Organisation" in done.stdout and "MEMBER_OF" in done.stdout

    done = invoke("--db", db, "query", "coverage", "--param", "territory=E07000129", "--format", "json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert {"kind", "id", "name", "via"} <= set(rows[0])
    blaby = {r["id"]: r for r in rows}
    assert blaby["blaby-lsp"]["via"] == "E07000129" and blaby["blaby-lsp"]["kind"] == "Partnership"

    done = invoke("--db", db, "stats", "--format", "json")
    counts = json.loads(done.stdout)
    assert set(counts) == {"nodes", "relationships"}
    assert counts["nodes"]["Territory"] == 31  # territories.csv has 31 rows
    assert counts["nodes"]["Partnership"] + counts["nodes"]["Forum"] == 35  # partnerships.csv has 35 rows



def test_query_refuses_out_of_range_values_and_stops_past_its_budget(tmp_path):
    db = str(tmp_path / "db")
    assert invoke("--db", db, "ingest", "register", str(SAMPLE)).exit_code == 0
    # the same rule as the API: the ranges are declared with the query's parameters
    for param, message in (("limit=1000000", "parameter 'limit' must be from 0 to 1000, not '1000000'"),
                           ("min_shared=0", "parameter 'min_shared' must be from 1 to 100000, not '0'"),
                           ("as_of=0", "parameter 'as_of' must be a date, not '0'")):
        done = invoke("--db", db, "query", "suggested-links", "--param", param)
        assert done.exit_code == 2 and f"error: {message}" in done.output, done.output
    done = invoke("--db", db, "query", "overload", env={"PARTNERMAP_QUERY_SECONDS": "0.000001"})
    assert done.exit_code == 2 and "ran past its time budget of 1e-06 s" in done.output, done.output
    assert "PARTNERMAP_QUERY_SECONDS sets the budget" in done.output and "Traceback" not in done.output

def test_the_store_comes_from_the_environment_too(tmp_path):
    db = str(tmp_path / "envdb")
    assert invoke("ingest", "register", str(SAMPLE), env={"PARTNERMAP_DB": db}).exit_code == 0
    done = invoke("query", "profile", "-p", "id=blaby-lsp", "-f", "csv", env={"PARTNERMAP_DB": db})
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0].startswith("kind,id,name,source,source_row,sources,direction")


def test_bad_register_exits_non_zero_with_every_problem_and_writes_nothing(tmp_path):
    register = tmp_path / "register"
    shutil.copytree(SAMPLE, register)
    text = (register / "organisations.csv").read_text()
    (register / "organisations.csv").write_text(text.replace(",local_authority,", ",council,", 2))
    db = str(tmp_path / "db")
    done = invoke("--db", db, "ingest", "register", str(register))
    assert done.exit_code == 2
    assert "2 problems found; nothing was written" in done.output
    assert "organisations.csv, row 2, column 'sector': value 'council'" in done.output
    counts = json.loads(invoke("--db", db, "stats", "--format", "json").stdout)
    assert sum(counts["nodes"].values()) == 0


def test_query_errors_are_clear(tmp_path):
    db = str(tmp_path / "db")
    done = invoke("--db", db, "query", "coverage")
    assert done.exit_code == 2 and "needs --param territory" in done.output
    done = invoke("--db", db, "query", "nope")
    assert done.exit_code == 2 and "no query named 'nope'" in done.output
    done = invoke("--db", db, "query", "coverage", "--param", "territory")
    assert done.exit_code == 2 and "name=value" in done.output


def test_cypher_lists_and_renders_per_dialect():
    done = invoke("cypher", "--list")
    assert done.exit_code == 0
    assert {"coverage", "profile"} <= set(done.stdout.split())
    neo4j = invoke("cypher", "coverage", "--dialect", "neo4j").stdout
    embedded = invoke("cypher", "coverage", "--dialect", "embedded").stdout
    assert "labels(x)[0]" in neo4j and "Partnership|Forum" in neo4j
    assert "label(x)" in embedded and "Partnership:Forum" in embedded


def test_schema_and_ontology_print_what_the_model_derives():
    assert "REQUIRE n.id IS UNIQUE" in invoke("schema", "--dialect", "neo4j").stdout
    assert "CREATE REL TABLE IF NOT EXISTS `MEMBER_OF`" in invoke("schema", "--dialect", "embedded").stdout
    assert "org:OrganizationalCollaboration" in invoke("ontology").stdout


def test_viz_writes_an_offline_map_and_a_governance_tree(tmp_path):
    db = str(tmp_path / "db")
    assert invoke("--db", db, "ingest", "register", str(SAMPLE)).exit_code == 0
    page = tmp_path / "map.html"
    done = invoke("--db", db, "viz", "--territory", "E07000129", "--as-of", "2008-01-01",
                  "--highlight", "overload", "--highlight", "missing-links", "-o", str(page))
    assert done.exit_code == 0, done.output
    html = page.read_text()
    assert "blaby-lsp" in html and "Blaby District Local Strategic Partnership" in html
    assert "no probation member" in html  # blaby-lsp is on community safety with no probation member
    # URLs survive in the inlined library's licence comments; none may be fetched.
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:|url\(\s*["']?https?:|@import""", html)
    tree = tmp_path / "tree.html"
    assert invoke("--db", db, "viz", "--governance", "-o", str(tree)).exit_code == 0
    assert "REPORTS_TO" in tree.read_text() or "reports to" in tree.read_text()


def test_viz_refuses_an_unknown_focus_or_highlight(tmp_path):
    db = str(tmp_path / "db")
    assert invoke("--db", db, "ingest", "register", str(SAMPLE)).exit_code == 0
    done = invoke("--db", db, "viz", "--focus", "nobody", "-o", str(tmp_path / "x.html"))
    assert done.exit_code == 2 and "'nobody' is not in this map" in done.output
    done = invoke("--db", db, "viz", "--highlight", "colour", "-o", str(tmp_path / "x.html"))
    assert done.exit_code == 2 and "no highlight colour" in done.output


def test_serve_refuses_several_workers_on_an_embedded_store(tmp_path):
    done = invoke("--db", str(tmp_path / "db"), "serve", "--workers", "2")
    assert done.exit_code == 2 and "needs Neo4j or --read-only" in done.output


def _sample_db_and_free_port(tmp_path) -> tuple[str, int]:
    """A store holding the sample, and a loopback port nothing listens on, for a real server."""
    import socket

    db = str(tmp_path / "db")
    assert invoke("--db", db, "ingest", "register", str(SAMPLE)).exit_code == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return db, probe.getsockname()[1]


def _holders(parent: int, db: str) -> set[int]:
    """The child processes of ``parent`` that have the store's database file open (Linux /proc)."""
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) != parent:
                continue
            if any(str(link.readlink()).startswith(str(Path(db).resolve())) for link in (proc / "fd").iterdir()):
                found.add(int(proc.name))
        except OSError:
            continue
    return found


def test_serve_read_only_runs_two_workers_that_share_the_store_and_refuse_uploads(tmp_path):
    import subprocess
    import sys
    import time

    import httpx

    db, port = _sample_db_and_free_port(tmp_path)
    env = {**os.environ, "PARTNERMAP_API_KEYS": "k"}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", db, "serve", "--port", str(port), "--workers", "2",
         "--read-only", "--no-access-log"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Until both workers hold the store; the deadline only guards against a hang (each worker
        # builds its indexes as it starts, which a busy machine makes slow).
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200 and len(_holders(server.pid, db)) == 2:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        # Both workers hold the store open; every request, whichever worker takes it, is answered.
        assert len(_holders(server.pid, db)) == 2
        for _ in range(20):
            response = httpx.get(f"{base}/territories/E07000129/coverage", timeout=5, headers={"Connection": "close"})
            assert response.status_code == 200, response.text
            assert "blaby-lsp" in {item["id"] for item in response.json()["items"]}
        upload = httpx.post(f"{base}/ingest/register", content=b"PK", timeout=5,
                            headers={"Authorization": "Bearer k", "Content-Type": "application/zip"})
        assert upload.status_code == 403 and "read-only" in upload.json()["error"]["message"]
        # A writer cannot take the store from under the readers, and says so.
        done = invoke("--db", db, "ingest", "register", str(SAMPLE))
        assert done.exit_code != 0 and "open in another process" in done.output
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_serve_answers_over_a_real_uvicorn_on_loopback(tmp_path):
    import subprocess
    import sys
    import time

    import httpx

    db, port = _sample_db_and_free_port(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", db, "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):  # up to 10 s for the server to start
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        coverage = httpx.get(f"{base}/territories/E07000129/coverage", timeout=5).json()
        assert "blaby-lsp" in {item["id"] for item in coverage["items"]}
        missing = httpx.get(f"{base}/territories/E99999999", timeout=5)
        assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    finally:
        server.terminate()
        server.wait(timeout=10)

"""'partnermap backup' and 'restore' as an operator runs them."""

import json
import re

from typer.testing import CliRunner

from cli import app
from tests.conftest import ROOT

SMALL = ROOT / "tests" / "fixtures" / "registers" / "small"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={})


def _stats(db) -> dict:
    done = invoke("--db", db, "stats", "--format", "json")
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def test_backup_to_a_folder_then_restore_refusing_a_store_with_data_unless_forced(tmp_path):
    db, folder = tmp_path / "db", tmp_path / "backups"
    assert invoke("--db", db, "ingest", "register", SMALL).exit_code == 0
    counts = _stats(db)

    done = invoke("--db", db, "backup", f"{folder}/")
    assert done.exit_code == 0, done.output
    [file] = folder.iterdir()
    nodes, relationships = sum(counts["nodes"].values()), sum(counts["relationships"].values())
    assert re.search(rf"^wrote {re.escape(str(file))}: {nodes} nodes, {relationships} relationships", done.stdout)

    refused = invoke("--db", db, "restore", file)
    assert refused.exit_code == 2
    assert "holds" in refused.stderr and "add --force" in refused.stderr

    done = invoke("--db", db, "restore", "--force", file)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"restored {file} into {db}: {nodes} nodes")
    assert _stats(db) == counts


def test_what_cannot_be_backed_up_or_restored_is_said_plainly(tmp_path):
    done = invoke("--neo4j", "neo4j://127.0.0.1:1", "backup", tmp_path / "x.backup")
    assert done.exit_code == 2 and "neo4j-admin database dump" in done.stderr
    done = invoke("--neo4j", "neo4j://127.0.0.1:1", "restore", tmp_path / "x.backup")
    assert done.exit_code == 2 and "neo4j-admin database load" in done.stderr
    done = invoke("--db", tmp_path / "db", "restore", tmp_path / "missing.backup")
    assert done.exit_code == 2 and "there is no backup file" in done.stderr
    done = invoke("--db", tmp_path / "none", "backup", tmp_path / "x.backup")
    assert done.exit_code == 2 and "no embedded store" in done.stderr
    assert not (tmp_path / "x.backup").exists()

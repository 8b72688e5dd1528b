"""`partnermap ingest … --dry-run` as a user runs it: what would change, and nothing written."""

import json
import shutil

from typer.testing import CliRunner

from cli import app
from tests.conftest import SAMPLE

runner = CliRunner()
NO_NEO4J = {"NEO4J_URI": "", "PARTNERMAP_NEO4J_URI": ""}


def test_a_dry_run_says_what_would_change_and_the_ingest_then_does_it(tmp_path):
    db = str(tmp_path / "db")
    folder = shutil.copytree(SAMPLE, tmp_path / "register")
    assert runner.invoke(app, ["--db", db, "ingest", "register", str(folder)], env=NO_NEO4J).exit_code == 0
    # By hand: Harborough's LSP (partnerships.csv row 5) meets 3 times a year; the edit says 5.
    text = (folder / "partnerships.csv").read_text()
    (folder / "partnerships.csv").write_text(text.replace("E07000131,,no,3", "E07000131,,no,5"))

    table = runner.invoke(app, ["--db", db, "ingest", "register", str(folder), "--dry-run"], env=NO_NEO4J)
    assert table.exit_code == 0, table.output
    assert "dry run, nothing written: 0 added, 1 changed, 0 removed, 0 kept" in table.stdout
    assert "meetings_per_year: 3 → 5" in table.stdout

    answer = runner.invoke(app, ["--db", db, "ingest", "register", str(folder), "--dry-run", "--format", "json"],
                           env=NO_NEO4J)
    report = json.loads(answer.stdout)
    assert report["changes"] == [{"source": "register:register/partnerships.csv", "kinds": [{
        "kind": "Partnership", "added": [], "removed": [], "kept": [],
        "changed": [{"id": "harborough-lsp", "row": "partnerships.csv row 5",
                     "fields": {"meetings_per_year": {"old": 3, "new": 5}}}]}]}]

    # Still not written: the same dry run says the same; the ingest writes it; then nothing is left to change.
    again = runner.invoke(app, ["--db", db, "ingest", "register", str(folder), "--dry-run"], env=NO_NEO4J)
    assert "1 changed" in again.stdout
    assert runner.invoke(app, ["--db", db, "ingest", "register", str(folder)], env=NO_NEO4J).exit_code == 0
    after = runner.invoke(app, ["--db", db, "ingest", "register", str(folder), "--dry-run"], env=NO_NEO4J)
    assert "0 added, 0 changed, 0 removed, 0 kept" in after.stdout


def test_a_dry_run_takes_only_table_or_json(tmp_path):
    done = runner.invoke(app, ["--db", str(tmp_path / "db"), "ingest", "rdf", str(tmp_path), "--dry-run", "-f", "csv"],
                         env=NO_NEO4J)
    assert done.exit_code == 2
    assert "--format is table or json" in done.output

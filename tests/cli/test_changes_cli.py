"""`partnermap changes` as a user runs it, on the hand-written `changes` register (tests/graph/test_changes.py works it out)."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import ROOT

CHANGES = ROOT / "tests" / "fixtures" / "registers" / "changes"
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("changes-cli") / "db")
    done = runner.invoke(app, ["--db", path, "ingest", "register", str(CHANGES)])
    assert done.exit_code == 0, done.output
    return path


def test_the_table_gives_counts_first_then_each_section(db):
    done = runner.invoke(app, ["--db", db, "changes", "--from", "2024-01-01", "--to", "2024-12-31"])
    assert done.exit_code == 0, done.output
    head = done.stdout.split("\n\n")[0].splitlines()
    assert head[0] == "What changed after 2024-01-01 up to 2024-12-31: 31 changes"
    assert "  Chairs changed: 1" in head and "  Memberships begun: 8" in head
    chairs = done.stdout.split("\nChairs changed\n")[1].split("\n\n")[0].splitlines()
    assert chairs[2].split()[:3] == ["2024-06-01", "lsp", "Eastmoor"] and "nhs-trust" in chairs[2]
    assert chairs[-1] == "(1 row)"


def test_json_and_csv_rows_with_a_territory(db):
    done = runner.invoke(app, ["--db", db, "changes", "--from", "2024-01-01", "--to", "2024-12-31",
                               "--territory", "E07000932", "--format", "json"])
    assert done.exit_code == 0, done.output
    assert [(r["change"], r["date"], r["id"], r["related"]) for r in json.loads(done.stdout)] == [
        ("memberships-begun", "2024-06-01", "housing-assoc", "westmoor-lsp"),
        ("partnerships-begun", "2024-06-01", "westmoor-lsp", None)]
    done = runner.invoke(app, ["--db", db, "changes", "--from", "2024-01-01", "--to", "2024-12-31",
                               "--territory", "E07000932", "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["change"] for r in rows] == ["memberships-begun", "partnerships-begun"]
    assert list(rows[0]) == ["change", "date", "id", "name", "related", "related_name", "detail", "source_row"]


@pytest.mark.parametrize(("first", "last", "message"), [
    ("2024-12-31", "2024-01-01", "error: from (2024-12-31) is after to (2024-01-01): give the earlier day first"),
    ("2024-01-01", "31/12/2024", "error: parameter 'to' must be a date, not '31/12/2024'"),
])
def test_a_bad_window_is_refused_with_a_message(db, first, last, message):
    done = runner.invoke(app, ["--db", db, "changes", "--from", first, "--to", last])
    assert done.exit_code == 2 and message in done.output, done.output


def test_viz_writes_the_network_with_what_joined_and_left(db, tmp_path):
    out = tmp_path / "changes.html"
    done = runner.invoke(app, ["--db", db, "viz", "-o", str(out), "--from", "2024-01-01", "--to", "2024-12-31"])
    assert done.exit_code == 0, done.output
    html = out.read_text()
    assert "7 memberships joined and 5 left" in html and "thick solid green line" in html
    done = runner.invoke(app, ["--db", db, "viz", "-o", str(out), "--from", "2024-12-31", "--to", "2024-01-01"])
    assert done.exit_code == 2 and "is after to" in done.output

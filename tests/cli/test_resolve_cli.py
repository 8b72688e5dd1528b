"""``partnermap resolve`` as a user runs it: ingest two registers, review, decide, apply, review again.

Fixture ``tests/fixtures/resolve`` (see tests/ingest/test_resolve.py for the hand-worked answers):
the county register merges three organisations into known ones and leaves two pairs to review.
"""

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "resolve"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={})


def test_review_decide_apply(tmp_path):
    db, review = tmp_path / "db", tmp_path / "out" / "matches.csv"
    assert invoke("--db", db, "ingest", "register", FIXTURES / "city").exit_code == 0
    done = invoke("--db", db, "ingest", "register", FIXTURES / "county")
    assert done.exit_code == 0, done.output
    assert "2 organisations may match others" in done.stdout
    assert json.loads(invoke("--db", db, "stats", "--format", "json").stdout)["nodes"]["Organisation"] == 8

    done = invoke("--db", db, "resolve", "--review", review)
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    assert [(r["left_id"], r["right_id"]) for r in rows] == [
        ("voluntary-action-leicester", "val-leicester"), ("leicester-city-council", "leicestershire-county-council"),
    ]
    rows[0]["decision"], rows[1]["decision"] = "accept", "reject"
    with review.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    done = invoke("--db", db, "resolve", "--apply", review, "--review", review)
    assert done.exit_code == 0, done.output
    assert "val-leicester → voluntary-action-leicester: merged, 1 relationships moved" in done.stdout
    assert "0 pairs to decide, 2 decided" in done.stdout
    assert json.loads(invoke("--db", db, "stats", "--format", "json").stdout)["nodes"]["Organisation"] == 7

    done = invoke("--db", db, "ingest", "--decisions", review, "register", FIXTURES / "county")
    assert done.exit_code == 0, done.output
    assert "may match others" not in done.stdout  # the rejected pair is not counted again
    assert json.loads(invoke("--db", db, "stats", "--format", "json").stdout)["nodes"]["Organisation"] == 7


def test_resolve_needs_a_file_and_reports_a_bad_decision(tmp_path):
    assert invoke("--db", tmp_path / "db", "resolve").exit_code == 2
    bad = tmp_path / "matches.csv"
    bad.write_text("left_id,left_name,right_id,right_name,score,reason,decision\na,A,b,B,90,x,perhaps\n", encoding="utf-8")
    done = invoke("--db", tmp_path / "db", "resolve", "--apply", bad)
    assert done.exit_code == 2
    assert "perhaps" in done.output and "accept, reject" in done.output

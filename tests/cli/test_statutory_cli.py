"""`partnermap query statutory-gaps` and `query governance-register`, as a manager runs them."""

import csv
import io
import json

from tests.cli.test_cli import invoke
from tests.graph.test_statutory import FIXTURE_DIR


def test_statutory_gaps_and_governance_register_from_the_command_line(tmp_path):
    db = str(tmp_path / "db")
    assert invoke("--db", db, "ingest", "register", str(FIXTURE_DIR)).exit_code == 0
    done = invoke("--db", db, "query", "statutory-gaps", "--param", "as_of=2023-06-01", "--param", "unmet=yes",
                  "--param", "partnership=statvale-hwb", "--format", "json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert [row["requirement"] for row in rows] == ["a representative of the Local Healthwatch organisation",
                                                    "a representative of each relevant integrated care board"]
    assert {row["legislation"].split(",")[0] for row in rows} == {"Health and Social Care Act 2012"}

    done = invoke("--db", db, "query", "governance-register", "--param", "as_of=2023-06-01", "--format", "csv")
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(row["partnership"], row["reason"]) for row in rows][:3] == [
        ("statdale-hwb", "review overdue"), ("statdale-hwb", "terms of reference review overdue"),
        ("statdale-hwb", "no lead officer")]
    assert len(rows) == 6

    done = invoke("--db", db, "query", "statutory-gaps", "--param", "as_of=2023-13-01")
    assert done.exit_code == 2 and "parameter 'as_of' must be a date" in done.output


def test_the_report_holds_both_findings_with_their_acts(tmp_path):
    db = str(tmp_path / "db")
    assert invoke("--db", db, "ingest", "register", str(FIXTURE_DIR)).exit_code == 0
    target = tmp_path / "report.html"
    done = invoke("--db", db, "report", "--as-of", "2023-06-01", "--output", str(target))
    assert done.exit_code == 0, done.output
    page = target.read_text(encoding="utf-8")
    assert "Statutory gaps" in page and "Governance register" in page
    assert "Health and Social Care Act 2012, s.194(2)(e)" in page and "terms of reference review overdue" in page
    # Only unmet requirements are findings: the complete CSP is not in the report's statutory section.
    statutory = page.split('id="statutory-gaps"')[1].split('id="governance-register"')[0]
    assert "Safer Statdale Partnership" not in statutory and "Statvale Community Safety Partnership" in statutory

"""`partnermap template` and `partnermap export register` as a manager runs them."""

from __future__ import annotations

import openpyxl

from cli import app
from tests.cli.test_export_cli import NO_NEO4J, db, runner  # noqa: F401 -- db: the sample, ingested by the CLI


def test_template_for_an_area_lists_its_places(db, tmp_path):
    done = runner.invoke(app, ["--db", db, "template", "--area", "E07000129", "-o", str(tmp_path / "blaby.xlsx")],
                         env=NO_NEO4J)
    assert done.exit_code == 0, done.output
    # By hand from examples/leicestershire/territories.csv: Blaby and its three wards.
    assert "with the 4 places of E07000129" in done.stdout
    book = openpyxl.load_workbook(tmp_path / "blaby.xlsx")
    codes = [row[0].value for row in book["territories"].iter_rows(min_row=2)]
    assert codes == ["E07000129", "E05015261", "E05015265", "E05015269"]


def test_template_refuses_an_area_the_store_lacks_and_writes_nothing(db, tmp_path):
    done = runner.invoke(app, ["--db", db, "template", "--area", "E99999999", "-o", str(tmp_path / "t.xlsx")],
                         env=NO_NEO4J)
    assert done.exit_code == 2 and "no territory 'E99999999' in the store" in done.output
    assert not (tmp_path / "t.xlsx").exists()


def test_export_register_writes_every_file_and_refuses_an_unknown_source(db, tmp_path):
    done = runner.invoke(app, ["--db", db, "export", "register", str(tmp_path / "again")], env=NO_NEO4J)
    assert done.exit_code == 0, done.output
    # By hand from examples/leicestershire: 31 territories, 43 organisations, 35 partnerships and
    # forums, 220 memberships, 14 strategies, 11 targets, 27 services.
    assert "381 rows in 7 files" in done.stdout and "memberships 220" in done.stdout
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == sorted(
        f"{name}.csv" for name in ("territories", "organisations", "partnerships", "memberships", "strategies",
                                   "targets", "services"))
    done = runner.invoke(app, ["--db", db, "export", "register", str(tmp_path / "x.xlsx"), "--source", "nowhere"],
                         env=NO_NEO4J)
    assert done.exit_code == 2 and "no source 'nowhere' in the store" in done.output
    assert not (tmp_path / "x.xlsx").exists()

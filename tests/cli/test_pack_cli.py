"""partnermap pack: the review pack written to a file, or refused with the reason and nothing written."""

from typer.testing import CliRunner

from cli import app
from tests.conftest import SAMPLE

runner = CliRunner()


def test_pack_writes_html_or_refuses_with_the_reason(tmp_path):
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["--db", db, "ingest", "register", str(SAMPLE)]).exit_code == 0
    written = tmp_path / "packs" / "blaby-lsp.html"
    done = runner.invoke(app, ["--db", db, "pack", "--partnership", "blaby-lsp", "--as-of", "2008-01-01",
                               "--since", "2001-01-01", "-o", str(written)])
    assert done.exit_code == 0, done.output
    html = written.read_text(encoding="utf-8")
    assert "Blaby District Local Strategic Partnership" in html and "What changed since 2001-01-01" in html
    for args, message in ((["--partnership", "blaby-lsp", "-o", str(tmp_path / "x.docx")], ".pdf or .html, not 'docx'"),
                          (["--partnership", "blaby-lsp", "--territory", "E07000129", "-o", str(tmp_path / "x.pdf")],
                           "give one of them"),
                          (["--territory", "E07000129", "--since", "2030-01-01", "-o", str(tmp_path / "x.pdf")],
                           "must be before")):
        done = runner.invoke(app, ["--db", db, "pack", *args])
        assert done.exit_code == 2 and message in done.output, done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "packs"]

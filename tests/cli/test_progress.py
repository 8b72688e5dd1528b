"""Progress a person can see: stages and counts for a bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import graph
import ingest
from cli.progress import shown
from ingest.pipeline import ingest_paths
from tests.conftest import SAMPLE


class _Recorded:
    structured = True

    def __init__(self):
        self.reports: list[tuple[str, int | None, int | None]] = []

    def __call__(self, message, *, stage="", done=None, total=None):
        self.reports.append((stage, done, total))


def test_an_ingest_reports_its_stages_and_how_far_the_write_has_got(tmp_path):
    for attempt in ("first load", "again"):  # the bulk copy, then the upserts
        recorded = _Recorded()
        with graph.open_store(tmp_path / "db") as store:
            ingest_paths(store, "register", [SAMPLE], progress=recorded)
        stages = [stage for stage, _, _ in recorded.reports]
        assert stages[0] == "read" and "resolve" in stages and "write" in stages, attempt
        writes = [(done, total) for stage, done, total in recorded.reports if stage == "write"]
        total = recorded.reports[0][2]  # every row read
        assert total and all(t == total for _, t in writes)
        assert [d for d, _ in writes] == sorted(d for d, _ in writes) and writes[-1][0] == total, attempt


def test_a_plain_receiver_gets_messages_only(tmp_path):
    lines: list[str] = []
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](SAMPLE), lines.append)
    assert lines[0].startswith("read ") and any(line.startswith("wrote ") for line in lines)


def test_on_a_terminal_a_bar_shows_the_stage_and_the_counts(capsys):
    with shown("ingest register", force_bar=True) as progress:
        progress("wrote 10 Organisation nodes", stage="write", done=10, total=40)
    shown_text = capsys.readouterr().err
    assert "write: wrote 10 Organisation nodes" in shown_text and "10/40" in shown_text

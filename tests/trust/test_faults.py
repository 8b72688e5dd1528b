"""An ingest killed (SIGKILL) at random moments leaves the store with all of it or none of it.

Two ways in, each killed many times. A store holding a baseline (the Leicestershire sample)
is handed to a child process running the real ``partnermap ingest register`` of the small
fixture register (tests/trust/ingest_child.py), which adds organisations and partnerships and
rewrites some the sample holds; the parent kills it (24 kills) at a seeded random moment:
anywhere in the run, while the transaction is writing, right at COMMIT, or during the checkpoint
on close. And an empty store takes the register as a first load, which builds a new database
file beside the store and renames it over the empty one (16 kills: anywhere, while loading,
at the swap, on close). After each kill the store must open through ``graph.open_store`` and hold,
value for value, exactly the baseline or exactly baseline + register (as an uninterrupted run
leaves it). A store found whole is set back to the baseline; one found at the baseline carries
on into the next trial as the kill left it.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import graph
import ingest
from graph import quoted
from graph.embedded import DATABASE_FILE

ROOT = Path(__file__).resolve().parents[2]
# Ingested this way round, a trial costs a third of the other: the sample goes in by bulk COPY
# once, and the checkpoint after the small register's MERGEs is short.
BASELINE = ROOT / "examples" / "leicestershire"
REGISTER = ROOT / "tests" / "fixtures" / "registers" / "small"
SEED = 20240601
# Where the kill lands, in turn: (plan, marker the delay counts from, calibrated span it is drawn over).
PLANS = (
    ("anywhere", "GO", ("GO", "CLOSED")),
    ("writing", "BEGIN", ("BEGIN", "COMMIT")),
    ("at-commit", "COMMIT", ("COMMIT", "COMMITTED")),  # drawn over its first eighth: durable within ~15 ms
    ("checkpoint", "CLOSING", ("CLOSING", "CLOSED")),
)
FIRST_LOAD_PLANS = (
    ("anywhere", "GO", ("GO", "CLOSED")),
    ("loading", "LOAD", ("LOAD", "SWAP")),
    ("at-swap", "SWAP", ("SWAP", "SWAPPED")),
    ("checkpoint", "CLOSING", ("CLOSING", "CLOSED")),
)
# (name, whether the baseline holds the sample, kill plans, kills wanted): runs go on until that
# many were killed (a run may finish before its kill lands), at most half as many again.
SCENARIOS = (
    ("re-ingest", True, PLANS, 24),
    ("first-load", False, FIRST_LOAD_PLANS, 16),
)
VOLATILE = {"ingested_at"}  # when an ingest ran: differs between any two runs, says nothing of content


def fingerprint(store: graph.Store) -> dict[str, tuple[int, str]]:
    """Per label and relationship type: the count and a digest of every value the store holds."""
    model = store.model
    prints = {}
    for label in model.labels:
        names = [p for p in model.label(label).properties if p not in VOLATILE and p != "id"]
        columns = ", ".join(["n.id AS id", *(f"n.{quoted(p)} AS {quoted(p)}" for p in names)])
        rows = store.run(f"MATCH (n:{quoted(label)}) RETURN {columns}")
        prints[label] = _digest(rows)
    for rel_type in model.relationships:
        names = [p for p in model.relationship(rel_type).properties if p not in VOLATILE and p != "id"]
        columns = ", ".join(["a.id AS a", "b.id AS b", "r.id AS id", *(f"r.{quoted(p)} AS {quoted(p)}" for p in names)])
        rows = store.run(f"MATCH (a)-[r:{quoted(rel_type)}]->(b) RETURN {columns}")
        prints[rel_type] = _digest(rows)
    return prints


def _digest(rows: list[dict]) -> tuple[int, str]:
    lines = sorted(repr(sorted(row.items())) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


class Runner:
    """The forking ingest runner (tests/trust/ingest_child.py), each run's markers timed as they arrive."""

    MARKERS = ("GO", "BEGIN", "COMMIT", "COMMITTED", "LOAD", "SWAP", "SWAPPED", "CLOSING", "CLOSED", "DONE", "EXIT")

    def __init__(self, command: tuple[str, ...] = (str(REGISTER),)):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.trust.ingest_child", *command],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._reset()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.ready.wait(120), "\n".join(self.lines)

    def _reset(self) -> None:
        self.pid: int | None = None
        self.status: int | None = None
        self.seen: dict[str, float] = {}
        self.events = {name: threading.Event() for name in self.MARKERS}
        self.started = threading.Event()

    def _read(self) -> None:
        for line in self.process.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            word, _, rest = line.partition(" ")
            if line == "READY":
                self.ready.set()
            elif word == "PID":
                self.pid = int(rest)
                self.started.set()
            elif word == "EXIT":
                self.status = int(rest)
                self.seen["EXIT"] = time.monotonic()
                self.events["EXIT"].set()
                self.started.set()
            elif line in self.events and line not in self.seen:
                self.seen[line] = time.monotonic()
                self.events[line].set()

    def go(self, db: Path) -> None:
        """Start one ingest into ``db``."""
        self._reset()
        self.lines.clear()
        self.seen["GO"] = time.monotonic()
        self.process.stdin.write(f"{db}\n")
        self.process.stdin.flush()
        assert self.started.wait(60), "\n".join(self.lines)

    def finish(self) -> int:
        """Wait for the run to end; its wait status."""
        assert self.events["EXIT"].wait(120), "\n".join(self.lines)
        return self.status

    def kill_after(self, marker: str, delay: float) -> bool:
        """SIGKILL the run ``delay`` seconds after ``marker``; False when it ended first."""
        if marker != "GO":
            while not (self.events[marker].wait(0.0005) or self.events["EXIT"].is_set()):
                pass
        start = self.seen.get(marker)
        if start is not None:
            time.sleep(max(0.0, start + delay - time.monotonic()))
        if start is None or self.events["EXIT"].is_set():
            self.finish()
            return False
        os.kill(self.pid, signal.SIGKILL)
        return os.WIFSIGNALED(self.finish())  # it may have ended on its own in the last instant

    def close(self) -> None:
        """Let the runner end (stdin closed), or end it, and any run it still has going."""
        if self.pid is not None and self.status is None:
            os.kill(self.pid, signal.SIGKILL)
        self.process.stdin.close()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def runner():
    started = Runner()
    yield started
    started.close()


def _spans(runner: Runner, plans) -> dict[tuple[str, str], float]:
    return {span: runner.seen[span[1]] - runner.seen[span[0]] for _, _, span in plans}


@pytest.mark.parametrize(("scenario", "with_sample", "plans", "kills_wanted"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_an_ingest_killed_at_any_moment_leaves_all_of_it_or_none(tmp_path, capsys, runner, scenario, with_sample,
                                                                 plans, kills_wanted):
    baseline = tmp_path / "baseline"
    with graph.open_store(baseline) as store:
        if with_sample:
            ingest.load(store, ingest.READERS["register"](BASELINE))
        base_print = fingerprint(store)

    # Calibration: one uninterrupted run gives the reference "all" and how long each phase takes.
    reference = tmp_path / "reference"
    shutil.copytree(baseline, reference)
    runner.go(reference)
    assert runner.finish() == 0 and "DONE" in runner.seen, "\n".join(runner.lines)
    spans = _spans(runner, plans)
    with graph.open_store(reference) as store:
        all_print = fingerprint(store)
    assert all_print != base_print
    grown = {name for name in all_print if all_print[name][0] > base_print[name][0]}
    assert {"Organisation", "Service", "MEMBER_OF"} <= grown

    rng = random.Random(SEED)
    db = tmp_path / "db"
    shutil.copytree(baseline, db)
    outcomes: list[tuple[int, str, float, str, int]] = []  # trial, plan, delay, outcome, warnings
    partial = []
    started = time.monotonic()
    trial = 0
    while sum(not o[3].startswith("finished") for o in outcomes) < kills_wanted and trial < kills_wanted * 3 // 2:
        plan, marker, span = plans[trial % len(plans)]
        # Later runs go faster than the calibrating one (warm caches): draw within 85% of each span.
        delay = rng.uniform(0, max(spans[span], 0.001) * (1 / 8 if plan == "at-commit" else 0.85))
        runner.go(db)
        killed = runner.kill_after(marker, delay)
        store = graph.open_store(db)  # must open: a damaged log is set aside with a warning
        try:
            now = fingerprint(store)
            warnings = len(store.warnings)
        finally:
            store.close()
        outcome = "all" if now == all_print else "none" if now == base_print else "partial"
        if not killed:
            outcome = f"finished:{outcome}"
        outcomes.append((trial, plan, round(delay, 4), outcome, warnings))
        if outcome.endswith("partial"):
            partial.append((trial, plan, delay, {k: (base_print[k][0], now[k][0], all_print[k][0])
                                                 for k in now if now[k] != base_print[k] and now[k] != all_print[k]}))
        if outcome.endswith(("all", "partial")):  # set back to the baseline for the next kill
            shutil.rmtree(db)
            shutil.copytree(baseline, db)
        trial += 1

    # Whatever the kills left behind, an ingest that runs to the end completes the store.
    runner.go(db)
    assert runner.finish() == 0, "\n".join(runner.lines)
    with graph.open_store(db) as store:
        assert fingerprint(store) == all_print
    elapsed = time.monotonic() - started

    kills = [o for o in outcomes if not o[3].startswith("finished")]
    split = {name: sum(o[3] == name for o in kills) for name in ("all", "none", "partial")}
    refused_logs = sum(o[4] for o in outcomes)
    with capsys.disabled():
        print(f"\nfault trials ({scenario}): {len(outcomes)} runs, {len(kills)} killed: {split}; "
              f"{len(outcomes) - len(kills)} finished before the kill; damaged logs set aside: {refused_logs}; "
              f"{elapsed:.0f} s; calibration spans {({f'{a}-{b}': round(s, 3) for (a, b), s in spans.items()})}")
        for row in outcomes:
            print("  trial %2d %-10s delay %.4f s -> %s (warnings %d)" % row)
    assert not partial, f"a killed ingest left part of itself in the store: {partial}"
    assert len(kills) == kills_wanted
    assert split["none"] > 0 and split["all"] > 0  # kills landed on both sides of the commit
    assert not list(db.glob(f"{DATABASE_FILE}.wal.refused-*")) or refused_logs > 0
    assert os.path.exists(db / DATABASE_FILE)

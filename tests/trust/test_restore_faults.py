"""A restore killed (SIGKILL) at seeded moments leaves the old store or the new, never a mix.

A store holding the Leicestershire sample is handed to the real ``partnermap restore --force`` of
a backup of the sample plus the small fixture register, run by the forking runner of
tests/trust/ingest_child.py; the parent kills it at a seeded moment, in turn: anywhere in the
run, while the new file is built beside the store, at the rename that swaps it in, and during the
checkpoint on close (two kills each: few, so the suite stays fast; tests/trust/test_faults.py
kills the same swap 16 times for first loads). After each kill the store opens through
``graph.open_store`` and holds, value for value, the old state or the backup's, and nothing of
the new file is left beside it.
"""

from __future__ import annotations

import random
import shutil

import graph
from graph.embedded import LOADING_FILE
from tests.graph.test_backup import build_states
from tests.trust.test_faults import FIRST_LOAD_PLANS, SEED, Runner, _spans, fingerprint

KILLS = 8


def test_a_restore_killed_at_any_moment_leaves_the_old_store_or_the_new(tmp_path, capsys):
    states = build_states(tmp_path)
    baseline, old, new, file = states.before, states.before_print, states.after_print, states.after_backup

    runner = Runner(("restore", "--force", str(file)))
    try:
        db = tmp_path / "db"
        shutil.copytree(baseline, db)
        runner.go(db)  # calibration: an uninterrupted run, and how long each phase takes
        assert runner.finish() == 0 and "DONE" in runner.seen, "\n".join(runner.lines)
        spans = _spans(runner, FIRST_LOAD_PLANS)
        with graph.open_store(db) as store:
            assert fingerprint(store) == new

        rng = random.Random(SEED)
        outcomes = []
        trial = 0
        while sum(killed for _, _, killed in outcomes) < KILLS and trial < KILLS * 2:
            plan, marker, span = FIRST_LOAD_PLANS[trial % len(FIRST_LOAD_PLANS)]
            if trial == 0 or outcomes[-1][1] != "old":  # start each trial from the old store
                shutil.rmtree(db)
                shutil.copytree(baseline, db)
            runner.go(db)
            killed = runner.kill_after(marker, rng.uniform(0, max(spans[span], 0.001) * 0.85))
            with graph.open_store(db) as store:
                now = fingerprint(store)
            state = "new" if now == new else "old" if now == old else "mixed"
            outcomes.append((plan, state, killed))
            assert state != "mixed", f"a restore killed ({plan}) left a mix: {outcomes}"
            assert not list(db.glob(f"{LOADING_FILE}*")), f"the new file was left beside the store ({plan})"
            trial += 1
    finally:
        runner.close()
    kills = [state for _, state, killed in outcomes if killed]
    with capsys.disabled():
        print(f"\nrestore fault trials: {len(outcomes)} runs, {len(kills)} killed: old {kills.count('old')}, "
              f"new {kills.count('new')}, mixed 0; {' '.join(f'{p}:{s}' for p, s, k in outcomes if k)}")
    assert len(kills) == KILLS, outcomes
    assert "old" in kills, outcomes  # kills landed before the swap as well

"""Benchmark a backup and a restore of a store, beside copying its database file, in the same run.

    python bench/backup.py --db data/bench/db [--runs 3] [--out out/bench-backup.json]

``backup`` is what ``partnermap backup`` and ``POST /admin/backup`` do (a snapshot read into a tar
of Parquet files); ``restore`` what ``partnermap restore`` does (checked, built beside the store,
swapped in). The baseline is the floor for each: copying the database file (the way this
project did not choose, as it needs the store's lock). Reads during a backup: a small named
query asked again and again on the store's own connection while a backup runs on its snapshot,
against the same query idle, in the same process. Medians of ``--runs``; the work goes under
``data/bench/backup-work`` and is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402
from graph.backup import backup, restore  # noqa: E402
from graph.embedded import DATABASE_FILE  # noqa: E402

READ = ("names", {"ids": ["-"]})  # the cheapest named query: what /ready asks


def _median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 2)


def _latencies(store: graph.Store, until: threading.Event | None, count: int = 300) -> dict[str, float]:
    """Milliseconds of the small read, ``count`` times, or until ``until`` is set."""
    times = []
    while (until is None and len(times) < count) or (until is not None and not until.is_set()):
        start = time.perf_counter()
        graph.run_query(store, *READ)
        times.append((time.perf_counter() - start) * 1000)
    ordered = sorted(times)
    return {"reads": len(times), "p50_ms": round(statistics.median(ordered), 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
            "max_ms": round(ordered[-1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("out/bench-backup.json"))
    args = parser.parse_args()
    work = args.db.parent / "backup-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    taken: list = []
    try:
        with graph.open_store(args.db, read_only=True) as store:
            counts = graph.stats(store)
            backup_s = _median_seconds(lambda: taken.append(backup(store, work / f"{len(taken)}.backup")), args.runs)
            copy_s = _median_seconds(lambda: shutil.copyfile(args.db / DATABASE_FILE, work / "copy.lbdb"), args.runs)
            idle = _latencies(store, None)
            done = threading.Event()
            during_backup = threading.Thread(target=lambda: (backup(store, work / "during.backup"), done.set()))
            during_backup.start()
            during = _latencies(store, done)
            during_backup.join()
        restored = []

        def one_restore() -> None:
            with graph.open_store(work / f"restored-{len(restored)}") as target:
                restored.append(restore(target, taken[0].path))

        restore_s = _median_seconds(one_restore, args.runs)
        copies = []

        def copy_back() -> None:  # the floor: the file copied into a new folder and opened
            folder = work / f"copied-{len(copies)}"
            folder.mkdir()
            shutil.copyfile(args.db / DATABASE_FILE, folder / DATABASE_FILE)
            copies.append(graph.open_store(folder))
            copies[-1].close()

        copy_back_s = _median_seconds(copy_back, args.runs)
        with graph.open_store(work / "restored-0", read_only=True) as check:
            assert graph.stats(check) == counts, "the restored store does not hold what the store did"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    store_mb = round((args.db / DATABASE_FILE).stat().st_size / 2**20, 1)
    result = {
        "nodes": taken[0].nodes, "relationships": taken[0].relationships, "runs": args.runs,
        "store_mb": store_mb, "backup_mb": round(taken[0].bytes / 2**20, 1),
        "backup_s": backup_s, "baseline_file_copy_s": copy_s,
        "restore_s": restore_s, "baseline_copy_back_and_open_s": copy_back_s,
        "reads_idle": idle, "reads_during_backup": during,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark ingesting a register end to end, beside the engine's raw bulk load in the same process.

    python bench/ingest.py --register data/bench/england --db data/bench/db [--out out/bench-ingest.json]

End to end means what `partnermap ingest register` does (the same function): read the CSV
files, resolve organisations against those already known, validate every value against the
ontology, resolve references, and write in one transaction. The baseline
is the embedded engine's own ``COPY FROM`` of the same nodes and relationships into an empty
store (no validation, not idempotent): the floor any ingest path can reach on this machine.
Then the same register is ingested again into the store it built (``reingest_unchanged``): the
upsert path, as after a register is edited and ingested again.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402
import ingest  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402
from graph.schema import quoted  # noqa: E402
from ingest.batches import ROW, EdgeBatch, NodeBatch  # noqa: E402
from ingest.validate import validate  # noqa: E402
from partnermap.errors import PartnermapError  # noqa: E402


def _with_empty_lists(frame, properties: dict):
    """List columns the rows do not have, as empty lists (a column of NaN reads as DOUBLE)."""
    for name, prop in properties.items():
        if prop.type == "string[]" and frame[name].isna().all():
            frame[name] = [[] for _ in range(len(frame))]
    return frame


def raw_copy(db: Path, register: Path) -> tuple[int, float]:
    """COPY FROM of the register's already-validated batches into a fresh store: (rows, seconds)."""
    store = graph.open_store(db)
    items = list(ingest.READERS["register"](register))
    nodes = [i for i in items if isinstance(i, NodeBatch)]
    edges = [i for i in items if isinstance(i, EdgeBatch)]
    typed_nodes, groups = validate(nodes, edges, store.model, [])
    start = time.perf_counter()
    rows = 0
    by_label: dict = {}
    for batch in typed_nodes:
        by_label.setdefault(batch.label, []).append(batch.frame.drop(columns=[ROW]))
    import pandas as pd

    for label, frames in by_label.items():
        frame = pd.concat(frames).drop_duplicates("id")
        properties = store.model.label(label).properties
        frame = _with_empty_lists(frame.reindex(columns=list(properties)), properties)
        store.run(f"COPY {quoted(label)} FROM $rows", {"rows": frame})
        rows += len(frame)
    for rel_type, a, b, frame in groups:
        properties = store.model.relationship(rel_type).properties
        frame = _with_empty_lists(frame.reindex(columns=["from_id", "to_id", *properties]), properties)
        store.run(f"COPY {quoted(rel_type)} FROM $rows (from='{a}', to='{b}')", {"rows": frame})
        rows += len(frame)
    seconds = time.perf_counter() - start
    store.close()
    return rows, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--register", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("out/bench-ingest.json"))
    args = parser.parse_args()
    shutil.rmtree(args.db, ignore_errors=True)
    start = time.perf_counter()
    with graph.open_store(args.db) as store:
        # What `partnermap ingest register` does: read, resolve organisations, validate, write.
        counts = ingest_paths(store, "register", [args.register]).counts
    seconds = time.perf_counter() - start
    # The high-water mark now is the ingest's own: the baseline below reads everything again.
    peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    rows = sum(counts["nodes"].values()) + sum(counts["relationships"].values())
    # The same register again into the store it built: what re-ingesting an unchanged register costs.
    start = time.perf_counter()
    with graph.open_store(args.db) as store:
        again = ingest_paths(store, "register", [args.register])
    reingest = {"seconds": round(time.perf_counter() - start, 2), "removed": again.removed,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    baseline_db = args.db.with_name(args.db.name + "-copy")
    shutil.rmtree(baseline_db, ignore_errors=True)
    try:
        base_rows, base_seconds = raw_copy(baseline_db, args.register)
        baseline = {"rows": base_rows, "seconds": round(base_seconds, 2), "rows_per_s": round(base_rows / base_seconds)}
    except PartnermapError as exc:
        baseline = {"error": str(exc)[:300]}
    finally:
        shutil.rmtree(baseline_db, ignore_errors=True)
    result = {
        "ingest": {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
                   "baseline_rows_per_s": baseline.get("rows_per_s")},
        "baseline_copy_from": baseline,
        "reingest_unchanged": reingest,
        "peak_rss_mb": peak_rss_mb,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

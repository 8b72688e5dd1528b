"""Benchmark every diagnostic on a store (the national synthetic graph, for the targets).

    python bench/queries.py --db data/bench/db [--runs 5] [--as-of 2024-06-01] [--out out/bench-queries.json]

Each query is first run cold (the projections the Python-run diagnostics read are dropped
first, as after an ingest), then once more to warm up, then ``--runs`` times; the cold time,
median and p95 are reported beside a baseline measured in the same process (a count over every
Organisation node), so the ratio survives a noisy machine. The warm figures are what a
long-lived process (the API) answers until the graph next changes. Target: every diagnostic
under 1 s at national size.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402
from graph import pairs  # noqa: E402
from bench.timing import measure  # noqa: E402

DIAGNOSTICS = [
    "overload", "overload-representatives", "attendance", "partnership-density", "duplicate-partnerships",
    "duplicate-services", "missing-links", "governance-gaps", "strategy-gaps", "brokers", "clusters", "suggested-links",
    "statutory-gaps", "governance-register",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--as-of", default="2024-06-01")
    parser.add_argument("--only", nargs="*", default=DIAGNOSTICS)
    parser.add_argument("--out", type=Path, default=Path("out/bench-queries.json"))
    args = parser.parse_args()
    results: dict = {}
    with graph.open_store(args.db) as store:
        counts = graph.stats(store)
        baseline = measure(lambda: store.run("MATCH (o:Organisation) RETURN count(o) AS n"), runs=args.runs)
        results["baseline"] = baseline
        print(f"{'query':<26} {'rows':>7} {'cold ms':>9} {'median ms':>10} {'p95 ms':>9} {'× baseline':>11}")
        for name in args.only:
            _, params = graph.describe(name)
            given = {"as_of": args.as_of} if any(p.name == "as_of" for p in params) else {}
            rows: list = []
            pairs.forget_projections()
            start = time.perf_counter()
            graph.run_query(store, name, given)
            cold = (time.perf_counter() - start) * 1000
            timing = measure(lambda: rows.__setitem__(slice(None), graph.run_query(store, name, given)), runs=args.runs)
            timing["rows"] = len(rows)
            timing["cold_ms"] = round(cold, 2)
            timing["ratio_to_baseline"] = round(timing["median_ms"] / max(baseline["median_ms"], 0.01), 1)
            results[name] = timing
            print(f"{name:<26} {len(rows):>7} {cold:>9.1f} {timing['median_ms']:>10.1f} {timing['p95_ms']:>9.1f} {timing['ratio_to_baseline']:>11.1f}",
                  flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    args.out.write_text(json.dumps({"graph": counts, "queries": results, "peak_rss_mb": peak}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

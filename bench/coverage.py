"""Benchmark coverage lookups in-process: the in-memory index beside the Cypher query and a dict.

    python bench/coverage.py --db data/bench/db [--lookups 2000] [--out out/bench-coverage.json]

Wards are drawn at random (fixed seed). Three figures, measured in the same process:
the index's lookup of a ward's full coverage (what the API pages from), the ``coverage``
Cypher query on the engine for a sample of the same wards, and the baseline, a plain dict
lookup of a precomputed answer, the floor any in-memory path can reach. Target: p99 under
5 ms for the index at national size.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402
from graph.coverage import CoverageIndex  # noqa: E402


def percentiles(times_ms: list[float]) -> dict[str, float]:
    ordered = sorted(times_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"median_ms": round(statistics.median(ordered), 3), "p95_ms": round(pick(0.95), 3),
            "p99_ms": round(pick(0.99), 3), "max_ms": round(ordered[-1], 3), "count": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--cypher-lookups", type=int, default=100)
    parser.add_argument("--read-only", action="store_true", help="open the store read-only (beside a server)")
    parser.add_argument("--out", type=Path, default=Path("out/bench-coverage.json"))
    args = parser.parse_args()
    with graph.open_store(args.db, read_only=args.read_only) as store:
        start = time.perf_counter()
        index = CoverageIndex.build(store)
        build_s = time.perf_counter() - start
        wards = sorted(code for code, t in index.territories.items() if t.level == "ward")
        rng = random.Random(7)
        sample = [rng.choice(wards) for _ in range(args.lookups)]
        rows, times = [], []
        for code in sample:
            t0 = time.perf_counter()
            found = index.lookup(code)
            times.append((time.perf_counter() - t0) * 1000)
            rows.append(len(found))
        answers = {code: index.lookup(code) for code in set(sample)}
        baseline = []
        for code in sample:
            t0 = time.perf_counter()
            answers.get(code)
            baseline.append((time.perf_counter() - t0) * 1000)
        cypher = []
        for code in sample[: args.cypher_lookups]:
            t0 = time.perf_counter()
            graph.run_query(store, "coverage", {"territory": code})
            cypher.append((time.perf_counter() - t0) * 1000)
    result = {
        "index": percentiles(times), "cypher": percentiles(cypher), "baseline_dict": percentiles(baseline),
        "rows_median": statistics.median(rows), "rows_max": max(rows), "wards": len(wards),
        "index_build_s": round(build_s, 2),
    }
    result["p99_ms"] = result["index"]["p99_ms"]
    result["speedup_over_cypher"] = round(result["cypher"]["median_ms"] / max(result["index"]["median_ms"], 1e-6), 1)
    print(f"coverage of a ward ({result['rows_median']:.0f} rows median, {result['rows_max']} max; index built in {build_s:.1f} s)")
    for name in ("index", "cypher", "baseline_dict"):
        r = result[name]
        print(f"  {name:<14} median {r['median_ms']:>8.3f} ms  p99 {r['p99_ms']:>8.3f} ms  ({r['count']} lookups)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Benchmark ``partnermap changes`` on a store (the national synthetic graph of ``make bench``).

    python bench/changes.py --db data/bench/db [--from 2023-06-01] [--to 2024-06-01] [--runs 5] [--out out/bench-changes.json]

The window's changes are worked out cold (the projections the Python-run diagnostics read dropped
first, as after an ingest), then ``--runs`` times warm; median and p95 are reported beside two
baselines measured in the same process: a count over every Organisation node (as bench/queries.py),
and the four findings ``changes`` compares (overload's projection, duplicate partnerships, missing
links, strategy gaps) run once as of the later day, which ``changes`` runs as of both days.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402
from graph import pairs  # noqa: E402
from graph.changes import changes  # noqa: E402
from bench.timing import measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--from", dest="first", default="2023-06-01")
    parser.add_argument("--to", dest="last", default="2024-06-01")
    parser.add_argument("--territory", default="")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("out/bench-changes.json"))
    args = parser.parse_args()
    with graph.open_store(args.db) as store:
        count = measure(lambda: store.run("MATCH (o:Organisation) RETURN count(o) AS n"), runs=args.runs)

        def one_day() -> None:
            pairs.projection(store, "membership-pairs", {"as_of": args.last})
            for name in ("duplicate-partnerships", "missing-links", "strategy-gaps"):
                graph.run_query(store, name, {"as_of": args.last})

        pairs.forget_projections()
        start = time.perf_counter()
        one_day()
        one_day_cold = (time.perf_counter() - start) * 1000
        found = []
        pairs.forget_projections()
        start = time.perf_counter()
        found.append(changes(store, args.first, args.last, args.territory))
        cold = (time.perf_counter() - start) * 1000
        warm = measure(lambda: found.append(changes(store, args.first, args.last, args.territory)), runs=args.runs)
        one_day_warm = measure(one_day, runs=args.runs)
    counts = found[-1].counts()
    result = {"window": [args.first, args.last], "territory": args.territory, "counts": counts,
              "changes": {**warm, "cold_ms": round(cold, 1)},
              "baseline_count": count, "baseline_findings_one_day": {**one_day_warm, "cold_ms": round(one_day_cold, 1)}}
    print(f"changes {args.first} .. {args.last}: {sum(counts.values())} rows; cold {cold:.0f} ms, "
          f"warm median {warm['median_ms']:.0f} ms (p95 {warm['p95_ms']:.0f}); the findings as of one day: "
          f"cold {one_day_cold:.0f} ms, warm {one_day_warm['median_ms']:.0f} ms; a count: {count['median_ms']:.1f} ms")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Benchmark the workspace's pages: server time per page type, as a person's browser would ask for them.

    python bench/pages.py --db data/bench/db [--requests 20] [--out out/bench-pages.json]

The app is built over the store as ``partnermap serve`` builds it (the indexes the pages read are
built at start: that time is reported as ``startup_s``), then each page type is asked for
``--requests`` times through Starlette's in-process client, over different ids and places drawn
with a fixed seed: overview, every finding page, a finding narrowed to an area and re-sorted, a
CSV download, search, profiles of organisations and partnerships, territory pages, the network of a
district, the governance tree, the map of districts. Baseline in the same run: ``GET /version``,
the cost of a request that does nothing. Target (issue 16): p95 under 300 ms per page type.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402

from api import create_app  # noqa: E402
from pages import findings  # noqa: E402
from partnermap.settings import Settings  # noqa: E402


def percentiles(times_ms: list[float]) -> dict[str, float]:
    ordered = sorted(times_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(pick(0.95), 1),
            "max_ms": round(ordered[-1], 1), "count": len(ordered)}


def asked(client, paths: list[str]) -> tuple[list[float], list[int]]:
    """Milliseconds and bytes of each GET of ``paths``, one after another; exits on any answer but 200."""
    times, sizes = [], []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")
        sizes.append(len(response.content))
    return times, sizes


def page_types(app, rng: random.Random, count: int) -> dict[str, list[str]]:
    """For each page type, ``count`` addresses to ask for (ids and places drawn from the store)."""
    import graph

    store = app.state.store
    index = app.state.coverage.get(store)
    districts = sorted(c for c, t in index.territories.items() if t.level in ("district", "unitary"))
    wards = sorted(c for c, t in index.territories.items() if t.level == "ward")
    organisations = [r["id"] for r in graph.run_query(store, "organisations-index")]
    groups = [r["partnership"] for r in graph.run_query(store, "reporting-lines")]
    pick = lambda items: [rng.choice(items) for _ in range(count)] if items else []  # noqa: E731
    finding_pages = [f"/findings/{item.slug}" for item in findings.FINDINGS]
    return {
        "version (baseline)": ["/version"] * count,
        "overview": ["/"] * count,
        "overview of a district": [f"/?area={d}" for d in pick(districts)],
        "finding": [finding_pages[i % len(finding_pages)] for i in range(count)],
        "finding, area and sort": [f"/findings/overloaded-organisations?area={d}&sort=chairs&order=desc"
                                   for d in pick(districts)],
        "finding as CSV": [f"/findings/missing-links.csv?area={d}" for d in pick(districts)],
        "search": [f"/search?q={quote(q)}" for q in pick(["council", "health", "E05", "partnership", "trust"])],
        "profile (organisation)": [f"/profile/{quote(o, safe='')}" for o in pick(organisations)],
        "profile (partnership)": [f"/profile/{quote(g, safe='')}" for g in pick(groups)],
        "place (ward)": [f"/places/{w}" for w in pick(wards)],
        "place (district)": [f"/places/{d}" for d in pick(districts)],
        "network of a district": [f"/network?area={d}" for d in pick(districts)],
        "governance": ["/governance"] * max(3, count // 4),
        "map of places": ["/places"] * max(3, count // 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("out/bench-pages.json"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    app = create_app(Settings(db=args.db, read_only=True))
    started = time.perf_counter()
    with TestClient(app) as client:
        startup_s = time.perf_counter() - started
        rng = random.Random(16)
        results: dict[str, dict] = {}
        for name, paths in page_types(app, rng, args.requests).items():
            times, _ = asked(client, paths)
            results[name] = percentiles(times)
            print(f"{name:<28} median {results[name]['median_ms']:>8} ms   p95 {results[name]['p95_ms']:>8} ms"
                  f"   max {results[name]['max_ms']:>8} ms", flush=True)
    report = {"startup_s": round(startup_s, 2), "requests_per_type": args.requests, "pages": results}
    print(f"startup (indexes built): {report['startup_s']} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

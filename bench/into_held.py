"""Benchmark a large register into a store that already holds data, against the same into an empty one.

    python bench/into_held.py [--services 327000] [--runs 3] [--out out/bench-into-held.json]

The register is a directory's worth of services in a few places: a handful of providers, each
delivering tens of thousands of services, every service covering one of three districts and
themed from a short list. So its relationships meet a few nodes with very many relationships
(the case that took 19 minutes and 5.6 GB when relationships were merged one at a time). Each
run ingests it, in a process of its own, into an empty store (the engine's bulk copy) and into
a store holding the Leicestershire sample (the upserts); medians of ``--runs``, alternated.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import timed_command  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PLACES = [("E07000129", "Blaby", "district"), ("E07000130", "Charnwood", "district"), ("E07000131", "Harborough", "district")]
THEMES = ["housing", "health", "older people", "community safety", "economy"]


def register(services: int, out: Path, seed: int = 7) -> Path:
    """A register of ``services`` services from five providers in three places (deterministic)."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"code": [c for c, _, _ in PLACES], "name": [n for _, n, _ in PLACES],
                  "level": [lv for _, _, lv in PLACES], "parent": [""] * 3}).to_csv(out / "territories.csv", index=False)
    providers = [f"provider-{i}" for i in range(5)]
    pd.DataFrame({"id": providers, "name": [f"Provider {i} Housing Trust" for i in range(5)], "sector": "housing",
                  "aliases": "", "territory": PLACES[0][0], "identifiers": ""}).to_csv(out / "organisations.csv", index=False)
    pd.DataFrame({"id": ["directory-board"], "name": ["Directory Board"], "kind": ["board"], "themes": ["housing"],
                  "territory": [PLACES[0][0]], "reports_to": [""], "statutory": ["no"], "meetings_per_year": [4]}
                 ).to_csv(out / "partnerships.csv", index=False)
    picks = rng.integers(0, len(THEMES), size=(services, 2))
    pd.DataFrame({
        "id": [f"svc-{i:07d}" for i in range(services)], "name": [f"Service {i}" for i in range(services)],
        "provider": [providers[i % 5] for i in range(services)], "commissioner": "",
        "type": "floating support", "client_groups": "older people",
        "themes": [f"{THEMES[a]};{THEMES[b]}" for a, b in picks],
        "territory": [PLACES[i % 3][0] for i in range(services)],
    }).to_csv(out / "services.csv", index=False)
    return out


def _timed(args: list[str]) -> tuple[float, float]:
    return timed_command(args, ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=327_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("data/bench/into-held"))
    parser.add_argument("--out", type=Path, default=Path("out/bench-into-held.json"))
    args = parser.parse_args()
    big = register(args.services, args.work / "register")
    sample = ROOT / "examples" / "leicestershire"
    held = args.work / "held"
    shutil.rmtree(held, ignore_errors=True)
    _timed(["--db", str(held), "ingest", "register", str(sample)])
    times: dict[str, list[tuple[float, float]]] = {"empty": [], "held": []}
    for _ in range(args.runs):
        empty_db = args.work / "empty-db"
        shutil.rmtree(empty_db, ignore_errors=True)
        times["empty"].append(_timed(["--db", str(empty_db), "ingest", "register", str(big)]))
        held_db = args.work / "held-db"
        shutil.rmtree(held_db, ignore_errors=True)
        shutil.copytree(held, held_db)
        times["held"].append(_timed(["--db", str(held_db), "ingest", "register", str(big)]))
    result = {"services": args.services, "runs": args.runs}
    for name, measured in times.items():
        result[name] = {"median_s": round(statistics.median(s for s, _ in measured), 1),
                        "median_peak_rss_mb": round(statistics.median(m for _, m in measured))}
    result["held_over_empty"] = round(result["held"]["median_s"] / result["empty"]["median_s"], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

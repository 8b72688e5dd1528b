"""Gather the benchmark scripts' outputs into ``out/bench.json`` and print a short table.

    python bench/report.py [--dir out] [--db data/bench/db]

Reads ``bench-ingest.json``, ``bench-queries.json``, ``bench-coverage.json``,
``bench-api.json``, ``bench-backup.json``, ``bench-small.json``, ``bench-into-held.json`` and
``bench-reads-during-upload.json`` from ``--dir`` (each written by its script, each figure beside the
baseline measured in the same run) and adds the store's size on disk.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _load(folder: Path, name: str) -> dict:
    path = folder / f"bench-{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _size_mb(path: Path) -> float | None:
    if not path.exists():
        return None
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def gather(folder: Path, db: Path) -> dict:
    """One document with at least the keys the scale issue names (ingest.*, queries.*, coverage.p99_ms, api.*)."""
    ingest = _load(folder, "ingest")
    queries = _load(folder, "queries")
    coverage = _load(folder, "coverage")
    api = _load(folder, "api")
    backup = _load(folder, "backup")
    small = _load(folder, "small")
    into_held = _load(folder, "into-held")
    reads = _load(folder, "reads-during-upload")
    rss = [v for v in (ingest.get("peak_rss_mb"), queries.get("peak_rss_mb")) if v]
    return {
        "ingest": ingest.get("ingest", {}),
        "baseline_copy_from": ingest.get("baseline_copy_from", {}),
        "reingest_unchanged": ingest.get("reingest_unchanged", {}),
        "graph": queries.get("graph", {}),
        "queries": {k: v for k, v in queries.get("queries", {}).items()},
        "coverage": coverage,
        "api": api,
        "backup": backup,
        "small_register": small,
        "into_held": into_held,
        "reads_during_upload": reads,
        "peak_rss_mb": max(rss) if rss else None,
        "disk_mb": _size_mb(db),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=Path("out"))
    parser.add_argument("--db", type=Path, default=Path("data/bench/db"))
    args = parser.parse_args()
    result = gather(args.dir, args.db)
    out = args.dir / "bench.json"
    out.write_text(json.dumps(result, indent=2))
    ing = result["ingest"]
    if ing:
        ratio = ing["rows_per_s"] and ing.get("baseline_rows_per_s") and ing["baseline_rows_per_s"] / ing["rows_per_s"]
        print(f"ingest      {ing['rows']:>9,} rows in {ing['seconds']:.1f} s = {ing['rows_per_s']:,} rows/s "
              f"(raw COPY FROM {ing.get('baseline_rows_per_s') or 0:,} rows/s; {ratio or 0:.2f}x slower)")
    if result["reingest_unchanged"]:
        print(f"re-ingest   the same register into the store it built: {result['reingest_unchanged']['seconds']:.1f} s")
    for name, q in result["queries"].items():
        if name == "baseline":
            continue
        print(f"query       {name:<26} cold {q.get('cold_ms', 0):>8.0f} ms  median {q['median_ms']:>8.1f} ms  "
              f"p95 {q['p95_ms']:>8.1f} ms")
    if result["coverage"]:
        c = result["coverage"]
        print(f"coverage    index p99 {c['index']['p99_ms']:.3f} ms (Cypher p99 {c['cypher']['p99_ms']:.1f} ms; "
              f"dict p99 {c['baseline_dict']['p99_ms']:.4f} ms)")
    for key in sorted(k for k in result["api"] if "workers_" in k):
        a = result["api"][key]
        print(f"api         {key}: ceiling {a['rps']:.0f} req/s; at {a['rate']['target_rps']:.0f} req/s "
              f"p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms")
    if result["backup"]:
        b = result["backup"]
        print(f"backup      {b['backup_s']:.1f} s, {b['backup_mb']} MB (copying the {b['store_mb']} MB file: "
              f"{b['baseline_file_copy_s']:.2f} s); restore {b['restore_s']:.1f} s (copying it back and opening it: "
              f"{b['baseline_copy_back_and_open_s']:.2f} s)")
    small = result["small_register"]
    for case in ("county", "county_unchanged", "county_one_row_changed", "sample"):
        if case in small:
            c = small[case]
            print(f"small       {case:<23} {c['median_s']:.1f} s, {c['median_peak_rss_mb']} MB "
                  f"({c['over_stats_s']:+.1f} s over `stats` on the same store: {small['stats']['median_s']:.1f} s, "
                  f"{small['stats']['median_peak_rss_mb']} MB)")
    if result["into_held"]:
        h = result["into_held"]
        print(f"into held   {h['services']:,} services: {h['held']['median_s']:.1f} s, {h['held']['median_peak_rss_mb']} MB "
              f"(into an empty store: {h['empty']['median_s']:.1f} s, {h['empty']['median_peak_rss_mb']} MB; "
              f"{h['held_over_empty']:.2f}x)")
    if result["reads_during_upload"]:
        r = result["reads_during_upload"]
        print(f"reads       during a {r['upload_seconds']:.0f} s upload at {r['rate']:.0f} req/s: "
              f"worst 3-second p99 {r['during_upload']['worst_window_p99_ms']} ms, slowest {r['during_upload']['max_ms']} ms "
              f"(idle p99 {r['idle']['p99_ms']} ms)")
    print(f"peak RSS    {result['peak_rss_mb']} MB; store on disk {result['disk_mb']} MB")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

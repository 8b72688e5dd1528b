"""Benchmark a small register into a national-size store: what a county's yearly update costs.

    python bench/small.py --db data/bench/db --register data/bench/england [--runs 5] [--out out/bench-small.json]

The national store is what ``make bench`` builds (``bench/ingest.py``). Each case runs the real
command, ``partnermap ingest register``, in a process of its own on a fresh copy of that store,
and records its wall time and peak memory; the baseline is ``partnermap stats`` on a copy of the
same store, in the same run (the cost of starting, importing and opening the store at all).
Runs alternate baseline and cases; each figure is the median of ``--runs``.

* ``county``: one county's register (a few hundred rows cut from the national register: its
  partnerships, their members and places) read as a second source: every fact it states the
  store already holds, so it adds its statements to them.
* ``county_one_row_changed``: the same register again, one membership's attendance changed.
* ``county_unchanged``: the same register again, unchanged.
* ``sample``: the Leicestershire sample (examples/), facts the store does not hold yet.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import timed_command  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def county_register(national: Path, out: Path, most_rows: int = 300) -> Path:
    """A county's register cut from the national one: the partnerships of its busiest county, their members, their places."""
    read = lambda name: pd.read_csv(national / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    territories, partnerships = read("territories"), read("partnerships")
    memberships, organisations = read("memberships"), read("organisations")
    counties = territories[territories["level"] == "county"]["code"]
    county = partnerships[partnerships["territory"].isin(counties)]["territory"].value_counts().index[0]
    chosen, rows = [], 0
    for partnership in partnerships[partnerships["territory"] == county]["id"]:
        members = memberships[memberships["partnership"] == partnership]
        new_orgs = set(members["organisation"]) - set(memberships[memberships["partnership"].isin(chosen)]["organisation"])
        if rows + 1 + len(members) + len(new_orgs) > most_rows - 3:
            break
        chosen.append(partnership)
        rows += 1 + len(members) + len(new_orgs)
    kept_members = memberships[memberships["partnership"].isin(chosen)]
    places = {county}
    parents = dict(zip(territories["code"], territories["parent"]))
    while parents.get(county):
        county = parents[county]
        places.add(county)
    out.mkdir(parents=True, exist_ok=True)
    territories[territories["code"].isin(places)].to_csv(out / "territories.csv", index=False)
    organisations[organisations["id"].isin(kept_members["organisation"])].to_csv(out / "organisations.csv", index=False)
    partnerships[partnerships["id"].isin(chosen)].to_csv(out / "partnerships.csv", index=False)
    kept_members.to_csv(out / "memberships.csv", index=False)
    return out


def one_row_changed(register: Path, out: Path) -> Path:
    """The register with the first membership's attendance changed."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(register, out)
    members = pd.read_csv(out / "memberships.csv", dtype=str, keep_default_na=False)
    members.loc[members.index[0], "attendance"] = "0.01"
    members.to_csv(out / "memberships.csv", index=False)
    return out


def _timed(args: list[str]) -> tuple[float, float]:
    return timed_command(args, ROOT)


def _fresh(db: Path, work: Path) -> Path:
    copy = work / "db"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(db, copy)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="the national store bench/ingest.py built")
    parser.add_argument("--register", type=Path, required=True, help="the national register it was built from")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("data/bench/small"))
    parser.add_argument("--out", type=Path, default=Path("out/bench-small.json"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    county = county_register(args.register, args.work / "county")
    changed = one_row_changed(county, args.work / "county-changed")
    rows = sum(len(pd.read_csv(f)) for f in county.glob("*.csv"))
    sample = ROOT / "examples" / "leicestershire"
    times: dict[str, list[tuple[float, float]]] = {}

    def record(name: str, measured: tuple[float, float]) -> None:
        times.setdefault(name, []).append(measured)

    for _ in range(args.runs):
        record("stats", _timed(["--db", str(_fresh(args.db, args.work)), "stats"]))
        db = str(_fresh(args.db, args.work))
        # Named as the same source each time, though the changed copy sits in another folder.
        record("county", _timed(["--db", db, "ingest", "--source", "county", "register", str(county)]))
        record("county_unchanged", _timed(["--db", db, "ingest", "--source", "county", "register", str(county)]))
        record("county_one_row_changed", _timed(["--db", db, "ingest", "--source", "county", "--replace", "register", str(changed)]))
        record("sample", _timed(["--db", str(_fresh(args.db, args.work)), "ingest", "register", str(sample)]))
    result = {"county_rows": rows, "runs": args.runs}
    for name, measured in times.items():
        result[name] = {"median_s": round(statistics.median(s for s, _ in measured), 2),
                        "median_peak_rss_mb": round(statistics.median(m for _, m in measured))}
    base = result["stats"]["median_s"]
    for name in ("county", "county_unchanged", "county_one_row_changed", "sample"):
        result[name]["over_stats_s"] = round(result[name]["median_s"] - base, 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark entity resolution: N incoming organisations against N already stored.

    python bench/resolve.py [--n 100000] [--runs 3] [--seed 7] [--out out/bench-resolve.json]

Names are synthesised from real English place names (mySociety's council names and the
Leicestershire ward and parish lists in ../shared/data) and the kinds of body a register
lists ("Anstey Food Bank", "North Blaby Residents Association", "St Mary's Oadby Primary
School"). The incoming set holds ~30% the same bodies under another form of the name (case,
'&', 'Ltd', 'The'), ~20% with a typo, and ~50% new ones; a fifth of the stored bodies have a
charity number, which half of their incoming copies carry. Reports the median time of
``Resolver.resolve`` and of the store-wide ``review`` scan, pairs compared against n², and the
answer's quality against the truth generated: merges and proposals that pair an incoming record
with the stored body it restates (right) or with another (wrong), and the share of typos proposed.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.batches import ROW, NodeBatch  # noqa: E402
from ingest.resolve import Resolver, review  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
KINDS = {
    "Food Bank": "vcse", "Community Association": "vcse", "Residents Association": "vcse", "Youth Club": "vcse",
    "Scout Group": "vcse", "Carers Centre": "vcse", "Women's Aid": "vcse", "Credit Union": "business",
    "Citizens Advice": "vcse", "Age Concern": "vcse", "Mind": "vcse", "Community Trust": "vcse", "Cricket Club": "other",
    "Football Club": "other", "Allotment Society": "other", "Historical Society": "other", "Arts Centre": "vcse",
    "Men's Shed": "vcse", "Playgroup": "education", "Pre-School": "education", "Primary School": "education",
    "Academy": "education", "Parish Council": "local_authority", "Town Council": "local_authority",
    "Medical Centre": "nhs", "Health Centre": "nhs", "Surgery Patient Group": "nhs", "Housing Association": "housing",
    "Almshouse Charity": "housing", "Homes": "housing", "Methodist Church": "vcse", "Baptist Church": "vcse",
    "Community Church": "vcse", "Mosque": "vcse", "Gurdwara": "vcse", "Neighbourhood Watch": "police",
    "Business Forum": "business", "Chamber of Trade": "business", "Tenants Federation": "housing", "Lions Club": "vcse",
}
QUALIFIERS = [""] * 26 + ["North", "South", "East", "West", "Upper", "Old", "New", "Greater", "St Mary's", "St John's", "All Saints"]


def places() -> list[str]:
    """Real place names: council short names (all UK) and Leicestershire wards and parishes."""
    found = set()
    with (DATA / "uk-local-authorities-mysociety" / "uk_local_authorities_current.csv").open(encoding="utf-8") as f:
        found |= {row["nice-name"] for row in csv.DictReader(f)}
    for name, column in (("parish19_to_ward19_to_lad19.csv", "PAR19NM"), ("ward19_to_lad19_to_cty19_to_rgn19_to_ctry19.csv", "WD19NM")):
        with (DATA / "llr-geography-lookups" / name).open(encoding="utf-8-sig") as f:
            found |= {row[column] for row in csv.DictReader(f)}
    return sorted(p for p in found if p)


def typo(name: str, rng: np.random.Generator) -> str:
    """One letter dropped or two swapped, somewhere after the first word's first letter."""
    i = int(rng.integers(1, len(name) - 1))
    if rng.random() < 0.5:
        return name[:i] + name[i + 1:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def restated(name: str, rng: np.random.Generator) -> str:
    """The same name as another source writes it: capitals, '&', a legal suffix, a leading 'The'."""
    form = int(rng.integers(0, 4))
    return [name.upper(), "The " + name, name + " Ltd", name.replace(" and ", " & ") + " "][form]


def generate(n: int, seed: int) -> tuple[list[dict], pd.DataFrame, dict[str, int]]:
    """(stored index rows, incoming Organisation frame, how many of each kind of incoming)."""
    rng = np.random.default_rng(seed)
    pool = places()
    kinds = list(KINDS)
    combos = set()
    while len(combos) < 2 * n:
        q, p, k = rng.integers(0, len(QUALIFIERS)), rng.integers(0, len(pool)), rng.integers(0, len(kinds))
        combos.add(" ".join(w for w in (QUALIFIERS[q], pool[p], kinds[k]) if w))
    names = sorted(combos)
    rng.shuffle(names)
    stored_names, new_names = names[:n], names[n:]
    sector = {name: KINDS[next(k for k in kinds if name.endswith(k))] for name in names}
    charity = {name: f"charity:{1000000 + i}" for i, name in enumerate(stored_names) if rng.random() < 0.2}
    stored = [{"id": f"s-{i}", "name": name, "sector": sector[name], "aliases": [],
               "identifiers": [charity[name]] if name in charity else []} for i, name in enumerate(stored_names)]
    rows, kinds_made = [], {"restated": 0, "typo": 0, "new": 0}
    stored_id = {name: f"s-{i}" for i, name in enumerate(stored_names)}
    truth: dict[str, tuple[str, str]] = {}  # incoming id -> (kind, the stored id it restates; "" for a new body)
    for i in range(n):
        draw = rng.random()
        if draw < 0.3:
            base = stored_names[int(rng.integers(0, n))]
            name, kind = restated(base, rng), "restated"
            ids = charity[base] if base in charity and rng.random() < 0.5 else ""
        elif draw < 0.5:
            base = stored_names[int(rng.integers(0, n))]
            name, kind, ids = typo(base, rng), "typo", ""
        else:
            base = new_names[i % len(new_names)]
            name, kind, ids = base, "new", ""
        kinds_made[kind] += 1
        truth[f"in-{i}"] = (kind, stored_id.get(base, ""))
        rows.append({"id": f"in-{i}", "name": name, "sector": sector[base], "aliases": "", "identifiers": ids,
                     "source": "bench", "source_row": f"row {i}", ROW: i})
    return stored, pd.DataFrame(rows), kinds_made, truth


def quality(matches: list, truth: dict[str, tuple[str, str]]) -> dict:
    """How many merges and proposals pair an incoming record with the stored body it really restates."""
    def right(match) -> bool:
        for incoming, other in ((match.right_id, match.left_id), (match.left_id, match.right_id)):
            if incoming in truth and truth[incoming][1] == other:
                return True
        return False

    merged = [m for m in matches if m.certain]
    proposed = [m for m in matches if not m.certain]
    typos = sum(kind == "typo" for kind, _ in truth.values())
    found_typos = {m.right_id if m.right_id in truth else m.left_id for m in proposed if right(m)}
    return {"merged_right": sum(map(right, merged)), "merged_wrong": sum(not right(m) for m in merged),
            "proposed_right": sum(map(right, proposed)), "proposed_wrong": sum(not right(m) for m in proposed),
            "typos_proposed_share": round(len(found_typos) / typos, 3) if typos else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-resolve.json")
    args = parser.parse_args()
    stored, incoming, made, truth = generate(args.n, args.seed)
    timings, review_timings = [], []
    for _ in range(args.runs):
        resolver = Resolver(stored)
        start = time.perf_counter()
        _, matches = resolver.resolve([NodeBatch("Organisation", incoming, "bench.csv")])
        timings.append(time.perf_counter() - start)
    for _ in range(args.runs):
        start = time.perf_counter()
        proposed, review_compared = review(stored)
        review_timings.append(time.perf_counter() - start)
    result = {
        "n_stored": args.n, "n_incoming": args.n, "incoming": made,
        "resolve_median_s": round(statistics.median(timings), 2), "resolve_runs_s": [round(t, 2) for t in timings],
        "merged": sum(m.certain for m in matches), "proposed_for_review": sum(not m.certain for m in matches),
        "quality": quality(matches, truth),
        "pairs_compared": resolver.compared, "naive_pairs": args.n * (2 * args.n),  # incoming × (stored + incoming)
        "review_scan_median_s": round(statistics.median(review_timings), 2), "review_scan_pairs": len(proposed),
        "review_scan_compared": review_compared, "review_scan_naive": args.n * (args.n - 1) // 2,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark the review pack: server time for a partnership's and a place's pack, as HTML and as PDF.

    python bench/pack.py --db data/bench/db [--requests 10] [--out out/bench-pack.json]

The app is built over the store read-only, as ``partnermap serve --read-only`` builds it (its
indexes built at start, the findings warmed), then each kind of pack is asked for ``--requests``
times through Starlette's in-process client, over partnerships and districts drawn with a fixed
seed. Baseline in the same run: the profile page of the same partnerships (the page the button is
on). A place's PDF is asked for wards covered by at most ``pages.pack.PDF_PARTS`` partnerships. Each partnership's members are counted, since a pack's size grows with them.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402

from api import create_app  # noqa: E402
from bench.pages import asked, percentiles  # noqa: E402
from pages.pack import GROUP_KINDS, PDF_PARTS  # noqa: E402
from partnermap.settings import Settings  # noqa: E402


def addresses(app, rng: random.Random, count: int) -> tuple[dict[str, list[str]], list[int]]:
    """For each kind of request, ``count`` addresses; and the member counts of the partnerships drawn."""
    import graph

    store = app.state.store
    index = app.state.coverage.get(store)
    districts = sorted(c for c, t in index.territories.items() if t.level in ("district", "unitary"))
    members: dict[str, int] = {}
    for row in graph.run_query(store, "network", {"theme": ""}):
        members[row["partnership"]] = members.get(row["partnership"], 0) + 1
    groups = [rng.choice(sorted(members)) for _ in range(count)]
    places = [rng.choice(districts) for _ in range(count)] if districts else []
    # A place's PDF holds at most PDF_PARTS partnerships' packs: wards covered by no more than that.
    covered_by = lambda code: len({r["id"] for r in index.lookup(code) if r["kind"] in GROUP_KINDS})  # noqa: E731
    small = [c for c, t in sorted(index.territories.items()) if t.level == "ward" and 0 < covered_by(c) <= PDF_PARTS][:2000]
    ids = [quote(g, safe="") for g in groups]
    return {
        "profile (baseline)": [f"/profile/{g}" for g in ids],
        "partnership pack, HTML": [f"/pack/partnership/{g}.html" for g in ids],
        "partnership pack, PDF": [f"/pack/partnership/{g}.pdf" for g in ids],
        "district pack, HTML": [f"/pack/territory/{p}.html" for p in places],
        f"place pack of at most {PDF_PARTS} partnerships, PDF": [f"/pack/territory/{rng.choice(small)}.pdf"
                                                               for _ in range(count)] if small else [],
    }, [members[g] for g in groups]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("out/bench-pack.json"))
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # GOV.UK's screen-only CSS, reported once per pack
    started = time.perf_counter()
    app = create_app(Settings(db=args.db, read_only=True, query_seconds=600))
    result: dict[str, object] = {}
    with TestClient(app) as client:
        result["startup_s"] = round(time.perf_counter() - started, 1)
        kinds, member_counts = addresses(app, random.Random(args.seed), args.requests)
        result["members_of_partnerships_drawn"] = {"median": sorted(member_counts)[len(member_counts) // 2],
                                                   "max": max(member_counts)}
        for kind, paths in kinds.items():
            if not paths:
                continue
            times, sizes = asked(client, paths)
            result[kind] = {**percentiles(times), "median_kb": round(sorted(sizes)[len(sizes) // 2] / 1024)}
            print(f"{kind:28} {result[kind]}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

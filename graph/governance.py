"""Governance gaps, found on the reporting tree in Python rather than by variable-length Cypher.

As one Cypher query (``REPORTS_TO*1..10`` three times over) this took 1.2 s at national size
on the embedded engine; the tree itself is a few thousand edges, so it is read once as a
projection (``reporting-lines``, with the LSPs' territories from ``partnership-facts`` and
the territory tree) and walked here, with the same limits and the same rows as the query had:

* a partnership or forum (not an LSP) with no reporting line, in up to ten steps, up to an LSP:
  "reports to nobody", or "no reporting line up to an LSP" (``related``: whom it reports to);
* one whose reporting line comes back to it in up to ten steps: "its reporting line loops
  back to itself" (``related``: whom it reports to);
* an LSP covering a territory inside (up to twelve PART_OF steps) one another LSP covers,
  with no reporting line to it (the seeds' "unclear relationship between the county LSP and
  the district LSPs"): ``related`` is the other LSP.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph.pairs import projection
from graph.store import Store

REPORTING_STEPS = 10
TERRITORY_STEPS = 12
LSP = "lsp"


def _reachable(start: str, edges: dict[str, list[str]], steps: int) -> set[str]:
    """Every node reached from ``start`` in 1..``steps`` steps (``start`` itself only round a loop)."""
    found: set[str] = set()
    frontier = {start}
    for _ in range(steps):
        frontier = {nxt for node in frontier for nxt in edges.get(node, ())} - found
        if not frontier:
            break
        found |= frontier
    return found


def governance_gaps(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the three gaps above, ordered by partnership, reason, related."""
    lines = projection(store, "reporting-lines")
    if lines.empty:
        return []
    about: dict[str, dict[str, Any]] = {}
    up: dict[str, list[str]] = defaultdict(list)
    for p, name, label, kind, reports_to, source_row in zip(
        lines["partnership"], lines["partnership_name"], lines["partnership_label"], lines["kind"], lines["reports_to"],
        lines["source_row"],
    ):
        about[p] = {"partnership_name": name, "kind": kind, "source_row": source_row, "label": label}
        if isinstance(reports_to, str):
            up[p].append(reports_to)
    lsps = {p for p, facts in about.items() if facts["kind"] == LSP and facts["label"] == "Partnership"}
    rows: set[tuple[str, str, str | None]] = set()
    for p in about:
        reached = _reachable(p, up, REPORTING_STEPS)
        if p in reached:
            rows.update((p, "its reporting line loops back to itself", target) for target in up[p])
        elif about[p]["kind"] != LSP and not reached & lsps:
            if up[p]:
                rows.update((p, "no reporting line up to an LSP", target) for target in up[p])
            else:
                rows.add((p, "reports to nobody", None))
    rows |= _nested_lsps(store, lsps, up)
    return [
        {"partnership": p, **{k: about[p][k] for k in ("partnership_name", "kind")}, "reason": reason,
         "related": related, "source_row": about[p]["source_row"]}
        for p, reason, related in sorted(rows, key=lambda r: (r[0], r[1], r[2] or ""))
    ]


def _nested_lsps(store: Store, lsps: set[str], up: dict[str, list[str]]) -> set[tuple[str, str, str]]:
    """(inner LSP, reason, outer LSP) where inner covers a place inside outer's, with no line to it."""
    if len(lsps) < 2:
        return set()
    facts = projection(store, "partnership-facts")
    covers: dict[str, set[str]] = defaultdict(set)  # territory -> LSPs covering it
    for p, territory in zip(facts["partnership"], facts["territory"]):
        if p in lsps and isinstance(territory, str):
            covers[territory].add(p)
    tree = projection(store, "territory-parents")
    parents: dict[str, list[str]] = defaultdict(list)
    for territory, parent in zip(tree["territory"], tree["parent"]):
        if isinstance(parent, str):
            parents[territory].append(parent)
    found = set()
    for territory, inner_lsps in list(covers.items()):
        outer_lsps = {o for place in _reachable(territory, parents, TERRITORY_STEPS) for o in covers.get(place, ())}
        for inner in inner_lsps:
            reported = _reachable(inner, up, REPORTING_STEPS)
            for outer in outer_lsps - {inner} - reported:
                found.add((inner, "an LSP inside the area of another LSP, with no reporting line to it", outer))
    return found

"""Assemble the maps people look at: run the named queries, then hand their rows to viz.

This is the presentation edge (like an API route): it reads through ``graph.run_query``
and shapes rows into nodes and edges with :mod:`viz`; viz itself never queries.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

import graph
import viz
from partnermap.errors import NotFound, QueryError

HIGHLIGHTS = ("overload", "duplication", "missing-links", "governance")
# The most memberships a map served over HTTP draws: a county of the national benchmark (3,500)
# makes a 3 MB page; a whole region (22,000) made 13 MB and took 5 s.
MAP_MEMBERSHIPS = 5000


def _network_rows(store: graph.Store, territory: str, theme: str, as_of: str | None,
                  max_rows: int | None = None) -> list[dict[str, Any]]:
    params = {"territory": territory, "theme": theme}
    if as_of:
        params["as_of"] = as_of
    return graph.run_query(store, "network", params, max_rows=max_rows)


def network_rows(store: graph.Store, territory: str = "", theme: str = "", as_of: str | None = None,
                 focus: str = "", depth: int = 2, max_memberships: int | None = None) -> list[dict[str, Any]]:
    """The memberships of a place and theme; with ``focus``, only those within ``depth`` steps of it.

    With ``max_memberships``, a map that would draw more is refused (QueryError) and the place's
    network is read only up to the most a page of a named query may answer.
    """
    rows = _network_rows(store, territory, theme, as_of, graph.ANSWER_ROWS if max_memberships else None)
    rows = focus_rows(rows, focus, depth) if focus else rows
    if max_memberships is not None and len(rows) > max_memberships:
        raise QueryError(f"this map would draw {len(rows):,} memberships, more than the {max_memberships:,} a map "
                         "shows: choose a theme or a smaller territory, or focus on one organisation or partnership")
    return rows


def focus_rows(rows: list[dict[str, Any]], focus: str, depth: int) -> list[dict[str, Any]]:
    """Only the memberships within ``depth`` steps of ``focus`` in the membership graph."""
    network = nx.Graph((r["organisation"], r["partnership"]) for r in rows)
    if focus not in network:
        raise NotFound(f"{focus!r} is not in this map (no membership in force touches it)")
    near = set(nx.ego_graph(network, focus, radius=depth))
    return [r for r in rows if r["organisation"] in near and r["partnership"] in near]


def overview_page(
    store: graph.Store,
    territory: str = "",
    theme: str = "",
    focus: str = "",
    depth: int = 2,
    highlights: tuple[str, ...] = (),
    as_of: str | None = None,
    title: str = "Partnership map",
    overload_min: int = 10,
    max_memberships: int | None = None,
) -> str:
    """The membership network of a place and theme, with the diagnostics drawn on it (see :func:`network_rows`)."""
    unknown = set(highlights) - set(HIGHLIGHTS)
    if unknown:
        raise NotFound(f"no highlight {', '.join(sorted(unknown))}; choose from {', '.join(HIGHLIGHTS)}")
    rows = network_rows(store, territory, theme, as_of, focus, depth, max_memberships)
    dated = {"as_of": as_of} if as_of else {}
    marks: dict[str, str] = {}
    if "overload" in highlights:
        marks.update(viz.overload_highlights(
            graph.run_query(store, "overload", {"territory": territory, **dated}), overload_min))
    shown = {r["partnership"] for r in rows}
    if "governance" in highlights:
        for gap in graph.run_query(store, "governance-gaps", {}):
            if gap["partnership"] in shown:
                marks[gap["partnership"]] = "; ".join(filter(None, [marks.get(gap["partnership"]), gap["reason"]]))
    nodes, edges = viz.membership_network(rows, marks)
    if "duplication" in highlights:
        pairs = [p for p in graph.run_query(store, "duplicate-partnerships", dated) if p["a"] in shown and p["b"] in shown]
        extra_nodes, extra_edges = viz.duplicate_links(pairs)
        nodes, edges = nodes + extra_nodes, edges + extra_edges
    if "missing-links" in highlights:
        missing = [m for m in graph.run_query(store, "missing-links", dated) if m["partnership"] in shown]
        extra_nodes, extra_edges = viz.missing_link_overlay(missing)
        nodes, edges = nodes + extra_nodes, edges + extra_edges
    return viz.render_network(nodes, edges, title)


def governance_page(store: graph.Store, territory: str = "", title: str = "Governance: who reports to whom") -> str:
    """The REPORTS_TO hierarchy laid out top-down, partnerships with a governance gap flagged."""
    lines = graph.run_query(store, "reporting-lines", {})
    if territory:
        keep = {r["partnership"] for r in _network_rows(store, territory, "", None)}
        up = {r["partnership"]: r["reports_to"] for r in lines}
        for start in list(keep):  # and every body they report to, however far up
            current = up.get(start)
            while current and current not in keep:
                keep.add(current)
                current = up.get(current)
        lines = [r for r in lines if r["partnership"] in keep]
    reports = [r for r in lines if r["reports_to"]]
    nodes, edges = viz.governance_tree(lines, reports, graph.run_query(store, "governance-gaps", {}))
    return viz.render_network(nodes, edges, title, hierarchical=True)

"""Queries that run in Python on projections read from the store: pair comparisons
(:mod:`graph.pairs`) and network measures Cypher does poorly (networkx).

Each analysis reads named queries (``memberships``, ``organisation-themes``), builds a
networkx graph and returns rows like any query, with the evidence a manager needs to
defend the finding. ``ANALYSES`` is the one table of them; the runner treats them as
named queries with declared parameters.

* ``brokers``: organisations that bridge otherwise separate groups (betweenness on the
  organisation–partnership graph; sampled above ``EXACT_LIMIT`` nodes).
* ``clusters``: communities of organisations and partnerships (Louvain, fixed seed).
* ``suggested-links``: organisations that share many partnerships and both work on a
  theme, but sit on no partnership on that theme together.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
from scipy import sparse

from graph import pairs
from graph.pairs import projection
from graph.queries import Param, bind_params
from graph.store import Store

EXACT_LIMIT = 5_000  # nodes; above this, betweenness is estimated from a fixed-seed sample
SAMPLE = 200
SEED = 42

AS_OF = Param("as_of", "date", "today", False, "only memberships in force on this day (YYYY-MM-DD)")
LIMIT = Param("limit", "int", "20", False, "most rows to return")


@dataclass(frozen=True)
class Analysis:
    """A named analysis: its description, parameters and the function that runs it."""

    name: str
    description: str
    params: tuple[Param, ...]
    run: Callable[[Store, dict[str, Any]], list[dict[str, Any]]]

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check and type parameters exactly as a Cypher query's are."""
        return bind_params(self.name, self.params, given)


def membership_graph(store: Store, as_of: Any) -> nx.Graph:
    """The bipartite organisation–partnership graph of memberships in force on ``as_of``.

    Nodes are ``("o", id)`` and ``("p", id)``; this networkx graph is the interface the
    measures are defined on (and what a user can take away to analyse further).
    """
    graph = nx.Graph()
    edges = projection(store, "membership-pairs", {"as_of": as_of})
    if not edges.empty:
        graph.add_edges_from(zip((("o", o) for o in edges["organisation"]), (("p", p) for p in edges["partnership"])))
    return graph


def _names(store: Store, nodes: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Name, sector and kind for the given graph nodes (only those reported, not the whole graph)."""
    named = projection(store, "node-names", {"ids": sorted({n[1] for n in nodes})}) if nodes else None
    found = {}
    if named is not None and not named.empty:
        for node_id, kind, name, sector in zip(named["id"], named["kind"], named["name"], named["sector"]):
            prefix = "o" if kind == "Organisation" else "p"
            found[(prefix, node_id)] = {"name": name, "sector": sector, "kind": kind}
    return found


def _to_igraph(graph: nx.Graph) -> tuple[ig.Graph, list]:
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    return ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges]), nodes


def betweenness(graph: nx.Graph) -> dict:
    """Normalised betweenness of every node: exact up to ``EXACT_LIMIT`` nodes, else from ``SAMPLE`` sources.

    The same measure as ``networkx.betweenness_centrality(graph, k, seed)``, computed by
    igraph (measured 40× faster here on the national graph); sampled sources are scaled up.
    """
    g, nodes = _to_igraph(graph)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    sources = None
    scale = 1.0
    if n > EXACT_LIMIT:
        sources = random.Random(SEED).sample(range(n), SAMPLE)
        scale = n / SAMPLE
    raw = g.betweenness(directed=False, sources=sources) if sources else g.betweenness(directed=False)
    norm = 2.0 / ((n - 1) * (n - 2))
    # igraph counts each unordered pair once when it runs every source; from a sample of
    # sources each pair is seen from one end only, so the estimate is doubled back.
    factor = norm * (scale / 2 if sources else 1.0)
    return {node: value * factor for node, value in zip(nodes, raw)}


def brokers(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Organisations ranked by betweenness on the membership graph."""
    graph = membership_graph(store, params["as_of"])
    if graph.number_of_nodes() == 0:
        return []
    estimated = graph.number_of_nodes() > EXACT_LIMIT
    centrality = betweenness(graph)
    top = sorted((n for n in centrality if n[0] == "o" and centrality[n] > 1e-12), key=lambda n: (-centrality[n], n[1]))
    top = top[: params["limit"]]
    components = {n: i for i, c in enumerate(nx.connected_components(graph)) for n in c}
    names = _names(store, top + [p for o in top for p in graph[o]])
    rows = []
    for node in top:
        partnerships = list(graph[node])
        # The organisations it meets across its partnerships: the reach that makes it a broker.
        co_members = set().union(*(graph[p] for p in partnerships)) - {node}
        rows.append({
            "organisation": node[1],
            "organisation_name": names.get(node, {}).get("name"),
            "sector": names.get(node, {}).get("sector"),
            "betweenness": round(centrality[node], 4),
            "memberships": len(partnerships),
            "co_members": len(co_members),
            "component": components[node],
            "partnerships": sorted(names.get(p, {}).get("name") or p[1] for p in partnerships),
            "estimated": estimated,
        })
    return rows


def clusters(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Communities of the membership graph (Louvain, by igraph), largest first, with their members and themes."""
    graph = membership_graph(store, params["as_of"])
    if graph.number_of_edges() == 0:
        return []
    g, nodes = _to_igraph(graph)
    random.seed(SEED)
    ig.set_random_number_generator(random)
    partition = g.community_multilevel()
    communities = [{nodes[i] for i in members} for members in partition]
    modularity = partition.modularity
    ordered = sorted(communities, key=lambda c: (-len(c), min(c)))[: params["limit"]]
    shown = [n for c in ordered for n in c]
    names = _names(store, shown)
    themes = projection(store, "partnership-facts", {})
    themes_of: dict[str, set[str]] = {}
    for partnership, theme in zip(themes["partnership"], themes["theme_name"]):
        if isinstance(theme, str):
            themes_of.setdefault(partnership, set()).add(theme)
    rows = []
    for number, community in enumerate(ordered, start=1):
        orgs = sorted(names.get(n, {}).get("name") or n[1] for n in community if n[0] == "o")
        partnerships = sorted(n for n in community if n[0] == "p")
        counted = Counter(t for p in partnerships for t in themes_of.get(p[1], ()))
        rows.append({
            "cluster": number,
            "organisations": len(orgs),
            "partnerships": len(partnerships),
            "themes": [t for t, _ in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:5]],
            "partnership_names": [names.get(p, {}).get("name") or p[1] for p in partnerships],
            "organisation_names": orgs,
            "modularity": round(modularity, 3),
        })
    return rows


def suggested_links(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Pairs of organisations that share partnerships and a theme, but no partnership on that theme."""
    edges = projection(store, "membership-pairs", {"as_of": params["as_of"]})
    if edges.empty:
        return []
    orgs = sorted(set(edges["organisation"]))
    parts = sorted(set(edges["partnership"]))
    oi = {o: i for i, o in enumerate(orgs)}
    pi = {p: i for i, p in enumerate(parts)}
    rows_i = np.fromiter((oi[o] for o in edges["organisation"]), dtype=np.int64, count=len(edges))
    cols_i = np.fromiter((pi[p] for p in edges["partnership"]), dtype=np.int64, count=len(edges))
    # Organisation × partnership incidence; its product with itself counts shared partnerships.
    incidence = sparse.csr_matrix((np.ones(len(edges)), (rows_i, cols_i)), shape=(len(orgs), len(parts)))
    shared = sparse.triu(incidence @ incidence.T, k=1).tocoo()
    keep = shared.data >= params["min_shared"]
    a_idx, b_idx, counts = shared.row[keep], shared.col[keep], shared.data[keep]
    degree = np.asarray(incidence.sum(axis=1)).ravel()
    jaccard = counts / (degree[a_idx] + degree[b_idx] - counts)
    order = np.lexsort((b_idx, a_idx, -counts, -jaccard))

    themes = projection(store, "organisation-themes", {"as_of": params["as_of"]})
    themes_of: dict[str, set[str]] = {}
    theme_names: dict[str, str] = {}
    partnership_themes: dict[str, set[str]] = {}
    for org, theme, name, through, how in zip(themes["organisation"], themes["theme"], themes["theme_name"], themes["through"], themes["how"]):
        themes_of.setdefault(org, set()).add(theme)
        theme_names[theme] = name
        if how == "member":
            partnership_themes.setdefault(through, set()).add(theme)
    member_of: dict[str, set[str]] = {}
    for org, partnership in zip(edges["organisation"], edges["partnership"]):
        member_of.setdefault(org, set()).add(partnership)

    found = []
    for k in order:  # best-scoring pairs first; stop once the page is full
        a, b = orgs[a_idx[k]], orgs[b_idx[k]]
        common = member_of[a] & member_of[b]
        together_on = {t for p in common for t in partnership_themes.get(p, ())}
        for theme in sorted(themes_of.get(a, set()) & themes_of.get(b, set()) - together_on):
            found.append((a, b, theme, round(float(jaccard[k]), 3), common))
        if len(found) >= params["limit"]:
            break
    found = found[: params["limit"]]
    names = _names(store, [("o", a) for a, *_ in found] + [("o", b) for _, b, *_ in found] + [("p", p) for *_, c in found for p in c])
    return [
        {
            "a": a, "a_name": names.get(("o", a), {}).get("name"), "b": b, "b_name": names.get(("o", b), {}).get("name"),
            "theme": theme_names[theme], "score": score, "shared_partnerships": len(common),
            "shared_names": sorted(names.get(("p", p), {}).get("name") or p for p in common),
            "reason": f"both work on {theme_names[theme]} but share no partnership on it",
        }
        for a, b, theme, score, common in found
    ]


ANALYSES: dict[str, Analysis] = {
    a.name: a
    for a in (
        Analysis("duplicate-partnerships", "Pairs of partnerships or forums whose member organisations overlap "
                 "(Jaccard index at least min_jaccard), that share a theme and work in overlapping territories (the "
                 "same, or one inside the other), with the members and themes they share.",
                 (Param("min_jaccard", "float", "0.5", False, "least overlap of membership (shared / all members of either)"),
                  AS_OF), pairs.duplicate_partnerships),
        Analysis("duplicate-services", "Pairs of services of the same type from different providers, for a shared "
                 "client group, whose territories overlap (the same, or one inside the other).",
                 (Param("type", "str", "", False, "limit to one service type (empty: all)"),), pairs.duplicate_services),
        Analysis("brokers", "Organisations that bridge otherwise separate partnerships (betweenness centrality "
                 "on the organisation–partnership graph).", (AS_OF, LIMIT), brokers),
        Analysis("clusters", "Communities of organisations and partnerships that meet mostly among themselves "
                 "(Louvain), with their main themes.", (AS_OF, LIMIT), clusters),
        Analysis("suggested-links", "Organisations that share partnerships and both work on a theme but sit on "
                 "no partnership on that theme together.",
                 (AS_OF, LIMIT, Param("min_shared", "int", "2", False, "fewest partnerships the pair must share")),
                 suggested_links),
    )
}

"""Network measures Cypher does poorly, run in networkx on projections read from the store.

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

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx

from graph.queries import Param, get_query
from graph.store import Store

EXACT_LIMIT = 5_000  # nodes; above this, betweenness is estimated from a fixed-seed sample
SAMPLE = 500
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
        from graph.queries import NamedQuery

        return NamedQuery(self.name, self.description, self.params, {}, None).bind(given)  # type: ignore[arg-type]


def _rows(store: Store, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    query = get_query(name)
    return store.run(query.render(store.dialect), query.bind(params))


def membership_graph(store: Store, as_of: Any) -> nx.Graph:
    """The bipartite organisation–partnership graph of memberships in force on ``as_of``."""
    graph = nx.Graph()
    for row in _rows(store, "memberships", {"as_of": as_of}):
        org, partnership = ("o", row["organisation"]), ("p", row["partnership"])
        graph.add_node(org, kind="Organisation", name=row["organisation_name"], sector=row["sector"])
        graph.add_node(partnership, kind="Partnership", name=row["partnership_name"], partnership_kind=row["kind"])
        graph.add_edge(org, partnership)
    return graph


def brokers(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Organisations ranked by betweenness on the membership graph."""
    graph = membership_graph(store, params["as_of"])
    if graph.number_of_nodes() == 0:
        return []
    k = None if graph.number_of_nodes() <= EXACT_LIMIT else SAMPLE
    centrality = nx.betweenness_centrality(graph, k=k, seed=SEED, normalized=True)
    components = {n: i for i, c in enumerate(nx.connected_components(graph)) for n in c}
    rows = []
    for node, score in centrality.items():
        if node[0] != "o" or score <= 0:
            continue
        partnerships = sorted(graph.nodes[p]["name"] for p in graph[node])
        # Partnerships this organisation links that share no other member with each other.
        bridged = sum(
            1
            for a, b in combinations(graph[node], 2)
            if not (set(graph[a]) & set(graph[b])) - {node}
        )
        rows.append({
            "organisation": node[1],
            "organisation_name": graph.nodes[node]["name"],
            "sector": graph.nodes[node]["sector"],
            "betweenness": round(score, 4),
            "memberships": len(partnerships),
            "bridged_pairs": bridged,
            "component": components[node],
            "partnerships": partnerships,
            "estimated": k is not None,
        })
    rows.sort(key=lambda r: (-r["betweenness"], r["organisation"]))
    return rows[: params["limit"]]


def clusters(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Communities of the membership graph (Louvain), largest first, with their members and themes."""
    graph = membership_graph(store, params["as_of"])
    if graph.number_of_edges() == 0:
        return []
    communities = nx.community.louvain_communities(graph, seed=SEED)
    modularity = nx.community.modularity(graph, communities)
    themes_of = defaultdict(set)
    for row in _rows(store, "organisation-themes", {"as_of": params["as_of"]}):
        if row["how"] == "member":
            themes_of[row["through"]].add(row["theme_name"])
    rows = []
    ordered = sorted(communities, key=lambda c: (-len(c), min(c)))
    for number, community in enumerate(ordered, start=1):
        orgs = sorted(graph.nodes[n]["name"] for n in community if n[0] == "o")
        partnerships = sorted(n for n in community if n[0] == "p")
        themes = Counter(t for p in partnerships for t in themes_of[p[1]])
        rows.append({
            "cluster": number,
            "organisations": len(orgs),
            "partnerships": len(partnerships),
            "themes": [t for t, _ in themes.most_common(5)],
            "partnership_names": [graph.nodes[p]["name"] for p in partnerships],
            "organisation_names": orgs,
            "modularity": round(modularity, 3),
        })
    return rows[: params["limit"]]


def suggested_links(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Pairs of organisations that share partnerships and a theme, but no partnership on that theme."""
    graph = membership_graph(store, params["as_of"])
    themes_of_org: dict[str, dict[str, str]] = defaultdict(dict)
    theme_names: dict[str, str] = {}
    partnership_themes: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, "organisation-themes", {"as_of": params["as_of"]}):
        themes_of_org[row["organisation"]][row["theme"]] = row["how"]
        theme_names[row["theme"]] = row["theme_name"]
        if row["how"] == "member":
            partnership_themes[row["through"]].add(row["theme"])
    orgs = sorted(n for n in graph if n[0] == "o")
    memberships = {n: {p[1] for p in graph[n]} for n in orgs}
    rows = []
    # Only pairs with a partnership in common are candidates: walk partnerships, not all pairs.
    pairs = {tuple(sorted((a, b))) for p in graph if p[0] == "p" for a, b in combinations(graph[p], 2)}
    for a, b in pairs:
        shared = memberships[a] & memberships[b]
        if len(shared) < params["min_shared"]:
            continue
        together_on = {t for p in shared for t in partnership_themes[p]}
        jaccard = len(shared) / len(memberships[a] | memberships[b])
        for theme in sorted(set(themes_of_org[a[1]]) & set(themes_of_org[b[1]]) - together_on):
            rows.append({
                "a": a[1], "a_name": graph.nodes[a]["name"], "b": b[1], "b_name": graph.nodes[b]["name"],
                "theme": theme_names[theme], "score": round(jaccard, 3), "shared_partnerships": len(shared),
                "shared_names": sorted(graph.nodes[("p", p)]["name"] for p in shared),
                "reason": f"both work on {theme_names[theme]} but share no partnership on it",
            })
    rows.sort(key=lambda r: (-r["score"], -r["shared_partnerships"], r["a"], r["b"], r["theme"]))
    return rows[: params["limit"]]


ANALYSES: dict[str, Analysis] = {
    a.name: a
    for a in (
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

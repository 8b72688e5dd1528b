"""Queries that run in Python on projections read from the store: pair comparisons
(:mod:`graph.pairs`) and network measures Cypher does poorly (networkx).

Each analysis reads named queries (``membership-pairs``, ``partnership-facts``,
``service-themes`` …), builds a networkx graph and returns rows like any query, with the
evidence a manager needs to defend the finding. ``ANALYSES`` is the one table of them; the
runner treats them as named queries with declared parameters.

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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from graph import budget, conflicts, governance, pairs, statutory

if TYPE_CHECKING:
    import networkx as nx
from graph.pairs import projection, remember
from graph.queries import Param, bind_params
from graph.store import Store

EXACT_LIMIT = 5_000  # nodes; above this, betweenness is estimated from a fixed-seed sample
SAMPLE = 50
SEED = 42

AS_OF = Param("as_of", "date", "today", False, "only memberships in force on this day (YYYY-MM-DD)")
LIMIT = Param("limit", "int", "20", False, "most rows to return", 0, 1000)
TERRITORY = Param("territory", "str", "", False, "GSS code to limit to groups working there (empty: everywhere)")
PARTNERSHIP = Param("partnership", "str", "", False, "one partnership's or forum's id (empty: all)")


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


class MembershipNetwork:
    """The bipartite organisation–partnership graph of memberships in force on a day.

    Nodes are ``("o", id)`` and ``("p", id)``. The heavy measures run on an igraph copy built
    straight from the projection's columns (measured 40× faster than networkx here, and no
    Python loop over edges); :meth:`to_networkx` gives the networkx graph that is the
    interface users take away to analyse further.
    """

    def __init__(self, edges: pd.DataFrame):
        organisation, organisations = pd.factorize(edges["organisation"], sort=True)
        partnership, partnerships = pd.factorize(edges["partnership"], sort=True)
        # Organisations first, then partnerships, each in id order: the sampled betweenness draws its
        # sources by these numbers, and the engine returns the pairs in no fixed order, so numbering
        # them as they came gave different brokers and clusters from one run to the next.
        self.nodes: list[tuple[str, str]] = [("o", o) for o in organisations] + [("p", p) for p in partnerships]
        pairs = np.column_stack([organisation, partnership + len(organisations)]).astype(np.int64)
        import igraph as ig  # here, not at import: `partnermap stats` or an ingest need none of it (0.4 s)

        self.graph = ig.Graph(n=len(self.nodes), edges=pairs)
        self.graph.simplify()  # two posts on one partnership are one membership

    def __len__(self) -> int:
        return len(self.nodes)

    def neighbours(self, index: int) -> list[int]:
        return self.graph.neighbors(index)

    def to_networkx(self) -> nx.Graph:
        import networkx as nx

        out = nx.Graph()
        out.add_nodes_from(self.nodes)
        out.add_edges_from((self.nodes[a], self.nodes[b]) for a, b in self.graph.get_edgelist())
        return out


def membership_network(store: Store, as_of: Any) -> MembershipNetwork:
    """The membership network on ``as_of``, read through the ``membership-pairs`` projection.

    Built once per store generation and shared (brokers and clusters both measure it): read it, don't change it.
    """
    return remember(store, ("membership-network", (("as_of", as_of),)),
                    lambda: MembershipNetwork(projection(store, "membership-pairs", {"as_of": as_of})))


def membership_graph(store: Store, as_of: Any) -> nx.Graph:
    """The membership network as a networkx graph (nodes ``("o", id)`` and ``("p", id)``)."""
    return membership_network(store, as_of).to_networkx()


def _names(store: Store, nodes: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Name, sector and kind for the given graph nodes (only those reported, not the whole graph)."""
    named = projection(store, "node-names", {"ids": sorted({n[1] for n in nodes})}) if nodes else None
    found = {}
    if named is not None and not named.empty:
        for node_id, kind, name, sector in zip(named["id"], named["kind"], named["name"], named["sector"]):
            prefix = "o" if kind == "Organisation" else "p"
            found[(prefix, node_id)] = {"name": name, "sector": sector, "kind": kind}
    return found


def _columns(store: Store, name: str, *columns: str) -> pd.DataFrame:
    """A projection's columns, there even when it is empty (Neo4j's empty answer has none)."""
    frame = projection(store, name)
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}) if frame.columns.empty else frame[list(columns)]


def betweenness(network: MembershipNetwork) -> np.ndarray:
    """Normalised betweenness of every node: exact up to ``EXACT_LIMIT`` nodes, else from ``SAMPLE`` sources.

    The same measure as ``networkx.betweenness_centrality(graph, k, seed)``; from a sample
    of sources the estimate is scaled up (on the national synthetic graph, 50 sources find
    18 of the top 20 brokers that 1,000 sources find, in a quarter of a second).
    """
    g, n = network.graph, len(network)
    if n < 3:
        return np.zeros(n)
    sources = None
    scale = 1.0
    if n > EXACT_LIMIT:
        sources = random.Random(SEED).sample(range(n), SAMPLE)
        scale = n / SAMPLE
    raw = np.asarray(g.betweenness(directed=False, sources=sources) if sources else g.betweenness(directed=False))
    norm = 2.0 / ((n - 1) * (n - 2))
    # igraph counts each unordered pair once when it runs every source; from a sample of
    # sources each pair is seen from one end only, so the estimate is doubled back.
    return raw * norm * (scale / 2 if sources else 1.0)


def brokers(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Organisations ranked by betweenness on the membership graph."""
    network = membership_network(store, params["as_of"])
    if len(network) == 0:
        return []
    estimated = len(network) > EXACT_LIMIT
    budget.check()
    centrality = betweenness(network)  # one call into igraph: the budget is checked either side of it
    budget.check()
    nodes = network.nodes
    ranked = [i for i in np.argsort(-centrality, kind="stable") if nodes[i][0] == "o" and centrality[i] > 1e-12]
    top = sorted(ranked[: params["limit"]], key=lambda i: (-centrality[i], nodes[i][1]))
    membership = network.graph.connected_components().membership
    names = _names(store, [nodes[i] for i in top] + [nodes[p] for i in top for p in network.neighbours(i)])
    rows = []
    for i in top:
        partnerships = network.neighbours(i)
        # The organisations it meets across its partnerships: the reach that makes it a broker.
        co_members = set().union(*(network.neighbours(p) for p in partnerships)) - {i}
        rows.append({
            "organisation": nodes[i][1],
            "organisation_name": names.get(nodes[i], {}).get("name"),
            "sector": names.get(nodes[i], {}).get("sector"),
            "betweenness": round(float(centrality[i]), 4),
            "memberships": len(partnerships),
            "co_members": len(co_members),
            "component": membership[i],
            "partnerships": sorted(names.get(nodes[p], {}).get("name") or nodes[p][1] for p in partnerships),
            "estimated": estimated,
        })
    return rows


def clusters(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Communities of the membership graph (Louvain, by igraph), largest first, with their members and themes."""
    network = membership_network(store, params["as_of"])
    if network.graph.ecount() == 0:
        return []
    random.seed(SEED)
    import igraph as ig

    ig.set_random_number_generator(random)
    budget.check()
    partition = network.graph.community_multilevel()
    budget.check()
    communities = [{network.nodes[i] for i in members} for members in partition]
    modularity = partition.modularity
    ordered = sorted(communities, key=lambda c: (-len(c), min(c)))[: params["limit"]]
    # Every node shown is named (tens of thousands at national size): from two whole projections
    # the other diagnostics share, not by looking up each id (a fifth of a second cold).
    themes = projection(store, "partnership-facts", {})
    organisations = _columns(store, "organisation-numbers", "organisation", "organisation_name")
    names = {"o": dict(zip(organisations["organisation"], organisations["organisation_name"])),
             "p": dict(zip(themes["partnership"], themes["partnership_name"]))}
    themes_of: dict[str, set[str]] = {}
    for partnership, theme in zip(themes["partnership"], themes["theme_name"]):
        if isinstance(theme, str):
            themes_of.setdefault(partnership, set()).add(theme)
    rows = []
    for number, community in enumerate(ordered, start=1):
        orgs = sorted(names["o"].get(n[1]) or n[1] for n in community if n[0] == "o")
        partnerships = sorted(n for n in community if n[0] == "p")
        counted = Counter(t for p in partnerships for t in themes_of.get(p[1], ()))
        rows.append({
            "cluster": number,
            "organisations": len(orgs),
            "partnerships": len(partnerships),
            "themes": [t for t, _ in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:5]],
            "partnership_names": [names["p"].get(p[1]) or p[1] for p in partnerships],
            "organisation_names": orgs,
            "modularity": round(modularity, 3),
        })
    return rows


@dataclass(frozen=True)
class ServiceThemes:
    """The themes each organisation works on through the services it delivers or commissions.

    Joined here from small projections rather than read as one Cypher pattern (a second per
    read at national size). Built once per store generation; arrays are shared, read-only.
    """

    organisations: np.ndarray  # ids, one per row of organisation-numbers
    start: np.ndarray  # row r works on themes[start[r]:start[r + 1]]
    themes: np.ndarray  # theme ids

    def rows(self, organisations: pd.Index) -> np.ndarray:
        """The row of each of ``organisations`` (-1 for one that is not there)."""
        return pd.Index(self.organisations).get_indexer(organisations)

    def of(self, row: int) -> frozenset[str]:
        """The theme ids of the organisation in ``row`` (none for -1)."""
        return frozenset(self.themes[self.start[row]:self.start[row + 1]]) if row >= 0 else frozenset()


def service_themes(store: Store) -> ServiceThemes:
    """Which themes each organisation works on through its services, kept until the store's next write."""
    return remember(store, ("service-themes-by-organisation",), lambda: _service_themes(store))


def _service_themes(store: Store) -> ServiceThemes:
    organisations = _columns(store, "organisation-numbers", "number", "organisation")
    themes = _columns(store, "theme-numbers", "number", "theme")
    # Services are joined on their numbers as they come: offsets on the embedded engine, ids elsewhere.
    services = pd.concat([
        _columns(store, "service-providers", "service", "provider").set_axis(["service", "organisation"], axis=1),
        _columns(store, "service-commissioners", "service", "commissioner").set_axis(["service", "organisation"], axis=1),
    ], ignore_index=True)
    themed = services.merge(_columns(store, "service-themes", "service", "theme"), on="service")
    organisation = pairs.positions(themed["organisation"], organisations["number"])
    theme = pairs.positions(themed["theme"], themes["number"])
    known = (organisation >= 0) & (theme >= 0)
    found = pd.DataFrame({"organisation": organisation[known], "theme": theme[known]}).drop_duplicates()
    found = found.sort_values("organisation", kind="stable")
    start = np.concatenate([[0], np.cumsum(np.bincount(found["organisation"], minlength=len(organisations)))])
    kept = ServiceThemes(organisations["organisation"].to_numpy(dtype=object), start,
                         themes["theme"].to_numpy(dtype=object)[found["theme"].to_numpy()])
    for array in vars(kept).values():
        array.flags.writeable = False
    return kept


def suggested_links(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Pairs of organisations that share partnerships and a theme, but no partnership on that theme."""
    edges = projection(store, "membership-pairs", {"as_of": params["as_of"]})
    if edges.empty:
        return []
    rows_i, orgs = pd.factorize(edges["organisation"], sort=True)
    cols_i, parts = pd.factorize(edges["partnership"], sort=True)
    # Organisation × partnership incidence; its product with itself counts shared partnerships.
    from scipy import sparse

    incidence = sparse.csr_matrix((np.ones(len(edges)), (rows_i, cols_i)), shape=(len(orgs), len(parts)))
    incidence.data[:] = 1  # two posts on one partnership are one membership
    budget.check()
    shared = sparse.triu(incidence @ incidence.T, k=1).tocoo()
    budget.check()
    keep = shared.data >= params["min_shared"]
    a_idx, b_idx, counts = shared.row[keep], shared.col[keep], shared.data[keep]
    degree = np.asarray(incidence.sum(axis=1)).ravel()
    jaccard = counts / (degree[a_idx] + degree[b_idx] - counts)
    order = np.lexsort((b_idx, a_idx, -counts, -jaccard))

    partnership_ids = np.asarray(parts, dtype=object)
    member_of: dict[int, set[str]] = {}

    def partnerships(i: int) -> set[str]:
        """The partnerships ``orgs[i]`` sits on (a row of the incidence), for the pairs looked at only."""
        if i not in member_of:
            member_of[i] = set(partnership_ids[incidence.indices[incidence.indptr[i]:incidence.indptr[i + 1]]])
        return member_of[i]

    # An organisation works on the themes of the partnerships it sits on (in force on the day,
    # as membership-pairs reads them) and of the services it delivers or commissions.
    facts = projection(store, "partnership-facts")  # shared with clusters and duplicate-partnerships
    partnership_themes: dict[str, set[str]] = {}
    for partnership, theme in zip(facts["partnership"], facts["theme"]):
        if isinstance(theme, str):
            partnership_themes.setdefault(partnership, set()).add(theme)
    through_services = service_themes(store)
    service_rows = through_services.rows(orgs)
    themes_of: dict[int, set[str]] = {}

    def themes(i: int) -> set[str]:
        """The themes of ``orgs[i]``, worked out for the organisations of the pairs looked at only."""
        if i not in themes_of:
            themes_of[i] = set(through_services.of(service_rows[i])).union(*(partnership_themes.get(p, ()) for p in partnerships(i)))
        return themes_of[i]

    found = []
    for looked, k in enumerate(order):  # best-scoring pairs first; stop once the page is full
        if looked % 1000 == 0:
            budget.check()
        a, b = orgs[a_idx[k]], orgs[b_idx[k]]
        common = partnerships(a_idx[k]) & partnerships(b_idx[k])
        together_on = {t for p in common for t in partnership_themes.get(p, ())}
        for theme in sorted(themes(a_idx[k]) & themes(b_idx[k]) - together_on):
            found.append((a, b, theme, round(float(jaccard[k]), 3), common))
        if len(found) >= params["limit"]:
            break
    found = found[: params["limit"]]
    theme_list = projection(store, "theme-numbers")
    theme_names = dict(zip(theme_list["theme"], theme_list["theme_name"]))
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
        Analysis("conflicts", "Facts whose sources disagree (a role, a date, an attendance figure): one row per "
                 "fact, property and source, with the value each source gives, when it last said so, and which "
                 "value is shown (the most recent ingest's). Text differing only in case or spacing agrees.",
                 (Param("kind", "str", "", False, "one label or relationship type, e.g. MEMBER_OF (empty: all)"),
                  Param("limit", "int", "1000", False, "most facts and properties to list", 0, 1000)),
                 conflicts.conflicts),
        Analysis("duplicate-partnerships", "Pairs of partnerships or forums whose member organisations overlap "
                 "(Jaccard index at least min_jaccard), that share a theme and work in overlapping territories (the "
                 "same, or one inside the other), with the members and themes they share.",
                 (Param("min_jaccard", "float", "0.5", False, "least overlap of membership (shared / all members of either)",
                        0, 1),
                  AS_OF, Param("limit", "int", "1000", False, "most pairs to return, the greatest overlap first", 0, 1000)),
                 pairs.duplicate_partnerships),
        Analysis("governance-gaps", "Partnerships and forums with no reporting line (REPORTS_TO, in up to ten "
                 "steps) up to an LSP; reporting lines that loop; and LSPs inside the area of another LSP with no "
                 "reporting line to it. `related` names the partnership the reason refers to.", (), governance.governance_gaps),
        Analysis("duplicate-services", "Pairs of services of the same type from different providers, for a shared "
                 "client group, whose territories overlap (the same, or one inside the other).",
                 (Param("type", "str", "", False, "limit to one service type (empty: all)"),
                  Param("limit", "int", "1000", False, "most pairs to return, strongest evidence first", 0, 1000)),
                 pairs.duplicate_services),
        Analysis("brokers", "Organisations that bridge otherwise separate partnerships (betweenness centrality "
                 "on the organisation–partnership graph).", (AS_OF, LIMIT), brokers),
        Analysis("clusters", "Communities of organisations and partnerships that meet mostly among themselves "
                 "(Louvain), with their main themes.", (AS_OF, LIMIT), clusters),
        Analysis("suggested-links", "Organisations that share partnerships and both work on a theme but sit on "
                 "no partnership on that theme together.",
                 (AS_OF, LIMIT, Param("min_shared", "int", "2", False, "fewest partnerships the pair must share", 1, 100000)),
                 suggested_links),
        Analysis("statutory-gaps", "Statutory partnerships (statutory = yes) that match a rule of the model's "
                 "[statutory] section (Health and Wellbeing Boards, Community Safety Partnerships, local safeguarding "
                 "children arrangements): each requirement in force on as_of, met or not, by which members and posts, "
                 "with the legislation that requires it.",
                 (AS_OF, TERRITORY, PARTNERSHIP,
                  Param("unmet", "bool", "false", False, "only the requirements not met")),
                 statutory.statutory_gaps),
        Analysis("governance-register", "Partnerships and forums whose governance fields show a gap: a review "
                 "overdue (last reviewed more than 12 months before as_of, or its terms of reference review date "
                 "passed), no terms of reference review date, or no lead officer; the most significant first.",
                 (AS_OF, TERRITORY, PARTNERSHIP), statutory.governance_register),
    )
}

"""The partnership network page: a readable map of up to ``DRAW_LIMIT`` nodes, an aggregate with a way in above that.

Nodes are placed here (:mod:`pages.layout`) so no two labels overlap, coloured and shaped as viz
draws them, and flagged with the diagnostics' reasons (shown on hover and in the table).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import viz
from ontology import load_model
from pages import findings, layout
from pages.context import Workspace, common
from pages.findings import Filters
from pages.overview import areas, covering_ids
from pages.render import render
from partnermap.errors import NotFound
from graph.changes import window
from pages.maps import focus_rows
from viz.network_style import kind_style, node_colour

DRAW_LIMIT = 80


# What ``partnermap viz --highlight`` names each kind of mark.
HIGHLIGHTS = ("overload", "duplication", "missing-links", "governance")


def marks(space: Workspace, filters: Filters, shown: set[str],
          highlights: tuple[str, ...] = HIGHLIGHTS) -> dict[str, list[str]]:
    """Why each shown node is flagged: overload, a governance gap, a missing sector, a likely duplicate."""
    covering = covering_ids(space.index, filters.area)
    reasons: dict[str, list[str]] = defaultdict(list)

    def found(slug: str) -> list[dict[str, Any]]:
        return findings.rows(space.store, space.cache, findings.finding(slug), Filters(filters.area, "", filters.as_of),
                             covering)

    if "overload" in highlights:  # sitting on many groups anywhere is overload wherever it shows
        for row in findings.rows(space.store, space.cache, findings.finding("overloaded-organisations"),
                                 Filters("", "", filters.as_of), None):
            reasons[row["organisation"]].append(f"overloaded: sits on {row['memberships']} groups, chairs {row['chairs']}")
    for row in found("governance-gaps") if "governance" in highlights else ():
        reasons[row["partnership"]].append(f"governance: {row['reason']}")
    for row in found("missing-links") if "missing-links" in highlights else ():
        reasons[row["partnership"]].append(f"missing link: no {str(row['missing_sector']).replace('_', ' ')} member "
                                           f"for {row['theme']}")
    for row in found("duplicate-partnerships") if "duplication" in highlights else ():
        reasons[row["a"]].append(f"may duplicate {row['b_name']}")
        reasons[row["b"]].append(f"may duplicate {row['a_name']}")
    return {node: list(dict.fromkeys(why)) for node, why in reasons.items() if node in shown}


def _drawn(node: dict[str, Any], why: list[str], position: tuple[float, float], change: str = "") -> dict[str, Any]:
    style = kind_style(node["kind"])
    hover = [str(node["name"]), f"{node['kind']}" + (f" · {str(node['sector']).replace('_', ' ')}" if node.get("sector") else ""),
             f"memberships: {node.get('memberships', 0)}", *([change] if change else []), *why]
    return {"id": node["id"], "label": layout.short_label(str(node["name"])), "hover": "\n".join(hover),
            "shape": style.shape, "colour": node_colour(node), "size": node["size"], "x": position[0],
            "y": position[1], "flagged": bool(why), "href": findings.profile_href(node["kind"], node["id"]),
            "change": change}


@dataclass(frozen=True)
class Moved:
    """What joined and left the network between two days: memberships (organisation, partnership) and nodes."""

    first: str
    last: str
    memberships: dict[tuple[str, str], str]  # "joined" or "left"
    nodes: dict[str, str]

    def words(self, change: str) -> str:
        """The change in words, with its days, as the hover text and the tables say it."""
        return f"{change} between {self.first} and {self.last}" if change else ""


def joined_and_left(space: Workspace, filters: Filters, first: str) -> tuple[list[dict[str, Any]], Moved]:
    """The memberships in force on ``filters.as_of`` and those in force on ``first`` but not then, and what moved.

    A membership (or a node) in force on the later day and not on the first joined; one in force on the
    first day and not on the later one left: the rule of ``partnermap changes``, one snapshot against another.
    """
    after = memberships(space, filters)
    before = memberships(space, Filters(filters.area, filters.theme, first))
    was = {(r["organisation"], r["partnership"]) for r in before}
    now = {(r["organisation"], r["partnership"]) for r in after}
    nodes_was = {n for pair in was for n in pair}
    nodes_now = {n for pair in now for n in pair}
    moved = Moved(first, filters.as_of, {**{k: "joined" for k in now - was}, **{k: "left" for k in was - now}},
                  {**{n: "joined" for n in nodes_now - nodes_was}, **{n: "left" for n in nodes_was - nodes_now}})
    return after + [r for r in before if (r["organisation"], r["partnership"]) not in now], moved


def page(space: Workspace, filters: Filters, sector: str = "", focus: str = "", depth: int = 1,
         highlights: tuple[str, ...] = HIGHLIGHTS, standalone: bool = False, title: str = "Partnership network",
         between: tuple[str, str] | None = None) -> str:
    """The network page for the filters: the drawing and its table, or the aggregate table when too big.

    ``between`` (two days): the network as of the later day, with what joined and what left since the first marked.
    """
    unknown = set(highlights) - set(HIGHLIGHTS)
    if unknown:
        raise NotFound(f"no highlight {', '.join(sorted(unknown))}; choose from {', '.join(HIGHLIGHTS)}")
    index = space.index
    if filters.area:
        index.territory(filters.area)
    moved = None
    if between:
        first, last = window(*between)
        filters = Filters(filters.area, filters.theme, last.isoformat())
        rows, moved = joined_and_left(space, filters, first.isoformat())
    else:
        rows = memberships(space, filters)
    if focus:
        rows = focus_rows(rows, focus, depth)
    if sector:
        rows = [r for r in rows if r.get("sector") == sector]
    nodes, edges = sized(rows)
    shown = {n["id"] for n in nodes}
    why = marks(space, filters, shown, highlights)
    context = common("/network", filters=filters, areas=areas(index), sector=sector, focus=focus, depth=depth,
                     themes=findings.themes_of(space.store, space.cache), sectors=space.store.model.vocabularies["sector"],
                     node_count=len(nodes), edge_count=len(edges), limit=DRAW_LIMIT, reasons=why, title=title,
                     moved=moved)
    if len(nodes) > DRAW_LIMIT:
        return render("network.html", standalone=standalone, drawing=None, groups=_aggregate(rows, why, filters, sector),
                      **context)
    drawing, table = draw(nodes, edges, why, moved)
    if standalone:  # a file has no profiles to open
        for node in drawing["nodes"]:
            node["href"] = ""
    return render("network.html", standalone=standalone, drawing=drawing, table=table, groups=None, **context)


def memberships(space: Workspace, filters: Filters) -> list[dict[str, Any]]:
    """The memberships in force of partnerships on the theme working in the area.

    Every membership is read once per store generation (the ``network`` query for everywhere) and
    narrowed here with the coverage index: a query per district took 225 ms at national size.
    """
    params = {"theme": filters.theme, **({"as_of": filters.as_of} if filters.as_of else {})}
    rows = space.cache.rows(space.store, "network", params, keep=not filters.theme and not filters.as_of)
    covering = covering_ids(space.index, filters.area)
    return rows if covering is None else [r for r in rows if r["partnership"] in covering]


def sized(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The membership network of ``rows`` as nodes (sized by memberships) and edges."""
    nodes, edges = viz.membership_network(rows)
    for node in nodes:
        node["size"] = min(10 + 6 * (node.get("memberships") or 0) ** 0.5, 34)
    return nodes, edges


def legend(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(colour, words) for each kind and sector on the map, from the model's display hints."""
    display = load_model().display
    kinds = {n["kind"] for n in nodes}
    sectors = {n.get("sector") for n in nodes if n["kind"] == "Organisation"}
    entries = [(hint.colour, f"{hint.description.split(' (')[0]} ({hint.shape.replace('triangle', 'triangle ')})")
               for label, hint in display.labels.items() if label in kinds and label != "Organisation"]
    entries += [(colour, f"organisation: {sector.replace('_', ' ')}") for sector, colour in display.sectors.items()
                if sector in sectors]
    return entries


def draw(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], why: dict[str, list[str]],
         moved: Moved | None = None) -> tuple[dict, list[dict]]:
    """What the page's script draws (nodes placed, labels apart) and the table saying the same."""
    for_layout = [{"id": n["id"], "label": n["name"], "size": n["size"]} for n in nodes]
    position = layout.layout(for_layout, [(e["source"], e["target"]) for e in edges])

    def change(key: Any, of: str) -> str:
        return getattr(moved, of).get(key, "") if moved else ""

    drawing = {
        "nodes": [_drawn(n, why.get(n["id"], []), position[n["id"]], moved.words(change(n["id"], "nodes")) if moved else "")
                  for n in nodes],
        "edges": [{"from": e["source"], "to": e["target"], "chair": e.get("role") == "chair",
                   "change": change((e["source"], e["target"]), "memberships")} for e in edges],
        "legend": legend(nodes),
    }
    names = {n["id"]: n["name"] for n in nodes}
    table = [{"organisation": names[e["source"]], "organisation_id": e["source"], "partnership": names[e["target"]],
              "partnership_id": e["target"], "role": str(e.get("role") or "").replace("_", " "), "source": e.get("source_row"),
              "change": change((e["source"], e["target"]), "memberships")}
             for e in edges]
    table.sort(key=lambda r: (r["partnership"].casefold(), r["organisation"].casefold()))
    return drawing, table


def _aggregate(rows: list[dict[str, Any]], why: dict[str, list[str]], filters: Filters, sector: str) -> list[dict[str, Any]]:
    """One row per partnership: its members and the way into its own network."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(row["partnership"], {"id": row["partnership"], "name": row["partnership_name"],
                                                       "kind": row.get("kind"), "members": set()})
        group["members"].add(row["organisation"])
    query = {**filters.query_string(), **({"sector": sector} if sector else {})}
    return sorted(({**g, "members": len(g["members"]), "flags": why.get(g["id"], []),
                    "href": "/network?" + urlencode({**query, "focus": g["id"], "depth": 1})}
                   for g in groups.values()), key=lambda g: (-g["members"], g["name"].casefold()))

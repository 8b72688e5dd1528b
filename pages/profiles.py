"""Profiles: one organisation, partnership, forum, service or strategy with its facts, sources, neighbours and network."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

import graph
from graph.facts import statements_of
from ontology import load_model, own_properties
from pages import network
from pages.context import Workspace, common
from pages.findings import profile_href
from pages.render import render
from partnermap.errors import NotFound

# Facts shown elsewhere on the page (the heading, the sources, the map of a place).
SHOWN_ELSEWHERE = frozenset({"id", "name", "boundary"})
# How each relationship reads from the profile's side: (direction, type) -> heading.
HEADINGS = {
    ("out", "MEMBER_OF"): "Sits on", ("in", "MEMBER_OF"): "Members",
    ("out", "REPORTS_TO"): "Reports to", ("in", "REPORTS_TO"): "Reported to by",
    ("out", "COVERS"): "Works in", ("out", "HAS_THEME"): "Themes",
    ("out", "OWNS"): "Owns", ("in", "OWNS"): "Owned by",
    ("out", "DELIVERS"): "Delivers", ("in", "DELIVERS"): "Delivered by",
    ("out", "COMMISSIONS"): "Commissions", ("in", "COMMISSIONS"): "Commissioned by",
    ("out", "SERVES"): "For", ("out", "CONTRIBUTES_TO"): "Contributes to", ("out", "ALIGNS_WITH"): "Aligns with",
    ("in", "ALIGNS_WITH"): "Aligned with by", ("out", "OWNS_TARGET"): "Accountable for",
    ("in", "MENTIONS"): "Mentioned in", ("out", "FUNDS"): "Funds", ("in", "FUNDS"): "Funded by",
    ("out", "SUB_ORGANISATION_OF"): "Part of", ("in", "SUB_ORGANISATION_OF"): "Has parts",
}
GROUP_KINDS = load_model().kind("Group")
NETWORK_KINDS = ("Organisation", *GROUP_KINDS)
GROUP_LIMIT = 200  # neighbours listed under one heading; a council delivering 500 services says how many more


def _choose(rows: list[dict[str, Any]], node_id: str, kind: str) -> dict[str, Any]:
    """The node's facts row: of ``kind`` when given; else any but a territory (a code can name both)."""
    if kind:
        rows = [r for r in rows if r["kind"] == kind]
    if not rows:
        raise NotFound(f"nothing with id {node_id!r}" + (f" is a {kind}" if kind else ""))
    return sorted(rows, key=lambda r: r["kind"] == "Territory")[0]


def facts_of(space: Workspace, node_id: str, kind: str = "") -> dict[str, Any]:
    """The node's kind and properties (NotFound when there is none)."""
    return _choose(graph.run_query(space.store, "node-facts", {"id": node_id}), node_id, kind)


def neighbours(space: Workspace, node_id: str, kind: str) -> list[dict[str, Any]]:
    """The node's relationships grouped under readable headings, each neighbour linked, with its source."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in graph.run_query(space.store, "profile", {"id": node_id}):
        if row["kind"] != kind or not row["relationship"]:
            continue
        grouped[(row["direction"], row["relationship"])].append({
            "name": row["neighbour_name"] or row["neighbour_id"], "kind": row["neighbour_kind"],
            "href": profile_href(row["neighbour_kind"], str(row["neighbour_id"])),
            "source": row["relationship_source_row"] or row["relationship_source"] or "",
            "also": [s for s in row.get("relationship_sources") or [] if s and s != row["relationship_source"]]})
    groups = []
    for (direction, relationship), items in grouped.items():
        heading = HEADINGS.get((direction, relationship),
                               relationship.replace("_", " ").capitalize() + (" (from)" if direction == "in" else ""))
        ordered = sorted(items, key=lambda i: str(i["name"]).casefold())
        groups.append({"heading": heading, "items": ordered[:GROUP_LIMIT], "total": len(ordered)})
    return sorted(groups, key=lambda g: (-len(g["items"]) if g["heading"] == "Members" else 0, g["heading"]))


def described(space: Workspace, row: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
    """A node's facts as (words, value) and every source that states them, most recent first, with its row."""
    facts = row["facts"]
    own = own_properties(space.store.model.label(row["kind"]).properties)
    shown = [(name.replace("_", " ").capitalize(), value) for name, value in facts.items()
             if name in own and name not in SHOWN_ELSEWHERE and value not in (None, "", [])]
    return shown, [(source, source_row or "") for source, source_row, _ in statements_of(facts, own)]


def page(space: Workspace, node_id: str, kind: str = "") -> str:
    """A profile page; a territory's profile is its place page."""
    row = facts_of(space, node_id, kind)
    if row["kind"] == "Territory":
        from pages import places

        return places.territory_page(space, node_id)
    facts = row["facts"]
    shown, sources = described(space, row)
    drawing = table = None
    if row["kind"] in NETWORK_KINDS:
        nodes, edges = network.sized(graph.run_query(space.store, "memberships-around", {"id": node_id}))
        if 1 < len(nodes) <= network.DRAW_LIMIT:
            drawing, table = network.draw(nodes, edges, {})
    return render("profile.html", **common(
        "", kind=row["kind"], node_id=node_id, name=facts.get("name") or node_id, facts=shown,
        sources=sources, groups=neighbours(space, node_id, row["kind"]),
        drawing=drawing, table=table,
        pack_href=f"/pack/partnership/{quote(node_id, safe='')}" if row["kind"] in GROUP_KINDS else ""))

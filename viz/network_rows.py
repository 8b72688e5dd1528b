"""Turn rows the named queries already returned into the nodes and edges :func:`render_network` draws.

Pure reshaping: nothing here queries a store. Each helper returns ``(nodes, edges)``;
overlays (duplicates, missing links) carry their own endpoint nodes, and since
render_network keeps the first node per id, list the main map's nodes first.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from ontology import load_model

# Strongest first (the model's display hint): when one organisation holds several posts on a group,
# its line shows the strongest.
ROLE_ORDER = load_model().display.role_order

Rows = Iterable[dict[str, Any]]
NodesAndEdges = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def group_label(kind: Any) -> str:
    """A partnership row's label: Forum for partnership kind 'forum', Partnership otherwise."""
    return "Forum" if str(kind or "") == "forum" else "Partnership"


def _role_rank(role: Any) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def membership_network(memberships: Rows, highlights: dict[str, str] | None = None) -> NodesAndEdges:
    """Organisations and the partnerships and forums they sit on, from ``memberships`` query rows.

    Nodes are sized by memberships (groups sat on; members of a group); several posts on one
    group make one line in the strongest role. ``highlights`` maps a node id to a reason to flag it.
    """
    highlights = highlights or {}
    organisations: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, Any]] = {}
    posts: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in memberships:
        org, group = str(row["organisation"]), str(row["partnership"])
        organisations.setdefault(org, {"id": org, "kind": "Organisation", "name": row.get("organisation_name") or org,
                                       "sector": row.get("sector")})
        groups.setdefault(group, {"id": group, "kind": group_label(row.get("kind")),
                                  "name": row.get("partnership_name") or group, "partnership_kind": row.get("kind")})
        posts[(org, group)].append(row)
    edges = []
    member_count: dict[str, int] = defaultdict(int)
    for (org, group), rows in posts.items():
        member_count[org] += 1
        member_count[group] += 1
        rows = sorted(rows, key=lambda r: _role_rank(r.get("role")))
        lines = []
        for row in rows:
            line = str(row.get("role") or "member").replace("_", " ")
            if row.get("representative"):
                line += f": {row['representative']}"
            if row.get("attendance") is not None:
                line += f" (attendance {float(row['attendance']):.0%})"
            lines.append(line)
        edges.append({
            "source": org, "target": group, "type": "MEMBER_OF", "role": rows[0].get("role") or "member",
            "title": "\n".join(lines),
            "source_row": "; ".join(dict.fromkeys(str(r["source_row"]) for r in rows if r.get("source_row"))) or None,
        })
    nodes = [*organisations.values(), *groups.values()]
    for node in nodes:
        node["memberships"] = member_count[node["id"]]
        if node["id"] in highlights:
            node["highlight"] = highlights[node["id"]]
    return nodes, edges


def overload_highlights(overload: Rows, min_memberships: int = 10) -> dict[str, str]:
    """Reasons to flag organisations from ``overload`` rows: those on at least ``min_memberships`` groups."""
    return {
        str(row["organisation"]): f"overloaded: {row['memberships']} memberships, {row.get('chairs') or 0} chairs"
        for row in overload
        if (row.get("memberships") or 0) >= min_memberships
    }


def governance_tree(partnerships: Rows, reports_to: Rows, gaps: Rows = ()) -> NodesAndEdges:
    """The reporting tree: partnerships and forums joined by REPORTS_TO, for ``hierarchical=True``.

    ``partnerships``: rows with ``id`` (or ``partnership``), ``name`` (or ``partnership_name``),
    ``kind``, ``source_row``; repeated ids are merged. ``reports_to``: rows with ``partnership``
    (the one reporting) and ``reports_to`` (the one reported to), optional ``source_row``.
    ``gaps``: ``governance-gaps`` rows; each partnership named there is flagged with the reason.
    """
    nodes: dict[str, dict[str, Any]] = {}
    for row in partnerships:
        node_id = str(row.get("id") or row.get("partnership"))
        nodes.setdefault(node_id, {
            "id": node_id, "kind": row.get("label") or group_label(row.get("kind")),
            "name": row.get("name") or row.get("partnership_name") or node_id,
            "partnership_kind": row.get("kind"), "source_row": row.get("source_row"),
        })
    reasons: dict[str, list[str]] = defaultdict(list)
    for row in gaps:
        reasons[str(row["partnership"])].append(str(row["reason"]))
    for node_id, why in reasons.items():
        if node_id in nodes:
            nodes[node_id]["highlight"] = "; ".join(dict.fromkeys(why))
    edges = []
    for row in reports_to:
        source, target = str(row["partnership"]), str(row["reports_to"])
        for end in (source, target):
            nodes.setdefault(end, {"id": end, "kind": "Partnership", "name": end})
        edges.append({"source": source, "target": target, "type": "REPORTS_TO", "source_row": row.get("source_row")})
    return list(nodes.values()), edges


def duplicate_links(pairs: Rows, kind: str = "Partnership") -> NodesAndEdges:
    """DUPLICATE edges (with the reason) from ``duplicate-partnerships`` or ``duplicate-services`` rows."""
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for row in pairs:
        for side in ("a", "b"):
            node_id = str(row[side])
            nodes.setdefault(node_id, {"id": node_id, "kind": kind, "name": row.get(f"{side}_name") or node_id,
                                       "source_row": row.get(f"{side}_source_row")})
        reasons = []
        if row.get("jaccard") is not None:
            reasons.append(f"members overlap (Jaccard {row['jaccard']})")
        if row.get("shared_themes"):
            reasons.append("shared themes: " + ", ".join(map(str, row["shared_themes"])))
        if row.get("type"):
            reasons.append(f"same type: {row['type']}")
        if row.get("client_group"):
            reasons.append("same client group: " + ", ".join(map(str, row["client_group"])))
        if row.get("overlapping_territories"):
            reasons.append("overlapping places: " + ", ".join(map(str, row["overlapping_territories"])))
        elif row.get("overlap"):
            reasons.append(f"places: {row['overlap']}")
        edges.append({"source": str(row["a"]), "target": str(row["b"]), "type": "DUPLICATE", "dashed": True,
                      "reason": "; ".join(reasons) or "possible duplicate"})
    return list(nodes.values()), edges


def missing_link_overlay(missing: Rows) -> NodesAndEdges:
    """A dashed placeholder organisation per (partnership, missing sector) from ``missing-links`` rows."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[str, dict[str, Any]] = {}
    themes: dict[str, list[str]] = defaultdict(list)
    for row in missing:
        group, sector = str(row["partnership"]), str(row["missing_sector"])
        nodes.setdefault(group, {"id": group, "kind": "Partnership", "name": row.get("partnership_name") or group,
                                 "source_row": row.get("source_row")})
        ghost_id = f"missing:{group}:{sector}"
        nodes.setdefault(ghost_id, {"id": ghost_id, "kind": "Organisation", "ghost": True, "sector": sector,
                                    "name": f"no {sector.replace('_', ' ')} member"})
        themes[ghost_id].append(str(row.get("theme")))
        edges.setdefault(ghost_id, {"source": ghost_id, "target": group, "type": "MISSING", "dashed": True,
                                    "source_row": row.get("source_row")})
    for ghost_id, edge in edges.items():
        sector = nodes[ghost_id]["sector"].replace("_", " ")
        edge["reason"] = f"on {', '.join(dict.fromkeys(themes[ghost_id]))}: no member from the {sector} sector"
    return list(nodes.values()), list(edges.values())

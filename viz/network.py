"""Interactive network maps: nodes and edges already fetched, drawn as one self-contained HTML page.

pyvis builds the vis-network page with vis-network inlined; this module escapes every
string from the data before pyvis sees it (pyvis's template is not autoescaped) and
:mod:`viz.network_page` makes the page offline and adds the legend, search box and freeze
button. In the browser, labels are unescaped only into the canvas (drawn as text) and
hover texts become DOM nodes filled with ``textContent``, so no data is ever parsed as HTML.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any, Iterable

from pyvis.network import Network

from viz.network_page import CSS_LENGTH, assemble_page
from viz.network_style import (
    GHOST_BORDER, HIGHLIGHT_BORDER, KIND_STYLES, LINK_STYLES, ROLE_WIDTHS,
    kind_style, legend_html, link_style, node_colour,
)

# Above this many nodes or edges the map turns off curved edges and Kamada-Kawai seeding,
# which cost more than they add to a 300-node map.
BIG_MAP_NODES = 120
BIG_MAP_EDGES = 250

# In a top-down tree these point from the lower thing to the higher one (a task group reports
# to its LSP), so they are laid out reversed, arrow kept at the higher end, to put the top on top.
UPWARD_TYPES = frozenset({"REPORTS_TO", "PART_OF", "MEMBER_OF"})

NODE_FIELDS = frozenset({"id", "kind", "name", "sector", "memberships", "source_row", "highlight", "ghost", "title"})
EDGE_FIELDS = frozenset({"source", "target", "type", "role", "title", "dashed", "reason", "source_row"})


def _text(value: Any) -> str:
    return escape("" if value is None else str(value))


def _fact_value(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, dict):
        return None
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value if v is not None) or None
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _extra_facts(item: dict[str, Any], known: frozenset[str]) -> list[str]:
    lines = []
    for key, value in item.items():
        shown = _fact_value(value)
        if key not in known and shown is not None:
            lines.append(f"{str(key).replace('_', ' ')}: {shown}")
    return lines


def node_hover_text(node: dict[str, Any]) -> str:
    """The plain-text hover card for a node: name, kind, sector, counts, flag, other facts, source row."""
    kind = str(node.get("kind") or "")
    what = KIND_STYLES[kind].description.split(" (")[0] if kind in KIND_STYLES else kind
    if node.get("sector"):
        what += f" · {str(node['sector']).replace('_', ' ')}"
    lines = [str(node.get("name") or node.get("id")), what, f"id: {node.get('id')}"]
    if node.get("memberships") is not None:
        lines.append(f"memberships: {node['memberships']}")
    if node.get("highlight"):
        lines.append(f"⚠ {node['highlight']}")
    if node.get("ghost"):
        lines.append("(a placeholder for something missing)")
    if node.get("title"):
        lines.append(str(node["title"]))
    lines += _extra_facts(node, NODE_FIELDS)
    if node.get("source_row"):
        lines.append(f"source: {node['source_row']}")
    return "\n".join(lines)


def edge_hover_text(edge: dict[str, Any], names: dict[str, str]) -> str:
    """The plain-text hover card for an edge: its ends, type and role, title, reason, source row."""
    source, target = str(edge.get("source")), str(edge.get("target"))
    link_type = str(edge.get("type") or "")
    what = LINK_STYLES[link_type].description.split(" (")[0] if link_type in LINK_STYLES else link_type
    if edge.get("role"):
        what += f" ({str(edge['role']).replace('_', ' ')})"
    lines = [f"{names.get(source, source)} → {names.get(target, target)}", what]
    if edge.get("title"):
        lines.append(str(edge["title"]))
    if edge.get("reason"):
        lines.append(f"why: {edge['reason']}")
    lines += _extra_facts(edge, EDGE_FIELDS)
    if edge.get("source_row"):
        lines.append(f"source: {edge['source_row']}")
    return "\n".join(lines)


def _node_size(node: dict[str, Any]) -> float:
    try:
        memberships = max(0, int(node.get("memberships") or 0))
    except (TypeError, ValueError):
        memberships = 0
    # Square root so a 20-membership organisation is bigger, not twenty times bigger.
    return round(min(14 + 6 * math.sqrt(memberships), 55), 1)


def _label_size(node: dict[str, Any]) -> int:
    # Busier nodes get bigger labels, so theirs are the ones still legible when zoomed out.
    return min(14 + int(_node_size(node) - 14) // 2, 30)


def _vis_node(node: dict[str, Any]) -> dict[str, Any]:
    style = kind_style(node.get("kind"))
    colour = node_colour(node)
    label_inside = style.shape in ("box", "ellipse")
    vis: dict[str, Any] = {
        "label": _text(node.get("name") or node.get("id")),
        "shape": style.shape,
        "color": {"background": colour, "border": "#2d3748",
                  "highlight": {"background": colour, "border": "#000000"},
                  "hover": {"background": colour, "border": "#000000"}},
        "size": _node_size(node),
        "font": {"size": _label_size(node)},
        "borderWidth": 1.5,
        "facts": _text(node_hover_text(node)),
        "kind": _text(node.get("kind")),
    }
    if label_inside:
        vis["font"].update(color="#ffffff", strokeWidth=0)
    if node.get("ghost"):
        vis["color"] = {"background": "#ffffff", "border": GHOST_BORDER,
                        "highlight": {"background": "#f7fafc", "border": "#4a5568"}}
        vis["shapeProperties"] = {"borderDashes": [5, 4]}
        vis["borderWidth"] = 2
        vis["font"]["color"] = "#4a5568"
    if node.get("highlight"):
        vis["color"]["border"] = HIGHLIGHT_BORDER
        vis["borderWidth"] = 4
        vis["shadow"] = {"enabled": True, "color": "rgba(229,62,62,0.55)", "size": 14, "x": 0, "y": 0}
    return vis


def _vis_edge(edge: dict[str, Any], names: dict[str, str], hierarchical: bool) -> tuple[str, str, dict[str, Any]]:
    style = link_style(edge.get("type"))
    width = style.width
    if edge.get("type") == "MEMBER_OF":
        width = ROLE_WIDTHS.get(str(edge.get("role") or "member"), style.width)
    source, target, arrows = _text(edge.get("source")), _text(edge.get("target")), style.arrows
    if hierarchical and edge.get("type") in UPWARD_TYPES:
        source, target = target, source
        arrows = {"to": "from", "from": "to"}.get(arrows, arrows)
    options = {
        "arrows": arrows,
        "color": {"color": style.colour, "highlight": "#1a202c", "hover": "#1a202c"},
        "width": width,
        "dashes": bool(edge.get("dashed") or style.dashed),
        "facts": _text(edge_hover_text(edge, names)),
        "type": _text(edge.get("type")),
    }
    return source, target, options


def network_options(node_count: int, edge_count: int, hierarchical: bool = False) -> dict[str, Any]:
    """vis-network options: Barnes-Hut physics that settles (or a top-down tree), readable at 300 nodes."""
    big = node_count > BIG_MAP_NODES or edge_count > BIG_MAP_EDGES
    options: dict[str, Any] = {
        "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  # On a big map, labels smaller than this on screen are left out until one zooms in.
                  "scaling": {"label": {"enabled": True, "drawThreshold": 7 if big else 5, "maxVisible": 30}}},
        "edges": {"smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.3},
                  "selectionWidth": 2, "hoverWidth": 1.5},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big, "multiselect": True,
                        "keyboard": {"enabled": True, "bindToWindow": False}},
        "layout": {"randomSeed": 7, "improvedLayout": not big},
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -12000 if big else -6000, "centralGravity": 0.12 if big else 0.3,
                          "springLength": 170 if big else 130, "springConstant": 0.03, "damping": 0.4,
                          "avoidOverlap": 0.3 if big else 0.2},
            "stabilization": {"enabled": True, "iterations": 600 if big else 300, "updateInterval": 25, "fit": True},
            "minVelocity": 0.75,
        },
    }
    if hierarchical:
        options["layout"]["hierarchical"] = {
            "enabled": True, "direction": "UD", "sortMethod": "directed", "shakeTowards": "roots",
            "levelSeparation": 140, "nodeSpacing": 190, "treeSpacing": 220,
            "blockShifting": True, "edgeMinimization": True, "parentCentralization": True,
        }
        options["edges"]["smooth"] = {"enabled": True, "type": "cubicBezier", "forceDirection": "vertical",
                                      "roundness": 0.4}
        options["physics"]["solver"] = "hierarchicalRepulsion"
        options["physics"]["hierarchicalRepulsion"] = {"nodeDistance": 190, "avoidOverlap": 0.6, "damping": 0.4}
    return options


def render_network(
    nodes: Iterable[dict[str, Any]],
    edges: Iterable[dict[str, Any]],
    title: str,
    hierarchical: bool = False,
    height: str = "800px",
) -> str:
    """One self-contained HTML page drawing these nodes and edges, with legend, search and freeze.

    Nodes need ``id``, ``kind`` and ``name``; a repeated id keeps its first node, so overlays
    may carry their own endpoints. Every edge end must be a node's id (ValueError otherwise).
    ``hierarchical`` lays the map out top-down, the body reported to above those reporting.
    """
    if not CSS_LENGTH.match(height):
        raise ValueError(f"height must be a CSS length such as 800px or 90vh (not %), not {height!r}")
    nodes, edges = list(nodes), list(edges)
    unique: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if node.get("id") is None:
            raise ValueError(f"a node has no id: {node!r}")
        unique.setdefault(str(node["id"]), node)
    names = {node_id: str(node.get("name") or node_id) for node_id, node in unique.items()}
    for edge in edges:
        for end in ("source", "target"):
            if str(edge.get(end)) not in unique:
                raise ValueError(
                    f"{edge.get('type')} edge {edge.get('source')!r} → {edge.get('target')!r}: "
                    f"no node has the {end} id {edge.get(end)!r}"
                )
    network = Network(height=height, width="100%", directed=True, cdn_resources="in_line")
    for node_id, node in unique.items():
        network.add_node(_text(node_id), **_vis_node(node))
    for edge in edges:
        source, target, options = _vis_edge(edge, names, hierarchical)
        network.add_edge(source, target, **options)
    network.options = network_options(len(unique), len(edges), hierarchical)
    legend = legend_html(unique.values(), edges)
    return assemble_page(network.generate_html(), title, legend, len(unique), len(edges))

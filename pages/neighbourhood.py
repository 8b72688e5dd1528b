"""A partnership's neighbourhood drawn for print: its members in one column, the groups they sit on in the other.

The workspace's network is drawn in the browser (vis-network), which a PDF cannot hold. On paper a
spring layout shrinks to unreadable type, so the pack draws two columns instead: member
organisations on the left (coloured by sector), on the right the partnership itself (in the middle)
and the other partnerships and forums two or more of its members also sit on, a line for each
membership. The template writes the SVG from these numbers (autoescaped); a table says the same.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import viz
from pages.network import legend
from viz.network_style import kind_style, node_colour

SHARED_LIMIT = 8  # other groups drawn: those most of its members also sit on
ROW = 36  # SVG units between two names in a column (two lines of 11-unit type)
WIDTH = 720  # about the width of A4 between margins at 0.7 pt a unit: 11-unit type prints at 8 pt
LEFT_X, RIGHT_X = 280, 440  # where the shapes of each column sit; names run outwards from them
RADIUS = 9
LINE_CHARACTERS = 28  # a line of a name: about 235 units of 11-unit type (measured in print), what lies between a column and the edge
# Corners of each model shape drawn as a polygon, in degrees (0: to the right; y grows downwards).
CORNERS = {"hexagon": range(30, 360, 60), "triangle": (270, 30, 150), "triangleDown": (90, 210, 330),
           "diamond": (0, 90, 180, 270), "square": (45, 135, 225, 315), "box": (45, 135, 225, 315),
           "star": range(270, 630, 72)}


def label(name: str) -> list[str]:
    """A name as the picture writes it, on one or two lines; longer ones cut with an ellipsis (the table has them whole)."""
    lines = textwrap.wrap(name, LINE_CHARACTERS, break_long_words=True) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: LINE_CHARACTERS - 1].rstrip() + "…"]
    return lines


def outline(shape: str, x: float, y: float, size: float) -> str:
    """An SVG polygon's points for a model shape around (x, y); empty for shapes drawn as a circle."""
    if shape not in CORNERS:
        return ""
    reach = size * (1.35 if shape in ("square", "box") else 1.15)  # corners lie further out than a circle's edge
    return " ".join(f"{x + reach * math.cos(math.radians(a)):.1f},{y + reach * math.sin(math.radians(a)):.1f}"
                    for a in CORNERS[shape])


def _column(count: int, height: float) -> list[float]:
    """``count`` heights spread evenly down a column ``height`` tall (centred when few)."""
    if count == 0:
        return []
    step = min(ROW * 1.6, height / count)
    top = (height - step * count) / 2
    return [top + step * (i + 0.5) for i in range(count)]


def drawing(group_id: str, memberships: list[dict[str, Any]], flags: dict[str, list[str]]) -> dict[str, Any] | None:
    """The picture of ``group_id`` from memberships in force of its members (``memberships`` query rows)."""
    members = {r["organisation"] for r in memberships if r["partnership"] == group_id}
    if not members:
        return None
    shared: dict[str, set[str]] = {}
    for row in memberships:
        if row["organisation"] in members and row["partnership"] != group_id:
            shared.setdefault(row["partnership"], set()).add(row["organisation"])
    beside = sorted((g for g, who in shared.items() if len(who) >= 2),
                    key=lambda g: (-len(shared[g]), g))[:SHARED_LIMIT]
    keep = {group_id, *beside}
    nodes, edges = viz.membership_network([r for r in memberships if r["organisation"] in members
                                           and r["partnership"] in keep])
    by_id = {n["id"]: n for n in nodes}
    # Members busiest first (most lines), so lines cross less; the partnership in the middle of its column.
    left = sorted((n for n in nodes if n["kind"] == "Organisation"),
                  key=lambda n: (-n["memberships"], str(n["name"]).casefold()))
    others = [by_id[g] for g in beside]
    right = others[: len(others) // 2] + [by_id[group_id]] + others[len(others) // 2:]
    height = max(len(left), len(right)) * ROW + ROW
    placed = []
    for column, x, anchor in ((left, LEFT_X, "end"), (right, RIGHT_X, "start")):
        for node, y in zip(column, _column(len(column), height)):
            shape = kind_style(node["kind"]).shape
            placed.append({"id": node["id"], "name": node["name"], "lines": label(str(node["name"])), "x": x,
                           "y": round(y, 1), "anchor": anchor, "colour": node_colour(node),
                           "points": outline(shape, x, y, RADIUS), "radius": RADIUS,
                           "text_x": x - 2 * RADIUS if anchor == "end" else x + 2 * RADIUS,
                           "flagged": bool(flags.get(node["id"])), "main": node["id"] == group_id})
    where = {p["id"]: p for p in placed}
    lines = [{"x1": where[e["source"]]["x"], "y1": where[e["source"]]["y"], "x2": where[e["target"]]["x"],
              "y2": where[e["target"]]["y"], "chair": e.get("role") == "chair", "main": e["target"] == group_id}
             for e in edges]
    table = sorted(({"organisation": by_id[e["source"]]["name"], "partnership": by_id[e["target"]]["name"],
                     "role": str(e.get("role") or "").replace("_", " "), "source": e.get("source_row")}
                    for e in edges), key=lambda r: (r["partnership"] != by_id[group_id]["name"],
                                                     str(r["partnership"]).casefold(), str(r["organisation"]).casefold()))
    return {"nodes": placed, "lines": lines, "view": f"0 0 {WIDTH} {height:.0f}", "groups": len(beside),
            "members": len(left), "table": table,
            "legend": legend(nodes),
            "flagged": sorted(((p["name"], "; ".join(flags[p["id"]])) for p in placed if p["flagged"]),
                              key=lambda f: str(f[0]).casefold())}

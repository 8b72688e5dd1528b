"""Place a small network's nodes so that no two labels overlap: a spring layout, then boxes pushed apart.

vis-network's physics settles nodes but not their labels, so a map of 40 organisations drew names on
top of each other. Here each node's box (its dot and the label under it, in canvas pixels) is known,
and overlapping boxes are pushed apart along the shorter way out until none overlap; the page then
draws the nodes where they are, physics off. Zooming scales every box alike, so what does not overlap
here does not overlap at any zoom.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

CHAR_WIDTH = 8.3  # px per character of a 14px system-ui label with its white outline (measured in Chromium: up to 8.0)
LABEL_HEIGHT = 16  # the label line under the shape (vis-network draws the box 14px taller than the shape)
GAP = 8
MAX_LABEL = 30
# Screens are wider than tall: a push sideways is preferred unless it is this many times longer.
X_PREFERENCE = 3.0


def short_label(name: str) -> str:
    """The label drawn under a node: long names cut with an ellipsis (the full name is on hover and in the table)."""
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1].rstrip() + "…"


def boxes(nodes: list[dict[str, Any]]) -> np.ndarray:
    """Half-width and half-height of each node's box: its dot (``size`` is the radius) and its label below."""
    sizes = np.array([float(n.get("size", 14)) for n in nodes])
    widths = np.array([len(short_label(str(n.get("label", "")))) * CHAR_WIDTH for n in nodes])
    half_w = np.maximum(widths, 2 * sizes) / 2 + GAP / 2
    half_h = (2 * sizes + LABEL_HEIGHT) / 2 + GAP / 2
    return np.stack([half_w, half_h], axis=1)


def layout(nodes: list[dict[str, Any]], edges: list[tuple[str, str]], seed: int = 7) -> dict[str, tuple[float, float]]:
    """Canvas positions (box centres) for ``nodes`` (dicts with ``id``, ``label``, ``size``), no two boxes overlapping."""
    ids = [str(n["id"]) for n in nodes]
    if not ids:
        return {}
    network = nx.Graph()
    network.add_nodes_from(ids)
    network.add_edges_from((a, b) for a, b in edges if a in network and b in network)
    start = nx.spring_layout(network, seed=seed, k=1.6 / math.sqrt(len(ids)))
    half = boxes(nodes)
    # Spread in units of the boxes (wide and low), so the separated layout comes out about as wide
    # as a screen rather than a tall column, and the default zoom (fit) keeps labels larger.
    spread = math.sqrt(len(ids)) * np.mean(half, axis=0) * np.array([0.9, 1.6])
    position = np.array([start[i] for i in ids], dtype=float) * spread
    for _ in range(4000):
        if not _separate(position, half):
            break
    return {node_id: (round(float(x), 1), round(float(y), 1)) for node_id, (x, y) in zip(ids, position)}


def _separate(position: np.ndarray, half: np.ndarray) -> bool:
    """Push every overlapping pair apart once; False when none overlapped."""
    delta = position[:, None, :] - position[None, :, :]
    reach = half[:, None, :] + half[None, :, :]
    overlap = reach - np.abs(delta)
    hits = (overlap[:, :, 0] > 0) & (overlap[:, :, 1] > 0)
    np.fill_diagonal(hits, False)
    if not hits.any():
        return False
    # Move along the axis needing the smaller shift (sideways favoured), half each way.
    axis_x = overlap[:, :, 0] < overlap[:, :, 1] * X_PREFERENCE
    sign = np.sign(delta)
    sign[sign == 0] = 1
    push = np.zeros_like(position)
    shift_x = np.where(hits & axis_x, overlap[:, :, 0] / 2 + 0.5, 0) * sign[:, :, 0]
    shift_y = np.where(hits & ~axis_x, overlap[:, :, 1] / 2 + 0.5, 0) * sign[:, :, 1]
    push[:, 0] = shift_x.sum(axis=1)
    push[:, 1] = shift_y.sum(axis=1)
    position += push
    return True


def overlapping(position: dict[str, tuple[float, float]], nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of nodes whose boxes overlap (what the layout promises never happens)."""
    ids = [str(n["id"]) for n in nodes]
    half = boxes(nodes)
    found = []
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            (xi, yi), (xj, yj) = position[ids[i]], position[ids[j]]
            if abs(xi - xj) < half[i, 0] + half[j, 0] - 1 and abs(yi - yj) < half[i, 1] + half[j, 1] - 1:
                found.append((ids[i], ids[j]))
    return found

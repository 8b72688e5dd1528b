"""The network layout: no two labels' boxes overlap, for up to 80 nodes, the same every time."""

from __future__ import annotations

import random

from pages.layout import layout, overlapping, short_label


def _network(count: int, seed: int):
    chance = random.Random(seed)
    nodes = [{"id": f"n{i}", "label": "Leicestershire organisation number %d" % i, "size": 10 + chance.random() * 24}
             for i in range(count)]
    edges = [(f"n{chance.randrange(count)}", f"n{chance.randrange(count)}") for _ in range(count * 2)]
    return nodes, edges


def test_no_labels_overlap_up_to_eighty_nodes():
    for count, seed in ((2, 1), (12, 2), (45, 3), (80, 4)):
        nodes, edges = _network(count, seed)
        assert overlapping(layout(nodes, edges), nodes) == []


def test_the_layout_is_the_same_every_time():
    nodes, edges = _network(30, 5)
    assert layout(nodes, edges) == layout(nodes, edges)


def test_long_names_are_cut_with_an_ellipsis():
    assert short_label("Leicester Supporting People Core Strategy Development Group") == "Leicester Supporting People C…"
    assert short_label("Blaby LSP") == "Blaby LSP"

"""The governance tree: who reports to whom, top-down, as nested boxes a person can fold, gaps and loops marked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pages import findings
from pages.context import Workspace, common
from pages.findings import Filters, profile_href
from pages.overview import areas, covering_ids
from pages.render import render


@dataclass
class Box:
    """One partnership or forum in the tree, with the ones reporting to it."""

    id: str
    name: str
    kind: str
    href: str
    gaps: list[str] = field(default_factory=list)
    loop: bool = False
    below: list["Box"] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many boxes sit below this one, at any depth."""
        return sum(1 + child.size for child in self.below)


def tree(lines: list[dict[str, Any]], gaps: list[dict[str, Any]], keep: set[str] | None = None) -> list[Box]:
    """The reporting lines as trees, tops first; a loop with no way up becomes a top marked as a loop."""
    reasons: dict[str, list[str]] = defaultdict(list)
    for gap in gaps:
        reasons[str(gap["partnership"])].append(str(gap["reason"]))
    known = {str(r["partnership"]): r for r in lines}
    up = {pid: str(r["reports_to"]) for pid, r in known.items() if r.get("reports_to") and str(r["reports_to"]) in known}
    if keep is not None:  # what works in the area, and every body above it, however far up
        wanted = set()
        for start in keep & set(known):
            current: str | None = start
            while current and current not in wanted:
                wanted.add(current)
                current = up.get(current)
        known = {k: v for k, v in known.items() if k in wanted}
        up = {k: v for k, v in up.items() if k in wanted}
    children: dict[str, list[str]] = defaultdict(list)
    for child, parent in up.items():
        children[parent].append(child)
    boxes = {pid: Box(pid, str(r.get("partnership_name") or pid), str(r.get("kind") or ""), profile_href("Partnership", pid),
                      reasons.get(pid, [])) for pid, r in known.items()}
    placed: set[str] = set()

    def grow(pid: str) -> Box:
        placed.add(pid)
        box = boxes[pid]
        for child in sorted(children.get(pid, ()), key=lambda c: boxes[c].name.casefold()):
            if child in placed:
                box.loop = boxes[child].loop = True
            else:
                box.below.append(grow(child))
        return box

    tops = [grow(pid) for pid in sorted(known, key=lambda p: boxes[p].name.casefold()) if pid not in up]
    for pid in sorted(known, key=lambda p: boxes[p].name.casefold()):  # what is left sits on a loop
        if pid not in placed:
            boxes[pid].loop = True
            tops.append(grow(pid))
    return sorted(tops, key=lambda b: (-b.size, b.name.casefold()))


def page(space: Workspace, filters: Filters, standalone: bool = False, title: str = "Who reports to whom") -> str:
    """The governance page for an area (everywhere by default)."""
    index = space.index
    if filters.area:
        index.territory(filters.area)
    lines = space.cache.rows(space.store, "reporting-lines", {}, keep=True)
    gaps = findings.rows(space.store, space.cache, findings.finding("governance-gaps"), Filters(), None)
    covering = covering_ids(index, filters.area)
    tops = tree(lines, gaps, covering)
    return render("governance.html", standalone=standalone, **common("/governance", filters=filters, areas=areas(index),
                                                                    tops=tops, title=title,
                                               boxes=sum(1 + t.size for t in tops),
                                               gap_count=sum(1 for g in gaps if covering is None or g["partnership"] in covering)))

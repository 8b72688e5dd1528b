"""The code reads one way: each floor imports only the floors below it, and no module imports in a circle.

partnermap (errors, settings, formats) < ontology (the model) < graph (the store, queries, every
write) < ingest (readers, checking, resolution) and viz (drawing rows) < pages (assembly) < api
(HTTP) < cli (the command line, which also starts the API's server). The store never calls back
into ingest; viz never queries.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"partnermap": 0, "ontology": 1, "graph": 2, "ingest": 3, "viz": 3, "pages": 4, "api": 5, "cli": 6}
# Packages on one floor that must still not import each other.
APART = {("ingest", "viz"), ("viz", "ingest"), ("viz", "graph")}


@functools.cache
def _modules() -> dict[str, Path]:
    found = {}
    for package in FLOORS:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, module: str, top_level_only: bool) -> set[str]:
    """The project modules ``path`` imports (``from x import y`` is x.y where that is a module, else x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    modules = _modules()
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names.add(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module)
    return {n for n in names if n.split(".")[0] in FLOORS}


def test_no_import_runs_up_a_floor_or_across_to_a_neighbour():
    upward = []
    for module, path in _modules().items():
        here = module.split(".")[0]
        for name in _imports(path, module, top_level_only=False):
            there = name.split(".")[0]
            if FLOORS[there] > FLOORS[here] or (here, there) in APART:
                upward.append(f"{module} imports {name}")
    assert upward == []


def test_no_module_imports_in_a_circle():
    modules = _modules()
    edges = {m: {n for n in _imports(p, m, top_level_only=True) if n in modules and n != m} for m, p in modules.items()}
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []

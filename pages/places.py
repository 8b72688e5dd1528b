"""Places: a map of the ingested boundaries shaded by a measure, and each territory's page (what covers it, its boundary)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

import graph
from ontology import load_model
from graph.coverage import CoverageIndex
from pages import findings, pack
from pages.context import Workspace, common
from pages.findings import Filters, page_of, profile_href
from pages.render import render
from partnermap.errors import NotFound, QueryError

# Lighter to darker; each passes 3:1 against white as a map fill needs only its outline to be seen.
SHADES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MEASURES = {
    "partnerships": "Partnerships and forums working there",
    "overload": "Overloaded organisations (on 5 or more groups) sitting on a group working there",
    "findings": "Partnerships there with a finding (a missing link or a governance gap)",
}
SIMPLIFY_DEGREES = 0.0004  # about 30 m: invisible at a county's zoom, a tenth of the bytes


def _geometry(boundary: str) -> dict[str, Any]:
    from shapely.geometry import mapping, shape

    return mapping(shape(json.loads(boundary)).simplify(SIMPLIFY_DEGREES, preserve_topology=True))


def boundaries(space: Workspace) -> dict[str, dict[str, Any]]:
    """Every territory with a boundary (simplified for drawing) by code, read once per change of the graph."""
    def build() -> dict[str, dict[str, Any]]:
        return {r["territory"]: {"code": r["territory"], "name": r["territory_name"], "level": r["level"],
                                 "geometry": _geometry(r["boundary"])} for r in graph.run_query(space.store, "boundaries")}
    return space.cache.value(space.store, ("boundaries",), build, keep=True)


def _flagged(space: Workspace) -> set[str]:
    flagged = set()
    for slug in ("missing-links", "governance-gaps"):
        flagged |= {row["partnership"] for row in findings.rows(space.store, space.cache, findings.finding(slug),
                                                                Filters(), None)}
    return flagged


def _overloaded_members(space: Workspace) -> dict[str, set[str]]:
    """For each partnership or forum, its members that are overloaded (the overloaded-organisations finding)."""
    overloaded = {row["organisation"] for row in findings.rows(
        space.store, space.cache, findings.finding("overloaded-organisations"), Filters(), None)}
    members: dict[str, set[str]] = {}
    for row in space.cache.rows(space.store, "network", {"theme": ""}, keep=True):
        if row["organisation"] in overloaded:
            members.setdefault(row["partnership"], set()).add(row["organisation"])
    return members


def measure(index: CoverageIndex, code: str, which: str, flagged: set[str],
            overloaded: dict[str, set[str]]) -> int:
    """The value a place is shaded by: partnerships working there, those with a finding, or overloaded members."""
    group_labels = load_model().kind("Group")
    groups = {row["id"] for row in index.lookup(code) if row["kind"] in group_labels}
    if which == "findings":
        return len(groups & flagged)
    if which == "overload":
        return len(set().union(*(overloaded.get(g, set()) for g in groups)))
    return len(groups)


def _shade(value: int, top: int) -> str:
    if top <= 0 or value <= 0:
        return "#ffffff"
    return SHADES[min(len(SHADES) - 1, (value * len(SHADES) - 1) // top)]


def map_page(space: Workspace, level: str = "", which: str = "partnerships") -> str:
    """Boundaries of one level drawn with Leaflet (no tiles), shaded by the measure, with the same in a table."""
    if which not in MEASURES:
        raise QueryError(f"shade by one of {', '.join(MEASURES)}, not {which!r}")
    every = list(boundaries(space).values())
    levels = Counter(b["level"] for b in every)
    if level and levels and level not in levels:
        raise NotFound(f"no boundaries of level {level!r}; there are {', '.join(sorted(levels)) or 'none'}")
    level = level or ("district" if "district" in levels else min(levels, key=lambda lv: levels[lv], default=""))
    index = space.index
    flagged = _flagged(space) if which == "findings" else set()
    overloaded = _overloaded_members(space) if which == "overload" else {}
    chosen = [b for b in every if b["level"] == level] if levels else []
    values = {b["code"]: measure(index, b["code"], which, flagged, overloaded) for b in chosen}
    top = max(values.values(), default=0)
    features = [{"type": "Feature", "geometry": b["geometry"],
                 "properties": {"name": b["name"] or b["code"], "value": values[b["code"]],
                                "fill": _shade(values[b["code"]], top), "href": profile_href("Territory", b["code"])}}
                for b in chosen]
    table = sorted(({"code": b["code"], "name": b["name"] or b["code"], "value": values[b["code"]],
                     "href": profile_href("Territory", b["code"])} for b in chosen),
                   key=lambda r: (-r["value"], r["name"].casefold()))
    legend = [(SHADES[i], f"{(i * top) // len(SHADES) + 1} to {((i + 1) * top) // len(SHADES)}")
              for i in range(len(SHADES)) if top and ((i + 1) * top) // len(SHADES) >= (i * top) // len(SHADES) + 1]
    return render("places.html", **common(
        "/places", level=level, levels=sorted(levels), which=which, measures=MEASURES, table=table,
        geojson={"type": "FeatureCollection", "features": features}, legend=legend))


def territory_page(space: Workspace, code: str, number: int = 1) -> str:
    """A territory: where it lies, what lies in it, everything covering it (as the coverage endpoint says), its boundary."""
    index = space.index
    territory = index.territory(code)
    rows = index.lookup(code)
    for row in rows:
        row["href"] = profile_href(row["kind"], row["id"])
        row["via_href"] = profile_href("Territory", row["via"])
    paged = page_of(rows, number, size=50)
    kinds = Counter(row["kind"] for row in rows)
    boundary = boundaries(space).get(code)
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": boundary["geometry"],
         "properties": {"name": territory.name or code, "fill": SHADES[2], "href": ""}}]} if boundary else None
    parents = [index.territories[p] for p in index.ancestors(code) if p in index.territories]
    children = [index.territories[c] for c in index.children(code)]
    return render("place.html", **common(
        "/places", territory=territory, parents=parents, children=children, paged=paged, kinds=sorted(kinds.items()),
        geojson=geojson, page_href=lambda n: f"/places/{quote(code, safe='')}?page={n}",
        pack_href=f"/pack/territory/{quote(code, safe='')}", pack_pdf=len(pack.covering(space, code)) <= pack.PDF_PARTS))

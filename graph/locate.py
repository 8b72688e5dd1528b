"""Which territories contain a point: the boundaries in a store, indexed once in an STRtree.

A territory is found three ways, each said in the answer's ``how``:

* ``boundary``: its own polygon contains the point;
* ``contains``: it lies up the PART_OF tree from one found by its boundary (a county, a region: ``via``
  names the territory it was reached through), whether or not it has a polygon of its own;
* ``parent's boundary``: it has no polygon, and its parent's polygon contains the point, so the point
  may be in it (``approximate: true``; e.g. the parishes of a district with no parish polygons).
  Such candidates are left out where a sibling of the same level was found by its own boundary.

Results come smallest first (by level, then area). :meth:`Locator.locate` returns plain dicts.
"""

from __future__ import annotations

import json
from typing import Any

import shapely
from shapely.geometry import shape

from graph import Store, run_query

# Smallest first: how results are ordered, and which level is "smaller" when two have no area.
LEVEL_ORDER = (
    "lsoa", "msoa", "neighbourhood", "parish", "ward", "electoral_division", "district", "metropolitan_district",
    "london_borough", "unitary", "constituency", "county", "police_force_area", "region", "country", "other",
)


def _polygon(geojson: str) -> Any:
    """A stored boundary as a shapely polygon; self-touching rings (common in generalised files) repaired."""
    polygon = shape(json.loads(geojson))
    if not polygon.is_valid:
        repaired = shapely.make_valid(polygon)
        parts = [g for g in getattr(repaired, "geoms", [repaired]) if g.geom_type in ("Polygon", "MultiPolygon")]
        polygon = shapely.union_all(parts)
    return polygon


class Locator:
    """Finds the territories containing a point (WGS84 latitude and longitude).

    Build it once with :meth:`from_store` (it reads every boundary) and call :meth:`locate` per point;
    it keeps no connection to the store, so rebuild it after boundaries are ingested.
    """

    def __init__(self, territories: list[dict[str, Any]], boundaries: list[dict[str, Any]]):
        """``territories``: rows of ``territory-parents``; ``boundaries``: rows of ``boundaries``."""
        self.info = {row["territory"]: {"name": row["territory_name"], "level": row["level"]} for row in territories}
        self.parent_of = {row["territory"]: row["parent"] for row in territories if row.get("parent")}
        self.children: dict[str, list[str]] = {}
        for child, parent in self.parent_of.items():
            self.children.setdefault(parent, []).append(child)
        self.ids = [row["territory"] for row in boundaries]
        for row in boundaries:
            self.info.setdefault(row["territory"], {"name": row["territory_name"], "level": row["level"]})
        self.polygons = [_polygon(row["boundary"]) for row in boundaries]
        self.area = dict(zip(self.ids, (p.area for p in self.polygons)))
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)

    @classmethod
    def from_store(cls, store: Store) -> Locator:
        """A locator over every territory boundary in ``store``, with the PART_OF tree for the rest."""
        return cls(run_query(store, "territory-parents"), run_query(store, "boundaries"))

    def __len__(self) -> int:
        return len(self.ids)

    def locate(self, lat: float, lon: float, approximate: bool = True) -> list[dict[str, Any]]:
        """The territories containing the point, smallest first; ``approximate=False`` leaves out guesses.

        Each is ``{"territory", "name", "level", "how", "via", "approximate"}`` (see the module docstring).
        """
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"not a latitude and longitude: {lat}, {lon}")
        point = shapely.Point(lon, lat)
        hits = [self.ids[i] for i in self.tree.query(point, predicate="intersects")]
        found: dict[str, dict[str, Any]] = {code: self._answer(code, "boundary", None, False) for code in hits}
        for code in hits:
            child, parent = code, self.parent_of.get(code)
            seen = {code}
            while parent is not None and parent not in seen:  # a PART_OF loop must not hang us
                seen.add(parent)
                found.setdefault(parent, self._answer(parent, "contains", child, False))
                child, parent = parent, self.parent_of.get(parent)
        if approximate:
            for code in hits:
                found_levels = {found[c]["level"] for c in self.children.get(code, ()) if c in found}
                for child in self.children.get(code, ()):
                    level = self.info.get(child, {}).get("level")
                    if child not in found and child not in self.area and level not in found_levels:
                        found[child] = self._answer(child, "parent's boundary", code, True)
        return sorted(found.values(), key=self._size)

    def _answer(self, code: str, how: str, via: str | None, approximate: bool) -> dict[str, Any]:
        info = self.info.get(code, {})
        return {"territory": code, "name": info.get("name"), "level": info.get("level"),
                "how": how, "via": via, "approximate": approximate}

    def _size(self, answer: dict[str, Any]) -> tuple:
        level = answer["level"]
        rank = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)
        return (answer["approximate"], rank, self.area.get(answer["territory"], float("inf")), answer["territory"])

    def smallest(self, lat: float, lon: float) -> str | None:
        """The smallest territory found by its own boundary that lies in the PART_OF tree (else any found)."""
        exact = [a for a in self.locate(lat, lon, approximate=False) if a["how"] == "boundary"]
        placed = [a for a in exact if a["territory"] in self.parent_of]
        chosen = placed or exact
        return chosen[0]["territory"] if chosen else None

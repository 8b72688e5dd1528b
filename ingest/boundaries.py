"""Read boundary polygons (GeoJSON FeatureCollections, TopoJSON topologies) onto territories.

Each feature's GSS code is found in its properties (the finest ``XXyyCD`` with a name beside it:
``WD25CD`` before ``LAD25CD``; else ``code``/``gss_code``/``id`` or the feature's own ``id``), and its
geometry is stored on the ``Territory`` as a GeoJSON string, exactly as published (TopoJSON decoded).

The territory's name and level come from the same feature (``WD25NM``; level from the code's prefix)
so a boundary file read on its own makes usable territories; a code whose feature has no name or a
code of no known level is a problem. Every Territory row carries name and level: ingest boundaries
before a register whose own names should win. ``year`` and parents are left to the geography reader.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import shape

from ingest.batches import ROW, Item, NodeBatch
from ingest.geography import (
    ENTITY_LEVELS, GSS, PARENT_LEVELS, PARTNERSHIP_PREFIXES, files, level_of, not_places, ons_column, partnership_geographies,
    source_batch,
)
from partnermap.errors import Problem

_PLAIN_CODE_KEYS = ("code", "gss_code", "gsscode", "areacode", "area_code", "id")
_PLAIN_NAME_KEYS = ("name", "areaname", "area_name")
_LEVEL_ORDER = ["lsoa", "msoa", "parish", "ward", "electoral_division", *PARENT_LEVELS["ward"], "police_force_area", "constituency"]
_WGS84 = ("crs84", "4326")
MAX_REPAIR = 0.01  # the largest change of area, as a share, that repairing an invalid polygon may make


def _code_and_name(properties: dict[str, Any], feature_id: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """(code, name, the property the code came from, its entity) for one feature's properties."""
    names = {}
    for key in properties:
        column = ons_column(key)
        if column and column.part == "NM":
            names.setdefault((column.entity, column.year), key)
    candidates = []
    for key in properties:
        column = ons_column(key)
        value = properties[key]
        if (not column or column.part != "CD" or column.active or column.entity not in ENTITY_LEVELS
                or column.entity == "AREA" or not isinstance(value, str) or not GSS.match(value.strip())):
            continue
        name_key = names.get((column.entity, column.year))
        if name_key is None:
            continue
        level = level_of(value.strip(), column.entity)
        rank = _LEVEL_ORDER.index(level) if level in _LEVEL_ORDER else len(_LEVEL_ORDER)
        candidates.append((rank, value.strip(), properties[name_key], str(key), column.entity))
    if candidates:
        _, code, name, key, entity = min(candidates, key=lambda c: c[0])
        return code, (str(name).strip() if name is not None else None), key, entity
    lower = {str(k).lower(): k for k in properties}
    name_key = next((lower[k] for k in _PLAIN_NAME_KEYS if k in lower), None)
    name = properties[name_key] if name_key is not None else None
    name = str(name).strip() if name is not None else None
    for key in _PLAIN_CODE_KEYS:
        if key in lower and isinstance(properties[lower[key]], str):
            return properties[lower[key]].strip(), name, str(lower[key]), None
    if isinstance(feature_id, str):
        return feature_id.strip(), name, "id", None
    return None, name, None, None


def _partnership_geographies(properties: dict[str, Any], feature_id: Any) -> list[str]:
    """The ONS partnership geographies a feature is one of, by its code columns or its code, unless it is a place."""
    code, _, _, entity = _code_and_name(properties, feature_id)
    if entity is not None:
        return []
    by_prefix = PARTNERSHIP_PREFIXES.get(code[:3]) if code and GSS.match(code) else None
    return partnership_geographies(properties) or ([by_prefix] if by_prefix else [])


def _positions_ok(coordinates: Any, depth: int) -> str | None:
    """Why nested coordinates of the given depth are not lon/lat positions, or None."""
    if depth == 0:
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            return "a position is not [longitude, latitude]"
        lon, lat = coordinates[0], coordinates[1]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat)):
            return f"a position is not two numbers: {coordinates[:2]!r}"
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return f"position {coordinates[:2]!r} is not longitude/latitude (WGS84 degrees)"
        return None
    if not isinstance(coordinates, list) or not coordinates:
        return "empty or malformed coordinates"
    for part in coordinates:
        reason = _positions_ok(part, depth - 1)
        if reason:
            return reason
    return None


def geometry_problem(geometry: Any) -> str | None:
    """Why a GeoJSON geometry is not a valid lon/lat Polygon or MultiPolygon, or None."""
    if not isinstance(geometry, dict):
        return "no geometry"
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        return f"geometry type {kind!r}: a boundary is a Polygon or MultiPolygon"
    reason = _positions_ok(geometry.get("coordinates"), 2 if kind == "Polygon" else 3)
    if reason:
        return reason
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        return f"not a polygon: {exc}"
    if polygon.is_empty or polygon.area == 0:
        return "an empty polygon (no area)"
    if not polygon.is_valid:
        # Generalised and quantised boundaries often touch themselves at a point (249 of the 326 LADs
        # of 2013 do): harmless for finding a point once repaired, so only a repair that changes the
        # shape is refused. The polygon is stored as published; the locator repairs it.
        repaired = shapely.make_valid(polygon)
        area = sum(g.area for g in getattr(repaired, "geoms", [repaired]) if g.geom_type in ("Polygon", "MultiPolygon"))
        change = abs(area - polygon.area) / polygon.area
        if change > MAX_REPAIR:
            return f"invalid polygon: {shapely.is_valid_reason(polygon)} (repairing it changes its area by {change:.0%})"
    return None


def _arc_positions(topology: dict) -> list[list[list[float]]]:
    """The topology's arcs as absolute lon/lat positions (undoing quantisation and delta encoding)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology.get("arcs", []):
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            positions = []
            for dx, dy, *_ in arc:
                x, y = x + dx, y + dy
                positions.append([round(x * sx + tx, 7), round(y * sy + ty, 7)])
        else:
            positions = [list(p[:2]) for p in arc]
        arcs.append(positions)
    return arcs


def _ring(indexes: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    """One ring from arc indexes (a negative index ~i is arc i reversed); shared end points kept once."""
    ring: list[list[float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def _topo_geometry(geometry: dict, arcs: list) -> dict:
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in geometry["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[_ring(r, arcs) for r in p] for p in geometry["arcs"]]}
    return {"type": kind}


class _Undecodable(ValueError):
    """A TopoJSON document whose shared arcs cannot be decoded: none of its features can."""


def _properties(item: Any) -> dict:
    """A feature's or geometry's properties; anything but an object counts as none."""
    properties = item.get("properties") if isinstance(item, dict) else None
    return properties if isinstance(properties, dict) else {}


def features(document: Any) -> Iterator[tuple[str, dict, Any, Any]]:
    """(JSON pointer, properties, feature id, GeoJSON geometry) for each feature of a GeoJSON or TopoJSON document."""
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection":
        collection = document.get("features")
        for index, feature in enumerate(collection if isinstance(collection, list) else []):
            feature = feature if isinstance(feature, dict) else {}
            yield f"#/features/{index}", _properties(feature), feature.get("id"), feature.get("geometry")
    elif kind == "Feature":
        yield "#", _properties(document), document.get("id"), document.get("geometry")
    elif kind == "Topology":
        try:
            arcs = _arc_positions(document)
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise _Undecodable(f"the topology's arcs or transform do not decode: {exc}") from exc
        objects = document.get("objects")
        for name, collection in (objects.items() if isinstance(objects, dict) else []):
            collection = collection if isinstance(collection, dict) else {}
            grouped = collection.get("type") == "GeometryCollection"
            members = collection.get("geometries") if grouped else [collection]
            for index, geometry in enumerate(members if isinstance(members, list) else []):
                pointer = f"#/objects/{name}/geometries/{index}" if grouped else f"#/objects/{name}"
                geometry = geometry if isinstance(geometry, dict) else {}
                try:
                    decoded = _topo_geometry(geometry, arcs)
                except (IndexError, KeyError, TypeError) as exc:
                    decoded = {"type": "invalid", "error": f"arcs do not decode: {exc}"}
                yield pointer, _properties(geometry), geometry.get("id"), decoded


def read(source: str | Path | Iterable[str | Path], dataset: str | None = None) -> Iterator[Item]:
    """Read boundary files (a file, a folder of .geojson/.json, or several) into Territory boundaries.

    ``dataset``: a name the files' sources take (``boundaries:NAME/file``; default ``boundaries:file``).
    """
    paths, problems, _ = files(source, (".geojson", ".json", ".topojson"))
    yield from problems
    rows: dict[str, dict] = {}
    for path in paths:
        raw = path.read_bytes()
        try:
            document = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield Problem(path.name, None, None, None, f"not a readable JSON file: {exc}", fatal=True)
            continue
        if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature", "Topology"):
            found = document.get("type") if isinstance(document, dict) else type(document).__name__
            yield Problem(path.name, "#/type", "type", found, "not a GeoJSON FeatureCollection or TopoJSON Topology", fatal=True)
            continue
        crs = json.dumps(document.get("crs")).lower()
        if document.get("crs") is not None and not any(name in crs for name in _WGS84):
            yield Problem(path.name, "#/crs", "crs", document["crs"], "coordinates must be WGS84 longitude/latitude (CRS84)", fatal=True)
            continue
        source_id, batch = source_batch("boundaries", path, raw, dataset)
        yield batch
        subject: list[str] = []  # the file's code property, as the first feature shows it: every feature has it
        try:
            for pointer, properties, feature_id, geometry in features(document):
                if not subject and (bodies := _partnership_geographies(properties, feature_id)):
                    code = _code_and_name(properties, feature_id)[0]
                    yield not_places(path.name, bodies, properties, code)  # LEP20CD, CCG21CD, ICB23CD …: not places
                    break
                yield from _feature(path.name, pointer, properties, feature_id, geometry, source_id, rows, subject)
        except _Undecodable as exc:
            yield Problem(path.name, "#/arcs", "arcs", None, str(exc), fatal=True)
    by_file: dict[str, list[dict]] = {}
    for row in rows.values():
        by_file.setdefault(row.pop("_file"), []).append(row)
    for file, file_rows in by_file.items():
        yield NodeBatch("Territory", pd.DataFrame(file_rows).astype(object), file)


def _feature(file: str, pointer: str, properties: dict, feature_id: Any, geometry: Any, source_id: str, rows: dict,
             subject: list[str]) -> Iterator[Problem]:
    code, name, key, entity = _code_and_name(properties, feature_id)
    if subject and key != subject[0]:
        # A ward whose WD25CD is missing must not pass as the district named beside it.
        code = properties.get(subject[0]) if subject[0] != "id" else feature_id
        yield Problem(file, pointer, f"{pointer}/properties/{subject[0]}", code,
                      f"no GSS code in {subject[0]}, where the file's first feature has its code")
        return
    if code is None or not GSS.match(code):
        yield Problem(file, pointer, f"{pointer}/properties", code,
                      "no GSS code in the feature's properties (e.g. WD25CD, LAD13CD, code)")
        return
    if not subject:
        subject.append(key)
    level = level_of(code, entity)
    if level is None:
        yield Problem(file, pointer, f"{pointer}/properties/{key}", code, "a GSS code of no known territory level")
        return
    if not name:
        yield Problem(file, pointer, f"{pointer}/properties", code, "no name for the territory in the feature's properties")
        return
    if isinstance(geometry, dict) and "error" in geometry:
        yield Problem(file, pointer, f"{pointer}/arcs", code, geometry["error"])
        return
    reason = geometry_problem(geometry)
    if reason:
        yield Problem(file, pointer, f"{pointer}/geometry", code, reason)
        return
    first = rows.get(code)
    if first is not None:
        yield Problem(file, pointer, f"{pointer}/properties/{key}", code, f"a second boundary for {code}: the first is at {first['source_row']}")
        return
    rows[code] = {
        "id": code, "name": name, "level": level,
        "boundary": json.dumps({"type": geometry["type"], "coordinates": geometry["coordinates"]}, separators=(",", ":")),
        "source": source_id, "source_row": f"{file}{pointer}", ROW: pointer, "_file": file,
    }

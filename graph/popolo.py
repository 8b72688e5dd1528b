"""The graph's organisations, partnerships and memberships as Popolo JSON (http://www.popoloproject.com/specs/).

* ``organizations``: every Organisation, Partnership and Forum, its ``classification`` from its
  sector or kind (``ontology/popolo.csv``), ``other_names`` from its aliases, ``identifiers`` from
  its ``scheme:value`` identifiers, ``parent_id`` from SUB_ORGANISATION_OF (an organisation) or
  REPORTS_TO (a partnership), ``area_id`` from COVERS (the first territory by code: Popolo holds one);
* ``areas``: every Territory, ``classification`` its level, ``parent_id`` from PART_OF;
* ``posts``: one per membership with a representative, the seat (``label``) on the partnership;
* ``memberships``: each MEMBER_OF, ``organization_id`` the partnership (or the organisation joined),
  ``on_behalf_of_id`` and ``member`` the member organisation, ``role``, ``label`` and ``post_id`` the
  representative, ``start_date`` and ``end_date``.

No people: partnermap holds organisations' seats, not who fills them. What Popolo has no field
for (a partnership's meetings a year, attendance, strategies, services) is not written.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from graph.dump import Dump
from graph.export import Written
from ontology.popolo import classification_of

GROUPS = ("Organisation", "Partnership", "Forum")
CONTROLLED = {"Organisation": "sector", "Partnership": "kind", "Forum": "kind"}
PARENTS = {"SUB_ORGANISATION_OF": ("Organisation",), "REPORTS_TO": ("Partnership", "Forum")}


def _date(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def _first_by_from(frame: pd.DataFrame, from_labels: tuple[str, ...], to_label: str | None = None) -> dict[str, str]:
    """For each node at the start of these relationships, the first end by id (Popolo holds one)."""
    if frame.empty:
        return {}
    rows = frame[frame["from_label"].isin(from_labels)]
    if to_label is not None:
        rows = rows[rows["to_label"] == to_label]
    return rows.sort_values(["from_id", "to_id"]).drop_duplicates("from_id").set_index("from_id")["to_id"].to_dict()


def post_id(membership_id: str) -> str:
    """The id of the seat a membership's representative holds (one post per membership)."""
    return f"post:{membership_id}"


def to_popolo(everything: Dump) -> dict[str, list[dict[str, Any]]]:
    """The Popolo document for ``everything`` (see the module docstring)."""
    rels = everything.relationships
    parents = {**_first_by_from(rels["SUB_ORGANISATION_OF"], PARENTS["SUB_ORGANISATION_OF"]),
               **_first_by_from(rels["REPORTS_TO"], PARENTS["REPORTS_TO"])}
    areas_of = _first_by_from(rels["COVERS"], GROUPS, "Territory")
    organizations = []
    for label in GROUPS:
        for node in everything.nodes[label].to_dict("records"):
            entry: dict[str, Any] = {"id": node["id"], "name": node["name"],
                                     "classification": classification_of(label, node.get(CONTROLLED[label]))}
            if node.get("aliases"):
                entry["other_names"] = [{"name": alias} for alias in node["aliases"]]
            if node.get("identifiers"):
                entry["identifiers"] = [dict(zip(("scheme", "identifier"), _split(i))) for i in node["identifiers"]]
            if node.get("url"):
                entry["links"] = [{"url": node["url"], "note": "website"}]
            if node["id"] in parents:
                entry["parent_id"] = parents[node["id"]]
            if node["id"] in areas_of:
                entry["area_id"] = areas_of[node["id"]]
            organizations.append(entry)
    part_of = _first_by_from(rels["PART_OF"], ("Territory",))
    areas = [{"id": t["id"], "name": t["name"], "classification": t.get("level"),
              **({"parent_id": part_of[t["id"]]} if t["id"] in part_of else {})}
             for t in everything.nodes["Territory"].to_dict("records")]
    posts, memberships = [], []
    for seat in rels["MEMBER_OF"].to_dict("records"):
        role = (seat.get("role") or "member").replace("_", " ")
        membership = {"id": seat["id"], "organization_id": seat["to_id"], "on_behalf_of_id": seat["from_id"],
                      "member": {"@type": "Organization", "id": seat["from_id"]}, "role": role}
        if seat.get("representative"):
            membership["label"] = seat["representative"]
            membership["post_id"] = post_id(seat["id"])
            posts.append({"id": post_id(seat["id"]), "label": seat["representative"], "role": role,
                          "organization_id": seat["to_id"]})
        for popolo, ours in (("start_date", "since"), ("end_date", "until")):
            if seat.get(ours):
                membership[popolo] = _date(seat[ours])
        memberships.append(membership)
    return {"organizations": organizations, "areas": areas, "posts": posts, "memberships": memberships}


def _split(identifier: str) -> tuple[str, str]:
    scheme, sep, value = str(identifier).partition(":")
    return (scheme, value) if sep else ("", scheme)


def write_popolo(everything: Dump, path: Path) -> Written:
    """Write the Popolo document to ``path`` (nodes: organisations and areas; relationships: memberships)."""
    document = to_popolo(everything)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=1)
    return Written([path], len(document["organizations"]) + len(document["areas"]), len(document["memberships"]))


__all__ = ["post_id", "to_popolo", "write_popolo"]

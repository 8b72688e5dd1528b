"""Read Popolo JSON (http://www.popoloproject.com/specs/): organizations, areas, posts and memberships.

* ``organizations`` become Organisations, Partnerships or Forums by their ``classification``
  (``ontology/popolo.csv``; one it does not list is refused, naming the organization and the file
  to extend), with ``other_names`` as aliases and ``identifiers`` as ``scheme:identifier``;
  ``parent_id`` becomes SUB_ORGANISATION_OF (an organisation) or REPORTS_TO (a partnership),
  ``area_id`` COVERS;
* ``areas`` become Territories (``classification``, or EveryPolitician's ``type``, their level
  where the model has it, else ``other``), ``parent_id`` PART_OF;
* ``memberships`` become MEMBER_OF from the member organisation (``on_behalf_of_id``, or a
  ``member`` that is an Organization) to ``organization_id`` (or the post's organization), with
  ``role`` (the model's roles; others read as ``member``, with a warning), ``representative`` the
  membership's ``label`` or its post's, ``since``/``until`` from full ``start_date``/``end_date``.

People are not modelled: a person's membership on behalf of an organisation becomes that
organisation's membership (several people of one organisation in the same seat are one), a
person's membership on behalf of no organisation is left out, and ``persons`` are not read; a
warning counts them. A file that is not Popolo (no organizations and no memberships) is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.batches import ROW, EdgeBatch, Item, NodeBatch, ReadWarning, unreadable
from ontology import load_model
from ontology.ids import relationship_id, source_id as make_source_id
from ontology.popolo import CLASSIFICATIONS, read_classification
from partnermap.errors import Problem

READER = "popolo"
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
GROUPS = ("Partnership", "Forum")


def read(source: str | Path, dataset: str | None = None) -> Iterator[Item]:
    """Read one Popolo JSON file into organisations, partnerships, territories and memberships (and problems)."""
    path = Path(source)
    if refused := unreadable(path):
        yield refused
        return
    raw = path.read_bytes()
    file = path.name
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield Problem(file, None, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})", fatal=True)
        return
    except json.JSONDecodeError as exc:
        yield Problem(file, exc.lineno, None, None, f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", fatal=True)
        return
    refusal = _not_popolo(document)
    if refusal:
        yield Problem(file, None, None, None, refusal, fatal=True)
        return
    source_id = make_source_id(READER, dataset, file) if dataset else make_source_id(READER, file)
    yield NodeBatch("Source", pd.DataFrame([{
        "id": source_id, "name": file, "reader": READER, "path": str(path.resolve()),
        "sha256": hashlib.sha256(raw).hexdigest(), "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source_id, "source_row": file, ROW: None,
    }]), file)
    yield from _Reader(file, source_id).read(document)


def _not_popolo(document: Any) -> str | None:
    """Why ``document`` cannot be read as Popolo, or None."""
    if not isinstance(document, dict):
        return "not a Popolo document: the top level is not a JSON object with organizations and memberships"
    lists = {key: document.get(key) for key in ("organizations", "memberships", "areas", "posts", "persons")}
    wrong = [key for key, value in lists.items() if value is not None and not isinstance(value, list)]
    if wrong:
        return f"not a Popolo document: {', '.join(wrong)} should be a list"
    if not lists["organizations"] and not lists["memberships"]:
        return ("not a Popolo document partnermap can map: it has no organizations and no memberships "
                "(partnermap reads organisations and their memberships, not people alone)")
    return None


def _list(value: Any) -> list:
    """A list the spec says a field holds, or none (a publisher's stray string or number is not one)."""
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


class _Reader:
    """One file's records, problems and warnings, kept until they are yielded as batches."""

    def __init__(self, file: str, source_id: str):
        self.file, self.source_id = file, source_id
        self.model = load_model()
        self.problems: list[Problem] = []
        self.labels: dict[str, str] = {}  # organization id → label
        self.nodes: dict[str, list[dict]] = {"Organisation": [], "Partnership": [], "Forum": [], "Territory": []}
        self.edges: dict[tuple[str, tuple[str, ...], tuple[str, ...], str, str], list[dict]] = {}
        self.warned = {"persons": 0, "as_organisation": 0, "no_organisation": 0, "roles": set(), "dates": 0}

    def _problem(self, pointer: str, field: str | None, value: Any, reason: str) -> None:
        self.problems.append(Problem(self.file, pointer, field, value, reason))

    def _edge(self, rel_type: str, from_labels: tuple[str, ...], to_labels: tuple[str, ...], columns: tuple[str, str],
              row: dict) -> None:
        self.edges.setdefault((rel_type, from_labels, to_labels, *columns), []).append(row)

    def read(self, document: dict) -> Iterator[Item]:
        for index, entry in enumerate(document.get("areas") or []):
            self._area(f"/areas/{index}", entry)
        for index, entry in enumerate(document.get("organizations") or []):
            self._organization(f"/organizations/{index}", entry)
        posts = {}
        for index, entry in enumerate(document.get("posts") or []):
            if isinstance(entry, dict) and _text(entry.get("id")):
                posts[_text(entry["id"])] = entry
        seats: dict[str, dict] = {}
        for index, entry in enumerate(document.get("memberships") or []):
            self._membership(f"/memberships/{index}", entry, posts, seats)
        for seat in seats.values():
            self._edge("MEMBER_OF", ("Organisation",), ("Partnership", "Forum", "Organisation"),
                       ("on_behalf_of_id", "organization_id"), seat)
        yield from self.problems
        yield from self._warnings(len(document.get("persons") or []))
        for label, rows in self.nodes.items():
            if rows:
                yield NodeBatch(label, pd.DataFrame(rows).assign(source=self.source_id), self.file)
        for (rel_type, from_labels, to_labels, from_column, to_column), rows in self.edges.items():
            yield EdgeBatch(rel_type, pd.DataFrame(rows).assign(source=self.source_id), self.file, from_labels, to_labels,
                            from_column, to_column)

    def _area(self, pointer: str, entry: Any) -> None:
        if not isinstance(entry, dict):
            self._problem(pointer, None, None, "an area should be a JSON object")
            return
        area_id, name = _text(entry.get("id")), _text(entry.get("name"))
        if not area_id:
            self._problem(pointer, "id", entry.get("id"), "an area needs an id")
            return
        # EveryPolitician's areas say "type" (constituency) where the spec says "classification"
        level = " ".join(str(entry.get("classification") or entry.get("type") or "").split()).casefold().replace(" ", "_")
        levels = self.model.vocabularies["territory_level"]
        self.nodes["Territory"].append({"id": area_id, "name": name or area_id, "level": level if level in levels else "other",
                                        "source_row": pointer, ROW: pointer})
        parent = _text(entry.get("parent_id"))
        if parent:
            self._edge("PART_OF", ("Territory",), ("Territory",), ("id", "parent_id"),
                       {"from_id": area_id, "to_id": parent, "id": relationship_id("PART_OF", area_id, parent),
                        "source_row": pointer, ROW: pointer})

    def _organization(self, pointer: str, entry: Any) -> None:
        if not isinstance(entry, dict):
            self._problem(pointer, None, None, "an organization should be a JSON object")
            return
        org_id, name = _text(entry.get("id")), _text(entry.get("name"))
        if not org_id:
            self._problem(pointer, "id", entry.get("id"), "an organization needs an id")
            return
        if not name:
            self._problem(pointer, "name", entry.get("name"), "an organization needs a name")
            return
        mapped = read_classification(entry.get("classification"))
        if mapped is None:
            self._problem(pointer, "classification", entry.get("classification"),
                          f"no row of {CLASSIFICATIONS.name} maps this classification to an organisation's sector or a "
                          "partnership's kind: add one (classification,label,property,value)")
            return
        self.labels[org_id] = mapped.label
        row: dict[str, Any] = {"id": org_id, "name": name, mapped.property: mapped.value, "source_row": pointer, ROW: pointer}
        if mapped.label == "Organisation":
            row["aliases"] = [n for n in (_text(o.get("name")) for o in _list(entry.get("other_names")) if isinstance(o, dict))
                              if n and n != name]
            row["identifiers"] = [self._identifier(i) for i in _list(entry.get("identifiers"))
                                  if isinstance(i, dict) and _text(i.get("identifier"))]
            links = [_text(link.get("url")) for link in _list(entry.get("links")) if isinstance(link, dict)]
            if any(links):
                row["url"] = next(link for link in links if link)
        self.nodes[mapped.label].append(row)
        parent = _text(entry.get("parent_id"))
        if parent:
            rel_type = "SUB_ORGANISATION_OF" if mapped.label == "Organisation" else "REPORTS_TO"
            ends = ("Organisation",) if mapped.label == "Organisation" else GROUPS
            self._edge(rel_type, (mapped.label,), ends, ("id", "parent_id"),
                       {"from_id": org_id, "to_id": parent, "id": relationship_id(rel_type, org_id, parent),
                        "source_row": pointer, ROW: pointer})
        area = _text(entry.get("area_id"))
        if area:
            self._edge("COVERS", (mapped.label,), ("Territory",), ("id", "area_id"),
                       {"from_id": org_id, "to_id": area, "id": relationship_id("COVERS", org_id, area),
                        "source_row": pointer, ROW: pointer})

    @staticmethod
    def _identifier(identifier: dict) -> str:
        scheme, value = _text(identifier.get("scheme")), _text(identifier.get("identifier"))
        return f"{scheme}:{value}" if scheme else str(value)

    def _membership(self, pointer: str, entry: Any, posts: dict[str, dict], seats: dict[str, dict]) -> None:
        if not isinstance(entry, dict):
            self._problem(pointer, None, None, "a membership should be a JSON object")
            return
        member = entry.get("member") if isinstance(entry.get("member"), dict) else {}
        person = _text(entry.get("person_id")) or (_text(member.get("id")) if member.get("@type") == "Person" else None)
        on_behalf = _text(entry.get("on_behalf_of_id"))
        if on_behalf is None and member.get("@type") == "Organization":
            on_behalf = _text(member.get("id"))
        post = posts.get(_text(entry.get("post_id")) or "", {})
        organization = _text(entry.get("organization_id")) or _text(post.get("organization_id"))
        if on_behalf is None:
            if person is not None:
                self.warned["no_organisation"] += 1
                return
            self._problem(pointer, "on_behalf_of_id", None, "a membership needs the member organisation "
                          "(on_behalf_of_id, or a member that is an Organization)")
            return
        if organization is None:
            self._problem(pointer, "organization_id", None, "a membership needs the organization joined "
                          "(organization_id, or a post that names it)")
            return
        if person is not None:
            self.warned["as_organisation"] += 1
        role_text = _text(entry.get("role")) or _text(post.get("role")) or "member"
        role = role_text.casefold().replace("-", " ").replace(" ", "_")
        if role not in self.model.vocabularies["membership_role"]:
            self.warned["roles"].add(role_text)
            role = "member"
        representative = _text(entry.get("label")) or _text(post.get("label"))
        since, until = self._date(entry.get("start_date")), self._date(entry.get("end_date"))
        seat_id = relationship_id("MEMBER_OF", on_behalf, organization, representative)
        held = seats.get(seat_id)
        if held is None:
            seats[seat_id] = {"from_id": on_behalf, "to_id": organization, "id": seat_id, "role": role,
                              "representative": representative, "since": since, "until": until,
                              "source_row": pointer, ROW: pointer}
            return
        # Several people in one organisation's seat: the seat runs from the first start to the last end.
        held["since"] = min(d for d in (held["since"], since) if d) if held["since"] or since else None
        held["until"] = None if not held["until"] or not until else max(held["until"], until)

    def _date(self, value: Any) -> str | None:
        text = _text(value)
        if text is None:
            return None
        if FULL_DATE.match(text):
            try:
                dt.date.fromisoformat(text)
                return text
            except ValueError:
                pass
        self.warned["dates"] += 1  # a year or a month alone: not a date the model can hold
        return None

    def _warnings(self, persons: int) -> Iterator[ReadWarning]:
        warned = self.warned
        if persons or warned["as_organisation"] or warned["no_organisation"]:
            yield ReadWarning(Problem(self.file, None, "persons", persons,
                                      f"partnermap does not model people: {persons} persons left out; "
                                      f"{warned['as_organisation']} of their memberships read as their organisations' "
                                      f"memberships, {warned['no_organisation']} on behalf of no organisation left out"))
        if warned["roles"]:
            roles = sorted(warned["roles"])
            yield ReadWarning(Problem(self.file, None, "role", "; ".join(roles[:10]),
                                      f"{len(roles)} roles the model does not have read as member"))
        if warned["dates"]:
            yield ReadWarning(Problem(self.file, None, "start_date", None,
                                      f"{warned['dates']} start or end dates that are not full dates (YYYY-MM-DD) left out"))


__all__ = ["READER", "read"]

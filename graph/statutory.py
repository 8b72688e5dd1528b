"""Statutory gaps and the governance register: the model's rules checked against what the register holds.

* ``statutory-gaps``: every partnership or forum marked statutory that matches a rule of the
  model's ``[statutory]`` section (a Health and Wellbeing Board, a Community Safety Partnership,
  local safeguarding children arrangements), with each requirement in force on ``as_of``: met or
  not, by which members and posts, and the legislation that requires it. Read from the
  ``statutory-members`` projection (memberships in force that day), matched here, because the
  post and body vocabularies are matched on words (see :mod:`ontology.statutory`).
* ``governance-register``: partnerships and forums whose governance fields (optional register
  columns) show a gap: a review overdue (last reviewed more than 12 months before ``as_of``, or a
  terms of reference review date before it), no terms of reference review date, no lead officer.

Both take ``as_of``, ``territory`` and ``partnership`` (one group's id, as a review pack asks).
A ``statutory-gaps`` row: ``partnership``, ``partnership_name``, ``rule`` (its title), ``requirement``
(the law's words), ``met`` (bool), ``met_by`` (organisation names) and ``posts`` (their representatives),
``legislation`` ("act, provision"), ``legislation_url``, ``applies_from``/``applies_until`` (ISO dates or
None), ``territories`` (GSS codes it covers), ``source_rows`` (the memberships that meet it) and
``source_row`` (the partnership's); ordered by partnership, then the rules and requirements as the
model lists them. A ``governance-register`` row: ``partnership``, ``partnership_name``, ``kind``,
``significance``, ``reason`` (one of the four constants below), ``detail``, the governance fields and
``source_row``; the most significant first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph.pairs import projection
from graph.store import Store
from ontology import Requirement, StatutoryRule

REVIEW_MONTHS = 12
REVIEW_OVERDUE = "review overdue"
TERMS_OVERDUE = "terms of reference review overdue"
NO_TERMS = "no terms of reference review date"
NO_LEAD = "no lead officer"


def _text(value: Any) -> str:
    """A cell as text: '' for None and NaN (a projection's empty cells)."""
    return "" if value is None or value != value else str(value)


def _date(value: Any) -> dt.date | None:
    if value is None or value != value:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):  # a pandas Timestamp
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _list(value: Any) -> list:
    """A list cell's values: none for an empty cell (None or NaN), a list or array as its items."""
    if value is None or isinstance(value, float):
        return []
    return [value] if isinstance(value, str) else [v for v in value if v is not None]


def _meets(requirement: Requirement, member: dict[str, Any], posts: dict, bodies: dict) -> bool:
    """Whether one membership meets a requirement: its sector, one of its posts, one of its bodies."""
    if requirement.sector and member["sector"] != requirement.sector:
        return False
    if requirement.posts and not any(posts[p].matches(member["representative"]) for p in requirement.posts):
        return False
    if requirement.bodies:
        names = [member["organisation_name"], *member["aliases"], member["representative"]]
        if not any(bodies[b].matches(name) for b in requirement.bodies for name in names):
            return False
    return True


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _legislation(rule: StatutoryRule, requirement: Requirement) -> str:
    return f"{rule.act}, {requirement.provision}"


def statutory_gaps(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per statutory partnership, matching rule and requirement in force on ``as_of``, met or not."""
    as_of = params["as_of"]
    statutory = store.model.statutory
    rules = [rule for rule in statutory.rules.values() if rule.in_force(as_of)]
    if not rules:
        return []
    kinds = sorted({kind for rule in rules for kind in rule.kinds})  # read no group a rule could not match
    frame = projection(store, "statutory-members",
                       {"kinds": kinds, **{k: params[k] for k in ("as_of", "territory", "partnership")}})
    if frame.empty:
        return []
    # Which rules each group matches, from its first row; members are read only for groups that match one
    # (read column by column: a national register has tens of thousands of statutory memberships).
    groups: dict[str, dict[str, Any]] = {}
    first = frame.drop_duplicates("partnership")
    for partnership, name, kind, themes, territories, source_row in zip(
            first["partnership"], first["partnership_name"], first["kind"], first["themes"], first["territories"],
            first["source_row"]):
        matching = [rule for rule in rules if rule.matches(_text(kind), _text(name), _list(themes))]
        if matching:
            groups[partnership] = {"name": _text(name), "rules": matching, "territories": sorted(_list(territories)),
                                   "source_row": _text(source_row), "members": []}
    members = frame[frame["partnership"].isin(list(groups)) & frame["organisation"].notna()]
    for partnership, organisation, name, sector, aliases, representative, source_row in zip(
            members["partnership"], members["organisation"], members["organisation_name"], members["sector"],
            members["aliases"], members["representative"], members["membership_source_row"]):
        groups[partnership]["members"].append({
            "organisation": organisation, "organisation_name": _text(name), "sector": _text(sector),
            "aliases": [str(a) for a in _list(aliases)], "representative": _text(representative),
            "source_row": _text(source_row)})
    rows = []
    for partnership in sorted(groups):
        group = groups[partnership]
        for rule in group["rules"]:
            for requirement in rule.requirements:
                if not requirement.in_force(as_of):
                    continue
                meeting = [m for m in group["members"] if _meets(requirement, m, statutory.posts, statutory.bodies)]
                met = bool(meeting)
                if params["unmet"] and met:
                    continue
                rows.append({
                    "partnership": partnership, "partnership_name": group["name"], "rule": rule.title,
                    "requirement": requirement.name, "met": met,
                    "met_by": sorted({m["organisation_name"] for m in meeting}),
                    "posts": sorted({m["representative"] for m in meeting if m["representative"]}),
                    "legislation": _legislation(rule, requirement), "legislation_url": rule.url,
                    "applies_from": _iso(requirement.start or rule.start),
                    "applies_until": _iso(requirement.end or rule.end),
                    "territories": group["territories"],
                    "source_rows": sorted({m["source_row"] for m in meeting if m["source_row"]}),
                    "source_row": group["source_row"],
                })
    return rows


def year_before(day: dt.date) -> dt.date:
    """The same day ``REVIEW_MONTHS`` months earlier (28 February for a 29 February)."""
    years = REVIEW_MONTHS // 12
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def governance_register(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per partnership or forum and governance gap, the most significant first."""
    as_of = params["as_of"]
    frame = projection(store, "governance-fields", {k: params[k] for k in ("as_of", "territory", "partnership")})
    order = {level: rank for rank, level in enumerate(store.model.vocabularies["significance"])}
    rows = []
    for row in frame.to_dict("records"):
        last_review, terms = _date(row["last_review"]), _date(row["terms_of_reference_review"])
        found = []
        if last_review is not None and last_review < year_before(as_of):
            found.append((REVIEW_OVERDUE, f"last reviewed {last_review}, more than {REVIEW_MONTHS} months before {as_of}"))
        if terms is not None and terms < as_of:
            found.append((TERMS_OVERDUE, f"terms of reference were due for review on {terms}"))
        if terms is None:
            found.append((NO_TERMS, "the register gives no date for reviewing its terms of reference"))
        if not _text(row["lead_officer"]):
            found.append((NO_LEAD, "the register names no lead officer"))
        cash = row["resources_cash"]
        for reason, detail in found:
            rows.append({
                "partnership": row["partnership"], "partnership_name": _text(row["partnership_name"]),
                "kind": _text(row["kind"]), "significance": _text(row["significance"]) or None,
                "reason": reason, "detail": detail, "lead_officer": _text(row["lead_officer"]) or None,
                "last_review": str(last_review) if last_review else None,
                "terms_of_reference_review": str(terms) if terms else None,
                "resources_cash": None if cash is None or cash != cash else float(cash),
                "resources_in_kind": _text(row["resources_in_kind"]) or None, "risks": _text(row["risks"]) or None,
                "source_row": _text(row["source_row"]),
            })
    # Stable: a partnership's gaps stay in the order above (reviews, terms of reference, lead officer).
    rows.sort(key=lambda r: (order.get(r["significance"], len(order)), r["partnership"]))
    return rows

"""Duplicate partnerships and duplicate services: pair comparisons, blocked, in pandas.

Compared as one Cypher pattern these exhaust the embedded engine at national size (66 s
and a full buffer pool for duplicate partnerships; 112 s for duplicate services, measured
on the synthetic England of ``bench/generate.py``), because a few organisations sit on
hundreds of groups. So the facts are read as columns through small named projections
(``partnership-facts``, ``memberships``, ``service-places`` …) and compared here, only
within blocks that can overlap: the same territory chain first, then a shared theme or the
same type and client group. Rows keep the evidence: shared members and themes, the
territories that overlap, and the source rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from graph.queries import get_query
from graph.store import Store


def _frame(store: Store, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    query = get_query(name)
    frame = store.frame(query.render(store.dialect), query.bind(params or {}))
    # Arrow-backed strings cost ~1 µs each to iterate from Python; plain objects a tenth of that.
    return frame.astype({c: object for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})


def _names(store: Store, ids: set[str]) -> dict[str, str]:
    named = _frame(store, "names", {"ids": sorted(ids)}) if ids else pd.DataFrame()
    return dict(zip(named["id"], named["name"])) if not named.empty else {}


def _sets(keys: pd.Series, values: pd.Series) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for key, value in zip(keys, values):
        out[key].add(value)
    return out


def ancestry(store: Store, territories: set[str]) -> pd.DataFrame:
    """(territory, ancestor) for each of ``territories`` and every territory it lies in, itself included."""
    parents = _frame(store, "territory-parents")
    parent_of = {t: p for t, p in zip(parents["territory"], parents["parent"]) if isinstance(p, str)}
    rows = []
    for territory in territories:
        seen, current = set(), territory
        while current is not None and current not in seen:  # a PART_OF loop must not hang us
            seen.add(current)
            rows.append((territory, current))
            current = parent_of.get(current)
    return pd.DataFrame(rows, columns=["territory", "ancestor"])


def _overlapping(places: pd.DataFrame, key: str, block: list[str], tree: pd.DataFrame) -> pd.DataFrame:
    """Pairs (key_a, key_b) whose territories overlap, within the same ``block`` columns.

    ``places`` has columns key, territory and the block columns. A pair comes out with the
    inner thing on the left (``territory_a`` inside or equal to ``territory_b``).
    """
    inner = places.merge(tree, on="territory").rename(columns={"territory": "territory_a", key: f"{key}_a"})
    outer = places.rename(columns={"territory": "ancestor", key: f"{key}_b"})
    pairs = inner.merge(outer, on=["ancestor", *block])
    pairs = pairs[(pairs[f"{key}_a"] != pairs[f"{key}_b"])]
    same = pairs["territory_a"] == pairs["ancestor"]
    pairs = pairs[~same | (pairs[f"{key}_a"] < pairs[f"{key}_b"])]
    return pairs.rename(columns={"ancestor": "territory_b"})


def duplicate_partnerships(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Partnerships whose members overlap (Jaccard ≥ min_jaccard), sharing a theme, in overlapping territories."""
    facts = _frame(store, "partnership-facts")
    if facts.empty:
        return []
    members = _frame(store, "membership-pairs", {"as_of": params["as_of"]})
    member_sets = _sets(members["partnership"], members["organisation"]) if not members.empty else {}
    names = dict(zip(facts["partnership"], facts["partnership_name"]))
    rows_of = dict(zip(facts["partnership"], facts["source_row"]))
    themes = facts.dropna(subset=["theme"]).groupby("partnership")["theme_name"].agg(lambda s: set(s)).to_dict()
    territory_names = dict(zip(facts["territory"], facts["territory_name"]))
    places = facts.dropna(subset=["territory"])[["partnership", "territory"]].drop_duplicates()
    pairs = _overlapping(places, "partnership", [], ancestry(store, set(places["territory"])))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b, ta, tb in zip(pairs["partnership_a"], pairs["partnership_b"], pairs["territory_a"], pairs["territory_b"]):
        key = (a, b) if a < b else (b, a)
        if key in found:
            found[key]["overlap"].add((ta, tb) if key == (a, b) else (tb, ta))
            continue
        shared_themes = themes.get(a, set()) & themes.get(b, set())
        members_a, members_b = member_sets.get(key[0], set()), member_sets.get(key[1], set())
        shared = members_a & members_b
        if not shared_themes or not shared:
            continue
        jaccard = len(shared) / len(members_a | members_b)
        if jaccard < params["min_jaccard"]:
            continue
        found[key] = {
            "a": key[0], "a_name": names[key[0]], "b": key[1], "b_name": names[key[1]],
            "jaccard": round(jaccard, 3), "shared_members": shared,
            "members_a": len(members_a), "members_b": len(members_b), "shared_themes": sorted(shared_themes),
            "overlap": {(ta, tb) if key == (a, b) else (tb, ta)},
            "a_source_row": rows_of[key[0]], "b_source_row": rows_of[key[1]],
        }
    org_names = _names(store, {o for row in found.values() for o in row["shared_members"]})
    rows = []
    for row in found.values():
        row["shared_members"] = sorted(org_names.get(o, o) for o in row["shared_members"])
        row["overlapping_territories"] = sorted(
            f"{territory_names.get(x, x)} / {territory_names.get(y, y)}" for x, y in row.pop("overlap")
        )
        rows.append(row)
    rows.sort(key=lambda r: (-r["jaccard"], r["a"], r["b"]))
    return rows


def duplicate_services(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Same-type services from different providers for a shared client group, in overlapping territories."""
    places = _frame(store, "service-places", {"type": params["type"]})
    if places.empty:
        return []
    groups = _frame(store, "service-groups")
    providers = _frame(store, "service-providers")
    # Block on (type, client group) and the territory chain at once.
    places = places.merge(groups, on="service")[["service", "type", "client_group", "territory"]].drop_duplicates()
    pairs = _overlapping(places, "service", ["type", "client_group"], ancestry(store, set(places["territory"])))
    if pairs.empty:
        return []
    involved = set(pairs["service_a"]) | set(pairs["service_b"])
    providers = providers[providers["service"].isin(involved)]
    provider_sets = _sets(providers["service"], providers["provider"])

    def different_providers(a: str, b: str) -> bool:
        pa, pb = provider_sets.get(a, set()), provider_sets.get(b, set())
        return bool(pa and pb and any(x != y for x in pa for y in pb))

    pairs = pairs[[different_providers(a, b) for a, b in zip(pairs["service_a"], pairs["service_b"])]]
    if pairs.empty:
        return []
    ids = sorted(set(pairs["service_a"]) | set(pairs["service_b"]))
    details = _frame(store, "service-details", {"ids": ids})
    service_names = dict(zip(details["service"], details["service_name"]))
    source_rows = dict(zip(details["service"], details["source_row"]))
    with_provider = details.dropna(subset=["provider"])
    provider_names = {k: sorted(v) for k, v in _sets(with_provider["service"], with_provider["provider_name"]).items()}
    names = _names(store, set(pairs["territory_a"]) | set(pairs["territory_b"]) | set(pairs["client_group"]))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b, ta, tb, service_type, group in zip(
        pairs["service_a"], pairs["service_b"], pairs["territory_a"], pairs["territory_b"], pairs["type"], pairs["client_group"]
    ):
        key, flipped = ((a, b), False) if a < b else ((b, a), True)
        row = found.get(key)
        if row is None:
            overlap = "same territory" if ta == tb else ("b inside a" if flipped else "a inside b")
            row = found[key] = {
                "a": key[0], "a_name": service_names.get(key[0]), "b": key[1], "b_name": service_names.get(key[1]),
                "type": service_type, "client_group": set(),
                "provider_a": "; ".join(provider_names.get(key[0], [])), "provider_b": "; ".join(provider_names.get(key[1], [])),
                "territory": ta, "territory_a": names.get(tb if flipped else ta), "territory_b": names.get(ta if flipped else tb),
                "overlap": overlap, "a_source_row": source_rows.get(key[0]), "b_source_row": source_rows.get(key[1]),
            }
        row["client_group"].add(names.get(group, group))
    rows = [{**row, "client_group": sorted(row["client_group"])} for row in found.values()]
    rows.sort(key=lambda r: (r["type"], r["a"], r["b"]))
    return rows

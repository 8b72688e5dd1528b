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
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from graph.queries import get_query
from graph.store import Store


def projection(store: Store, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """A named query's rows as columns, strings as plain Python objects (what the Python-run queries read)."""
    query = get_query(name)
    frame = store.frame(query.render(store.dialect), query.bind(params or {}))
    # Arrow-backed strings cost ~1 µs each to iterate from Python; plain objects a tenth of that.
    return frame.astype({c: object for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})


def _names(store: Store, ids: set[str]) -> dict[str, str]:
    named = projection(store, "names", {"ids": sorted(ids)}) if ids else pd.DataFrame()
    return dict(zip(named["id"], named["name"])) if not named.empty else {}


def _sets(keys: Iterable[Any], values: Iterable[Any]) -> dict[Any, set[Any]]:
    """key → the set of values seen with it."""
    out: dict[Any, set[Any]] = defaultdict(set)
    for key, value in zip(keys, values):
        out[key].add(value)
    return out


def ancestry(store: Store, territories: set[str]) -> pd.DataFrame:
    """(territory, ancestor) for each of ``territories`` and every territory it lies in, itself included."""
    parents = projection(store, "territory-parents")
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
    facts = projection(store, "partnership-facts")
    members = projection(store, "membership-pairs", {"as_of": params["as_of"]})
    if facts.empty or members.empty:
        return []
    places = facts.dropna(subset=["territory"])[["partnership", "territory"]].drop_duplicates()
    pairs = _overlapping(places, "partnership", [], ancestry(store, set(places["territory"])))
    # Each pair once, smaller id first, remembering every pair of territories that overlap.
    first = pairs["partnership_a"] < pairs["partnership_b"]
    pairs = pd.DataFrame({
        "a": pairs["partnership_a"].where(first, pairs["partnership_b"]),
        "b": pairs["partnership_b"].where(first, pairs["partnership_a"]),
        "ta": pairs["territory_a"].where(first, pairs["territory_b"]),
        "tb": pairs["territory_b"].where(first, pairs["territory_a"]),
    })
    # A shared theme, by a join rather than a loop.
    themes = facts.dropna(subset=["theme"])[["partnership", "theme_name"]].drop_duplicates()
    shared_theme = (
        pairs[["a", "b"]].drop_duplicates()
        .merge(themes.rename(columns={"partnership": "a"}), on="a")
        .merge(themes.rename(columns={"partnership": "b"}), on=["b", "theme_name"])
    )
    if shared_theme.empty:
        return []
    candidates = shared_theme[["a", "b"]].drop_duplicates()
    # Shared members for every candidate at once: rows of the partnership × organisation matrix.
    partnerships = {p: i for i, p in enumerate(pd.unique(members["partnership"]))}
    organisations = {o: i for i, o in enumerate(pd.unique(members["organisation"]))}
    incidence = sparse.csr_matrix(
        (np.ones(len(members)), ([partnerships[p] for p in members["partnership"]], [organisations[o] for o in members["organisation"]])),
        shape=(len(partnerships), len(organisations)),
    )
    incidence.data[:] = 1  # an organisation with two posts is one member
    sizes = np.asarray(incidence.sum(axis=1)).ravel()
    a_idx = np.array([partnerships.get(p, -1) for p in candidates["a"]])
    b_idx = np.array([partnerships.get(p, -1) for p in candidates["b"]])
    known = (a_idx >= 0) & (b_idx >= 0)
    candidates, a_idx, b_idx = candidates[known], a_idx[known], b_idx[known]
    shared = np.asarray(incidence[a_idx].multiply(incidence[b_idx]).sum(axis=1)).ravel()
    union = sizes[a_idx] + sizes[b_idx] - shared
    jaccard = np.divide(shared, union, out=np.zeros_like(shared, dtype=float), where=union > 0)
    keep = (shared > 0) & (jaccard >= params["min_jaccard"])
    found = candidates[keep].assign(jaccard=jaccard[keep], members_a=sizes[a_idx[keep]], members_b=sizes[b_idx[keep]])
    if found.empty:
        return []
    names = dict(zip(facts["partnership"], facts["partnership_name"]))
    rows_of = dict(zip(facts["partnership"], facts["source_row"]))
    territory_names = dict(zip(facts["territory"], facts["territory_name"]))
    theme_sets = _sets(zip(shared_theme["a"], shared_theme["b"]), shared_theme["theme_name"])
    overlap_sets = _sets(zip(pairs["a"], pairs["b"]), zip(pairs["ta"], pairs["tb"]))
    member_sets = _sets(members["partnership"], members["organisation"])
    wanted = {o for a, b in zip(found["a"], found["b"]) for o in member_sets[a] & member_sets[b]}
    org_names = _names(store, wanted)
    rows = []
    for a, b, score, size_a, size_b in zip(found["a"], found["b"], found["jaccard"], found["members_a"], found["members_b"]):
        key = (a, b)
        rows.append({
            "a": a, "a_name": names[a], "b": b, "b_name": names[b], "jaccard": round(float(score), 3),
            "shared_members": sorted(org_names.get(o, o) for o in member_sets[a] & member_sets[b]),
            "members_a": int(size_a), "members_b": int(size_b), "shared_themes": sorted(theme_sets[key]),
            "overlapping_territories": sorted(
                f"{territory_names.get(x, x)} / {territory_names.get(y, y)}"
                for x, y in overlap_sets[key]
            ),
            "a_source_row": rows_of[a], "b_source_row": rows_of[b],
        })
    rows.sort(key=lambda r: (-r["jaccard"], r["a"], r["b"]))
    return rows


def duplicate_services(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Same-type services from different providers for a shared client group, in overlapping territories."""
    places = projection(store, "service-places", {"type": params["type"]})
    if places.empty:
        return []
    groups = projection(store, "service-groups")
    providers = projection(store, "service-providers")
    # Block on (type, client group) and the territory chain at once.
    places = places.merge(groups, on="service")[["service", "type", "client_group", "territory"]].drop_duplicates()
    pairs = _overlapping(places, "service", ["type", "client_group"], ancestry(store, set(places["territory"])))
    if pairs.empty:
        return []
    # Different providers, for every pair at once: a pair is kept when either side has several
    # providers or their single providers differ (and both have one).
    by_service = providers.groupby("service")["provider"]
    first, count = by_service.first(), by_service.nunique()
    pa, pb = pairs["service_a"].map(first), pairs["service_b"].map(first)
    several = (pairs["service_a"].map(count).fillna(0) > 1) | (pairs["service_b"].map(count).fillna(0) > 1)
    pairs = pairs[pa.notna() & pb.notna() & (several | (pa != pb))]
    if pairs.empty:
        return []
    flipped = pairs["service_a"] > pairs["service_b"]
    same = pairs["territory_a"] == pairs["territory_b"]
    out = pd.DataFrame({
        "a": pairs["service_a"].where(~flipped, pairs["service_b"]),
        "b": pairs["service_b"].where(~flipped, pairs["service_a"]),
        "type": pairs["type"],
        "client_group": pairs["client_group"],
        "territory": pairs["territory_a"],
        "ta": pairs["territory_a"].where(~flipped, pairs["territory_b"]),
        "tb": pairs["territory_b"].where(~flipped, pairs["territory_a"]),
        "overlap": np.where(same, "same territory", np.where(flipped, "b inside a", "a inside b")),
    })
    # Several shared client groups make one row listing them all.
    groups_of = _sets(zip(out["a"], out["b"]), out["client_group"])
    out = out.drop_duplicates(["a", "b"]).copy()
    ids = sorted(set(out["a"]) | set(out["b"]))
    details = projection(store, "service-details", {"ids": ids})
    service_names = dict(zip(details["service"], details["service_name"]))
    source_rows = dict(zip(details["service"], details["source_row"]))
    with_provider = details.dropna(subset=["provider"])
    provider_names = {k: "; ".join(sorted(v)) for k, v in _sets(with_provider["service"], with_provider["provider_name"]).items()}
    names = _names(store, set(out["ta"]) | set(out["tb"]) | set(groups.get("client_group", [])))
    out["a_name"], out["b_name"] = out["a"].map(service_names), out["b"].map(service_names)
    out["client_group"] = [sorted(names.get(g, g) for g in groups_of[(a, b)]) for a, b in zip(out["a"], out["b"])]
    out["provider_a"], out["provider_b"] = out["a"].map(provider_names), out["b"].map(provider_names)
    out["territory_a"], out["territory_b"] = out["ta"].map(names), out["tb"].map(names)
    out["a_source_row"], out["b_source_row"] = out["a"].map(source_rows), out["b"].map(source_rows)
    out = out.sort_values(["type", "a", "b"])
    columns = ["a", "a_name", "b", "b_name", "type", "client_group", "provider_a", "provider_b", "territory",
               "territory_a", "territory_b", "overlap", "a_source_row", "b_source_row"]
    return out[columns].astype(object).where(out[columns].notna(), None).to_dict("records")

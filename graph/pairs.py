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

import weakref
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from graph.queries import get_query
from graph.store import Store


# Projections read from each store, reused until its next write (see Store.generation).
_CACHE: weakref.WeakKeyDictionary[Store, dict[tuple, pd.DataFrame]] = weakref.WeakKeyDictionary()
CACHED_PROJECTIONS = 24  # per store; the national graph's projections take a few hundred MB in all


def projection(store: Store, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """A named query's rows as columns, strings as plain Python objects (what the Python-run queries read).

    On a store that counts its writes, a projection is read once per generation: a long-lived
    process (the API) answers a repeated diagnostic from memory until the graph changes.
    """
    query = get_query(name)
    bound = query.bind(params or {})
    generation = store.generation
    key = (name, generation, tuple(sorted((k, _hashable(v)) for k, v in bound.items())))
    kept = _CACHE.get(store) if generation is not None else None
    if kept is not None and key in kept:
        return kept[key].copy(deep=False)  # copy-on-write: a caller's change never reaches the cache
    frame = store.frame(query.render(store.dialect), bound)
    # Arrow-backed strings cost ~1 µs each to iterate from Python; plain objects a tenth of that.
    frame = frame.astype({c: object for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})
    if generation is not None and store.generation == generation:
        kept = _CACHE.setdefault(store, {})
        for old in [k for k in kept if k[1] != generation]:
            del kept[old]
        while len(kept) >= CACHED_PROJECTIONS:
            del kept[next(iter(kept))]
        kept[key] = frame
        return frame.copy(deep=False)
    return frame


def forget_projections() -> None:
    """Drop every kept projection (benchmarks measure the cold path with it)."""
    _CACHE.clear()


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


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


def _codes(*columns: pd.Series, sort: bool = False) -> tuple[list[np.ndarray], np.ndarray]:
    """Integer codes for the values of several columns over one shared vocabulary.

    Comparing and joining int64 columns is ten times faster than object strings. Codes follow
    the order of first appearance (``sort``: the sorted order, which costs a string sort).
    """
    joined = pd.concat([c.astype(object) for c in columns], ignore_index=True)
    codes, uniques = pd.factorize(joined, sort=sort, use_na_sentinel=True)
    out, start = [], 0
    for column in columns:
        out.append(codes[start:start + len(column)].astype(np.int64))
        start += len(column)
    return out, np.asarray(uniques, dtype=object)


def _ancestors(child: np.ndarray, parent: np.ndarray, count: int) -> pd.DataFrame:
    """(t, anc) for every territory code below ``count`` and each territory it lies in, itself included.

    Walks PART_OF a level at a time as joins, so a territory with two parents (a ward in a
    district and a constituency) gets both chains, and a PART_OF loop ends instead of hanging.
    """
    edges = pd.DataFrame({"anc": child, "up": parent})
    edges = edges[(edges["anc"] >= 0) & (edges["up"] >= 0)].drop_duplicates()
    everything = pd.DataFrame({"t": np.arange(count), "anc": np.arange(count)})
    seen, frontier = [everything], everything
    for _ in range(64):
        frontier = frontier.merge(edges, on="anc")[["t", "up"]].rename(columns={"up": "anc"}).drop_duplicates()
        if frontier.empty:
            break
        seen.append(frontier)
    return pd.concat(seen, ignore_index=True).drop_duplicates()


def duplicate_services(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Same-type services from different providers for a shared client group, in overlapping territories.

    At national size there are 200,000 services; the pairs are found on integer codes (a join
    on (type, client group, territory chain)), and only the page reported is looked up by name.
    """
    places = projection(store, "service-places", {"type": params["type"]})
    if places.empty:
        return []
    groups = projection(store, "service-groups")
    providers = projection(store, "service-providers")
    parents = projection(store, "territory-parents")
    # service-places comes ordered by id, so these codes keep the ids' order (a < b) without a sort.
    (p_svc, g_svc, r_svc), services = _codes(places["service"], groups["service"], providers["service"])
    (p_ter, t_child, t_parent), territories = _codes(places["territory"], parents["territory"], parents["parent"])
    (p_type,), types = _codes(places["type"].fillna(""), sort=True)
    (g_grp, r_prv), others = _codes(groups["client_group"], providers["provider"])
    # Each (service, type, client group, territory) once; the block is (type, client group).
    rows = pd.DataFrame({"svc": p_svc, "type": p_type, "ter": p_ter}).merge(
        pd.DataFrame({"svc": g_svc, "grp": g_grp}), on="svc").drop_duplicates()
    rows["block"] = rows["type"] * (len(others) + 1) + rows["grp"]
    tree = _ancestors(t_child, t_parent, len(territories))
    inner = rows.merge(tree, left_on="ter", right_on="t")[["svc", "block", "type", "grp", "ter", "anc"]]
    outer = rows[["svc", "block", "ter"]].rename(columns={"svc": "svc_b", "ter": "anc"})
    pairs = inner.merge(outer, on=["block", "anc"])
    # Different services; two in the same territory once (smaller id first).
    same = (pairs["ter"] == pairs["anc"]).to_numpy()
    keep = (pairs["svc"] != pairs["svc_b"]).to_numpy() & (~same | (pairs["svc"] < pairs["svc_b"]).to_numpy())
    pairs, same = pairs[keep], same[keep]
    if pairs.empty:
        return []
    # Different providers: kept when either side has several, or their single providers differ.
    by_service = pd.DataFrame({"svc": r_svc, "prv": r_prv}).drop_duplicates().groupby("svc")["prv"]
    first = np.full(len(services), -1, dtype=np.int64)
    several = np.zeros(len(services), dtype=bool)
    first[by_service.first().index] = by_service.first().to_numpy()
    several[by_service.size().index] = by_service.size().to_numpy() > 1
    a_svc, b_svc = pairs["svc"].to_numpy(), pairs["svc_b"].to_numpy()
    differ = (first[a_svc] >= 0) & (first[b_svc] >= 0) & (several[a_svc] | several[b_svc] | (first[a_svc] != first[b_svc]))
    pairs, same = pairs[differ], same[differ]
    if pairs.empty:
        return []
    a_svc, b_svc = pairs["svc"].to_numpy(), pairs["svc_b"].to_numpy()
    flipped = a_svc > b_svc
    found = pd.DataFrame({
        "a": np.where(flipped, b_svc, a_svc), "b": np.where(flipped, a_svc, b_svc),
        "type": pairs["type"].to_numpy(), "grp": pairs["grp"].to_numpy(), "territory": pairs["ter"].to_numpy(),
        "ta": np.where(flipped, pairs["anc"], pairs["ter"]), "tb": np.where(flipped, pairs["ter"], pairs["anc"]),
        "same": same, "flipped": flipped,
    })
    # One row per pair listing every client group shared; the strongest evidence first: more
    # client groups shared, then the very same territory before one inside another.
    shared = found[["a", "b", "grp"]].drop_duplicates().groupby(["a", "b"]).size().rename("shared")
    best = (found.merge(shared, left_on=["a", "b"], right_index=True)
            .sort_values(["shared", "same", "type", "a", "b", "ta", "tb"], ascending=[False, False, True, True, True, True, True])
            .drop_duplicates(["a", "b"]))
    if params["limit"]:
        best = best.head(params["limit"])
    kept = found.merge(best[["a", "b"]], on=["a", "b"])
    groups_of = _sets(zip(kept["a"], kept["b"]), kept["grp"])
    ids = [services[i] for i in sorted(set(best["a"]) | set(best["b"]))]
    details = projection(store, "service-details", {"ids": ids})
    service_names = dict(zip(details["service"], details["service_name"]))
    source_rows = dict(zip(details["service"], details["source_row"]))
    with_provider = details.dropna(subset=["provider"])
    provider_names = {k: "; ".join(sorted(v)) for k, v in _sets(with_provider["service"], with_provider["provider_name"]).items()}
    wanted_groups = {others[g] for key in zip(best["a"], best["b"]) for g in groups_of[key]}
    names = _names(store, {territories[t] for t in (*best["ta"], *best["tb"])} | wanted_groups)
    out = []
    for a, b, type_code, territory, ta, tb, is_same, is_flipped in zip(
        best["a"], best["b"], best["type"], best["territory"], best["ta"], best["tb"], best["same"], best["flipped"]
    ):
        a_id, b_id = services[a], services[b]
        shared_groups = groups_of[(a, b)]
        if a_id > b_id:  # should the engine's order of ids ever differ from Python's, a is still the smaller
            a_id, b_id, ta, tb = b_id, a_id, tb, ta
            is_flipped = not is_flipped
        out.append({
            "a": a_id, "a_name": service_names.get(a_id), "b": b_id, "b_name": service_names.get(b_id),
            "type": types[type_code] or None,
            "client_group": sorted(names.get(others[g], others[g]) for g in shared_groups),
            "provider_a": provider_names.get(a_id), "provider_b": provider_names.get(b_id),
            "territory": territories[territory],
            "territory_a": names.get(territories[ta]), "territory_b": names.get(territories[tb]),
            "overlap": "same territory" if is_same else ("b inside a" if is_flipped else "a inside b"),
            "a_source_row": source_rows.get(a_id), "b_source_row": source_rows.get(b_id),
        })
    return out

"""Duplicate partnerships and duplicate services: pair comparisons, blocked, in pandas.

Compared as one Cypher pattern these exhaust the embedded engine at national size (66 s
and a full buffer pool for duplicate partnerships; 112 s for duplicate services, measured
on the synthetic England of ``bench/generate.py``), because a few organisations sit on
hundreds of groups. So the facts are read as columns through small named projections
(``partnership-facts``, ``memberships``, ``service-places`` …) and compared here, only
within blocks that can overlap: the same territory chain first, then a shared theme or the
same type and client group. Rows keep the evidence: shared members and themes, the
territories that overlap, and the source rows. Like the projections, what is derived from them
(duplicate-services' integer codes, the membership network) is kept until the store's next write.
The largest projections give nodes by number (see :func:`positions`): integers on the embedded
engine, so reading them costs no string per row.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from graph import budget
from graph.queries import get_query
from graph.store import Store

# Projections read from each store, and what is derived from them, reused until its next write
# (see Store.generation).
_CACHE: weakref.WeakKeyDictionary[Store, dict[tuple, Any]] = weakref.WeakKeyDictionary()
CACHED_PROJECTIONS = 24  # per store; the national graph's projections take a few hundred MB in all


def projection(store: Store, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """A named query's rows as columns, strings as plain Python objects (what the Python-run queries read).

    On a store that counts its writes, a projection is read once per generation: a long-lived
    process (the API) answers a repeated diagnostic from memory until the graph changes.
    """
    query = get_query(name)
    bound = query.bind(params or {})

    def read() -> pd.DataFrame:
        frame = store.frame(query.render(store.dialect), bound)
        # Arrow-backed strings cost ~1 µs each to iterate from Python; plain objects a tenth of that.
        return frame.astype({c: object for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})

    # copy-on-write: a caller's change never reaches the cache
    return remember(store, (name, _key(bound)), read).copy(deep=False)


def _read(store: Store, name: str, params: dict[str, Any]) -> pd.DataFrame:
    """A named query's rows as the engine gives them (strings Arrow-backed), not kept."""
    query = get_query(name)
    return store.frame(query.render(store.dialect), query.bind(params))


def remember(store: Store, key: tuple, make: Callable[[], Any]) -> Any:
    """``make()``, kept per store under ``key`` until the store's next write (when it counts its writes)."""
    generation = store.generation
    key = (key[0], generation, *key[1:])
    kept = _CACHE.get(store) if generation is not None else None
    if kept is not None and key in kept:
        return kept[key]
    value = make()
    if generation is not None and store.generation == generation:
        kept = _CACHE.setdefault(store, {})
        for old in [k for k in kept if k[1] != generation]:
            del kept[old]
        while len(kept) >= CACHED_PROJECTIONS:
            del kept[next(iter(kept))]
        kept[key] = value
    return value


def _key(bound: dict[str, Any]) -> tuple:
    return tuple(sorted((k, _hashable(v)) for k, v in bound.items()))


def forget_projections() -> None:
    """Drop every kept projection and what was derived from them (benchmarks measure the cold path with it)."""
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
    budget.check()
    places = facts.dropna(subset=["territory"])[["partnership", "territory"]].drop_duplicates()
    pairs = _overlapping(places, "partnership", [], ancestry(store, set(places["territory"])))
    budget.check()
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
    from scipy import sparse  # here, not at import: most commands never compare pairs

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
    # Only the pairs reported are described: the greatest overlap first (as the rows are sorted below).
    found = found.assign(rounded=found["jaccard"].round(3)).sort_values(
        ["rounded", "a", "b"], ascending=[False, True, True], kind="stable").head(params["limit"])
    budget.check()
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
    Arrow-backed columns are numbered by Arrow, twice as fast as Python objects.
    """
    joined = pd.concat(columns, ignore_index=True)
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


def _join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j) of every ``left[i] == right[j]``: left's order, then right's within it (an inner merge's order)."""
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    first = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]])) if len(ordered) else np.empty(0, dtype=np.int64)
    sizes = np.diff(np.append(first, len(ordered)))
    # A hash lookup: six times faster than searchsorted for a million keys in random order.
    group = pd.Index(ordered[first]).get_indexer(left)
    hit = np.flatnonzero(group >= 0)
    counts = sizes[group[hit]]
    i = np.repeat(hit, counts)
    within = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    return i, order[np.repeat(first[group[hit]], counts) + within]


def _first_rows(*columns: np.ndarray) -> np.ndarray:
    """Positions of the first row of each distinct combination of ``columns`` (codes, -1 or more), in row order.

    What drop_duplicates keeps, found on one int64 key when the codes fit in one (as at national
    size, four times faster than sorting by each column), else by sorting on every column.
    """
    if not len(columns[0]):
        return np.empty(0, dtype=np.int64)
    key, span = np.zeros(len(columns[0]), dtype=np.int64), 1
    for column in columns:
        size = int(column.max()) + 2
        span *= size
        if span >= 2**62:
            break
        key = key * size + (column + 1)
    else:
        return np.sort(np.unique(key, return_index=True)[1])  # return_index: the first of equal keys
    order = np.lexsort(columns[::-1])  # stable: the first of equal rows comes first
    new = np.zeros(len(order), dtype=bool)
    new[0] = True
    for column in columns:
        ordered = column[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    return np.sort(order[new])


@dataclass(frozen=True)
class ServiceBlocks:
    """duplicate-services' projections as integer codes, numbered once per store generation.

    Reading and numbering the projections costs a quarter of a second at national size (the
    embedded engine gives node offsets, so the only strings read are the services' and
    territories' ids and types); kept beside the projections, a repeated diagnostic starts from
    here. Arrays are read-only: they are shared.
    """

    services: np.ndarray  # service ids; codes follow the ids' order (service-numbers comes sorted)
    territories: np.ndarray
    types: np.ndarray  # sorted, "" for a service with none
    groups: np.ndarray  # client group ids (grp: a row of client-group-numbers)
    svc: np.ndarray  # each distinct (service, type, client group, territory), in projection order
    type: np.ndarray
    grp: np.ndarray
    ter: np.ndarray
    first_provider: np.ndarray  # per service: a provider's code, -1 for none
    several_providers: np.ndarray  # per service: more than one provider
    ancestor_start: np.ndarray  # territory t lies in ancestors[ancestor_start[t]:ancestor_start[t + 1]], itself first
    ancestors: np.ndarray


def service_blocks(store: Store, service_type: str) -> ServiceBlocks | None:
    """The coded projections duplicate-services compares (None when no service has the type)."""
    return remember(store, ("service-blocks", (("type", service_type),)), lambda: _service_blocks(store, service_type))


def positions(keys: pd.Series, numbers: pd.Series) -> np.ndarray:
    """Where each of ``keys`` is in ``numbers`` (-1 where it is not): a relationship projection's
    endpoints as rows of a node list (``service-numbers``, ``territory-numbers`` …).

    On the embedded engine both are node offsets, integers read without a string per row (at
    national size that took duplicate-services' reads from 0.9 s to 0.3 s); elsewhere both are ids.
    """
    keys, numbers = np.asarray(keys), np.asarray(numbers)
    if len(numbers) and keys.dtype.kind == "i" and numbers.dtype.kind == "i" and keys.min(initial=0) >= 0:
        # Offsets: an array indexed by offset, a tenth of the time of a hash lookup.
        row_of = np.full(max(int(numbers.max()), int(keys.max(initial=0))) + 1, -1, dtype=np.int64)
        row_of[numbers] = np.arange(len(numbers))
        return row_of[keys]
    return pd.Index(numbers).get_indexer(keys).astype(np.int64)


def _service_blocks(store: Store, service_type: str) -> ServiceBlocks | None:
    # Read, numbered and dropped: the codes are kept, not the frames. Services are listed in id
    # order, so a service's row in the list is its code and codes keep the ids' order (a < b).
    listed = _read(store, "service-numbers", {"type": service_type})
    if listed.empty:
        return None
    places = _read(store, "service-places", {})
    groups = _read(store, "service-groups", {})
    providers = projection(store, "service-providers")  # shared with suggested-links
    territory_list = _read(store, "territory-numbers", {})
    tree = _read(store, "territory-tree", {})
    group_list = _read(store, "client-group-numbers", {})
    services = listed["service"].to_numpy(dtype=object)
    (service_type_code,), types = _codes(listed["type"].fillna(""), sort=True)
    # The places of the listed services, in the services' order, then the territories' ids: not
    # the engine's row order, which differs between engines and between ways of asking.
    p_svc = positions(places["service"], listed["number"])
    p_place = positions(places["territory"], territory_list["number"])
    listed_place = np.flatnonzero((p_svc >= 0) & (p_place >= 0))
    by_id = np.argsort(np.argsort(territory_list["territory"].to_numpy(dtype=object), kind="stable"))
    listed_place = listed_place[np.lexsort((by_id[p_place[listed_place]], p_svc[listed_place]))]
    p_svc, p_place = p_svc[listed_place], p_place[listed_place]
    p_type = service_type_code[p_svc]
    # Territories are numbered in order of first appearance among the places, then in the tree:
    # the pairs' order breaks ties on these codes, so they follow the places as before.
    t_child, t_parent = positions(tree["territory"], territory_list["number"]), positions(tree["parent"], territory_list["number"])
    linked = (t_child >= 0) & (t_parent >= 0)
    (p_ter, t_child, t_parent), at = _codes(pd.Series(p_place), pd.Series(t_child[linked]), pd.Series(t_parent[linked]))
    territories = territory_list["territory"].to_numpy(dtype=object)[at.astype(np.int64)]
    g_svc = positions(groups["service"], listed["number"])
    g_grp = positions(groups["client_group"], group_list["number"])
    client_groups = group_list["client_group"].to_numpy(dtype=object)
    r_svc = positions(providers["service"], listed["number"])
    (r_prv,), _ = _codes(providers["provider"])
    # Each (service, type, client group, territory) once, in the order a merge of the two gives.
    place_at, group_at = _join(p_svc, g_svc)
    svc, type_, grp, ter = p_svc[place_at], p_type[place_at], g_grp[group_at], p_ter[place_at]
    first = _first_rows(svc, type_, grp, ter)
    svc, type_, grp, ter = svc[first], type_[first], grp[first], ter[first]
    # Providers: a service's first one, and whether it has others.
    known = (r_svc >= 0) & (r_prv >= 0)
    distinct = _first_rows(r_svc[known], r_prv[known])
    by_service, provider = r_svc[known][distinct], r_prv[known][distinct]
    with_provider, first_row = np.unique(by_service, return_index=True)
    first_provider = np.full(len(services), -1, dtype=np.int64)
    first_provider[with_provider] = provider[first_row]
    several = np.bincount(by_service, minlength=len(services)) > 1
    tree = _ancestors(t_child, t_parent, len(territories))
    # Each territory's ancestors in the tree's order (itself first): what a merge on it would give.
    order = np.argsort(tree["t"].to_numpy(), kind="stable")
    ancestors = tree["anc"].to_numpy()[order]
    ancestor_start = np.concatenate([[0], np.cumsum(np.bincount(tree["t"].to_numpy(), minlength=len(territories)))])
    blocks = ServiceBlocks(services, territories, types, client_groups, svc, type_, grp, ter,
                           first_provider, several, ancestor_start, ancestors)
    for array in vars(blocks).values():
        array.flags.writeable = False
    return blocks


def duplicate_services(store: Store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Same-type services from different providers for a shared client group, in overlapping territories.

    At national size there are 200,000 services; the pairs are found on integer codes (a join
    on (type, client group, territory chain)), and only the page reported is looked up by name.
    """
    blocks = service_blocks(store, params["type"])
    if blocks is None:
        return []
    budget.check()
    services, territories, types, client_groups = blocks.services, blocks.territories, blocks.types, blocks.groups
    # Every (row, territory the row's territory lies in): the inner side of each pair.
    starts = blocks.ancestor_start[blocks.ter]
    counts = blocks.ancestor_start[blocks.ter + 1] - starts
    row = np.repeat(np.arange(len(blocks.svc)), counts)
    anc = blocks.ancestors[np.repeat(starts, counts) + np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)]
    # Paired with every row of the same block (type, client group) whose territory is that one.
    block = blocks.type * (len(client_groups) + 1) + blocks.grp
    width = len(territories) + 1
    inner_at, outer_at = _join(block[row] * width + anc, block * width + blocks.ter)
    budget.check()
    row, anc = row[inner_at], anc[inner_at]
    a_svc, b_svc, ter = blocks.svc[row], blocks.svc[outer_at], blocks.ter[row]
    # Different services; two in the same territory once (smaller id first).
    same = ter == anc
    keep = (a_svc != b_svc) & (~same | (a_svc < b_svc))
    # Different providers: kept when either side has several, or their single providers differ.
    first, several = blocks.first_provider, blocks.several_providers
    keep &= (first[a_svc] >= 0) & (first[b_svc] >= 0) & (several[a_svc] | several[b_svc] | (first[a_svc] != first[b_svc]))
    if not keep.any():
        return []
    row, anc, a_svc, b_svc, ter, same = row[keep], anc[keep], a_svc[keep], b_svc[keep], ter[keep], same[keep]
    flipped = a_svc > b_svc
    a, b = np.where(flipped, b_svc, a_svc), np.where(flipped, a_svc, b_svc)
    ta, tb = np.where(flipped, anc, ter), np.where(flipped, ter, anc)
    type_, grp = blocks.type[row], blocks.grp[row]
    pair = a * len(services) + b
    # One row per pair listing every client group shared; the strongest evidence first: more
    # client groups shared, then the very same territory before one inside another.
    distinct = _first_rows(pair, grp)
    pairs_seen, shared_counts = np.unique(pair[distinct], return_counts=True)
    shared = shared_counts[np.searchsorted(pairs_seen, pair)]
    order = np.lexsort((tb, ta, b, a, type_, ~same, -shared))
    best = np.sort(np.unique(pair[order], return_index=True)[1])  # each pair's first row, in sorted order
    best = order[best][: params["limit"]]
    budget.check()
    reported = np.isin(pair, pair[best])
    groups_of = _sets(pair[reported], grp[reported])
    ids = [services[i] for i in np.unique(np.concatenate([a[best], b[best]]))]
    details = projection(store, "service-details", {"ids": ids})
    service_names = dict(zip(details["service"], details["service_name"]))
    source_rows = dict(zip(details["service"], details["source_row"]))
    with_provider = details.dropna(subset=["provider"])
    provider_names = {k: "; ".join(sorted(v)) for k, v in _sets(with_provider["service"], with_provider["provider_name"]).items()}
    wanted_groups = {client_groups[g] for p in pair[best] for g in groups_of[p]}
    names = _names(store, {territories[t] for t in (*ta[best], *tb[best])} | wanted_groups)
    out = []
    for key, a_code, b_code, type_code, territory, t_a, t_b, is_same, is_flipped in zip(
        pair[best], a[best], b[best], type_[best], ter[best], ta[best], tb[best], same[best], flipped[best]
    ):
        a_id, b_id = services[a_code], services[b_code]
        if a_id > b_id:  # should the engine's order of ids ever differ from Python's, a is still the smaller
            a_id, b_id, t_a, t_b = b_id, a_id, t_b, t_a
            is_flipped = not is_flipped
        out.append({
            "a": a_id, "a_name": service_names.get(a_id), "b": b_id, "b_name": service_names.get(b_id),
            "type": types[type_code] or None,
            "client_group": sorted(names.get(client_groups[g], client_groups[g]) for g in groups_of[key]),
            "provider_a": provider_names.get(a_id), "provider_b": provider_names.get(b_id),
            "territory": territories[territory],
            "territory_a": names.get(territories[t_a]), "territory_b": names.get(territories[t_b]),
            "overlap": "same territory" if is_same else ("b inside a" if is_flipped else "a inside b"),
            "a_source_row": source_rows.get(a_id), "b_source_row": source_rows.get(b_id),
        })
    return out

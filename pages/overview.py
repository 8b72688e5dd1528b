"""The overview: what the graph holds, and the headline findings with their counts.

Also the area choices every filter offers (places down to districts, from the coverage index).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import graph
from ontology import load_model
from graph.coverage import CoverageIndex
from pages import findings
from pages.context import Workspace, common
from pages.findings import Filters, FindingsCache
from pages.render import render

# Places a person picks an area from: wards and smaller areas would make the list thousands long
# (they are reached through search and their district's page instead).
AREA_LEVELS = ("country", "region", "county", "unitary", "metropolitan_district", "london_borough", "district",
               "police_force_area")


@dataclass(frozen=True)
class Area:
    """A place offered by the area picker."""

    code: str
    name: str | None
    level: str | None


@dataclass(frozen=True)
class Headline:
    """One headline finding on the overview: its page, how many and the sentence saying so."""

    finding: findings.Finding
    count: int
    sentence: str
    href: str


def areas(index: CoverageIndex) -> list[Area]:
    """The places of the area picker, by level (largest first) then name."""
    order = {level: i for i, level in enumerate(AREA_LEVELS)}
    chosen = [Area(t.code, t.name, t.level) for t in index.territories.values() if t.level in order]
    return sorted(chosen, key=lambda a: (order[a.level], (a.name or a.code).casefold()))


def covering_ids(index: CoverageIndex, area: str) -> set[str] | None:
    """The ids of everything covering ``area`` (itself, a place it lies in, or one inside it); None for everywhere."""
    if not area:
        return None
    return {row["id"] for row in index.lookup(area)}


def finding_href(item: findings.Finding, filters: Filters, **extra: Any) -> str:
    """The address of a finding's page, carrying the filters."""
    query = {**filters.query_string(), **{k: v for k, v in extra.items() if v not in (None, "")}}
    return f"/findings/{item.slug}" + (f"?{urlencode(query)}" if query else "")


def counts(store: graph.Store, cache: FindingsCache) -> dict[str, int]:
    """How many of each kind of thing the graph holds."""
    every = cache.value(store, ("stats",), lambda: graph.stats(store), keep=True)["nodes"]
    return {
        "Organisations": every.get("Organisation", 0),
        "Partnerships and forums": sum(every.get(label, 0) for label in load_model().kind("Group")),
        "Services": every.get("Service", 0),
        "Strategies": every.get("Strategy", 0),
        "Places": every.get("Territory", 0),
        "Sources": every.get("Source", 0),
    }


def headlines(store: graph.Store, cache: FindingsCache, index: CoverageIndex, filters: Filters,
              group: str = "headline") -> list[Headline]:
    """Each diagnostic of ``group`` with its count under the filters."""
    covering = covering_ids(index, filters.area)
    found = []
    for item in findings.FINDINGS:
        if item.group != group:
            continue
        count = len(findings.rows(store, cache, item, filters, covering, headline=True))
        found.append(Headline(item, count, item.headline.format(n=count), finding_href(item, filters)))
    return found


def warm(store: graph.Store, cache: FindingsCache, index: CoverageIndex) -> None:
    """Run what the overview and the network pages read for everywhere and today, so no visitor waits for it.

    The search index is warmed beside it by :func:`pages.search.index` (see ``api.app``).
    """
    counts(store, cache)
    for group in ("headline", "more"):
        headlines(store, cache, index, Filters(), group)
    findings.themes_of(store, cache)
    cache.rows(store, "network", {"theme": ""}, keep=True)  # every membership, which the network pages narrow


def page(space: Workspace, filters: Filters) -> str:
    """The overview page: headline findings with counts, the area and date picker, what the graph holds."""
    index = space.index
    if filters.area:
        index.territory(filters.area)
    holdings = counts(space.store, space.cache)
    query = urlencode({"territory": filters.area}) if filters.area else ""
    return render("overview.html", **common(
        "/", filters=filters, areas=areas(index), themes=[],
        headlines=headlines(space.store, space.cache, index, filters),
        more=headlines(space.store, space.cache, index, filters, group="more"),
        holdings=[(k, f"{v:,}") for k, v in holdings.items()], holdings_total=sum(holdings.values()),
        area_name=index.territories[filters.area].name if filters.area else "",
        area_query=f"?{query}" if query else ""))

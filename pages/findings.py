"""The diagnostics as pages: which named query each runs, how its rows are filtered, sorted and paged.

``FINDINGS`` is the one table of diagnostic pages, in the order a manager reads them. Each says
which columns link to a profile, which hold themes, and what its headline on the overview counts.
Results are kept per store generation (:class:`FindingsCache`), so a page re-sorted or paged
does not run its query again, and the server warms the overview's at start.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar
from urllib.parse import quote

import graph
from partnermap.errors import NotFound, QueryError

PAGE_SIZE = 25
T = TypeVar("T")


@dataclass(frozen=True)
class Link:
    """A column shown as a link: to a profile (the column holding the id, and the kind's label), or with the
    label ``WEB`` to the https address the column holds (the legislation a requirement cites)."""

    id_column: str
    label: str

    def href(self, row: dict[str, Any]) -> str | None:
        """The profile's address for this row (a territory's is its place page), None without an id."""
        node_id = row.get(self.id_column)
        if node_id is None:
            return None
        if self.label == WEB:
            return str(node_id) if str(node_id).startswith("https://") else None
        return profile_href(self.label, str(node_id))


WEB = "web"  # a Link's label when its column holds a web address, not a node's id


def profile_href(label: str, node_id: str) -> str:
    """Where the profile of a node of ``label`` lives: places for territories, profiles for the rest."""
    return f"/places/{quote(node_id, safe='')}" if label == "Territory" else f"/profile/{quote(node_id, safe='')}"


@dataclass(frozen=True)
class Finding:
    """One diagnostic page: its query, words, links, theme columns and headline."""

    slug: str
    query: str
    title: str
    summary: str
    headline: str  # "{n} …": what the overview says of the count
    links: dict[str, Link] = field(default_factory=dict)  # shown column -> link
    hidden: tuple[str, ...] = ()  # id columns the links already show
    theme_columns: tuple[str, ...] = ()
    headline_params: dict[str, Any] = field(default_factory=dict)
    group: str = "headline"  # headline: counted on the overview; more: listed below it


FINDINGS: tuple[Finding, ...] = (
    Finding("overloaded-organisations", "overload", "Overloaded organisations",
            "Organisations that sit on 5 or more partnerships and forums, with the chairs they hold.",
            "{n} organisations sit on 5 or more partnerships",
            links={"organisation_name": Link("organisation", "Organisation")}, hidden=("organisation",),
            headline_params={"min": 5}),
    Finding("overloaded-posts", "overload-representatives", "Overloaded posts",
            "Posts (such as a director) that represent their organisation on 3 or more groups.",
            "{n} posts sit on 3 or more groups",
            links={"organisation_name": Link("organisation", "Organisation")}, hidden=("organisation",),
            headline_params={"min": 3}),
    Finding("duplicate-partnerships", "duplicate-partnerships", "Duplicate partnerships",
            "Pairs of partnerships whose members overlap, on a shared theme, in overlapping places.",
            "{n} pairs of partnerships may duplicate each other",
            links={"a_name": Link("a", "Partnership"), "b_name": Link("b", "Partnership")}, hidden=("a", "b"),
            theme_columns=("shared_themes",)),
    Finding("duplicate-services", "duplicate-services", "Duplicate services",
            "Pairs of services of the same type from different providers, for the same people, in the same places.",
            "{n} pairs of services may duplicate each other",
            links={"a_name": Link("a", "Service"), "b_name": Link("b", "Service")}, hidden=("a", "b")),
    Finding("missing-links", "missing-links", "Missing links",
            "Partnerships on a theme that calls for a sector (health calls for the NHS) with no member from it.",
            "{n} partnerships lack a sector their theme calls for",
            links={"partnership_name": Link("partnership", "Partnership")}, hidden=("partnership",),
            theme_columns=("theme",)),
    Finding("governance-gaps", "governance-gaps", "Governance gaps",
            "Partnerships with no reporting line to a local strategic partnership, and reporting loops.",
            "{n} governance gaps",
            links={"partnership_name": Link("partnership", "Partnership")}, hidden=("partnership",)),
    Finding("strategy-gaps", "strategy-gaps", "Strategy gaps",
            "Health or community safety strategies with no link to a target of a health or probation body.",
            "{n} strategies are not linked to health or probation targets",
            links={"strategy_name": Link("strategy", "Strategy")}, hidden=("strategy",),
            theme_columns=("themes",)),
    Finding("low-attendance", "attendance", "Low attendance",
            "Memberships whose recorded attendance is below 75%.", "{n} memberships with low attendance",
            links={"organisation_name": Link("organisation", "Organisation"),
                   "partnership_name": Link("partnership", "Partnership")},
            hidden=("organisation", "partnership"), group="more"),
    Finding("partnership-density", "partnership-density", "Partnership density",
            "For each place and theme, how many partnerships work there.", "{n} places and themes with 2 or more partnerships",
            links={"territory_name": Link("territory", "Territory")}, hidden=("territory",),
            theme_columns=("theme",), group="more"),
    Finding("brokers", "brokers", "Brokers",
            "Organisations that bridge otherwise separate partnerships.", "{n} brokers", group="more",
            links={"organisation_name": Link("organisation", "Organisation")}, hidden=("organisation",)),
    Finding("suggested-links", "suggested-links", "Suggested links",
            "Organisations that share partnerships and a theme but sit on no partnership on that theme together.",
            "{n} suggested links", group="more", theme_columns=("theme",),
            links={"a_name": Link("a", "Organisation"), "b_name": Link("b", "Organisation")}, hidden=("a", "b")),
    Finding("statutory-gaps", "statutory-gaps", "Statutory gaps",
            "Statutory partnerships without a member the law requires (a Health and Wellbeing Board without its "
            "director of public health, a Community Safety Partnership without probation), with the act that requires it.",
            "{n} members the law requires are missing from statutory partnerships",
            links={"partnership_name": Link("partnership", "Partnership"), "legislation": Link("legislation_url", WEB)},
            hidden=("partnership", "legislation_url", "met", "met_by", "posts", "source_rows"),  # met…: empty on unmet rows
            headline_params={"unmet": True}),
    Finding("governance-register", "governance-register", "Governance register",
            "Partnerships whose review is overdue, with no date to review their terms of reference, or no lead officer.",
            "{n} governance register gaps",
            links={"partnership_name": Link("partnership", "Partnership")}, hidden=("partnership",), group="more"),
)
BY_SLUG = {finding.slug: finding for finding in FINDINGS}


def finding(slug: str) -> Finding:
    """The diagnostic page called ``slug``; NotFound otherwise."""
    if slug not in BY_SLUG:
        raise NotFound(f"no finding called {slug!r}")
    return BY_SLUG[slug]


@dataclass(frozen=True)
class Filters:
    """What a person narrowed a page to: a territory's code, a theme and an as-of date (all optional)."""

    area: str = ""
    theme: str = ""
    as_of: str = ""

    @classmethod
    def parse(cls, area: str = "", theme: str = "", as_of: str = "") -> "Filters":
        """Filters from form values; QueryError for a date that is not YYYY-MM-DD."""
        as_of = as_of.strip()
        if as_of:
            try:
                dt.date.fromisoformat(as_of)
            except ValueError:
                raise QueryError(f"the date must look like 2008-01-01 (year-month-day), not {as_of!r}") from None
        return cls(area.strip(), theme.strip(), as_of)

    def query_string(self) -> dict[str, str]:
        """The filters a link must carry, without the empty ones."""
        return {k: v for k, v in (("area", self.area), ("theme", self.theme), ("as_of", self.as_of)) if v}


class FindingsCache:
    """Query rows (and other values read from a store) kept per store generation.

    Most values are dropped oldest first past ``size`` (a finding narrowed to each district of
    England would otherwise pile up); those built with ``keep=True`` (the search index, every
    membership) stay until the store changes, so a busy hour of filtering never rebuilds them.
    """

    def __init__(self, size: int = 64):
        self.size = size
        self._values: OrderedDict[tuple, Any] = OrderedDict()
        self._kept: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def value(self, store: graph.Store, key: tuple, build: Callable[[], T], keep: bool = False) -> T:
        """``build()`` once per (store, generation, key); a store that cannot count its writes is never cached."""
        full = (id(store), store.generation, *key)
        with self._lock:
            if store.generation is not None:
                if full in self._kept:
                    return self._kept[full]
                if full in self._values:
                    self._values.move_to_end(full)
                    return self._values[full]
        value = build()
        with self._lock:
            if keep:
                self._kept = {k: v for k, v in self._kept.items() if k[:2] == full[:2]}
                self._kept[full] = value
            else:
                self._values[full] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
        return value

    def rows(self, store: graph.Store, query: str, params: dict[str, Any], keep: bool = False) -> list[dict[str, Any]]:
        """The rows of ``query`` with ``params``, run once per store generation."""
        return self.value(store, (query, tuple(sorted(params.items()))), lambda: graph.run_query(store, query, params),
                          keep)


def _declared(item: Finding) -> set[str]:
    return {p.name for p in graph.describe(item.query)[1]}


def _params(item: Finding, filters: Filters, headline: bool) -> dict[str, Any]:
    names = _declared(item)
    params = dict(item.headline_params)
    if filters.as_of and "as_of" in names:
        params["as_of"] = filters.as_of
    if filters.area and "territory" in names:
        params["territory"] = filters.area
    return {k: v for k, v in params.items() if k in names}


def _mentions_theme(row: dict[str, Any], columns: tuple[str, ...], theme: str) -> bool:
    wanted = theme.casefold()
    for column in columns:
        value = row.get(column)
        values = value if isinstance(value, list) else [value]
        if any(str(v).casefold() == wanted for v in values if v is not None):
            return True
    return False


def rows(store: graph.Store, cache: FindingsCache, item: Finding, filters: Filters, covering: set[str] | None,
         headline: bool = False) -> list[dict[str, Any]]:
    """The diagnostic's rows narrowed to the filters.

    A query that takes a territory is given it; for the others, ``covering`` (the ids of what
    covers the area, from the coverage index) keeps the rows whose linked things work there.
    """
    params = _params(item, filters, headline)
    if "territory" in params and covering is not None and "groups" in _declared(item):
        # The same groups the query's PART_OF walk finds, from the coverage index: 150 ms less per district.
        del params["territory"]
        params["groups"] = tuple(sorted(covering))
    # Everywhere and today is what the overview shows and most visits ask for: kept until a write.
    found = cache.rows(store, item.query, params, keep="territory" not in params and "as_of" not in params)
    if filters.area and "territory" not in params and "groups" not in params and covering is not None:
        id_columns = [link.id_column for link in item.links.values()]
        found = [row for row in found if any(row.get(c) in covering for c in id_columns)]
    if filters.theme and item.theme_columns:
        found = [row for row in found if _mentions_theme(row, item.theme_columns, filters.theme)]
    return found


def columns(item: Finding, found: list[dict[str, Any]]) -> list[str]:
    """The columns a page shows, in the query's order, without the ids its links carry."""
    keys = list(dict.fromkeys(k for row in found[:50] for k in row))
    return [k for k in keys if k not in item.hidden]


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value)
    if isinstance(value, list):
        return (2, len(value))
    return (3, str(value).casefold())


def sort_rows(found: list[dict[str, Any]], column: str, descending: bool) -> list[dict[str, Any]]:
    """Rows sorted by one column (lists by their length), empty values last whichever way."""
    present = [r for r in found if r.get(column) is not None]
    empty = [r for r in found if r.get(column) is None]
    return sorted(present, key=lambda r: _sort_key(r.get(column)), reverse=descending) + empty


@dataclass(frozen=True)
class Paged:
    """One page of rows and where it sits among them."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    first: int  # 1-based number of the first row shown


def page_of(found: list[dict[str, Any]], page: int, size: int = PAGE_SIZE) -> Paged:
    """Page ``page`` (from 1) of the rows; a page past the end shows the last one."""
    pages = max(1, -(-len(found) // size))
    page = min(max(1, page), pages)
    start = (page - 1) * size
    return Paged(found[start:start + size], len(found), page, pages, start + 1 if found else 0)


def themes_of(store: graph.Store, cache: FindingsCache) -> list[str]:
    """Every theme's name, for the theme filter."""
    return sorted({row["name"] for row in cache.rows(store, "theme-names", {}) if row.get("name")}, key=str.casefold)

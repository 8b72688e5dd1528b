"""Who and what covers a territory, answered from memory.

The ``coverage`` query walks PART_OF both ways per request: 24 ms median and 43 ms p99 for
a ward at national size on the embedded engine (measured when the scale issue was filed),
too slow to serve hundreds of lookups a second. :class:`CoverageIndex` reads every COVERS
fact, the territory tree and the tags once (three projections), and answers the same rows
as the query, in the same order, from dictionaries; :class:`CoverageCache` rebuilds it when
the store's generation changes (or, on a server store nobody can watch, after a refresh
interval).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graph.pairs import projection
from graph.store import Store
from ontology import concept_id, load_model
from partnermap.errors import NotFound

T = TypeVar("T")

log = logging.getLogger(__name__)
KINDS = tuple(sorted(load_model().relationship("COVERS").from_labels))  # what can cover a place, from the model
# The order of the coverage query's ``relation`` column, which leads its @order.
RELATIONS = ("contains it", "inside it", "itself")


@dataclass(frozen=True)
class Territory:
    """A territory as the index holds it."""

    code: str
    name: str | None
    level: str | None
    parents: tuple[str, ...]


# One COVERS fact: (kind, id, name, territory, start, finish, source, source_row).
Fact = tuple[str, str, str | None, str, Any, Any, str | None, str | None]


class CoverageIndex:
    """Every COVERS fact by territory, the territory tree both ways, and each thing's tags."""

    def __init__(self, territories: dict[str, Territory], facts: dict[str, list[Fact]],
                 tags: dict[str, frozenset[str]]):
        self.territories = territories
        self._facts = facts
        self._tags = tags
        self._children: dict[str, list[str]] = defaultdict(list)
        for territory in territories.values():
            for parent in territory.parents:
                self._children[parent].append(territory.code)

    @classmethod
    def build(cls, store: Store) -> "CoverageIndex":
        """Read the three projections the index is made of."""
        tree = projection(store, "territory-parents")
        parents: dict[str, list[str]] = defaultdict(list)
        about: dict[str, tuple[Any, Any]] = {}
        for code, name, level, parent in zip(tree["territory"], tree["territory_name"], tree["level"], tree["parent"]):
            about[code] = (name, level)
            if isinstance(parent, str):
                parents[code].append(parent)
        territories = {
            code: Territory(code, _text(name), _text(level), tuple(sorted(parents.get(code, ()))))
            for code, (name, level) in about.items()
        }
        facts: dict[str, list[Fact]] = defaultdict(list)
        covers = projection(store, "coverage-facts")
        for row in zip(covers["kind"], covers["id"], covers["name"], covers["territory"], covers["start"],
                       covers["finish"], covers["source"], covers["source_row"]):
            kind, node, name, territory, start, finish, source, source_row = row
            facts[territory].append((kind, node, _text(name), territory, _date(start), _date(finish),
                                     _text(source), _text(source_row)))
        for rows in facts.values():
            rows.sort(key=lambda f: (f[0], f[2] or "", f[3]))
        tagged: dict[str, set[str]] = defaultdict(set)
        tags = projection(store, "coverage-tags")
        for node, tag, tag_id in zip(tags["id"], tags["tag"], tags["tag_id"]):
            tagged[node].add(f"{tag}:{tag_id}")
        return cls(territories, dict(facts), {k: frozenset(v) for k, v in tagged.items()})

    def __contains__(self, code: str) -> bool:
        return code in self.territories

    def territory(self, code: str) -> Territory:
        """The territory with this GSS code; NotFound otherwise."""
        if code not in self.territories:
            raise NotFound(f"no territory with code {code!r}")
        return self.territories[code]

    def ancestors(self, code: str) -> list[str]:
        """The territories ``code`` lies inside, nearest first (a loop in the data ends the walk)."""
        return _walk(code, lambda t: self.territories[t].parents if t in self.territories else ())

    def descendants(self, code: str) -> list[str]:
        """Every territory inside ``code``, at any depth, nearest first."""
        return _walk(code, lambda t: self._children.get(t, ()))

    def children(self, code: str) -> list[str]:
        """The territories directly inside ``code``."""
        return sorted(self._children.get(code, ()))

    def lookup(self, code: str, kind: str = "", theme: str = "", client_group: str = "",
               as_of: dt.date | None = None) -> list[dict[str, Any]]:
        """The coverage query's rows for ``code``, filtered, in the query's order.

        ``kind`` is a label (any case); ``theme`` and ``client_group`` a name or id (any case);
        ``as_of`` keeps what was in force that day (strategies, partnerships and forums carry dates; the rest are
        undated and always kept). A client group filter keeps services only: nothing else has one.
        """
        self.territory(code)
        wanted_kind = kind.strip().casefold()
        required = [f"{tag}:{concept_id(value)}" for tag, value in (("theme", theme), ("client_group", client_group))
                    if value.strip()]
        found: list[tuple[str, Fact]] = []
        for relation, places in (("contains it", self.ancestors(code)), ("inside it", self.descendants(code)),
                                 ("itself", [code])):
            for place in places:
                for fact in self._facts.get(place, ()):
                    if wanted_kind and fact[0].casefold() != wanted_kind:
                        continue
                    if required and not all(t in self._tags.get(fact[1], ()) for t in required):
                        continue
                    if as_of is not None and not _in_force(fact[4], fact[5], as_of):
                        continue
                    found.append((relation, fact))
        found.sort(key=lambda item: (item[0], item[1][0], item[1][2] or "", item[1][3]))
        names = self.territories
        return [
            {"kind": f[0], "id": f[1], "name": f[2], "via": f[3], "via_name": names[f[3]].name if f[3] in names else None,
             "relation": relation, "source": f[6], "source_row": f[7]}
            for relation, f in found
        ]


class PerGeneration(Generic[T]):
    """Something built from a store (an index), rebuilt when the store has changed since.

    On a store that counts its writes it is rebuilt after each write; on a server store
    nobody can watch, when it is older than ``refresh_seconds``. While one caller rebuilds it,
    the others get the one built before (the store as it was before its latest write) instead of
    waiting seconds for the new one; only the very first build is waited for.
    """

    def __init__(self, build: Callable[[Store], T], refresh_seconds: float = 60.0):
        self.build = build
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Condition()
        self._value: T | None = None
        self._built_for: tuple[int, int | None] | None = None
        self._built_at = 0.0
        self._building = False

    def _stale(self, key: tuple[int, int | None]) -> bool:
        return self._value is None or self._built_for != key or (
            key[1] is None and time.monotonic() - self._built_at > self.refresh_seconds)

    def fresh(self, store: Store) -> T | None:
        """The value if it is up to date for ``store``, else None (without building: that may take seconds)."""
        with self._lock:
            return None if self._stale((id(store), store.generation)) else self._value

    def get(self, store: Store) -> T:
        """The value for ``store`` as it is now, or, while the next is built, as it was before its latest write."""
        with self._lock:
            key = (id(store), store.generation)
            while self._building and self._value is None:
                self._lock.wait()
            if not self._stale(key):
                return self._value
            same_store = self._built_for is not None and self._built_for[0] == key[0]
            if self._building and same_store:  # the next one is being built: the last one answers meanwhile
                return self._value
            while self._building:  # another store's: wait for it, then build this one's
                self._lock.wait()
            self._building = True
            last = self._value if same_store else None
        if last is not None:  # built on a thread of its own: no reader waits for it, not even this one
            threading.Thread(target=self._rebuild, args=(store, key, True), name="partnermap-index", daemon=True).start()
            return last
        return self._rebuild(store, key)

    def refresh(self, store: Store) -> T:
        """The value for ``store`` as it is now, built here if need be (a writer calls this after writing)."""
        with self._lock:
            while self._building:
                self._lock.wait()
            key = (id(store), store.generation)
            if not self._stale(key):
                return self._value
            self._building = True
        return self._rebuild(store, key)

    def _rebuild(self, store: Store, key: tuple[int, int | None], background: bool = False) -> T | None:
        try:
            value = self.build(store)
        except BaseException:
            with self._lock:
                self._building = False
                self._lock.notify_all()
            if not background:
                raise
            log.exception("rebuilding an index failed; the last one still answers")
            return None
        with self._lock:
            self._value, self._built_for, self._built_at = value, key, time.monotonic()
            self._building = False
            self._lock.notify_all()
            return value


class CoverageCache(PerGeneration[CoverageIndex]):
    """The coverage index of one store, kept up to date."""

    def __init__(self, refresh_seconds: float = 60.0):
        super().__init__(CoverageIndex.build, refresh_seconds)


def _walk(start: str, step: Callable[[str], Any]) -> list[str]:
    """Every territory reached from ``start`` by ``step``, breadth first, each once (loops end)."""
    seen, order, frontier = {start}, [], [start]
    while frontier:
        reached = []
        for current in frontier:
            for nxt in step(current):
                if nxt not in seen:
                    seen.add(nxt)
                    order.append(nxt)
                    reached.append(nxt)
        frontier = reached
    return order


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _date(value: Any) -> dt.date | None:
    if value is None or value != value:  # NaN/NaT from a column with gaps
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _in_force(start: dt.date | None, finish: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (finish is None or finish >= day)

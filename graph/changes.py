"""What changed between two days: memberships, chairs, partnerships, forums and strategies that
began or ended, and the findings that appeared or cleared.

A change counts when it happens after the first day and on or before the second, so that it is
what differs between the graph as of one day and as of the other: a membership beginning on the
first day was already in force that day and is not listed; one beginning on the second day is.
A membership whose last day (``until``) is the second day was still in force that day and has not
ended; one whose last day is the first day ended the day after, and is listed. Findings are
computed as of each day by the same queries (``overload`` as ``membership-pairs`` counts,
``duplicate-partnerships``, ``missing-links``, ``strategy-gaps``) and compared. Services carry no
dates, so duplicate services are the same on both days and are not compared.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graph import ANSWER_ROWS, run_query  # the package is initialised before its modules, and never imports this one
from graph.pairs import projection
from graph.queries import Param
from graph.store import Store
from partnermap.errors import QueryError

# The workspace's "overloaded organisations": on this many partnerships and forums or more.
OVERLOADED = 5
# The most pairs duplicate-partnerships lists; a day with as many cannot be compared completely.
DUPLICATE_PAIRS = 1000
FROM = Param("from", "date", None, True, "the earlier day (YYYY-MM-DD)")
TO = Param("to", "date", None, True, "the later day (YYYY-MM-DD)")


@dataclass(frozen=True)
class Section:
    """One kind of change: its name (the rows' ``change``) and its heading in plain words."""

    name: str
    title: str


SECTIONS: tuple[Section, ...] = (
    Section("memberships-begun", "Memberships begun"),
    Section("memberships-ended", "Memberships ended (date: the last day)"),
    Section("chairs-changed", "Chairs changed"),
    Section("partnerships-begun", "Partnerships and forums begun"),
    Section("partnerships-ended", "Partnerships and forums ended (date: the last day)"),
    Section("strategies-begun", "Strategies begun"),
    Section("strategies-ended", "Strategies ended (date: the last day)"),
    Section("overload-up", f"Overload up (organisations on {OVERLOADED} or more groups on either day)"),
    Section("overload-down", f"Overload down (organisations on {OVERLOADED} or more groups on either day)"),
    Section("duplicates-new", "Duplicate partnerships new"),
    Section("duplicates-resolved", "Duplicate partnerships resolved"),
    Section("missing-links-opened", "Missing links opened"),
    Section("missing-links-closed", "Missing links closed"),
    Section("strategy-gaps-opened", "Strategy gaps opened"),
    Section("strategy-gaps-closed", "Strategy gaps closed"),
)


@dataclass(frozen=True)
class Changes:
    """What changed between ``from_date`` and ``to_date`` (in ``territory``, when given), as rows."""

    from_date: dt.date
    to_date: dt.date
    territory: str
    rows: list[dict[str, Any]]

    def counts(self) -> dict[str, int]:
        """How many rows each section has, every section named (0 where nothing changed)."""
        counted = Counter(row["change"] for row in self.rows)
        return {section.name: counted.get(section.name, 0) for section in SECTIONS}

    def grouped(self) -> list[tuple[Section, list[dict[str, Any]]]]:
        """The sections in order, each with its rows."""
        by_section: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self.rows:
            by_section[row["change"]].append(row)
        return [(section, by_section.get(section.name, [])) for section in SECTIONS]


def window(from_date: Any, to_date: Any) -> tuple[dt.date, dt.date]:
    """The two days, checked as every ``as_of`` is (YYYY-MM-DD, 1900 to 2100), the first not after the second."""
    if from_date in (None, "") or to_date in (None, ""):
        raise QueryError("give both days: from and to (YYYY-MM-DD)")
    first, last = FROM.coerce(from_date), TO.coerce(to_date)
    if first > last:
        raise QueryError(f"from ({first}) is after to ({last}): give the earlier day first")
    return first, last


def changes(store: Store, from_date: Any, to_date: Any, territory: str = "") -> Changes:
    """Everything that began, ended, appeared or cleared after ``from_date`` up to ``to_date``."""
    first, last = window(from_date, to_date)
    territory = (territory or "").strip()
    dates = {"from_date": first, "to_date": last, "territory": territory}
    memberships = _run(store, "changed-memberships", dates)
    bodies = _run(store, "begun-or-ended", dates)
    working = None
    if territory:
        working = {row["id"] for row in _run(store, "working-in", {"territory": territory})}
    rows = [*_memberships(memberships, first, last), *_chairs(memberships, first, last), *_bodies(bodies, first, last)]
    # A finding on a partnership or strategy that began or ended in the window says so: that is why it moved.
    why = {row["id"]: f"{row['name'] or row['id']} {'began' if row['change'].endswith('begun') else 'ended'}"
           for row in rows if row["change"].startswith(("partnerships-", "strategies-"))}
    rows += _overload(store, first, last, working)
    rows += _duplicates(store, first, last, working, why)
    rows += _missing_links(store, first, last, working, why)
    rows += _strategy_gaps(store, first, last, working, why)
    order = {section.name: number for number, section in enumerate(SECTIONS)}
    rows.sort(key=lambda r: (order[r["change"]], r["date"] or dt.date.min, r["id"] or "", r["related"] or ""))
    return Changes(first, last, territory, rows)


def _run(store: Store, name: str, params: dict[str, Any], max_rows: int | None = ANSWER_ROWS) -> list[dict[str, Any]]:
    return run_query(store, name, params, max_rows=max_rows)


def _row(change: str, date: dt.date | None, node: str | None, name: str | None, related: str | None = None,
         related_name: str | None = None, detail: str = "", source_row: str | None = None) -> dict[str, Any]:
    return {"change": change, "date": date, "id": node, "name": name, "related": related,
            "related_name": related_name, "detail": detail, "source_row": source_row}


def began(day: dt.date | None, first: dt.date, last: dt.date) -> bool:
    """Whether something whose first day is ``day`` began in the window (after ``first``, up to ``last``)."""
    return day is not None and first < day <= last


def ended(day: dt.date | None, first: dt.date, last: dt.date) -> bool:
    """Whether something whose last day is ``day`` ended in the window (in force on ``first`` or later, not on ``last``)."""
    return day is not None and first <= day < last


def _post(row: dict[str, Any]) -> str:
    return ", ".join(part for part in (row["role"], row["representative"]) if part)


def _memberships(found: list[dict[str, Any]], first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    rows = []
    for m in found:
        for change, day, happened in (("memberships-begun", m["since"], began), ("memberships-ended", m["until"], ended)):
            if happened(day, first, last):
                rows.append(_row(change, day, m["organisation"], m["organisation_name"], m["partnership"],
                                 m["partnership_name"], _post(m), m["source_row"]))
    return rows


def _chairs(found: list[dict[str, Any]], first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """A partnership whose chair membership ended in the window while another began: one row, the new chair."""
    outgoing: dict[str, list[dict[str, Any]]] = defaultdict(list)
    incoming: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in found:
        if m["role"] != "chair":
            continue
        if ended(m["until"], first, last):
            outgoing[m["partnership"]].append(m)
        if began(m["since"], first, last):
            incoming[m["partnership"]].append(m)
    rows = []
    for partnership in sorted(set(outgoing) & set(incoming)):
        before = sorted(outgoing[partnership], key=lambda m: (m["until"], m["organisation"]))
        for new in sorted(incoming[partnership], key=lambda m: (m["since"], m["organisation"])):
            was = ", ".join(f"{m['organisation_name']} (chair until {m['until']})" for m in before)
            rows.append(_row("chairs-changed", new["since"], partnership, new["partnership_name"], new["organisation"],
                             new["organisation_name"], f"{was} → {new['organisation_name']} (chair from {new['since']})",
                             new["source_row"]))
    return rows


def _bodies(found: list[dict[str, Any]], first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    rows = []
    for x in found:
        kind = "strategies" if x["kind"] == "Strategy" else "partnerships"
        detail = "" if kind == "strategies" else x["kind"].lower()
        if began(x["start"], first, last):
            rows.append(_row(f"{kind}-begun", x["start"], x["id"], x["name"], detail=detail, source_row=x["source_row"]))
        if ended(x["finish"], first, last):
            rows.append(_row(f"{kind}-ended", x["finish"], x["id"], x["name"], detail=detail, source_row=x["source_row"]))
    return rows


def _groups_counted(store: Store, day: dt.date, working: set[str] | None) -> Counter:
    """Partnerships and forums each organisation sits on as of ``day``: what ``overload`` counts."""
    pairs = projection(store, "membership-pairs", {"as_of": day})
    if pairs.empty:
        return Counter()
    if working is not None:
        pairs = pairs[pairs["partnership"].isin(working)]
    return Counter(pairs["organisation"])


def _overload(store: Store, first: dt.date, last: dt.date, working: set[str] | None) -> list[dict[str, Any]]:
    before, after = _groups_counted(store, first, working), _groups_counted(store, last, working)
    moved = sorted(o for o in set(before) | set(after)
                   if before[o] != after[o] and max(before[o], after[o]) >= OVERLOADED)
    named = projection(store, "names", {"ids": moved}) if moved else None
    names = dict(zip(named["id"], named["name"])) if named is not None and not named.empty else {}
    rows = []
    for organisation in moved:
        was, now = before[organisation], after[organisation]
        crossed = (" (now overloaded)" if was < OVERLOADED <= now else
                   " (no longer overloaded)" if now < OVERLOADED <= was else "")
        rows.append(_row("overload-up" if now > was else "overload-down", None, organisation,
                         names.get(organisation), detail=f"{was} → {now} partnerships and forums{crossed}"))
    return rows


def _because(why: dict[str, str], *ids: str) -> str:
    reasons = [why[node] for node in ids if node in why]
    return f" ({'; '.join(reasons)})" if reasons else ""


def _compared(store: Store, name: str, first: dt.date, last: dt.date, key: Callable[[dict[str, Any]], Any],
              kept: Callable[[dict[str, Any]], bool], appeared: str, cleared: str,
              limit: int | None = None) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """A finding as of both days, compared by ``key``: (``appeared``, key, row) for each found only on the
    later day, then (``cleared``, key, row) for each found only on the first, in key order."""
    days = []
    for day in (first, last):
        params: dict[str, Any] = {"as_of": day}
        if limit is None:
            found = _run(store, name, params)
        else:  # a top-N finding: a day answering the whole limit may have more, and cannot be compared
            found = _run(store, name, {**params, "limit": limit}, None)
            if len(found) >= limit:
                raise QueryError(f"{limit:,} or more rows of {name} as of {day}: too many to compare; give a territory")
        days.append({key(row): row for row in found if kept(row)})
    for change, shown, other in ((appeared, days[1], days[0]), (cleared, days[0], days[1])):
        for found_key in sorted(set(shown) - set(other)):
            yield change, found_key, shown[found_key]


def _duplicates(store: Store, first: dt.date, last: dt.date, working: set[str] | None,
                why: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for change, key, r in _compared(store, "duplicate-partnerships", first, last, lambda r: (r["a"], r["b"]),
                                    lambda r: working is None or r["a"] in working or r["b"] in working,
                                    "duplicates-new", "duplicates-resolved", DUPLICATE_PAIRS):
        shared = len(r["shared_members"])
        detail = (f"{shared} shared member{'' if shared == 1 else 's'} (overlap {r['jaccard']:g}), "
                  f"on {', '.join(r['shared_themes'])}{_because(why, *key)}")
        rows.append(_row(change, None, r["a"], r["a_name"], r["b"], r["b_name"], detail, r["a_source_row"]))
    return rows


def _missing_links(store: Store, first: dt.date, last: dt.date, working: set[str] | None,
                   why: dict[str, str]) -> list[dict[str, Any]]:
    return [_row(change, None, r["partnership"], r["partnership_name"],
                 detail=f"{r['theme']}: no {r['missing_sector']} member{_because(why, r['partnership'])}",
                 source_row=r["source_row"])
            for change, _, r in _compared(store, "missing-links", first, last,
                                          lambda r: (r["partnership"], r["theme"], r["missing_sector"]),
                                          lambda r: working is None or r["partnership"] in working,
                                          "missing-links-opened", "missing-links-closed")]


def _strategy_gaps(store: Store, first: dt.date, last: dt.date, working: set[str] | None,
                   why: dict[str, str]) -> list[dict[str, Any]]:
    return [_row(change, None, r["strategy"], r["strategy_name"], detail=f"{r['reason']}{_because(why, r['strategy'])}",
                 source_row=r["source_row"])
            for change, _, r in _compared(store, "strategy-gaps", first, last, lambda r: r["strategy"],
                                          lambda r: working is None or r["strategy"] in working,
                                          "strategy-gaps-opened", "strategy-gaps-closed")]


__all__ = ["Changes", "SECTIONS", "Section", "began", "changes", "ended", "window"]

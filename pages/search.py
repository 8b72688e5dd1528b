"""Search by name, alias, code or identifier: an index read once per change of the graph, answered from memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import graph
from pages.context import Workspace, common
from pages.findings import page_of, profile_href
from pages.render import render

KIND_WORDS = {"Organisation": "Organisation", "Partnership": "Partnership", "Forum": "Forum", "Service": "Service",
              "Strategy": "Strategy", "Territory": "Place"}


@dataclass(frozen=True)
class Entry:
    """One thing that can be found: its kind, id, name, what else it answers to, and a detail line."""

    kind: str
    id: str
    name: str
    terms: tuple[str, ...]  # casefolded name, aliases, id and identifiers
    detail: str

    @property
    def href(self) -> str:
        return profile_href(self.kind, self.id)

    @property
    def kind_words(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)


class SearchIndex:
    """Every searchable node's names; ``find`` ranks exact matches, then prefixes, then the rest."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> "SearchIndex":
        entries = []
        for row in rows:
            names = [row.get("name"), row.get("id"), *(row.get("aliases") or []), *(row.get("identifiers") or [])]
            terms = tuple(dict.fromkeys(str(n).casefold() for n in names if n))
            detail = (row.get("sector") or row.get("level") or "").replace("_", " ")
            entries.append(Entry(row["kind"], str(row["id"]), str(row.get("name") or row["id"]), terms, detail))
        return cls(entries)

    def find(self, text: str) -> list[Entry]:
        """Entries one of whose terms contains ``text`` (any case), best first."""
        wanted = text.strip().casefold()
        if not wanted:
            return []
        ranked = []
        for entry in self.entries:
            best = 3
            for term in entry.terms:
                if wanted in term:
                    best = min(best, 0 if term == wanted else 1 if term.startswith(wanted) else 2)
            if best < 3:
                ranked.append((best, entry.name.casefold(), entry))
        ranked.sort(key=lambda item: item[:2])
        return [entry for *_, entry in ranked]


def index(space: Workspace) -> SearchIndex:
    """The search index for the store as it is now (built at server start, rebuilt after a write)."""
    return space.cache.value(space.store, ("search-index",),
                             lambda: SearchIndex.from_rows(graph.run_query(space.store, "search-names")), keep=True)


def page(space: Workspace, text: str, number: int = 1) -> str:
    """The search page: a box, and the things whose name, alias, code or identifier holds the text."""
    found = index(space).find(text) if text.strip() else []
    paged = page_of(found, number)

    def page_href(n: int) -> str:
        return "/search?" + urlencode({"q": text, "page": n})

    return render("search.html", **common("/search", q=text, paged=paged, page_href=page_href))

"""Places a document names, and the places a body belongs to: to tell whose body a mention means.

A gazetteer of place names, each reduced to its key (``Leicester City Council`` → ``leicester``,
``London Borough of Southwark`` → ``southwark``, ``Leicestershire police force area`` →
``leicestershire``): the territories the graph holds down to districts, with the territory tree,
every council of ``giving_data/la_orgid_to_gss.csv``, the nations, English regions, metropolitan
counties and police force areas (``OTHER_PLACES``), so that places the graph does not hold (``West
Yorkshire``, ``Trafford``, ``Neath Port Talbot``) are still known to be places. In text,
a place is only found written as a proper name (its first word capitalised).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path

COUNCILS = Path(__file__).with_name("giving_data") / "la_orgid_to_gss.csv"
NATIONS = ("England", "Wales", "Scotland", "Northern Ireland", "Great Britain", "United Kingdom")
# Places that are no council's name: English regions, metropolitan counties, police force areas.
OTHER_PLACES = (
    "North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands", "East of England",
    "London", "Greater London", "South East", "South West",
    "Greater Manchester", "Merseyside", "South Yorkshire", "Tyne and Wear", "West Yorkshire",
    "Avon and Somerset", "Devon and Cornwall", "Thames Valley", "West Mercia", "Dyfed-Powys", "Gwent", "North Wales",
    "South Wales", "Sussex", "Humberside", "Cleveland", "Northumbria", "Cumbria",
)
# Levels whose names are places a document talks about (wards and smaller areas share names with streets).
PLACE_LEVELS = frozenset({"country", "region", "county", "unitary", "district", "metropolitan_district",
                          "london_borough", "police_force_area"})
_TYPE_WORDS = {"council", "city", "county", "borough", "district", "metropolitan", "royal", "of", "the", "police",
               "force", "area", "combined", "authority", "unitary", "mayoral"}
_TOKEN = re.compile(r"\w+|&")
TREE_DEPTH = 8
_WIDE = {"country", "region"}


def place_key(name: str) -> tuple[str, ...]:
    """A place name with what kind of body or area it is taken out, as folded words (``("west", "yorkshire")``)."""
    name = re.sub(r"^\s*London Borough of\s+", "", name, flags=re.I)
    words = [w.casefold() for w in _TOKEN.findall(name)]
    kept = [w for w in words if w not in _TYPE_WORDS]
    while kept and kept[-1] in ("and", "&"):
        kept.pop()
    return tuple(kept)


@cache
def _national() -> tuple[tuple[str, ...], ...]:
    with COUNCILS.open(encoding="utf-8-sig", newline="") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    return tuple(key for key in map(place_key, [*names, *NATIONS, *OTHER_PLACES]) if key)


class Gazetteer:
    """Place names by key, the territory tree between the graph's places, and finding places in text."""

    def __init__(self, territories: Iterable[Mapping] = ()):
        self.keys: set[tuple[str, ...]] = set(_national())
        self.parent: dict[str, str] = {}  # territory id → parent id
        self.children: dict[str, list[str]] = {}
        self.key_of: dict[str, tuple[str, ...]] = {}  # territory id → its place key (places only)
        self.level: dict[str, str] = {}
        for row in territories:
            code, parent = row.get("territory"), row.get("parent")
            self.level[code] = row.get("level")
            if parent:
                self.parent[code] = parent
                self.children.setdefault(parent, []).append(code)
            if row.get("level") in PLACE_LEVELS and (key := place_key(row.get("territory_name") or "")):
                self.key_of[code] = key
                self.keys.add(key)
        self._first: dict[str, list[int]] = {}
        for key in self.keys:
            self._first.setdefault(key[0], []).append(len(key))
        for lengths in self._first.values():
            lengths.sort(reverse=True)

    def around(self, territories: Iterable[str]) -> set[tuple[str, ...]]:
        """The places of the given territories, of the counties they lie in, and of the districts in them.

        Not the regions and countries above them: every body of England would belong to England.
        """
        found: set[tuple[str, ...]] = set()
        for code in territories:
            up, seen = code, 0
            while up and seen < TREE_DEPTH:
                if up in self.key_of and (up == code or self.level.get(up) not in _WIDE):
                    found.add(self.key_of[up])
                up, seen = self.parent.get(up), seen + 1
            if self.level.get(code) in _WIDE:
                continue
            stack = [(code, 0)]
            while stack:
                here, depth = stack.pop()
                for child in self.children.get(here, ()):
                    if child in self.key_of:
                        found.add(self.key_of[child])
                        if depth < 2:
                            stack.append((child, depth + 1))
        return found

    def find(self, words: list[str], folded: list[str]) -> Iterator[tuple[int, int, tuple[str, ...]]]:
        """(start, end, key) of each place written as a proper name in a run of words, longest first."""
        i = 0
        while i < len(words):
            best = None
            if words[i][:1].isupper():
                for length in self._first.get(folded[i], ()):
                    key = tuple(folded[i:i + length])
                    if key in self.keys:
                        best = (i, i + length, key)
                        break
            if best:
                yield best
                i = best[1]
            else:
                i += 1

    def in_names(self, texts: Iterable[str]) -> set[tuple[str, ...]]:
        """The places written in a body's name and aliases (``Leicester Probation Service`` → leicester)."""
        found = set()
        for text in texts:
            words = _TOKEN.findall(text)
            found |= {key for _, _, key in self.find(words, [w.casefold() for w in words])}
        return found

    def only_place(self, text: str) -> bool:
        """Whether a name is a place's and nothing else (``Leicester City``, ``Rutland``, ``City of Leicester``)."""
        key = place_key(text)
        return bool(key) and key in self.keys and not any(w in ("council", "police", "authority") for w in
                                                              (t.casefold() for t in _TOKEN.findall(text)))

    def dominant(self, counts: Counter, counties: bool = True) -> set[tuple[str, ...]]:
        """The places a document is about: those it names at least a quarter as often as the one it names most.

        A county is named after its county town: a document about Leicester is about Leicestershire's
        bodies too (its police, its probation area), and the other way round (unless ``counties`` is False).
        """
        if not counts:
            return set()
        top = max(counts.values())
        about = {key for key, n in counts.items() if n * 4 >= top}
        for key in list(about) if counties else ():
            if len(key) == 1:
                about.add((key[0].removesuffix("shire"),) if key[0].endswith("shire") else (key[0] + "shire",))
        return about

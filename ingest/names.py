"""Find the names of what the graph holds, and the glossary's terms, in sentences of text.

:class:`NameIndex` is built once from the ``document-names`` rows and the glossary
(``ontology/glossary.toml``, whose header states how a term is tied to a node) and then
matches sentence after sentence: longest match first, acronyms case-sensitively.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from ingest.places import NATIONS as _NATION_NAMES, Gazetteer, place_key
from ontology import Term, concept_id, load_glossary

_TOKEN = re.compile(r"\w+|&")
_ACRONYM_WORD = re.compile(r"[A-Z0-9&.\-]+")
# Words that say what kind of body something is, not which: a name made of these alone (and no place)
# could be any place's ("County Council", "the police", "Clinical Commissioning Group").
COMMON_WORDS = frozenset({
    "the", "of", "and", "&", "for", "in", "on", "council", "county", "city", "borough", "district", "police",
    "constabulary", "probation", "service", "services", "nhs", "trust", "foundation", "ccg", "icb", "clinical",
    "commissioning", "group", "groups", "board", "partnership", "forum", "body", "authority", "local", "administering",
    "fire", "rescue", "primary", "care", "integrated", "health", "team", "office", "commission", "commissioner",
    "department", "unit", "network", "committee", "executive", "programme", "project", "agency", "centre",
    "crime", "crimes", "youth", "offending", "area", "region", "regional", "community", "safety", "strategic",
    "hospital", "hospitals", "university", "college", "school", "schools", "housing", "association", "steering",
})


NATIONS = frozenset(place_key(name) for name in _NATION_NAMES)


def generic(text: str, places: set[tuple[str, ...]]) -> bool:
    """Whether a name could be any place's body: it names none of the body's places, and is a short
    acronym (``ICB``, ``LCC``; a national body's only if of two letters, ``AC``: there is one ``CLG``) or
    made of words saying what kind of body it is alone (``County Council``, ``Police``)."""
    words = _TOKEN.findall(text)
    folded = [w.casefold() for w in words]
    if any(tuple(folded[i:i + len(key)]) == key for key in places for i in range(len(folded))):
        return False
    letters = sum(c.isalpha() for c in text)
    if _is_acronym(text) and len(words) == 1 and letters <= (2 if places and places <= NATIONS else 3):
        return True
    return bool(folded) and all(w in COMMON_WORDS for w in folded)


def _is_acronym(text: str) -> bool:
    """All capitals, short words ("PCT", "LCR PCT", "M.E.L."): matched case-sensitively."""
    if text.upper() != text:  # the common case, decided in C
        return False
    words = text.split()
    return (0 < len(words) <= 3 and sum(c.isupper() for c in text) >= 2
            and all(_ACRONYM_WORD.fullmatch(w) and sum(c.isalpha() for c in w) <= 6 for w in words))


def _key(text: str) -> tuple[tuple[str, ...], bool]:
    """The token key a name is matched by, and whether it is case-sensitive."""
    exact = _is_acronym(text)
    tokens = _TOKEN.findall(text)
    return (tuple(tokens) if exact else tuple(t.casefold() for t in tokens)), exact


@dataclass(frozen=True)
class Meaning:
    """What a matched text names: one node (label, id), or nothing and why (``note``)."""

    term: str
    target: tuple[str, str] | None
    sector: str | None = None
    note: str = ""
    generic: bool = False  # a name any place's body could have: linked only where the document is about its places
    candidates: tuple[tuple[str, str], ...] = ()  # the nodes a glossary term fits, when it fits several


def _plural(meaning: Meaning) -> Meaning:
    """An acronym's plural ("LSPs", "other ALAs", "CCGs"): several bodies, so none of them alone; still a theme's."""
    if meaning.target is not None and meaning.target[0] == "Theme":
        return meaning
    return Meaning(meaning.term + "s", None, meaning.sector, "several (the plural), not one body")


@dataclass(frozen=True)
class _Node:
    label: str
    id: str
    names: frozenset[str]  # folded token strings of its name and aliases
    joined: str  # " | "-joined token strings, space-padded, original case: for whole-word containment
    folded: str  # the same, case-folded
    sector: str | None
    kind: str | None
    places: frozenset[tuple[str, ...]] = frozenset()


class NameIndex:
    """The names, aliases and glossary terms a document is matched against, longest first.

    Keys are token tuples looked up per first token, so thousands of names cost one dict
    lookup per word of text and a few per candidate length.
    """

    def __init__(self, rows: Iterable[Mapping] = (), glossary: Mapping[str, Term] | None = None,
                 territories: Iterable[Mapping] = ()):
        """``rows``: the ``document-names`` query's; ``territories``: the ``territory-parents`` query's (places)."""
        glossary = load_glossary() if glossary is None else glossary
        self.gazetteer = Gazetteer(territories)
        self._nodes: list[_Node] = []
        self.places: dict[tuple[str, str], frozenset[tuple[str, ...]]] = {}  # node → the places it belongs to
        self._themes: set[str] = set()
        self._place_names: set[tuple[tuple[str, ...], bool]] = set()  # a body's names that are a place's alone
        keys: dict[tuple[tuple[str, ...], bool], dict[tuple[str, str], str]] = defaultdict(dict)
        for row in rows:
            label, node_id, name = row["label"], row["id"], row.get("name") or ""
            if label == "Theme":
                self._themes.add(node_id)
                continue
            texts = [t for t in [name, *(row.get("aliases") or [])] if t and t.strip()]
            token_strings = [" ".join(_TOKEN.findall(t)) for t in texts]
            joined = f" {' | '.join(token_strings)} "
            places = frozenset(self.gazetteer.around(row.get("territories") or ()) | self.gazetteer.in_names(texts))
            self.places[(label, node_id)] = places
            self._nodes.append(_Node(label, node_id, frozenset(s.casefold() for s in token_strings),
                                     joined, joined.casefold(), row.get("sector"), row.get("kind"), places))
            for text in texts:
                keys[_key(text)][(label, node_id)] = text
                if self.gazetteer.only_place(text):
                    self._place_names.add(_key(text))
        self._entries: dict[tuple[tuple[str, ...], bool], Meaning] = {}
        for key, nodes in keys.items():
            if key[0] and key in self._place_names:  # "Leicester City", "Rutland": in running text, the place
                text = next(iter(nodes.values()))
                self._entries[key] = Meaning(text, None, note="the name of a place")
            elif key[0] and len(nodes) == 1:
                target, text = next(iter(nodes.items()))
                self._entries[key] = Meaning(text, target, generic=generic(text, self.places[target]))
            elif key[0]:
                listed = ", ".join(sorted(node_id for _, node_id in nodes))
                self._entries[key] = Meaning(next(iter(nodes.values())), None, note=f"the name of {len(nodes)} nodes: {listed}",
                                             generic=True, candidates=tuple(sorted(nodes)))
        for term in glossary.values():
            meaning = None
            for text in (term.term, term.expansion):
                key = _key(text)
                known = self._entries.get(key)
                if key[0] and (known is None or known.target is None):  # the register's own names win
                    meaning = meaning or self._resolve(term)
                    # The acronym could be any place's body; its expansion is as telling as any name.
                    self._entries[key] = meaning if meaning.target is None or meaning.target[0] == "Theme" else replace(
                        meaning, generic=generic(text, self.places.get(meaning.target, frozenset())) or text == term.term)
        plurals = {((*k[:-1], k[-1] + "s"), True): _plural(m) for (k, exact), m in self._entries.items() if exact and k}
        for key, meaning in plurals.items():
            self._entries.setdefault(key, meaning)
        # Per first token, the key lengths to try, longest first: case-sensitive keys, then folded.
        self._exact = {tokens: m for (tokens, exact), m in self._entries.items() if exact}
        self._folded = {tokens: m for (tokens, exact), m in self._entries.items() if not exact}
        self._exact_lengths = self._lengths(self._exact)
        self._folded_lengths = self._lengths(self._folded)

    @staticmethod
    def _lengths(entries: dict[tuple[str, ...], Meaning]) -> dict[str, list[int]]:
        lengths: dict[str, set[int]] = defaultdict(set)
        for tokens in entries:
            lengths[tokens[0]].add(len(tokens))
        return {first: sorted(found, reverse=True) for first, found in lengths.items()}

    def __len__(self) -> int:
        return len(self._entries)

    def _resolve(self, term: Term) -> Meaning:
        """A glossary term's node (see glossary.toml): the one node it fits, else its theme."""
        pool = [n for n in self._nodes
                if (term.label is None or n.label == term.label) and (term.sector is None or n.sector == term.sector)
                and (term.kind is None or n.kind == term.kind)]
        expansion = " ".join(_TOKEN.findall(term.expansion)).casefold()
        fits = [n for n in pool if expansion in n.names]
        if not fits and term.kind is not None and generic(term.expansion, set()):
            # A term naming a kind ("LSP", "Local Strategic Partnership": kind lsp) fits every node of
            # that kind, whatever its name ("Leicester Partnership" is Leicester's LSP).
            fits = pool
        elif not fits:
            padded, word = f" {expansion} ", f" {' '.join(_TOKEN.findall(term.term))} "
            if _is_acronym(term.term):
                fits = [n for n in pool if padded in n.folded or word in n.joined]
            else:
                word = word.casefold()
                fits = [n for n in pool if padded in n.folded or word in n.folded]
        if len(fits) == 1:
            return Meaning(term.term, (fits[0].label, fits[0].id))
        theme = concept_id(term.theme) if term.theme else ""
        if theme in self._themes:
            return Meaning(term.term, ("Theme", theme), term.sector)
        note = f"{len(fits)} candidates" if fits else "no node in the graph fits"
        return Meaning(term.term, None, term.sector, f"{term.expansion}: {note}", generic=True,
                       candidates=tuple((n.label, n.id) for n in fits))

    def find(self, sentence: str) -> Iterator[tuple[int, int, Meaning]]:
        """Each name or term in ``sentence``: (start, end, meaning), longest match first, left to right."""
        matches = list(_TOKEN.finditer(sentence))
        tokens = [m.group() for m in matches]
        folded = [t.casefold() for t in tokens]
        i, count = 0, len(tokens)
        while i < count:
            best = None
            for words, entries, lengths in ((tokens, self._exact, self._exact_lengths.get(tokens[i])),
                                            (folded, self._folded, self._folded_lengths.get(folded[i]))):
                for length in lengths or ():
                    if best and length <= best[0]:
                        break
                    meaning = entries.get(tuple(words[i:i + length])) if i + length <= count else None
                    if meaning is not None:
                        best = (length, meaning)
                        break
            if best:
                yield matches[i].start(), matches[i + best[0] - 1].end(), best[1]
                i += best[0]
            else:
                i += 1

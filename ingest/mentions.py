"""Which names matched in a document mean the graph's body, and which mean another place's.

A body's name is matched in any document, but "West Yorkshire ICB" is not the Leicester,
Leicestershire and Rutland ICB, and "the County Council" in Gloucestershire's minutes is not
Leicestershire's. So, once a whole document has been matched:

- a name written after a place (``West Yorkshire ICB``, ``Greater Manchester Police``) means that
  place's body: it is kept only if the place is one of the body's own;
- a name any place's body could have (``ICB``, ``County Council``, ``Police``, ``AC``: see
  :func:`ingest.names.generic`) is kept only where the document is about one of the body's places
  (names it most: :meth:`ingest.places.Gazetteer.dominant`) or names the body in full within
  ``NEARBY`` sentences;
- every other name is kept, but not a name inside a web or e-mail address (``data.police.uk``);
- a name several bodies have, or a glossary term several fit (``County Council`` of two councils,
  ``LSP`` among nine LSPs), means the one among them of the place written before it, or else of
  the place the document names most, if exactly one is.

What is not kept is listed, with why, in the document's ``unresolved``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ingest.names import Meaning, NameIndex

NEARBY = 15  # sentences either side in which a body named in full makes its generic name mean it
_TOKEN = re.compile(r"\w+|&")
_ADDRESS = re.compile(r"://|\bwww\.|\w@\w|\w\.(?:uk|com|org|net|gov|nhs|wales|scot|eu|info|io)\b", re.I)
_BETWEEN = {"nhs", "the"}  # "NHS Gloucestershire Clinical Commissioning Group": the place still qualifies it


def _in_address(sentence: str, start: int, end: int) -> bool:
    """Whether the matched text is part of a web or e-mail address (``data.police.uk``): no mention."""
    left = sentence.rfind(" ", 0, start) + 1
    right = sentence.find(" ", end)
    return bool(_ADDRESS.search(sentence[left:right if right >= 0 else len(sentence)]))


@dataclass
class Found:
    """One name matched in one sentence, where, and the place written just before it (if any)."""

    ordinal: int  # the sentence's number in the whole document
    position: str
    sentence: str
    start: int
    end: int
    meaning: Meaning
    qualifier: tuple[str, ...] | None = None


class DocumentMentions:
    """The names matched in one document, sentence after sentence, then judged as the module docstring says."""

    def __init__(self, index: NameIndex):
        self.index = index
        self.found: list[Found] = []
        self.places: Counter = Counter()
        self.ordinal = 0

    def read(self, sentence: str, position: str) -> None:
        """Match one sentence: its names, and the places it names."""
        self.ordinal += 1
        tokens = list(_TOKEN.finditer(sentence))
        words = [t.group() for t in tokens]
        folded = [w.casefold() for w in words]
        places = list(self.index.gazetteer.find(words, folded))
        self.places.update(key for _, _, key in places)
        ends = {end: key for _, end, key in places}
        first_token = {t.start(): i for i, t in enumerate(tokens)}
        for start, end, meaning in self.index.find(sentence):
            if _in_address(sentence, start, end):
                continue
            i = first_token.get(start, 0)
            while i > 0 and i not in ends and folded[i - 1] in _BETWEEN:
                i -= 1
            self.found.append(Found(self.ordinal, position, sentence, start, end, meaning, ends.get(i)))

    def judged(self) -> tuple[list[Found], Counter]:
        """(the names that mean the graph's node, then the others: (term, why) → how often)."""
        about = self.index.gazetteer.dominant(self.places)
        named = self.index.gazetteer.dominant(self.places, counties=False)
        in_full: dict[tuple[str, str], list[int]] = {}
        for found in self.found:
            target = found.meaning.target
            if target is not None and self._own(found) and not found.meaning.generic:
                in_full.setdefault(target, []).append(found.ordinal)
        kept: list[Found] = []
        left: Counter = Counter()
        for found in self.found:
            meaning = found.meaning
            if meaning.target is None and meaning.candidates:
                # Written after a place, the place's; else the one of the place the document is about.
                wanted = {found.qualifier} if found.qualifier is not None else named
                own = [c for c in meaning.candidates if self.index.places.get(c, frozenset()) & wanted]
                if len(own) == 1:
                    found.meaning = replace(meaning, target=own[0])
                    kept.append(found)
                    continue
            if meaning.target is None:
                left[(meaning.term, meaning.note)] += 1
                continue
            if meaning.target[0] == "Theme":
                kept.append(found)
                continue
            places = self.index.places.get(meaning.target, frozenset())
            if found.qualifier is not None:
                if found.qualifier in places:
                    kept.append(found)
                else:
                    left[(found.sentence[found.start:found.end], f"{' '.join(found.qualifier).title()}'s, "
                                                                  f"not {meaning.target[1]}")] += 1
                continue
            if not meaning.generic or about & places or any(
                    abs(ordinal - found.ordinal) <= NEARBY for ordinal in in_full.get(meaning.target, ())):
                kept.append(found)
            else:
                left[(meaning.term, f"could be any place's; the document is not about {meaning.target[1]}'s places "
                                    "and does not name it in full nearby")] += 1
        return kept, left

    def _own(self, found: Found) -> bool:
        return found.qualifier is None or found.qualifier in self.index.places.get(found.meaning.target, frozenset())

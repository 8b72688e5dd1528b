"""Find pairs of organisation records that may be one body: by identifier, exact name, initials and fuzzy name.

The comparison behind ``partnermap resolve`` and ingest-time resolution. Names are
normalised (case, ``&``, punctuation, "the", legal suffixes, a trailing "council"),
identifiers canonicalised (org-id prefixes mapped to their schemes), and fuzzy scores
(rapidfuzz, 0-100) computed only within blocks of records that share a rare
5-letter token prefix, so 100,000 against 100,000 compares millions of pairs, not 10^10.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

REVIEW_SCORE = 80.0
"""Fuzzy scores from here up are proposed for review ("Leicestershire County Council" and
"Leicester City Council" score 82); nothing fuzzy is ever merged without a person."""

_DROPPED_WORDS = {"the", "ltd", "limited", "plc", "llp", "cic", "cio", "inc", "incorporated"}
_MINOR_WORDS = {"and", "of", "for", "the", "in", "on"}  # left out of initials
# Similarity is the better of plain edit similarity and the same with words sorted ("City of
# Leicester Council" ≈ "Leicester City Council"). WRatio and token_set_ratio were tried and
# dropped: they score a short name inside a long one 86-100 ("Leicester City Council" ≈
# "Leicester City Youth Offending Team"), flooding review with pairs sharing only "council".
_SCORERS = (fuzz.ratio, fuzz.token_sort_ratio)
_PREFIX = 5
_ELIDED, _NON_WORD, _DIGITS = re.compile(r"['’.]"), re.compile(r"[^a-z0-9]+"), re.compile(r"\d+")
# A word in more than 0.1% of names (and more than 50) is common; names that are similar only
# in their common words are not proposed: what is left must still score 75.
_COMMON_MIN, _COMMON_SHARE, _DISTINCTIVE_SCORE = 50, 0.001, 75.0
# A rare word this close to a common word of the other name is that word mistyped.
_MISTYPED_SCORE = 80.0
# Words that tell places (and so bodies) apart: 'North' and 'South Anstey Food Bank' are two.
_QUALIFIERS = frozenset({"north", "south", "east", "west", "upper", "lower", "old", "new", "great", "greater",
                         "little", "nether", "central", "mid"})
_BLOCKS_PER_NAME = 2
_SMALL_BLOCK = 500
_MOST_PROPOSED = 3
# org-id list prefixes that restate a national scheme (360Giving identifier guidance).
_ORGID_SCHEMES = {"GB-CHC": "charity", "GB-COH": "company", "GB-NHS": "ods", "GB-LAE": "la"}


def normalise(name: object) -> str:
    """A name as compared: casefolded, accents and punctuation gone, '&' as 'and', no 'the' or 'Ltd'."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    text = str(name)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    text = _NON_WORD.sub(" ", _ELIDED.sub("", text))  # M.E.L. → mel, Women's → womens
    return " ".join(word for word in text.split() if word not in _DROPPED_WORDS)


def name_keys(name: object, key: str | None = None) -> set[str]:
    """Exact-match keys of a name: its normal form, and without a trailing 'council' ("Leicester City")."""
    key = normalise(name) if key is None else key
    keys = {key} if key else set()
    if key.endswith(" council") and key != "council":
        keys.add(key[: -len(" council")])
    return keys


def identifier_keys(identifiers: Iterable[str]) -> set[str]:
    """Identifiers as canonical ``scheme:VALUE`` keys; an org-id also under the scheme it restates."""
    keys = set()
    for raw in identifiers:
        scheme, sep, value = str(raw).partition(":")
        scheme, value = scheme.strip().casefold(), re.sub(r"\s+", "", value).upper()
        if not sep or not scheme or not value:
            continue
        if scheme == "merged":
            keys.add(f"merged:{value.casefold()}")  # a node id, compared as ids are
            continue
        if scheme == "company" and value.isdigit():
            value = value.zfill(8)
        keys.add(f"{scheme}:{value}")
        if scheme == "orgid":
            for prefix, national in _ORGID_SCHEMES.items():
                if value.startswith(prefix + "-"):
                    keys |= identifier_keys([f"{national}:{value[len(prefix) + 1:]}"])
    return keys


def record_keys(name: object, aliases: Iterable[str], identifiers: Iterable[str]) -> set[str]:
    """Every key a certain match could be found by: name and alias forms, canonical identifiers.

    Stored with each organisation (``match_keys``), so an ingest reads only the stored organisations
    sharing a key with its own, not every one. Names hold no ``:``; identifier keys always do.
    """
    keys = name_keys(name)
    for alias in aliases:
        keys |= {k for k in name_keys(alias) if k}
    return keys | identifier_keys(identifiers)


def initials(key: str) -> str:
    """The initials of a normalised name, minor words left out: 'leicester city council' → 'lcc'."""
    words = [w for w in key.split() if w not in _MINOR_WORDS]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _by_scheme(keys: set[str]) -> dict[str, set[str]]:
    """Identifier values per scheme (an org-id's scheme is its list prefix, e.g. orgid:GB-CHC)."""
    schemes: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        scheme, _, value = key.partition(":")
        if scheme == "orgid":
            scheme = "orgid:" + "-".join(value.split("-")[:2])
        if scheme != "merged":
            schemes[scheme].add(value)
    return schemes


@dataclass
class Record:
    """One organisation to compare: from the store, or incoming in this ingest."""

    id: str
    name: str
    sector: str | None
    aliases: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pair:
    """Two records (indices) that may be one body: ``certain`` ones merge, the rest go to review."""

    left: int
    right: int
    score: float
    reason: str
    certain: bool


def _qualified(key: str) -> frozenset[str]:
    """The place qualifiers in a normalised name ('north', 'upper', 'greater' …)."""
    return frozenset(word for word in key.split() if word in _QUALIFIERS)


def compatible(a: str | None, b: str | None) -> bool:
    """Sectors that may describe one body: equal, or either unknown or 'other'."""
    return a == b or a in (None, "", "other") or b in (None, "", "other")


class Matcher:
    """Pairs among ``records`` involving at least one ``active`` record (incoming, or all for a review).

    ``compared`` counts the fuzzy comparisons made, to set against the naive n².
    """

    def __init__(self, records: list[Record], active: Iterable[int], review_score: float = REVIEW_SCORE):
        self.records = records
        self.active = sorted(set(active))
        self.is_active = np.zeros(len(records), dtype=bool)
        self.is_active[self.active] = True
        self.review_score = review_score
        self.compared = 0
        self._exact: list[Pair] | None = None  # the identifier, name and initials pairs
        self.norm = [normalise(r.name) for r in records]
        self.keys = [name_keys(r.name, key) for r, key in zip(records, self.norm)]
        self.numbers = [frozenset(_DIGITS.findall(key)) for key in self.norm]
        self.alias_keys = [{normalise(a) for a in r.aliases} - {""} for r in records]
        self.ids = [identifier_keys(r.identifiers) for r in records]
        self.schemes = [_by_scheme(keys) for keys in self.ids]

    def conflict(self, a: int, b: int) -> str:
        """The scheme in which two records hold different identifiers (two charity numbers: two bodies), or ''."""
        for scheme, values in self.schemes[a].items():
            if scheme in self.schemes[b] and not values & self.schemes[b][scheme]:
                return scheme
        return ""

    def pairs(self, fuzzy: bool = True) -> list[Pair]:
        """Every certain and candidate pair, best reason per pair, in a stable order.

        ``fuzzy=False`` leaves out the similar names, which are never certain: the certain pairs
        are the same either way. The exact ones are found once, whichever is asked first.
        """
        if self._exact is None:
            self._exact = [*self._by_identifier(), *self._by_name(), *self._by_initials()]
        best: dict[tuple[int, int], Pair] = {}
        for pair in [*self._exact, *(self._by_fuzzy_name() if fuzzy else ())]:
            key = (min(pair.left, pair.right), max(pair.left, pair.right))
            held = best.get(key)
            if held is None or (pair.certain, pair.score) > (held.certain, held.score):
                best[key] = pair
        return sorted(best.values(), key=lambda p: (not p.certain, -p.score, p.left, p.right))

    def _ordered(self, a: int, b: int) -> tuple[int, int]:
        # The left of a pair is the one kept: a stored record before an incoming one, else the first seen.
        return (a, b) if (not self.is_active[a], -a) >= (not self.is_active[b], -b) else (b, a)

    def _group_pairs(self, groups: dict[str, list[int]], certain, reason) -> Iterable[Pair]:
        """Within each group sharing a key: each active record against the group's first (a star, not n²)."""
        for key, members in groups.items():
            members = sorted(set(members), key=lambda i: (self.is_active[i], i))
            if len(members) < 2 or not any(self.is_active[i] for i in members):
                continue
            stored = [i for i in members if not self.is_active[i]]
            for i in members:
                if not self.is_active[i]:
                    continue
                # Against every stored record when several share the key (an ambiguity a person settles),
                # else against the first record of the group.
                targets = stored if len(stored) > 1 else [members[0]]
                for j in targets:
                    if j != i:
                        left, right = self._ordered(i, j)
                        sure = certain(left, right, key) and len(stored) <= 1
                        yield Pair(left, right, 100.0, reason(left, right, key, len(stored)), sure)

    def _by_identifier(self) -> Iterable[Pair]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, keys in enumerate(self.ids):
            for key in keys:
                groups[key].append(i)
        for i in self.active:  # a node merged away earlier: its id is recorded on the node it became
            groups[f"merged:{self.records[i].id.casefold()}"].append(i)

        def certain(a: int, b: int, key: str) -> bool:
            # A GSS code names an area: a police force and its commissioner can share one.
            return not key.startswith("gss:") or self.records[a].sector == self.records[b].sector

        def reason(a: int, b: int, key: str, stored: int) -> str:
            why = f"was merged into {self.records[a].id}" if key.startswith("merged:") else f"same identifier {key}"
            if stored > 1:
                return f"{why}, held by {stored} organisations"
            if not certain(a, b, key):
                return f"{why}, but sectors differ ({self.records[a].sector}, {self.records[b].sector})"
            return why

        yield from self._group_pairs(groups, certain, reason)

    def _by_name(self) -> Iterable[Pair]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, keys in enumerate(self.keys):
            for key in keys:
                groups[key].append(i)
        via_alias: dict[str, list[int]] = defaultdict(list)
        for i, keys in enumerate(self.alias_keys):
            for key in keys:
                via_alias[key].append(i)
        # A name against another's alias, or an alias against another's name; never alias against alias.
        for key, holders in via_alias.items():
            named = groups.get(key, [])
            for i in holders:
                for j in named:
                    if i == j or not (self.is_active[i] or self.is_active[j]):
                        continue
                    left, right = self._ordered(i, j)
                    a, b = self.records[left], self.records[right]
                    short = " " not in key  # 'LCC', 'Police': one word names many bodies
                    clash = self.conflict(left, right)
                    sure = a.sector == b.sector and not short and len(named) + len(holders) == 2 and not clash
                    alias_of = a if i == left else b
                    why = f"{(b if alias_of is a else a).name!r} is an alias of {alias_of.name!r}"
                    if not sure:
                        why += " (a one-word alias)" if short else (
                            " but sectors differ" if a.sector != b.sector else
                            f" but their {clash} identifiers differ" if clash else " shared by several organisations")
                    if sure or compatible(a.sector, b.sector):
                        yield Pair(left, right, 100.0, why, sure)

        def certain(a: int, b: int, key: str) -> bool:
            return self.records[a].sector == self.records[b].sector and not self.conflict(a, b)

        def reason(a: int, b: int, key: str, stored: int) -> str:
            ra, rb = self.records[a], self.records[b]
            if stored > 1:
                return f"same name {key!r}, shared by {stored} organisations"
            if self.conflict(a, b):
                return f"same name {key!r}, but their {self.conflict(a, b)} identifiers differ"
            if ra.sector != rb.sector:
                return f"same name {key!r}, but sectors differ ({ra.sector}, {rb.sector})"
            if self.norm[a] == self.norm[b]:
                return f"same name {self.norm[a]!r}"
            return f"same name {key!r} once 'council' is dropped"

        yield from self._group_pairs(groups, certain, reason)

    def _by_initials(self) -> Iterable[Pair]:
        """'LCC' against 'Leicester City Council': proposed, never merged; skipped when many share them."""
        by_initials: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.norm):
            letters = initials(key)
            if letters:
                by_initials[letters].append(i)
        for i in self.active:
            key = self.norm[i]
            if " " in key or not 2 <= len(key) <= 6:
                continue
            found = [j for j in by_initials.get(key, []) if j != i and compatible(self.records[i].sector, self.records[j].sector)]
            if 0 < len(found) <= 5:
                for j in found:
                    left, right = self._ordered(i, j)
                    yield Pair(left, right, self.review_score, f"{self.records[i].name!r} are the initials of {self.records[j].name!r}", False)

    def _words(self) -> list[tuple[list[str], list[str]]]:
        """Each name's (rare words, common words): common ones are in many names ('association', 'council')."""
        counts: dict[str, int] = defaultdict(int)
        for key in self.norm:
            for word in set(key.split()):
                counts[word] += 1
        common = max(_COMMON_MIN, _COMMON_SHARE * len(self.norm))
        return [([w for w in key.split() if counts[w] <= common], [w for w in key.split() if counts[w] > common])
                for key in self.norm]

    @staticmethod
    def _distinctive(words: tuple[list[str], list[str]], other: tuple[list[str], list[str]], key: str) -> str:
        """A name without its common words, its place qualifiers, or rare words that are a common word of the other mistyped.

        A typo makes a common word rare ('Residents Assciation'); kept, it would make the name
        look unlike 'Residents Association' in what distinguishes it.
        """
        rare, _ = words
        mistyped = [w for w in rare if any(fuzz.ratio(w, c) >= _MISTYPED_SCORE for c in other[1])]
        # Place qualifiers are weighed on their own (two different ones: two bodies; one missing: ask).
        return " ".join(w for w in rare if w not in mistyped and w not in _QUALIFIERS) or key

    @staticmethod
    def _other_kinds(a: tuple[list[str], list[str]], b: tuple[list[str], list[str]]) -> bool:
        """Whether each name has a common word ('cricket', 'centre') the other has nothing like: two kinds of body."""
        def unmatched(words: tuple[list[str], list[str]], other: tuple[list[str], list[str]]) -> bool:
            return any(all(fuzz.ratio(w, x) < _MISTYPED_SCORE for x in (*other[0], *other[1])) for w in words[1])

        if a[1] == b[1]:
            return False  # the same common words: the same kind
        return unmatched(a, b) and unmatched(b, a)

    def _by_fuzzy_name(self) -> Iterable[Pair]:
        # Choices: every record's name and its aliases of two words or more; queries: the active names.
        strings, owners = [], []
        for i in range(len(self.records)):
            for text in {self.norm[i], *(k for k in self.alias_keys[i] if " " in k)} - {""}:
                strings.append(text)
                owners.append(i)
        postings: dict[str, list[int]] = defaultdict(list)
        for s, text in enumerate(strings):
            for prefix in {word[:_PREFIX] for word in text.split()}:
                postings[prefix].append(s)
        blocks: dict[str, list[int]] = defaultdict(list)
        queries = {i: self.norm[i] for i in self.active}
        for i, text in queries.items():
            prefixes = sorted({word[:_PREFIX] for word in text.split()}, key=lambda p: (len(postings[p]), p))
            # The rarest prefix always; a second (for a typo in the first) only while its block stays small.
            for prefix in prefixes[:1] + [p for p in prefixes[1:_BLOCKS_PER_NAME] if len(postings[p]) <= _SMALL_BLOCK]:
                blocks[prefix].append(i)
        owner_of = np.array(owners, dtype=np.int64)
        hits: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (query record, choice string, score)
        for prefix, members in blocks.items():
            if len(postings[prefix]) < 2:
                continue  # the one string under this prefix is the query's own name: nothing to pair with
            choice_rows = np.array(postings[prefix], dtype=np.int64)
            self.compared += len(members) * len(choice_rows)
            texts, choices = [queries[i] for i in members], [strings[s] for s in choice_rows]
            scores = np.maximum(*(
                process.cdist(texts, choices, scorer=scorer, score_cutoff=self.review_score, dtype=np.float32)
                for scorer in _SCORERS
            ))
            q, c = np.nonzero(scores)
            hits.append((np.asarray(members, dtype=np.int64)[q], choice_rows[c], scores[q, c]))
        if not hits:
            return
        query, choice, score = (np.concatenate(parts) for parts in zip(*hits))
        other = owner_of[choice]
        keep = query != other
        query, choice, score, other = query[keep], choice[keep], score[keep], other[keep]
        low, high = np.minimum(query, other), np.maximum(query, other)
        order = np.lexsort((-score, high, low))  # best score first within each pair
        low, high, score, choice = low[order], high[order], score[order], choice[order]
        first = np.ones(len(low), dtype=bool)
        first[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])
        low, high, score, choice = low[first], high[first], score[first], choice[first]
        # Sectors as codes (0: unknown or other, compatible with any) so the sector test is one array operation.
        codes: dict[str | None, int] = {None: 0, "": 0, "other": 0}
        sector = np.array([codes.setdefault(r.sector, len(codes)) for r in self.records], dtype=np.int64)
        a, b = sector[low], sector[high]
        fits = (a == b) | (a == 0) | (b == 0)
        best = np.argsort(-score[fits], kind="stable")
        found = zip(*(column[fits][best].tolist() for column in (low, high, score, choice)))
        words = self._words()
        qualifiers = [_qualified(key) for key in self.norm]
        proposed: dict[int, int] = defaultdict(int)
        for i, j, score, choice_row in found:
            if self.keys[i] & self.keys[j]:
                continue  # the same name: _by_name's to decide, and no use of either's few proposals
            if proposed[i] >= _MOST_PROPOSED or proposed[j] >= _MOST_PROPOSED:
                continue  # a person reads the best few candidates of a name, not forty
            via = strings[choice_row]
            na, nb = self.numbers[i], self.numbers[j]
            if (na and nb and na != nb) or self.conflict(i, j):
                continue  # 'Ward 12 Residents' and 'Ward 13 Residents', or two charity numbers: two bodies
            if qualifiers[i] and qualifiers[j] and qualifiers[i] != qualifiers[j]:
                continue  # 'North Anstey Food Bank' and 'South Anstey Food Bank': two bodies
            if self._other_kinds(words[i], words[j]):
                continue  # 'Anstey Cricket Club' and 'Anstey Arts Centre': one place, two kinds of body
            by_name = via in (self.norm[i], self.norm[j])
            if by_name and fuzz.ratio(self._distinctive(words[i], words[j], self.norm[i]),
                                      self._distinctive(words[j], words[i], self.norm[j])) < _DISTINCTIVE_SCORE:
                continue  # 'Blaby Residents Association' and 'Braunstone Residents Association'
            proposed[i] += 1
            proposed[j] += 1
            left, right = self._ordered(i, j)
            names = f"{self.records[left].name!r} ≈ {self.records[right].name!r}"
            if not by_name:
                names += f" (alias {via!r})"
            yield Pair(left, right, round(score, 1), f"similar names {names}", False)

"""Statutory composition, read from the ``[statutory]`` section of ``model.toml``.

Who the law says must sit on a statutory partnership (a Health and Wellbeing Board, a
Community Safety Partnership, local safeguarding children arrangements): each rule says
how a partnership matches it, each requirement by sector, post or body, with the
legislation cited and the days each applies. Posts and bodies are small vocabularies of
titles and the variants registers use for them; :meth:`Term.matches` says whether a
text (a representative, an organisation's name) names one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_FILLERS = frozenset({"of", "for", "the"})


def words(text: str) -> str:
    """``text`` folded for matching: lower case, ``&`` as "and", no apostrophes or punctuation,
    without "of", "for" and "the", words separated by single spaces and padded by one each side."""
    folded = _APOSTROPHES.sub("", str(text).casefold().replace("&", " and "))
    kept = [word for word in _NOT_WORD.sub(" ", folded).split() if word not in _FILLERS]
    return f" {' '.join(kept)} "


@dataclass(frozen=True)
class Term:
    """A post (director of public health) or a body (local Healthwatch) and the variants that name it."""

    key: str
    title: str
    variants: tuple[str, ...]
    folded: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", tuple(words(variant) for variant in self.variants))

    def matches(self, text: str | None) -> bool:
        """Whether ``text`` names this term: one of its variants, as whole words (see :func:`words`)."""
        if not text:
            return False
        folded = words(text)
        return any(variant in folded for variant in self.folded)


def _in_force(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True)
class Requirement:
    """One member the law requires: by sector, post and/or body, cited to its provision, with its dates."""

    name: str
    provision: str
    sector: str | None = None
    posts: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        """Whether the requirement applies on ``day`` (the CCG's until 30 June 2022, the ICB's from 1 July)."""
        return _in_force(self.start, self.end, day)


@dataclass(frozen=True)
class StatutoryRule:
    """A kind of statutory partnership: how a partnership matches it, the act, and what it requires."""

    key: str
    title: str
    kinds: tuple[str, ...]
    names: tuple[str, ...]
    themes: tuple[str, ...]
    act: str
    section: str
    url: str
    requirements: tuple[Requirement, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    except_names: tuple[str, ...] = ()

    def in_force(self, day: dt.date) -> bool:
        """Whether the rule applies on ``day`` (Health and Wellbeing Boards from 1 April 2013)."""
        return _in_force(self.start, self.end, day)

    def matches(self, kind: str | None, name: str | None, themes: list[str] | tuple[str, ...]) -> bool:
        """Whether a statutory partnership of ``kind`` called ``name`` with ``themes`` is one of these."""
        if kind not in self.kinds:
            return False
        folded = words(name or "")
        if any(words(pattern) in folded for pattern in self.except_names):
            return False
        if any(words(pattern) in folded for pattern in self.names):
            return True
        wanted = {theme.casefold() for theme in self.themes}
        return any(str(theme).casefold() in wanted for theme in themes or ())


@dataclass(frozen=True)
class Statutory:
    """The ``[statutory]`` section: posts, bodies and rules, each by key."""

    posts: dict[str, Term] = field(default_factory=dict)
    bodies: dict[str, Term] = field(default_factory=dict)
    rules: dict[str, StatutoryRule] = field(default_factory=dict)


def _date(value: object, where: str, error: type[Exception]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise error(f"{where}: {value!r} is not a date (write it bare, as 2022-07-01)")


def _terms(spec: dict, where: str, error: type[Exception]) -> dict[str, Term]:
    terms = {}
    for key, term in spec.items():
        variants = tuple(str(v) for v in term.get("variants", ()))
        if not term.get("title") or not variants or not all(words(v).strip() for v in variants):
            raise error(f"{where}.{key}: needs a title and variants with words in them")
        terms[key] = Term(key, str(term["title"]), variants)
    return terms


def parse_statutory(data: dict, vocabularies: dict[str, tuple[str, ...]], error: type[Exception],
                    file: str = "model.toml") -> Statutory:
    """The ``[statutory]`` section, checked: every kind, sector, post and body it names exists."""
    spec = data.get("statutory", {})
    posts = _terms(spec.get("posts", {}), f"{file}: statutory.posts", error)
    bodies = _terms(spec.get("bodies", {}), f"{file}: statutory.bodies", error)
    rules = {}
    for key, rule in spec.get("rules", {}).items():
        where = f"{file}: statutory.rules.{key}"
        missing = [k for k in ("title", "kinds", "act", "section", "url", "requirements") if not rule.get(k)]
        if missing:
            raise error(f"{where}: needs {', '.join(missing)}")
        unknown_kinds = set(rule["kinds"]) - set(vocabularies["partnership_kind"])
        if unknown_kinds:
            raise error(f"{where}: unknown kinds {sorted(unknown_kinds)}")
        requirements = []
        for number, req in enumerate(rule["requirements"], start=1):
            at = f"{where}.requirements[{number}]"
            if not req.get("name") or not req.get("provision"):
                raise error(f"{at}: needs a name and a provision")
            if req.get("sector") and req["sector"] not in vocabularies["sector"]:
                raise error(f"{at}: unknown sector {req['sector']!r}")
            for kind, known in (("posts", posts), ("bodies", bodies)):
                unknown = [k for k in req.get(kind, ()) if k not in known]
                if unknown:
                    raise error(f"{at}: unknown {kind} {unknown}; statutory.{kind} has {sorted(known)}")
            if not (req.get("sector") or req.get("posts") or req.get("bodies")):
                raise error(f"{at}: needs a sector, posts or bodies to be met by")
            requirements.append(Requirement(
                str(req["name"]), str(req["provision"]), req.get("sector"), tuple(req.get("posts", ())),
                tuple(req.get("bodies", ())), _date(req.get("from"), f"{at}.from", error),
                _date(req.get("until"), f"{at}.until", error)))
        rules[key] = StatutoryRule(
            key, str(rule["title"]), tuple(rule["kinds"]), tuple(rule.get("names", ())), tuple(rule.get("themes", ())),
            str(rule["act"]), str(rule["section"]), str(rule["url"]), tuple(requirements),
            _date(rule.get("from"), f"{where}.from", error), _date(rule.get("until"), f"{where}.until", error),
            tuple(rule.get("except_names", ())))
    return Statutory(posts, bodies, rules)

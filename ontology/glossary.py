"""Load the glossary in ``glossary.toml``: the acronyms and short names documents use.

Each term says what it stands for and what it denotes (a label, a sector, a partnership
kind, a theme), checked against the model when it loads so a typo names its entry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ontology.model import Model, ModelError, load_model

GLOSSARY_FILE = Path(__file__).with_name("glossary.toml")
_KEYS = {"expansion", "label", "sector", "kind", "theme", "note"}


@dataclass(frozen=True)
class Term:
    """One glossary entry: the term, its expansion and what it denotes."""

    term: str
    expansion: str
    label: str | None = None
    sector: str | None = None
    kind: str | None = None
    theme: str | None = None
    note: str = ""


def parse_glossary(data: dict, model: Model, file: str = GLOSSARY_FILE.name) -> dict[str, Term]:
    """Build the glossary from parsed TOML, checking every value against the model."""
    terms: dict[str, Term] = {}
    mentionable = model.relationships["MENTIONS"].to_labels if "MENTIONS" in model.relationships else tuple(model.labels)
    for term, spec in data.get("terms", {}).items():
        where = f"{file}: terms.{term!r}"
        if not isinstance(spec, dict):
            raise ModelError(f"{where}: expected a table with expansion = …")
        unknown = set(spec) - _KEYS
        if unknown:
            raise ModelError(f"{where}: unknown keys {sorted(unknown)}; an entry may have {', '.join(sorted(_KEYS))}")
        if not str(term).strip() or not str(spec.get("expansion", "")).strip():
            raise ModelError(f"{where}: a term and its expansion are required")
        checks = (("label", mentionable), ("sector", model.vocabularies["sector"]),
                  ("kind", model.vocabularies["partnership_kind"]))
        for key, allowed in checks:
            if key in spec and spec[key] not in allowed:
                raise ModelError(f"{where}: {key} {spec[key]!r} is not one of {', '.join(allowed)}")
        if "sector" in spec and spec.get("label", "Organisation") != "Organisation":
            raise ModelError(f"{where}: only organisations have a sector, not a {spec['label']}")
        terms[term] = Term(term, spec["expansion"].strip(), spec.get("label"), spec.get("sector"),
                           spec.get("kind"), spec.get("theme"), spec.get("note", ""))
    return terms


@lru_cache(maxsize=1)
def load_glossary() -> dict[str, Term]:
    """The glossary from ``ontology/glossary.toml``, by term (read once per process)."""
    with GLOSSARY_FILE.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ModelError(f"{GLOSSARY_FILE.name}: not valid TOML: {exc}") from None
    return parse_glossary(data, load_model())

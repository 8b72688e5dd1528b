"""Load the data model in ``model.toml`` into plain Python objects.

Everything that needs to know "the kinds of things" (DDL, constraints, record
validation, RDF export, the linter's schema) asks :func:`load_model`; nothing else
keeps its own list.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ontology.register import RegisterFile, parse_register
from ontology.statutory import Statutory, parse_statutory

MODEL_FILE = Path(__file__).with_name("model.toml")

PROPERTY_TYPES = ("string", "string[]", "integer", "float", "boolean", "date")

# Labels, relationship types and property names are the only identifiers that ever
# reach a query string; each must match this pattern (checked when the model loads,
# and again wherever Cypher is built).
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


class ModelError(ValueError):
    """The model file itself is inconsistent (raised at load time, naming the entry)."""


def checked_identifier(name: str) -> str:
    """Return ``name`` if it is a safe Cypher identifier, else raise ValueError."""
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise ValueError(f"not a safe identifier for Cypher: {name!r}")
    return name


@lru_cache(maxsize=65536)
def concept_id(name: str) -> str:
    """The shared id of a theme or client group: case-insensitive, spaces and punctuation folded."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


@dataclass(frozen=True)
class Property:
    """One property of a label or relationship type."""

    name: str
    type: str
    required: bool = False
    vocabulary: str | None = None
    min: float | None = None
    max: float | None = None
    description: str = ""
    provenance: bool = False  # says where a fact came from, not what it is (source, source_row, …)
    derived: bool = False  # worked out by partnermap from what sources say (their union), never stated itself


def own_properties(properties: dict[str, Property]) -> dict[str, Property]:
    """The properties that say what a fact is: all but its id and its provenance."""
    return {name: prop for name, prop in properties.items() if name != "id" and not prop.provenance}


@dataclass(frozen=True)
class Label:
    """A node label with its properties (common ones included) and RDF class."""

    name: str
    rdf_class: str
    description: str
    properties: dict[str, Property]


@dataclass(frozen=True)
class RelationshipType:
    """A relationship type, the (from, to) label pairs it may join, and its properties."""

    name: str
    rdf_property: str
    description: str
    endpoints: tuple[tuple[str, str], ...]
    properties: dict[str, Property]
    key: tuple[str, ...] = ()  # what else, beside its two ends, tells two such facts apart (see ontology.ids)

    @property
    def from_labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for a, _ in self.endpoints))

    @property
    def to_labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b for _, b in self.endpoints))


@dataclass(frozen=True)
class LabelDisplay:
    """How a node of one label is drawn: a vis-network shape, a colour, and words for the legend."""

    shape: str
    colour: str
    description: str


@dataclass(frozen=True)
class Display:
    """Display hints from ``[display]``: per label, per sector, and the membership roles strongest first."""

    labels: dict[str, LabelDisplay] = field(default_factory=dict)
    sectors: dict[str, str] = field(default_factory=dict)
    role_order: tuple[str, ...] = ()


COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _display(data: dict, labels: dict, vocabularies: dict[str, tuple[str, ...]]) -> Display:
    """The ``[display]`` section, checked: every label, sector and role it names exists, colours are #rrggbb."""
    spec = data.get("display", {})
    shown: dict[str, LabelDisplay] = {}
    for name, hint in spec.get("labels", {}).items():
        if name not in labels:
            raise ModelError(f"{MODEL_FILE.name}: display.labels.{name}: unknown label")
        if not COLOUR.match(str(hint.get("colour", ""))):
            raise ModelError(f"{MODEL_FILE.name}: display.labels.{name}: colour {hint.get('colour')!r} is not #rrggbb")
        shown[name] = LabelDisplay(str(hint["shape"]), str(hint["colour"]), str(hint.get("description", name)))
    sectors = {str(k): str(v) for k, v in spec.get("sectors", {}).items()}
    for sector, colour in sectors.items():
        if sector not in vocabularies["sector"]:
            raise ModelError(f"{MODEL_FILE.name}: display.sectors.{sector}: unknown sector")
        if not COLOUR.match(colour):
            raise ModelError(f"{MODEL_FILE.name}: display.sectors.{sector}: colour {colour!r} is not #rrggbb")
    roles = tuple(spec.get("role_order", ()))
    unknown = set(roles) - set(vocabularies["membership_role"])
    if unknown:
        raise ModelError(f"{MODEL_FILE.name}: display.role_order: unknown roles {sorted(unknown)}")
    return Display(shown, sectors, roles)


@dataclass(frozen=True)
class Model:
    """The whole data model."""

    version: str
    namespace: str
    resource_base: str
    labels: dict[str, Label]
    relationships: dict[str, RelationshipType]
    vocabularies: dict[str, tuple[str, ...]]
    theme_sectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    display: Display = field(default_factory=Display)
    register: dict[str, RegisterFile] = field(default_factory=dict)  # the register's files, in order
    statutory: Statutory = field(default_factory=Statutory)  # who the law says sits on statutory partnerships

    def kind(self, name: str) -> tuple[str, ...]:
        """The labels of the abstract kind ``name`` (``Group``: Partnership, Forum); ValueError otherwise."""
        try:
            return self.kinds[name]
        except KeyError:
            raise ValueError(f"unknown kind {name!r}; the model has {', '.join(self.kinds)}") from None

    @property
    def provenance(self) -> tuple[str, ...]:
        """The provenance properties every fact carries (source, source_row, sources, statements)."""
        common = next(iter(self.labels.values())).properties
        return tuple(name for name, prop in common.items() if prop.provenance)

    def register_file(self, name: str) -> RegisterFile:
        """The register file called ``name`` (``memberships``); ValueError naming the known ones otherwise."""
        try:
            return self.register[name]
        except KeyError:
            raise ValueError(f"unknown register file {name!r}; the register has {', '.join(self.register)}") from None

    def label(self, name: str) -> Label:
        """The label called ``name``; ValueError naming the known ones otherwise."""
        try:
            return self.labels[name]
        except KeyError:
            raise ValueError(f"unknown label {name!r}; the model has {', '.join(self.labels)}") from None

    def relationship(self, name: str) -> RelationshipType:
        """The relationship type called ``name``; ValueError otherwise."""
        try:
            return self.relationships[name]
        except KeyError:
            known = ", ".join(self.relationships)
            raise ValueError(f"unknown relationship type {name!r}; the model has {known}") from None

    @property
    def property_names(self) -> list[str]:
        """Every property name used anywhere in the model, sorted."""
        names = {p for lab in self.labels.values() for p in lab.properties}
        names |= {p for rel in self.relationships.values() for p in rel.properties}
        return sorted(names)


def _property(owner: str, name: str, spec: dict) -> Property:
    where = f"{owner}.{name}"
    checked = _identifier(name, where)
    kind = spec.get("type")
    if kind not in PROPERTY_TYPES:
        raise ModelError(f"{MODEL_FILE.name}: {where}: type {kind!r} is not one of {PROPERTY_TYPES}")
    unknown = set(spec) - {"type", "required", "vocabulary", "min", "max", "description", "provenance", "derived"}
    if unknown:
        raise ModelError(f"{MODEL_FILE.name}: {where}: unknown keys {sorted(unknown)}")
    return Property(
        name=checked,
        type=kind,
        required=bool(spec.get("required", False)),
        vocabulary=spec.get("vocabulary"),
        min=spec.get("min"),
        max=spec.get("max"),
        description=spec.get("description", ""),
        provenance=bool(spec.get("provenance", False)),
        derived=bool(spec.get("derived", False)),
    )


def _identifier(name: str, where: str) -> str:
    try:
        return checked_identifier(name)
    except ValueError as exc:
        raise ModelError(f"{MODEL_FILE.name}: {where}: {exc}") from None


def parse_model(data: dict) -> Model:
    """Build a :class:`Model` from the parsed TOML, checking it is consistent."""
    common = {
        name: _property("common", name, spec) for name, spec in data["common"]["properties"].items()
    }
    vocabularies = {name: tuple(values) for name, values in data["vocabularies"].items()}
    labels: dict[str, Label] = {}
    for name, spec in data["labels"].items():
        _identifier(name, f"labels.{name}")
        own = {p: _property(name, p, s) for p, s in spec.get("properties", {}).items()}
        labels[name] = Label(name, spec["rdf_class"], spec.get("description", ""), {**common, **own})
    relationships: dict[str, RelationshipType] = {}
    for name, spec in data["relationships"].items():
        _identifier(name, f"relationships.{name}")
        endpoints = tuple((a, b) for a, b in spec["endpoints"])
        for a, b in endpoints:
            for end in (a, b):
                if end not in labels:
                    raise ModelError(f"{MODEL_FILE.name}: relationships.{name}: unknown label {end!r}")
        own = {p: _property(name, p, s) for p, s in spec.get("properties", {}).items()}
        key = tuple(spec.get("key", ()))
        for part in key:
            _identifier(part, f"relationships.{name}.key")
        relationships[name] = RelationshipType(
            name, spec["rdf_property"], spec.get("description", ""), endpoints, {**common, **own}, key
        )
    for owner in [*labels.values(), *relationships.values()]:
        for prop in owner.properties.values():
            if prop.vocabulary and prop.vocabulary not in vocabularies:
                raise ModelError(
                    f"{MODEL_FILE.name}: {owner.name}.{prop.name}: unknown vocabulary {prop.vocabulary!r}"
                )
    theme_sectors = {
        theme.casefold(): tuple(sectors) for theme, sectors in data.get("theme_sectors", {}).items()
    }
    for theme, sectors in theme_sectors.items():
        bad = set(sectors) - set(vocabularies["sector"])
        if bad:
            raise ModelError(f"{MODEL_FILE.name}: theme_sectors.{theme!r}: unknown sectors {sorted(bad)}")
    kinds: dict[str, tuple[str, ...]] = {}
    for name, spec in data.get("kinds", {}).items():
        _identifier(name, f"kinds.{name}")
        if name in labels:
            raise ModelError(f"{MODEL_FILE.name}: kinds.{name}: a kind cannot share a label's name")
        members = tuple(spec.get("labels", ()))
        unknown_labels = [m for m in members if m not in labels]
        if not members or unknown_labels:
            raise ModelError(f"{MODEL_FILE.name}: kinds.{name}: needs labels of the model (unknown: {unknown_labels})")
        kinds[name] = members
    try:
        register = parse_register(data.get("register", {}), labels, relationships, vocabularies)
    except ValueError as exc:
        raise ModelError(f"{MODEL_FILE.name}: {exc}") from None
    return Model(
        version=data["version"],
        namespace=data["namespace"],
        resource_base=data["resource_base"],
        labels=labels,
        relationships=relationships,
        vocabularies=vocabularies,
        theme_sectors=theme_sectors,
        kinds=kinds,
        display=_display(data, labels, vocabularies),
        register=register,
        statutory=parse_statutory(data, vocabularies, ModelError, MODEL_FILE.name),
    )


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The model from ``ontology/model.toml`` (read once per process)."""
    with MODEL_FILE.open("rb") as handle:
        return parse_model(tomllib.load(handle))

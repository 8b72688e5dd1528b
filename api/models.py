"""Response models: the shapes the API promises, separate from the rows queries return."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Health(BaseModel):
    """The service is up and its store answers."""

    status: str = Field(examples=["ok"])
    store: str = Field(description="Which engine: embedded or neo4j.")


class Version(BaseModel):
    """The running partnermap version."""

    version: str


class Territory(BaseModel):
    """A territory (ONS GSS code), its level and the territory it lies directly inside."""

    code: str
    name: str | None = None
    level: str | None = None
    parent: str | None = None


class TerritoryPage(BaseModel):
    """A page of territories."""

    total: int
    limit: int
    offset: int
    items: list[Territory]


class TerritoryDetail(Territory):
    """A territory with the chain of territories it lies in (nearest first) and those directly inside it."""

    parents: list[Territory]
    children: list[Territory]


class Coverage(BaseModel):
    """One thing covering a territory: through which territory, how, and the row it came from."""

    kind: str
    id: str
    name: str | None = None
    via: str
    via_name: str | None = None
    relation: str = Field(description="itself, contains it, or inside it")
    source: str | None = None
    source_row: str | None = None


class CoveragePage(BaseModel):
    """A page of what covers a territory."""

    total: int
    limit: int
    offset: int
    items: list[Coverage]


class LocatedTerritory(BaseModel):
    """A territory containing a point, and how it was found."""

    territory: str
    name: str | None = None
    level: str | None = None
    how: str = Field(description="boundary (its own polygon holds the point), contains (it lies up the tree from "
                                 "one that does) or parent's boundary (no polygon of its own; its parent's holds it)")
    via: str | None = Field(default=None, description="The territory it was reached through.")
    approximate: bool = Field(description="True when only its parent's boundary says the point may be in it.")


class LocateAnswer(BaseModel):
    """The territories containing a point, smallest first, and what covers the smallest of them."""

    lat: float
    lon: float
    territories: list[LocatedTerritory]
    coverage_of: str | None = Field(default=None, description="The territory whose coverage follows.")
    coverage: CoveragePage | None = None


class Neighbour(BaseModel):
    """One relationship of a node, in or out, with the node at its other end and its source."""

    direction: str = Field(description="out or in")
    relationship: str
    relationship_id: str | None = None
    kind: str | None = None
    id: str | None = None
    name: str | None = None
    source: str | None = None
    source_row: str | None = None
    sources: list[str] = Field(default_factory=list, description="Every source that states the relationship, the one shown first.")


class Profile(BaseModel):
    """One node (organisation, partnership, service, strategy) and all its neighbours."""

    kind: str
    id: str
    name: str | None = None
    source: str | None = None
    source_row: str | None = None
    sources: list[str] = Field(default_factory=list, description="Every source that states the node, the one shown first.")
    neighbours: list[Neighbour]


class QueryParam(BaseModel):
    """A named query's parameter."""

    name: str
    type: str
    default: str | None = None
    required: bool
    description: str


class QueryInfo(BaseModel):
    """A named query: what it answers and the parameters it takes."""

    name: str
    description: str
    params: list[QueryParam]


class QueryResult(BaseModel):
    """The rows a named query returned."""

    name: str
    total: int
    rows: list[dict[str, Any]]


class IngestResult(BaseModel):
    """What an ingest wrote: nodes per label, relationships per type, facts removed."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    removed: int


class Graph(BaseModel):
    """A subgraph as JSON: organisations and the partnerships they sit on, and the memberships between them."""

    nodes: list[dict[str, Any]] = Field(
        description="Each with id, kind, name, and sector (organisations) and memberships (how many links).",
        examples=[[{"id": "blaby-lsp", "kind": "Partnership", "name": "Blaby District Local Strategic Partnership", "memberships": 5}]],
    )
    edges: list[dict[str, Any]] = Field(
        description="Each with source, target, type (MEMBER_OF), role and the source row it came from.",
        examples=[[{"source": "blaby-dc", "target": "blaby-lsp", "type": "MEMBER_OF", "role": "chair"}]],
    )


class SourceInfo(BaseModel):
    """A file or dataset the graph was read from."""

    source: str
    name: str | None = None
    reader: str | None = None
    path: str | None = None
    ingested_at: str | None = Field(None, description="When it was last ingested: when it last stated its facts (ISO 8601, UTC).")


class ConflictValue(BaseModel):
    """One source's value of a property of a fact."""

    value: Any = None
    shown: bool = Field(description="Whether this is the value shown (the most recent ingest's).")
    source: str
    source_row: str | None = None
    stated_at: str | None = Field(None, description="When this source last stated it (its last ingest).")


class Conflict(BaseModel):
    """A property of a fact whose sources disagree."""

    kind: str = Field(description="The node label or relationship type.")
    id: str
    about: str | None = None
    property: str
    values: list[ConflictValue]

"""Response models: the shapes the API promises, separate from the rows queries return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from api.errors import ErrorDetail


class Health(BaseModel):
    """The service is up (``/health``: ok), or its store answers (``/ready``: ready)."""

    status: str = Field(examples=["ok", "ready"])
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
    neighbours_total: int = Field(description="Neighbours in all; ``neighbours`` is the page limit, offset asked for.")
    limit: int
    offset: int
    neighbours: list[Neighbour]


class QueryParam(BaseModel):
    """A named query's parameter."""

    name: str
    type: str
    default: str | None = None
    required: bool
    description: str
    least: str | None = Field(default=None, description="The least value accepted (numbers and dates).")
    greatest: str | None = Field(default=None, description="The greatest value accepted (numbers and dates).")


class QueryInfo(BaseModel):
    """A named query: what it answers and the parameters it takes."""

    name: str
    description: str
    params: list[QueryParam]


class QueryResult(BaseModel):
    """A page of the rows a named query answers."""

    name: str
    limit: int = Field(description="Most rows in this page.")
    offset: int = Field(description="Rows skipped before this page.")
    more: bool = Field(description="Whether rows follow this page (ask again with offset + limit).")
    total: int | None = Field(description="Rows in the whole answer; null for a query that stops at the page "
                                          "(one with a limit of its own, or one the store pages itself).")
    rows: list[dict[str, Any]]


class SkippedRecord(BaseModel):
    """One reason a record was left out (``skip_invalid``): its file, row or JSON pointer, field and value."""

    file: str
    record: int | str
    field: str | None
    value: Any = None
    reason: str


class IngestResult(BaseModel):
    """What an ingest wrote: nodes per label, relationships per type, facts removed; what it read past or left out."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    removed: int
    warnings: int = Field(0, description="Values read past: they break their standard's schema, but partnermap "
                                         "does not need them as published.")
    skipped: list[SkippedRecord] = Field(default_factory=list, description="With skip_invalid: each reason a record "
                                                                           "was left out, one row per reason.")
    dry_run: bool = Field(False, description="A dry run: nothing was written; `preview` says what would change.")
    preview: dict[str, Any] | None = Field(None, description="With dry_run: counts (added, changed, removed, kept, "
                                                             "restated), then `changes` per source and kind, each by id "
                                                             "(changed: field old → new; kept: also stated by …), as "
                                                             "`partnermap ingest … --dry-run --format json` prints.")


class IngestJob(BaseModel):
    """An upload's ingest: queued, running (with progress), done (what was written) or failed (why)."""

    id: str
    name: str = Field(description="The source's name the upload was sent under.")
    status: str = Field(description="queued, running, done or failed", examples=["queued"])
    submitted_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    steps: int = Field(description="Progress messages the ingest has given so far.")
    progress: list[str] = Field(description="The latest progress messages (at most 50), oldest first.")
    written: IngestResult | None = Field(default=None, description="When done: what was written.")
    error: ErrorDetail | None = Field(default=None, description="When failed: the error in the one error shape "
                                                                "(for an invalid register, its problems).")


class BackupTaken(BaseModel):
    """A backup the server wrote to its backup folder (``PARTNERMAP_BACKUP_DIR``)."""

    file: str = Field(description="The backup's file name in the server's backup folder.",
                      examples=["partnermap-20261205T183000.123Z.backup"])
    taken_at: str = Field(description="When its snapshot was taken (UTC, ISO 8601).")
    bytes: int = Field(description="The file's size.")
    nodes: int = Field(description="Nodes it holds.")
    relationships: int = Field(description="Relationships it holds.")
    seconds: float = Field(description="How long it took.")


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


class Change(BaseModel):
    """One change between two days: what began, ended, appeared or cleared."""

    change: str = Field(description="The kind of change: memberships-begun, memberships-ended, chairs-changed, "
                                    "partnerships-begun, partnerships-ended, strategies-begun, strategies-ended, "
                                    "overload-up, overload-down, duplicates-new, duplicates-resolved, "
                                    "missing-links-opened, missing-links-closed, strategy-gaps-opened, strategy-gaps-closed.")
    date: dt.date | None = Field(description="When: the first day of what began, the last day of what ended; null for findings.")
    id: str | None = Field(description="The organisation (memberships, overload), partnership or forum, or strategy.")
    name: str | None
    related: str | None = Field(description="The other end: the partnership of a membership, the new chair, "
                                            "the other partnership of a duplicate pair.")
    related_name: str | None
    detail: str = Field(description="In words: the role and post, the counts before and after, the sector missing.")
    source_row: str | None


class ChangesPage(BaseModel):
    """A page of what changed after ``from`` up to ``to``, with the count of every kind of change."""

    model_config = {"populate_by_name": True}

    from_date: dt.date = Field(alias="from")
    to_date: dt.date = Field(alias="to")
    territory: str
    counts: dict[str, int] = Field(description="Every kind of change with how many there are (0 included).")
    total: int
    limit: int
    offset: int
    items: list[Change]

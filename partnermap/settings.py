"""One settings object, read from the environment at the edges (CLI, API) only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Where the graph lives and how to reach it. Defaults run locally with no services."""

    model_config = SettingsConfigDict(env_prefix="PARTNERMAP_", extra="ignore")

    db: Path = Field(default=Path("data/graph"), description="Embedded store directory.")
    neo4j_uri: str | None = Field(default=None, validation_alias=AliasChoices("PARTNERMAP_NEO4J_URI", "NEO4J_URI"))
    neo4j_user: str = Field(default="neo4j", validation_alias=AliasChoices("PARTNERMAP_NEO4J_USER", "NEO4J_USER"))
    neo4j_password: str = Field(
        default="", validation_alias=AliasChoices("PARTNERMAP_NEO4J_PASSWORD", "NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(
        default="neo4j", validation_alias=AliasChoices("PARTNERMAP_NEO4J_DATABASE", "NEO4J_DATABASE")
    )
    out: Path = Field(default=Path("out"), description="Where reports and pages are written.")

    # HTTP API (``api/``). Lists accept a JSON array or a comma-separated string.
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Bearer keys allowed to write through the API; none means writes are disabled."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser; none means CORS is off."
    )
    read_only: bool = Field(
        default=False, description="Serve the embedded store read-only: uploads are refused, and several "
        "workers may share the store (a writer owns it alone).",
    )
    coverage_refresh_seconds: float = Field(
        default=60.0, description="On Neo4j, how old the in-memory coverage index may get before it is re-read "
        "(other clients may write there; the embedded store's index is rebuilt after each write instead).",
    )
    max_request_bytes: int = Field(default=10 * 1024 * 1024, description="Largest request body the API accepts.")
    max_upload_members: int = Field(default=50, description="Most files an uploaded .zip register may hold.")
    max_unpacked_bytes: int = Field(
        default=100 * 1024 * 1024, description="Largest total size an uploaded .zip register may unpack to."
    )
    query_seconds: float = Field(
        default=30.0, gt=0, le=24 * 3600,
        description="Time budget of each API request, of the CLI's query, locate and stats, and of each diagnostic "
        "of a report: past it the query is stopped (the API answers 503, the CLI exits with an error).",
    )
    backup_dir: Path | None = Field(
        default=None, description="The folder POST /admin/backup writes backups to (the server makes each file's "
        "name); none means backups over HTTP are off.",
    )
    max_queued_uploads: int = Field(
        default=8, ge=1, le=1000,
        description="Uploads that may wait for the one ingest worker; beyond that an upload is refused (503).",
    )

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        """Read a list setting from the environment as JSON (``["a","b"]``) or ``a,b``."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

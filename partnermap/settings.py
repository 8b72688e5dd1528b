"""One settings object, read from the environment at the edges (CLI, API) only."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

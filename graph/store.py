"""The store interface every engine implements, kept narrow on purpose.

``run`` reads or writes with parameters, ``transaction`` groups writes so that a
failure leaves nothing half-written, and the two bulk upserts are the only write
path ingest uses. Domain operations (loading records, statistics, named queries)
sit above this interface and are written once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd

from ontology import Model, load_model


class Store(ABC):
    """A graph store. Values always travel as parameters; labels and types come from the model."""

    dialect: str = ""

    def __init__(self, model: Model | None = None):
        self.model = model or load_model()
        self.warnings: list[str] = []

    @property
    def generation(self) -> int | None:
        """A number that changes whenever the data may have changed, or None when nobody can know.

        An embedded store is written only through this process, so it counts its writes and
        what was read from it can be reused until the next one; a server store can be written
        by other clients, so it answers None and nothing read from it is kept.
        """
        return None

    @abstractmethod
    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one Cypher statement with parameters and return its rows as dicts."""

    def frame(self, query: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a read query and return its rows as a DataFrame (engines override with a columnar path)."""
        return pd.DataFrame(self.run(query, params))

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction: everything inside commits together or not at all."""

    @abstractmethod
    def upsert_nodes(self, label: str, frame: pd.DataFrame) -> int:
        """MERGE nodes of ``label`` on ``id`` and set the frame's other columns; returns rows."""

    @abstractmethod
    def upsert_relationships(self, rel_type: str, from_label: str, to_label: str, frame: pd.DataFrame) -> int:
        """MERGE relationships on ``id`` between ``from_id`` and ``to_id`` nodes; returns rows."""

    def bulk_load(
        self,
        nodes: Iterable[tuple[str, pd.DataFrame]],
        edges: Iterable[tuple[str, str, str, pd.DataFrame]],
        progress: Callable[[str], None] = lambda _: None,
    ) -> dict[str, Counter] | None:
        """Write everything into an empty store by a faster path than the upserts, all or nothing.

        ``nodes`` yields (label, frame), ``edges`` (type, from label, to label, frame), as the
        upserts take them. Returns what was written, or None without writing anything where
        the store is not empty or the engine has no such path (the default).
        """
        return None

    @abstractmethod
    def existing_ids(self, label: str, ids: list[str], replacing: Sequence[str] = ()) -> set[str]:
        """Which of ``ids`` already exist as nodes of ``label`` (not counting nodes whose source is
        one of ``replacing``: an ingest of those sources is about to drop the nodes it no longer holds)."""

    @abstractmethod
    def close(self) -> None:
        """Release the database."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

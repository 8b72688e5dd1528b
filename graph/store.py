"""The store interface every engine implements, kept narrow on purpose.

``run`` reads or writes with parameters (``frame`` and ``table`` answer as columns),
``transaction`` groups writes so that a failure leaves nothing half-written, the two
upserts write rows exactly as given, and ``bulk_writer`` offers an engine's faster path
into an empty store. Domain operations (what an ingest writes and withdraws, statistics,
named queries) sit above this interface, in :mod:`graph.write` and beside it, written once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd
import pyarrow as pa

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

    def table(self, query: str, params: dict[str, Any] | None = None) -> pa.Table:
        """Run a read query and return its rows as an Arrow table (engines override with a columnar path)."""
        rows = self.run(query, params)
        return pa.Table.from_pylist(rows) if rows else pa.table({})

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction: everything inside commits together or not at all."""

    @abstractmethod
    def upsert_nodes(self, label: str, frame: pd.DataFrame) -> int:
        """MERGE nodes of ``label`` on ``id`` and set the frame's other columns; returns rows."""

    @abstractmethod
    def upsert_relationships(self, rel_type: str, from_label: str, to_label: str, frame: pd.DataFrame,
                             new: bool = False) -> int:
        """MERGE relationships on ``id`` between ``from_id`` and ``to_id`` nodes; returns rows.

        ``new``: the caller knows none of them exists yet, so they are created without looking.
        """

    def bulk_writer(self, progress: Callable[[str], None] = lambda _: None) -> Any:
        """A faster path than the upserts into an empty store, all or nothing; None where there is none.

        What it returns takes ``nodes(label, table, count)`` and ``relationships(type, from, to,
        table, count)`` (Arrow tables typed from the model), then ``finish(then)`` to make them the
        store's (``then``: statements with parameters run last, in the same load), or ``abandon()``
        to leave the store as it was. The default: no such path.
        """
        return None

    @abstractmethod
    def existing_ids(self, label: str, ids: list[str]) -> set[str]:
        """Which of ``ids`` exist as nodes of ``label``."""

    @abstractmethod
    def close(self) -> None:
        """Release the database."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

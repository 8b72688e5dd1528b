"""The Neo4j store, through the official driver: for production, clusters and Aura.

Bulk writes go as ``UNWIND $rows … MERGE`` in batches; with the uniqueness
constraints from :func:`graph.schema.neo4j_constraints` each MERGE is an index
lookup. The statements built here are linted by Neo4j's own linter in the suite.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
import neo4j.exceptions
import neo4j.time
import pandas as pd

from graph import budget
from graph.schema import neo4j_constraints, quoted
from graph.store import Store
from ontology import Model
from partnermap.errors import QueryError, StoreUnavailable

BATCH_ROWS = 10_000


def node_upsert_statement(label: str, columns: list[str]) -> str:
    """UNWIND/MERGE statement for nodes of ``label`` setting ``columns``."""
    sets = ", ".join(f"n.{quoted(c)} = row.{quoted(c)}" for c in columns)
    return f"UNWIND $rows AS row MERGE (n:{quoted(label)} {{id: row.id}})" + (f" SET {sets}" if sets else "")


def relationship_upsert_statement(rel_type: str, from_label: str, to_label: str, columns: list[str],
                                  new: bool = False) -> str:
    """UNWIND/MATCH/MERGE statement for relationships of ``rel_type`` setting ``columns`` (CREATE when ``new``)."""
    sets = ", ".join(f"r.{quoted(c)} = row.{quoted(c)}" for c in columns)
    ends = (f"UNWIND $rows AS row MATCH (a:{quoted(from_label)} {{id: row.from_id}}) "
            f"MATCH (b:{quoted(to_label)} {{id: row.to_id}}) ")
    if new:
        values = "".join(f", {quoted(c)}: row.{quoted(c)}" for c in columns)
        return ends + f"CREATE (a)-[r:{quoted(rel_type)} {{id: row.id{values}}}]->(b)"
    return ends + f"MERGE (a)-[r:{quoted(rel_type)} {{id: row.id}}]->(b)" + (f" SET {sets}" if sets else "")


def _plain(value: Any) -> Any:
    """Driver values to plain Python (dates stay dates); NaN to None."""
    if isinstance(value, neo4j.time.Date):
        return value.to_native()
    if isinstance(value, neo4j.time.DateTime):
        return value.to_native()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _budgeted(query: str) -> str | neo4j.Query:
    """A read with what is left of the caller's time budget (:mod:`graph.budget`) as its transaction timeout."""
    left = budget.remaining_ms()
    return query if left is None else neo4j.Query(query, timeout=left / 1000)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: (v.date() if isinstance(v, pd.Timestamp) else v) for k, v in r.items()} for r in records]


class Neo4jStore(Store):
    """A Neo4j database reached with the official driver."""

    dialect = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j", model: Model | None = None):
        super().__init__(model)
        self.database = database
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
            self._driver.verify_connectivity()
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.AuthError, ValueError) as exc:
            raise StoreUnavailable(f"cannot reach Neo4j at {uri}: {exc}") from exc
        self._tx: neo4j.Transaction | None = None
        self._session: neo4j.Session | None = None
        for statement in neo4j_constraints(self.model):
            self.run(statement)

    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            if self._tx is not None:
                result = self._tx.run(query, params or {})
                return [{k: _plain(v) for k, v in record.items()} for record in result]
            records, _, _ = self._driver.execute_query(_budgeted(query), params or {}, database_=self.database)
            return [{k: _plain(v) for k, v in record.items()} for record in records]
        except neo4j.exceptions.ServiceUnavailable as exc:
            raise StoreUnavailable(f"Neo4j became unreachable: {exc}") from exc
        except neo4j.exceptions.Neo4jError as exc:
            if "TransactionTimedOut" in (exc.code or ""):  # the budget's timeout stopped it
                raise budget.exceeded() from exc
            raise QueryError(f"Neo4j refused the query: {exc.message}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._tx is not None:
            yield
            return
        self._session = self._driver.session(database=self.database)
        self._tx = self._session.begin_transaction()
        try:
            yield
            self._tx.commit()
        except BaseException:
            self._tx.rollback()
            raise
        finally:
            self._tx.close()
            self._session.close()
            self._tx = self._session = None

    def upsert_nodes(self, label: str, frame: pd.DataFrame) -> int:
        properties = self.model.label(label).properties
        columns = [c for c in frame.columns if c != "id"]
        for column in columns:
            if column not in properties:
                raise QueryError(f"{label} has no property {column!r} in the model")
        statement = node_upsert_statement(label, columns)
        rows = _rows(frame)
        for start in range(0, len(rows), BATCH_ROWS):
            self.run(statement, {"rows": rows[start : start + BATCH_ROWS]})
        return len(rows)

    def upsert_relationships(self, rel_type: str, from_label: str, to_label: str, frame: pd.DataFrame,
                             new: bool = False) -> int:
        rel = self.model.relationship(rel_type)
        if (from_label, to_label) not in rel.endpoints:
            raise QueryError(f"{rel_type} does not join {from_label} to {to_label} in the model")
        columns = [c for c in frame.columns if c not in ("from_id", "to_id", "id")]
        for column in columns:
            if column not in rel.properties:
                raise QueryError(f"{rel_type} has no property {column!r} in the model")
        statement = relationship_upsert_statement(rel_type, from_label, to_label, columns, new)
        rows = _rows(frame)
        for start in range(0, len(rows), BATCH_ROWS):
            self.run(statement, {"rows": rows[start : start + BATCH_ROWS]})
        return len(rows)

    def existing_ids(self, label: str, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        query = f"MATCH (n:{quoted(self.model.label(label).name)}) WHERE n.id IN $ids RETURN n.id AS id"
        return {row["id"] for row in self.run(query, {"ids": ids})}

    def close(self) -> None:
        self._driver.close()


__all__ = ["Neo4jStore", "node_upsert_statement", "relationship_upsert_statement"]

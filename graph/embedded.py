"""The embedded store: the ladybug engine (a maintained fork of Kùzu), on disk, no server.

Built around faults measured on this engine (ladybug 0.22):

* a process killed at COMMIT can leave a write-ahead log that the default open
  refuses; we keep a copy of the refused log, open leniently (which recovers the
  state before that transaction) and say so in ``warnings``;
* a failed statement inside an explicit transaction rolls back and silently
  carries on in auto-commit, so we stop at the first error and never continue;
* writes from a second connection can crash the process, so one connection does
  everything and a lock serialises it;
* only one process may open a database read-write: a second gets StoreUnavailable;
* ``COPY FROM`` inside an explicit transaction holds everything uncommitted in memory and
  then replays it at COMMIT: a national first load took 16 s and +1.8 GB that way, against
  10.4 s and +0.5 GB as auto-committed COPYs into a new file. So a first load into an empty
  store builds a new database file beside it and swaps it in (:meth:`EmbeddedStore.bulk_load`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import ladybug
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from graph.schema import embedded_column_type, embedded_ddl, quoted
from graph.store import Store
from ontology import Model
from partnermap.errors import QueryError, StoreUnavailable

log = logging.getLogger(__name__)

# A statement that may change data (or end a transaction that did): it bumps the store's
# generation, so projections read before it are not reused. A false positive costs a re-read.
_WRITES = re.compile(r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|COPY|DROP|ALTER|COMMIT|ROLLBACK|INSTALL|LOAD)\b", re.IGNORECASE)

DATABASE_FILE = "graph.lbdb"
# Upserts of this many rows or more first drop the rows the store already holds exactly.
DIFF_FROM_ROWS = 2000
# A first load is built here, beside the store, and renamed over it once complete.
LOADING_FILE = f"{DATABASE_FILE}.loading"
# A path the engine can be given as a Cypher string literal, as COPY FROM needs (it takes no parameter).
_LITERAL_SAFE = re.compile(r"^[\w./+-]+$")


class EmbeddedStore(Store):
    """A ladybug database in a directory; the process that opens it owns it."""

    dialect = "embedded"

    def __init__(self, path: str | Path, model: Model | None = None, read_only: bool = False):
        """Open (or create) the store in ``path``; ``read_only`` opens an existing one for reading only.

        Several processes may hold one store read-only at once (so a read-only API can run
        several workers); a writer excludes everyone else.
        """
        super().__init__(model)
        self.path = Path(path)
        self.read_only = read_only
        self.file = self.path / DATABASE_FILE
        if read_only and not self.file.exists():
            raise StoreUnavailable(f"there is no embedded store in {self.path} to open read-only")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot use {self.path} as an embedded store directory: {exc.strerror}") from exc
        self._lock = threading.RLock()
        self._generation = 0
        self._in_transaction = False
        self._claim = _Claim.take(self.path, read_only)
        try:
            _remove_loading(self.path)  # an interrupted first load; the store itself never saw it
            self._database = self._open()
        except BaseException:
            self._claim.release()
            raise
        self._connection = ladybug.Connection(self._database)
        if not read_only:
            self._ensure_schema()

    def _open(self) -> ladybug.Database:
        try:
            return ladybug.Database(str(self.file), read_only=self.read_only)
        except RuntimeError as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise StoreUnavailable(
                    f"the embedded store {self.path} is open in another process "
                    f"({message.splitlines()[0]}); only one process may own an embedded store"
                ) from exc
            if "wal" not in message.lower():
                raise StoreUnavailable(f"cannot open the embedded store {self.path}: {message}") from exc
        # The write-ahead log was refused: keep it, then open leniently.
        wal = Path(f"{self.file}.wal")
        kept = wal.with_name(f"{wal.name}.refused-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}")
        if wal.exists():
            shutil.copy2(wal, kept)
        try:
            database = ladybug.Database(str(self.file), throw_on_wal_replay_failure=False)
        except RuntimeError as exc:
            raise StoreUnavailable(f"cannot open the embedded store {self.path}: {exc}") from exc
        warning = (
            f"the store's write-ahead log was damaged (an interrupted write); it was set aside as "
            f"{kept.name} and the store was opened at its last complete transaction"
        )
        log.warning(warning)
        self.warnings.append(warning)
        return database

    @property
    def generation(self) -> int:
        return self._generation

    def _execute(self, query: str, params: dict[str, Any] | None = None) -> Any:
        if _WRITES.search(query):
            self._generation += 1
        try:
            result = self._connection.execute(query, params or {})
        except RuntimeError as exc:
            raise QueryError(f"the embedded engine refused the query: {exc}") from exc
        if isinstance(result, list):
            raise QueryError("one statement at a time: the query held several")
        return result

    def _ensure_schema(self) -> None:
        with self._lock:
            for statement in embedded_ddl(self.model):
                self._execute(statement)
            # A model that gained properties since the store was made: add the columns.
            tables = [*self.model.labels.values(), *self.model.relationships.values()]
            for table in tables:
                have = {row["name"] for row in self.run(f"CALL table_info('{table.name}') RETURN name")}
                for prop in table.properties.values():
                    if prop.name not in have:
                        self._execute(
                            f"ALTER TABLE {quoted(table.name)} ADD {quoted(prop.name)} {embedded_column_type(prop)}"
                        )

    def run(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self._lock:
            result = self._execute(query, params)
            if not result.get_column_names():
                return []
            # Through Arrow: 18x faster than a Python loop over get_next() for 30,000-row answers.
            table = result.get_as_arrow()
            for i, field in enumerate(table.schema):
                if pa.types.is_decimal(field.type):  # the engine sums integers into decimals
                    target = pa.int64() if field.type.scale == 0 else pa.float64()
                    table = table.set_column(i, field.name, table.column(i).cast(target))
            return table.to_pylist()

    def frame(self, query: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        # Columnar: a projection of 100,000s of rows costs milliseconds, not a Python loop per value.
        with self._lock:
            return self._execute(query, params).get_as_df()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._in_transaction:  # nested: the outer transaction decides
                yield
                return
            self._execute("BEGIN TRANSACTION")
            self._in_transaction = True
            try:
                yield
            except BaseException:
                self._in_transaction = False
                try:
                    self._connection.execute("ROLLBACK")
                except RuntimeError:
                    pass  # the engine has already rolled back on the failed statement
                raise
            self._in_transaction = False
            self._execute("COMMIT")

    def _empty(self, pattern: str) -> bool:
        return self.run(f"MATCH {pattern} RETURN count(*) AS n")[0]["n"] == 0

    def upsert_nodes(self, label: str, frame: pd.DataFrame) -> int:
        if frame.empty:
            return 0
        properties = self.model.label(label).properties
        columns = [c for c in frame.columns if c != "id"]
        for column in columns:
            if column not in properties:
                raise QueryError(f"{label} has no property {column!r} in the model")
        with self._lock:
            if self._empty(f"(n:{quoted(label)})"):
                # A first load: the engine's bulk COPY (4x MERGE's speed), typed from the model.
                # Inside the caller's transaction it still commits or rolls back with the rest.
                self._execute(f"COPY {quoted(label)} FROM $rows", {"rows": _arrow(frame, list(properties.values()))})
                return len(frame)
        fields = {"id": pa.string(), **{c: ARROW_TYPES[properties[c].type] for c in columns}}
        with self._lock:
            changed = self._not_held(f"MATCH (x:{quoted(label)})", fields, frame)
            if changed.empty:
                return len(frame)
            renamed = _positional(changed, ["id", *columns])
            assignments = ", ".join(
                f"n.{quoted(c)} = CAST(c{i + 1} AS {embedded_column_type(properties[c])})" for i, c in enumerate(columns)
            )
            query = f"LOAD FROM $rows MERGE (n:{quoted(label)} {{id: c0}})" + (f" SET {assignments}" if columns else "")
            self._execute(query, {"rows": renamed})
        return len(frame)

    def upsert_relationships(self, rel_type: str, from_label: str, to_label: str, frame: pd.DataFrame) -> int:
        if frame.empty:
            return 0
        rel = self.model.relationship(rel_type)
        if (from_label, to_label) not in rel.endpoints:
            raise QueryError(f"{rel_type} does not join {from_label} to {to_label} in the model")
        columns = [c for c in frame.columns if c not in ("from_id", "to_id", "id")]
        for column in columns:
            if column not in rel.properties:
                raise QueryError(f"{rel_type} has no property {column!r} in the model")
        with self._lock:
            if self._empty(f"()-[r:{quoted(rel_type)}]->()"):
                rows = _arrow(frame.rename(columns={"from_id": "from", "to_id": "to"}), list(rel.properties.values()),
                              leading=("from", "to"))
                self._execute(
                    f"COPY {quoted(rel_type)} FROM $rows (from='{quoted(from_label)[1:-1]}', to='{quoted(to_label)[1:-1]}')",
                    {"rows": rows},
                )
                return len(frame)
        fields = {"id": pa.string(), "from_id": pa.string(), "to_id": pa.string(),
                  **{c: ARROW_TYPES[rel.properties[c].type] for c in columns}}
        with self._lock:
            changed = self._not_held(
                f"MATCH (a:{quoted(from_label)})-[x:{quoted(rel_type)}]->(b:{quoted(to_label)})", fields, frame,
                {"from_id": "a.id", "to_id": "b.id"})
            if changed.empty:
                return len(frame)
            renamed = _positional(changed, ["from_id", "to_id", "id", *columns])
            # Explicit casts: a column that is empty throughout reaches the engine untyped.
            assignments = ", ".join(
                f"r.{quoted(c)} = CAST(c{i + 3} AS {embedded_column_type(rel.properties[c])})" for i, c in enumerate(columns)
            )
            query = (
                f"LOAD FROM $rows MATCH (a:{quoted(from_label)} {{id: c0}}) MATCH (b:{quoted(to_label)} {{id: c1}}) "
                f"MERGE (a)-[r:{quoted(rel_type)} {{id: c2}}]->(b)" + (f" SET {assignments}" if columns else "")
            )
            self._execute(query, {"rows": renamed})
        return len(frame)

    def _not_held(self, match: str, fields: dict[str, pa.DataType], frame: pd.DataFrame,
                  expressions: dict[str, str] | None = None) -> pd.DataFrame:
        """The rows of ``frame`` the store does not already hold exactly (same id, ends and values).

        A MERGE into a node with many relationships (a theme on 15,000 services) scans them all
        for each row: re-ingesting an unchanged national register took 140 s and 5 GB that way.
        Reading what the store holds and comparing digests of each row leaves only the rows that
        change. Small frames skip the read: their MERGE is cheap and the read would not be.
        """
        if len(frame) < DIFF_FROM_ROWS:
            return frame
        expressions = expressions or {}
        columns = ", ".join(f"{expressions.get(name, f'x.{quoted(name)}')} AS {quoted(name)}" for name in fields)
        stored = self._execute(f"{match} RETURN {columns}").get_as_arrow()
        if stored.num_rows == 0:
            return frame
        stored = pa.table([stored.column(name).cast(kind) for name, kind in fields.items()], names=list(fields))
        held = pd.Series(_digests(stored), index=stored.column("id").to_pylist())
        held = held[~held.index.duplicated(keep=False)]  # an id the store holds twice is never skipped
        incoming = _digests(_arrow(frame, [], leading=tuple(fields), types=fields))
        same = held.reindex(frame["id"].to_numpy(dtype=object)).to_numpy() == incoming
        return frame[~same]

    def existing_ids(self, label: str, ids: list[str], replacing: Sequence[str] = ()) -> set[str]:
        if not ids:
            return set()
        query = f"MATCH (n:{quoted(self.model.label(label).name)}) WHERE n.id IN $ids"
        query += " AND (n.source IS NULL OR NOT n.source IN $replacing)" if replacing else ""
        rows = self.run(f"{query} RETURN n.id AS id", {"ids": ids, **({"replacing": list(replacing)} if replacing else {})})
        return {row["id"] for row in rows}

    def bulk_load(
        self,
        nodes: Iterable[tuple[str, pd.DataFrame]],
        edges: Iterable[tuple[str, str, str, pd.DataFrame]],
        progress: Callable[[str], None] = lambda _: None,
    ) -> dict[str, Counter] | None:
        """Into an empty store: build a new database file by bulk COPY, then swap it in.

        All or nothing like a transaction: until the rename, the store is the empty file it
        was, and a process killed before it leaves only ``graph.lbdb.loading``, which the next
        open removes. Returns None (nothing done) when the store holds anything, is read-only
        or is inside a transaction; the caller then writes through the upserts.
        """
        with self._lock:
            if self.read_only or self._in_transaction or not self._empty("(n)"):
                return None
            side = self.path / LOADING_FILE
            _remove_loading(self.path)
            database = ladybug.Database(str(side))
            connection = ladybug.Connection(database)
            try:
                with tempfile.TemporaryDirectory(prefix=f"{LOADING_FILE}.parts-", dir=self.path) as parts:
                    for statement in embedded_ddl(self.model):
                        connection.execute(statement)
                    copier = _Copier(connection, Path(parts))
                    try:
                        written = self._copy_all(copier, nodes, edges, progress)
                    finally:
                        copier.stop()  # before the parts go: a COPY may still be reading one
                connection.execute("CHECKPOINT")
            except RuntimeError as exc:
                _close_and_remove(connection, database, self.path)
                raise QueryError(f"the embedded engine refused the bulk load: {exc}") from exc
            except BaseException:
                _close_and_remove(connection, database, self.path)
                raise
            connection.close()
            database.close()
            self._swap_in(side)
            return written

    def _copy_all(
        self,
        copier: _Copier,
        nodes: Iterable[tuple[str, pd.DataFrame]],
        edges: Iterable[tuple[str, str, str, pd.DataFrame]],
        progress: Callable[[str], None],
    ) -> dict[str, Counter]:
        """Convert each table and hand it to ``copier``; what was written once every COPY has ended."""
        written: dict[str, Counter] = {"nodes": Counter(), "relationships": Counter()}
        for label, frame in nodes:
            table = _arrow(frame, list(self.model.label(label).properties.values()))
            copier.submit(quoted(label), table, "", f"wrote {len(frame)} {label} nodes")
            written["nodes"][label] += len(frame)
            _tell(progress, copier.news())
        for rel_type, from_label, to_label, frame in edges:
            rel = self.model.relationship(rel_type)
            if (from_label, to_label) not in rel.endpoints:
                raise QueryError(f"{rel_type} does not join {from_label} to {to_label} in the model")
            table = _arrow(frame.rename(columns={"from_id": "from", "to_id": "to"}),
                           list(rel.properties.values()), leading=("from", "to"))
            ends = f"(from='{quoted(from_label)[1:-1]}', to='{quoted(to_label)[1:-1]}')"
            message = f"wrote {len(frame)} {rel_type} relationships ({from_label} → {to_label})"
            copier.submit(quoted(rel_type), table, ends, message)
            written["relationships"][rel_type] += len(frame)
            _tell(progress, copier.news())
        _tell(progress, copier.finish())
        return written

    def _swap_in(self, side: Path) -> None:
        """Replace the (empty) store's file with ``side``: closed, checkpointed, one rename."""
        self._generation += 1
        self._execute("CHECKPOINT")
        self._connection.close()
        self._database.close()
        wal = Path(f"{self.file}.wal")
        if wal.exists() and wal.stat().st_size:  # never expected after a checkpoint: keep the store as it was
            _remove_loading(self.path)
            self._database = self._open()
            self._connection = ladybug.Connection(self._database)
            raise StoreUnavailable(f"the store {self.path} kept a write-ahead log after a checkpoint; "
                                   "the bulk load was discarded and the store left as it was")
        wal.unlink(missing_ok=True)
        os.replace(side, self.file)
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself made durable
        finally:
            os.close(directory)
        self._database = self._open()
        self._connection = ladybug.Connection(self._database)

    def close(self) -> None:
        with self._lock:
            self._connection.close()
            self._database.close()
            self._claim.release()


CLAIM_FILE = "store.lock"


class _Claim:
    """This process's claim on a store: alone to write, or shared with other readers.

    The engine locks a writer against a writer, but not readers against a writer (measured:
    a read-only open beside a writer succeeds both ways round, and then reads stale data or
    fails). So the store keeps its own claim, an flock on ``store.lock``, and the file says
    who holds it, for the message the next process gets. Within one process the claim is
    shared and counted (flock would refuse a second descriptor of the same process).
    """

    _held: dict[Path, "_Claim"] = {}
    _guard = threading.Lock()

    def __init__(self, path: Path, file: IO[str]):
        self.path, self.file, self.count = path, file, 0

    @classmethod
    def take(cls, path: Path, read_only: bool) -> "_Claim":
        key = path.resolve()
        with cls._guard:
            claim = cls._held.get(key)
            if claim is None:
                claim = cls._held[key] = cls(key, _lock_file(path, read_only))
            claim.count += 1
            return claim

    def release(self) -> None:
        with self._guard:
            self.count -= 1
            if self.count == 0:
                self._held.pop(self.path, None)
                self.file.close()  # closing the file releases the flock


def _lock_file(path: Path, read_only: bool) -> IO[str]:
    """The flocked ``store.lock`` of ``path``, naming this process; StoreUnavailable naming the holder."""
    file = open(path / CLAIM_FILE, "a+", encoding="utf-8")  # noqa: SIM115 -- held open for the store's life
    try:
        fcntl.flock(file, (fcntl.LOCK_SH if read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError as exc:
        file.seek(0)
        holders = [line for line in file.read().splitlines() if _alive(line)]
        file.close()
        wanted = "read it" if read_only else "write to it"
        raise StoreUnavailable(
            f"the embedded store {path} is open in another process ({'; '.join(holders) or 'holder unknown'}), "
            f"so this one cannot {wanted}: one process may write to an embedded store, or several may read it "
            f"(partnermap serve --read-only), not both"
        ) from exc
    me = f"pid {os.getpid()} {'reading' if read_only else 'writing'}: {' '.join(sys.argv)[:200]}"
    if not read_only:
        file.truncate(0)
    else:  # readers share the claim: keep the lines of readers still alive, add this one
        file.seek(0)
        alive = [line for line in file.read().splitlines() if _alive(line)]
        file.truncate(0)
        me = "\n".join([*alive, me])
    file.write(me + "\n")
    file.flush()
    return file


def _alive(line: str) -> bool:
    """Whether the process a claim line names is still running."""
    try:
        os.kill(int(line.split()[1].rstrip(":")), 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


ARROW_TYPES = {
    "string": pa.string(),
    "string[]": pa.list_(pa.string()),
    "integer": pa.int64(),
    "float": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


def _digests(table: pa.Table) -> np.ndarray:
    """A 64-bit digest of each row's values (a list as its items joined; an empty list as null)."""
    columns = []
    for column in table.columns:
        if pa.types.is_list(column.type):
            column = pc.if_else(pc.equal(pc.list_value_length(column), 0), None, pc.binary_join(column, "\x1f"))
        columns.append(column)
    frame = pa.table(columns, names=table.column_names).to_pandas()
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def _arrow(frame: pd.DataFrame, properties: list, leading: tuple[str, ...] = (),
           types: dict[str, pa.DataType] | None = None) -> pa.Table:
    """The frame as an Arrow table in the table's column order, each column typed from the model."""
    fields = [pa.field(name, (types or {}).get(name, pa.string())) for name in leading]
    fields += [pa.field(p.name, ARROW_TYPES[p.type]) for p in properties]
    arrays = []
    for field in fields:
        if field.name not in frame.columns:
            arrays.append(pa.array([[]] * len(frame) if pa.types.is_list(field.type) else [None] * len(frame),
                                   type=field.type))
            continue
        values = frame[field.name].to_numpy(dtype=object)
        if pa.types.is_list(field.type):
            values = [v if isinstance(v, list) else [] for v in values]
        arrays.append(pa.array(values, type=field.type, from_pandas=True))  # NaN and None both to null
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class _Copier:
    """The bulk load's COPY statements, one after another on a thread of their own.

    The engine's COPY runs on one core (measured: CPU time equals wall time at 1, 2 or 4 engine
    threads) and, from a Parquet file, releases the GIL. So while it copies one table, the
    caller checks and converts the next ones on the other core. A table waiting its turn is a
    file on disk, not memory, so the caller never waits for the engine (a national register's
    parts come to 142 MB, at most 101 MB at once); a table that must go as an Arrow parameter waits in memory, one
    at a time. An engine error stops the rest and is raised to the caller.
    """

    def __init__(self, connection: ladybug.Connection, parts: Path):
        self._connection, self._parts = connection, parts
        self._jobs: queue.Queue = queue.Queue()
        self._in_memory = threading.Semaphore(1)  # Arrow tables waiting or being copied
        self._done: list[str] = []  # progress messages of the tables copied so far
        self._told = 0  # how many of them the caller has had
        self._submitted = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="partnermap-bulk-copy", daemon=True)
        self._thread.start()

    def submit(self, table_name: str, rows: pa.Table, options: str, message: str) -> None:
        """Queue ``rows`` for ``COPY table_name`` (through a Parquet file where the path can be a literal).

        From a file the engine streams and releases the GIL; from an Arrow parameter it holds a
        second copy of the table (measured: 350 MB more at national size) and the GIL.
        """
        if self._error is not None:
            raise self._error
        if _LITERAL_SAFE.match(str(self._parts)):
            self._submitted += 1
            file = self._parts / f"{self._submitted}-{table_name.strip('`')}.parquet"
            pq.write_table(rows, file, compression="none")
            job = (f"COPY {table_name} FROM '{file}' {options}", None, file, message)
        else:
            self._in_memory.acquire()
            job = (f"COPY {table_name} FROM $rows {options}", {"rows": rows}, None, message)
        del rows
        self._jobs.put(job)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            statement, params, file, message = job
            if self._error is None:
                try:
                    self._connection.execute(statement, params) if params else self._connection.execute(statement)
                    self._done.append(message)
                except BaseException as exc:  # noqa: BLE001 -- handed to the caller's thread
                    self._error = exc
            if file is not None:
                file.unlink(missing_ok=True)
            else:
                self._in_memory.release()
            del job, params

    def news(self) -> list[str]:
        """The progress messages of the tables copied since last asked."""
        done = self._done[self._told:]
        self._told += len(done)
        return done

    def finish(self) -> list[str]:
        """Wait for every queued COPY; the progress messages not yet had, or the first error raised."""
        self._jobs.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.news()

    def stop(self) -> None:
        """After a failure on the caller's side: skip what is queued and wait for the running COPY."""
        if self._thread.is_alive():
            self._error = self._error or RuntimeError("bulk load abandoned")
            self._jobs.put(None)
            self._thread.join()


def _tell(progress: Callable[[str], None], messages: list[str]) -> None:
    for message in messages:
        progress(message)


def _remove_loading(path: Path) -> None:
    """Delete what an interrupted first load left beside the store (its file, log and parts)."""
    for leftover in path.glob(f"{LOADING_FILE}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _close_and_remove(connection: ladybug.Connection, database: ladybug.Database, path: Path) -> None:
    connection.close()
    database.close()
    _remove_loading(path)


def _positional(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The frame's columns renamed c0, c1… so no data column name is ever read as Cypher."""
    out = frame[columns].copy()
    out.columns = [f"c{i}" for i in range(len(columns))]
    return out.reset_index(drop=True)

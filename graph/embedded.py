"""The embedded store: the ladybug engine (a maintained fork of Kùzu), on disk, no server.

Built around faults measured on this engine (ladybug 0.22):

* a process killed at COMMIT can leave a write-ahead log that the default open
  refuses; we keep a copy of the refused log, open leniently (which recovers the
  state before that transaction) and say so in ``warnings``;
* a failed statement inside an explicit transaction rolls back and silently
  carries on in auto-commit, so we stop at the first error and never continue;
* writes from a second connection can crash the process, so one connection writes and a
  lock serialises its users; reads from other threads go through a second connection, which
  answers the last committed state without waiting for a write in progress (measured: 4 ms
  while the first held an open write transaction);
* only one process may open a database read-write: a second gets StoreUnavailable;
* ``COPY FROM`` inside an explicit transaction holds everything uncommitted in memory and
  then replays it at COMMIT: a national first load took 16 s and +1.8 GB that way, against
  10.4 s and +0.5 GB as auto-committed COPYs into a new file. So a first load into an empty
  store builds a new database file beside it and swaps it in (:meth:`EmbeddedStore.bulk_writer`);
* a read-only transaction on a connection of its own keeps the committed state it began with
  across the writing connection's commits and checkpoints, and waits for neither: a backup reads
  all its tables there (:meth:`EmbeddedStore.snapshot`) while the store goes on serving and writing.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import ladybug
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from graph import budget
from graph.columns import arrow_table
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
# The statements that end a transaction, making its writes visible.
_ENDS = re.compile(r"^\s*(COMMIT|ROLLBACK)\b", re.IGNORECASE)
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
        self._lock = threading.RLock()  # the writing connection, and whoever uses it
        self._read_lock = threading.RLock()  # the reading connection (reads from other threads)
        self._writer: int | None = None  # the thread inside a transaction or a bulk load
        self._filled: set[str] = set()  # patterns known to match something (see _empty)
        self._generation = 0
        self._in_transaction = False
        self._snapshots: set[_Snapshot] = set()  # open read-only snapshots (backups), ended before a close or swap
        self._snapshot_guard = threading.Lock()
        self._claim = _Claim.take(self.path, read_only)
        try:
            _remove_loading(self.path)  # an interrupted first load; the store itself never saw it
            self._connect()
        except BaseException:
            self._claim.release()
            raise
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

    def _execute(self, query: str, params: dict[str, Any] | None = None, connection: Any = None) -> Any:
        # The generation changes when a write becomes visible to readers (at COMMIT, or at once
        # outside a transaction), so what a reader keeps per generation is what it could read.
        visible = _WRITES.search(query) and (not self._in_transaction or _ENDS.match(query))
        try:
            result = (connection or self._connection).execute(query, params or {})
        except RuntimeError as exc:
            raise QueryError(f"the embedded engine refused the query: {exc}") from exc
        finally:
            if visible:
                self._generation += 1
        if isinstance(result, list):
            raise QueryError("one statement at a time: the query held several")
        return result

    @contextmanager
    def _using(self, query: str) -> Iterator[Any]:
        """The connection for ``query``, held: reads from a thread that is not writing use the reading one."""
        if self._writer != threading.get_ident() and not _WRITES.search(query):
            with self._read_lock:
                yield self._reader
            return
        with self._lock:
            yield self._connection

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
        with self._using(query) as connection, self._budgeted(connection):
            result = self._execute(query, params, connection)
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
        with self._using(query) as connection, self._budgeted(connection):
            return self._execute(query, params, connection).get_as_df()

    @contextmanager
    def _budgeted(self, connection: Any) -> Iterator[None]:
        """One read under the caller's time budget (:mod:`graph.budget`): what is left is the engine's timeout."""
        timeout = budget.remaining_ms()
        if timeout is None:
            yield
            return
        connection.set_query_timeout(timeout)
        try:
            yield
        except QueryError as exc:
            if str(exc.__cause__) == "Interrupted.":  # what ladybug 0.22 raises when the timeout stops a query
                raise budget.exceeded() from exc
            raise
        finally:
            connection.set_query_timeout(0)  # 0: no timeout, for whatever runs next

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._in_transaction:  # nested: the outer transaction decides
                yield
                return
            self._execute("BEGIN TRANSACTION")
            self._in_transaction, self._writer = True, threading.get_ident()
            try:
                yield
            except BaseException:
                self._in_transaction, self._writer = False, None
                self._generation += 1  # what the transaction's own reads kept is gone with it
                try:
                    self._connection.execute("ROLLBACK")
                except RuntimeError:
                    pass  # the engine has already rolled back on the failed statement
                raise
            try:
                self._execute("COMMIT")
            finally:
                self._in_transaction, self._writer = False, None

    def _empty(self, pattern: str) -> bool:
        # A table once seen holding rows is not counted again (a small ingest upserts into thirty):
        # thinking it still holds rows after all were deleted only costs a MERGE instead of a COPY.
        if pattern in self._filled:
            return False
        empty = self.run(f"MATCH {pattern} RETURN count(*) AS n")[0]["n"] == 0
        if not empty:
            self._filled.add(pattern)
        return empty

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
                self._execute(f"COPY {quoted(label)} FROM $rows", {"rows": arrow_table(frame, list(properties.values()))})
                return len(frame)
        with self._lock:
            renamed = _positional(frame, ["id"], [properties[c] for c in columns])
            assignments = ", ".join(
                f"n.{quoted(c)} = CAST(c{i + 1} AS {embedded_column_type(properties[c])})" for i, c in enumerate(columns)
            )
            query = f"LOAD FROM $rows MERGE (n:{quoted(label)} {{id: c0}})" + (f" SET {assignments}" if columns else "")
            self._execute(query, {"rows": renamed})
        return len(frame)

    def upsert_relationships(self, rel_type: str, from_label: str, to_label: str, frame: pd.DataFrame,
                             new: bool = False) -> int:
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
                rows = arrow_table(frame.rename(columns={"from_id": "from", "to_id": "to"}), list(rel.properties.values()),
                                   leading=("from", "to"))
                self._execute(
                    f"COPY {quoted(rel_type)} FROM $rows (from='{quoted(from_label)[1:-1]}', to='{quoted(to_label)[1:-1]}')",
                    {"rows": rows},
                )
                return len(frame)
        with self._lock:
            renamed = _positional(frame, ["from_id", "to_id", "id"], [rel.properties[c] for c in columns])
            # Explicit casts: a column that is empty throughout reaches the engine untyped.
            assignments = ", ".join(
                f"r.{quoted(c)} = CAST(c{i + 3} AS {embedded_column_type(rel.properties[c])})" for i, c in enumerate(columns)
            )
            ends = f"LOAD FROM $rows MATCH (a:{quoted(from_label)} {{id: c0}}) MATCH (b:{quoted(to_label)} {{id: c1}}) "
            if new:
                # MERGE, and SET after CREATE, look through every relationship of their ends: an
                # organisation delivering 100,000 services made either quadratic (5,000 rows onto
                # one such node: 1.4 s). Rows known to be new are created with their values: 0.09 s.
                values = "".join(f", {quoted(c)}: CAST(c{i + 3} AS {embedded_column_type(rel.properties[c])})"
                                 for i, c in enumerate(columns))
                query = ends + f"CREATE (a)-[r:{quoted(rel_type)} {{id: c2{values}}}]->(b)"
            else:
                query = ends + f"MERGE (a)-[r:{quoted(rel_type)} {{id: c2}}]->(b)" + (f" SET {assignments}" if columns else "")
            self._execute(query, {"rows": renamed})
        return len(frame)

    def existing_ids(self, label: str, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        rows = self.run(f"MATCH (n:{quoted(self.model.label(label).name)}) WHERE n.id IN $ids RETURN n.id AS id", {"ids": ids})
        return {row["id"] for row in rows}

    def table(self, query: str, params: dict[str, Any] | None = None) -> pa.Table:
        with self._using(query) as connection:
            result = self._execute(query, params, connection)
            return result.get_as_arrow() if result.get_column_names() else pa.table({})

    def bulk_writer(self, progress: Callable[[str], None] = lambda _: None) -> "_BulkLoad | None":
        """Into an empty store: a new database file built beside it by bulk COPY, swapped in by ``finish``.

        All or nothing like a transaction: until the rename, the store is the empty file it
        was, and a process killed before it leaves only ``graph.lbdb.loading``, which the next
        open removes. None (nothing done) when the store holds anything, is read-only or is
        inside a transaction; the caller then writes through the upserts. The store's lock is
        held from here until ``finish`` or ``abandon``.
        """
        self._lock.acquire()
        try:
            if self.read_only or self._in_transaction or not self._empty("(n)"):
                self._lock.release()
                return None
            loading = _BulkLoad(self, progress)
            self._writer = threading.get_ident()
            return loading
        except BaseException:
            self._lock.release()
            raise

    def _swap_in(self, side: Path) -> None:
        """Replace the (empty) store's file with ``side``: closed, checkpointed, one rename.

        Readers wait for the few milliseconds this takes: the database they read is replaced.
        """
        with self._read_lock:
            self._swap_in_held(side)

    def _swap_in_held(self, side: Path) -> None:
        self._generation += 1
        self._execute("CHECKPOINT")
        self._reader.close()
        self._connection.close()
        self._database.close()
        wal = Path(f"{self.file}.wal")
        if wal.exists() and wal.stat().st_size:  # never expected after a checkpoint: keep the store as it was
            _remove_loading(self.path)
            self._connect()
            raise StoreUnavailable(f"the store {self.path} kept a write-ahead log after a checkpoint; "
                                   "the bulk load was discarded and the store left as it was")
        wal.unlink(missing_ok=True)
        os.replace(side, self.file)
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself made durable
        finally:
            os.close(directory)
        self._connect()

    def _connect(self) -> None:
        """Open the store's file: the database, the writing connection and the reading one."""
        self._database = self._open()
        self._connection = ladybug.Connection(self._database)
        self._reader = ladybug.Connection(self._database)

    def replacement(self, progress: Callable[[str], None] = lambda _: None) -> "_BulkLoad":
        """A new database file built beside the store by bulk COPY and swapped in by ``finish``, whatever it holds.

        For a restore: all or nothing like :meth:`bulk_writer`, but it replaces what the store holds
        instead of filling an empty one. The store's lock is held until ``finish`` or ``abandon``.
        """
        if self.read_only:
            raise StoreUnavailable(f"the store {self.path} is open read-only: it cannot be replaced")
        self._lock.acquire()
        try:
            if self._in_transaction:
                raise QueryError("a store cannot be replaced from inside one of its transactions")
            self._filled.clear()  # what was known of the old data says nothing of the new
            loading = _BulkLoad(self, progress)
            self._writer = threading.get_ident()
            return loading
        except BaseException:
            self._lock.release()
            raise

    @contextmanager
    def snapshot(self) -> Iterator["_Snapshot"]:
        """The committed state as it is now, read on a connection of its own while the store goes on.

        A read-only transaction: it waits for no write and keeps its state whatever is committed
        beside it (a backup reads here). Closing the store, or the swap of a first load or a restore,
        ends it: its next read raises StoreUnavailable.
        """
        with self._snapshot_guard:
            if self._database.is_closed:
                raise StoreUnavailable(f"the store {self.path} is closed")
            snapshot = _Snapshot(self._database, self.path)
            self._snapshots.add(snapshot)
        try:
            yield snapshot
        finally:
            snapshot.end()
            with self._snapshot_guard:
                self._snapshots.discard(snapshot)

    @contextmanager
    def _snapshots_ended(self) -> Iterator[None]:
        """End every open snapshot and let none begin until the block is done (the database is closed in it)."""
        with self._snapshot_guard:
            for snapshot in list(self._snapshots):
                snapshot.end()
            yield

    def close(self) -> None:
        with self._lock, self._snapshots_ended(), self._read_lock:  # the order a swap takes them in
            self._reader.close()
            self._connection.close()
            self._database.close()
            self._claim.release()


class _Snapshot:
    """A read-only transaction on a connection of its own (see :meth:`EmbeddedStore.snapshot`)."""

    def __init__(self, database: ladybug.Database, path: Path):
        self._path = path
        self._guard = threading.Lock()  # held while a read runs, so ``end`` never closes under it
        self._ending = False
        self._ended = False
        self._connection = ladybug.Connection(database)
        # One core for a backup, the other left to serving (p99 of a small read during a national backup:
        # 200 ms on one engine thread, 267 ms on two; a big result freed holds the GIL ~0.1 s).
        self._connection.set_max_threads_for_exec(1)
        try:
            self._connection.execute("BEGIN TRANSACTION READ ONLY")
        except RuntimeError as exc:
            self._connection.close()
            raise StoreUnavailable(f"cannot read the store {path}: {exc}") from exc

    def table(self, query: str, params: dict[str, Any] | None = None) -> pa.Table:
        """Run a read in the snapshot; its rows as an Arrow table."""
        with self._guard:
            if self._ended:
                raise self._gone()
            try:
                result = self._connection.execute(query, params or {})
                return result.get_as_arrow() if result.get_column_names() else pa.table({})
            except RuntimeError as exc:
                if self._ending:
                    raise self._gone() from exc
                raise QueryError(f"the embedded engine refused the query: {exc}") from exc

    def end(self) -> None:
        """Stop the read under way (if any), end the transaction and close the connection; again is nothing."""
        self._ending = True
        try:
            self._connection.interrupt()
        except RuntimeError:
            pass  # nothing running, or already closed
        with self._guard:
            if self._ended:
                return
            self._ended = True
            try:
                self._connection.execute("ROLLBACK")  # a read-only transaction: nothing to keep
            except RuntimeError:
                pass
            self._connection.close()

    def _gone(self) -> StoreUnavailable:
        return StoreUnavailable(f"the store {self._path} was closed or replaced while it was being read")


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


class _BulkLoad:
    """A first load in progress: tables copied into a new database file beside the store (see ``bulk_writer``)."""

    def __init__(self, store: EmbeddedStore, progress: Callable[[str], None]):
        self.store, self.progress = store, progress
        self.side = store.path / LOADING_FILE
        _remove_loading(store.path)
        self._database = ladybug.Database(str(self.side))
        self._connection = ladybug.Connection(self._database)
        self._parts = tempfile.TemporaryDirectory(prefix=f"{LOADING_FILE}.parts-", dir=store.path)
        try:
            for statement in embedded_ddl(store.model):
                self._connection.execute(statement)
            self._copier = _Copier(self._connection, Path(self._parts.name))
        except BaseException:
            self._close()
            raise

    def nodes(self, label: str, rows: pa.Table, count: int) -> None:
        """Copy the nodes of ``label`` (typed from the model, in its column order)."""
        self._submit(quoted(label), rows, "", f"wrote {count} {label} nodes")

    def relationships(self, rel_type: str, from_label: str, to_label: str, rows: pa.Table, count: int) -> None:
        """Copy the relationships of one type between two labels (``from``, ``to``, then the properties)."""
        ends = f"(from='{quoted(from_label)[1:-1]}', to='{quoted(to_label)[1:-1]}')"
        self._submit(quoted(rel_type), rows, ends, f"wrote {count} {rel_type} relationships ({from_label} → {to_label})")

    def _submit(self, table: str, rows: pa.Table, options: str, message: str) -> None:
        try:
            self._copier.submit(table, rows, options, message)
        except BaseException:
            self.abandon()
            raise
        _tell(self.progress, self._copier.news())

    def finish(self, then: list[tuple[str, dict[str, Any]]] = ()) -> None:
        """Wait for every COPY, run ``then`` (statements with parameters) in the new file, then swap it in.

        QueryError (nothing written) if the engine refused any of them: what ``then`` writes is
        part of the same all-or-nothing load.
        """
        try:
            _tell(self.progress, self._copier.finish())
            for statement, params in then:
                self._connection.execute(statement, params)
            self._connection.execute("CHECKPOINT")
        except RuntimeError as exc:
            self.abandon()
            raise QueryError(f"the embedded engine refused the bulk load: {exc}") from exc
        except BaseException:
            self.abandon()
            raise
        self._close(remove=False)
        try:
            with self.store._snapshots_ended():
                self.store._swap_in(self.side)
        finally:
            self.store._writer = None
            self.store._lock.release()

    def abandon(self) -> None:
        """Stop copying and remove the new file: the store stays as it was (empty)."""
        if self._database is None:
            return
        self._copier.stop()  # before the parts go: a COPY may still be reading one
        self._close()
        self.store._writer = None
        self.store._lock.release()

    def _close(self, remove: bool = True) -> None:
        self._parts.cleanup()
        self._connection.close()
        self._database.close()
        self._database = None
        if remove:
            _remove_loading(self.store.path)


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


def _positional(frame: pd.DataFrame, keys: list[str], properties: list) -> pa.Table:
    """The frame as Arrow typed from the model, columns renamed c0, c1… so no data column name is ever read as Cypher."""
    table = arrow_table(frame.reset_index(drop=True), properties, leading=tuple(keys))
    return table.rename_columns([f"c{i}" for i in range(table.num_columns)])

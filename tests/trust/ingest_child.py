"""Runs of ``partnermap ingest register`` (or another command) that say on stdout where they are, for the fault tests to kill.

    python -m tests.trust.ingest_child REGISTER
    python -m tests.trust.ingest_child COMMAND ARGS…      (e.g. restore --force BACKUP)

Imports everything once, prints READY, then for each line on stdin (a store directory) forks
a process that runs the real CLI command into that store, ``partnermap --db DIR ingest register REGISTER``
or ``partnermap --db DIR COMMAND ARGS…`` (a fresh process per run without paying seconds of imports each time).
The forked run prints ``PID n``, then markers, each flushed before its step runs: BEGIN,
COMMIT (just before the engine's COMMIT), COMMITTED; or, for a first load into an empty store or a
restore, LOAD (the new file begins), SWAP (just before the built file replaces the store's), SWAPPED;
then CLOSING (the checkpoint on close), CLOSED, DONE. When it has ended, however, this process prints ``EXIT status``.
"""

from __future__ import annotations

import os
import sys


def _say(marker: str) -> None:
    sys.stdout.write(marker + "\n")
    sys.stdout.flush()


def _traced() -> None:
    """Make the store announce its transaction and checkpoint steps (in this test process only)."""
    from graph.embedded import EmbeddedStore

    execute, close = EmbeddedStore._execute, EmbeddedStore.close
    bulk_writer, swap_in = EmbeddedStore.bulk_writer, EmbeddedStore._swap_in
    replacement = EmbeddedStore.replacement

    def traced_execute(self, query, params=None, connection=None):
        if query == "BEGIN TRANSACTION":
            _say("BEGIN")
        if query == "COMMIT":
            _say("COMMIT")
            result = execute(self, query, params, connection)
            _say("COMMITTED")
            return result
        return execute(self, query, params, connection)

    def traced_close(self):
        _say("CLOSING")
        close(self)
        _say("CLOSED")

    def traced_bulk_writer(self, *args, **kwargs):
        writer = bulk_writer(self, *args, **kwargs)
        if writer is not None:
            _say("LOAD")
        return writer

    def traced_replacement(self, *args, **kwargs):
        writer = replacement(self, *args, **kwargs)
        _say("LOAD")
        return writer

    def traced_swap_in(self, side):
        _say("SWAP")
        swap_in(self, side)
        _say("SWAPPED")

    EmbeddedStore._execute, EmbeddedStore.close = traced_execute, traced_close
    EmbeddedStore.bulk_writer, EmbeddedStore._swap_in = traced_bulk_writer, traced_swap_in
    EmbeddedStore.replacement = traced_replacement


def _run(db: str, command: list[str]) -> int:
    from cli import app

    _say(f"PID {os.getpid()}")
    code = app(["--db", db, *command], standalone_mode=False)
    if not code:
        _say("DONE")
    return int(code or 0)


def main(command: list[str]) -> None:
    import cli  # noqa: F401 -- everything the command needs, imported before the forks

    _traced()
    _say("READY")
    while db := sys.stdin.readline().strip():
        pid = os.fork()
        if pid == 0:
            try:
                code = _run(db, command)
            except BaseException as exc:  # noqa: BLE001 -- reported to the test, never raised past the fork
                _say(f"FAILED {type(exc).__name__}: {exc}")
                code = 1
            sys.stdout.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        _say(f"EXIT {status}")


if __name__ == "__main__":
    main(["ingest", "register", sys.argv[1]] if len(sys.argv) == 2 else sys.argv[1:])

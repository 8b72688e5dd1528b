"""What readers produce: batches of nodes and relationships as columns, plus problems.

A reader turns a file into these; :mod:`ingest.validate` types and checks them
against the ontology; :mod:`ingest.load` writes them. Columns are kept as
DataFrames so that a national register is validated column by column, not row by row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from partnermap.errors import Problem

# Every batch frame carries these beside the model's properties: the row number
# (for error messages) and provenance (the Source id and the row, stored on the fact).
ROW = "_row"

# Readers hold a file in memory (and a parse of it several times larger): refuse bigger
# ones before reading a byte. Above the largest real file we know (~20 MB) with room to spare.
MAX_FILE_BYTES = 128 * 1024 * 1024


def too_large(path: Path) -> Problem | None:
    """A fatal Problem for a file over ``MAX_FILE_BYTES``, or None; readers ask before reading."""
    size = path.stat().st_size
    if size <= MAX_FILE_BYTES:
        return None
    return Problem(path.name, None, None, size, f"file is larger than the {MAX_FILE_BYTES:,} bytes partnermap reads", fatal=True)


def unreadable(path: Path) -> Problem | None:
    """A fatal Problem for a path that is not a file, or a file too large to read (see :func:`too_large`); else None."""
    if not path.is_file():
        return Problem(str(path), None, None, None, "no such file", fatal=True)
    return too_large(path)


@dataclass
class NodeBatch:
    """Nodes of one label read from one file: columns ``id``, properties, ``source``, ``source_row``, ``_row``."""

    label: str
    frame: pd.DataFrame
    file: str
    clean: bool = False  # see EdgeBatch.clean


@dataclass
class EdgeBatch:
    """Relationships of one type read from one file.

    Columns: ``from_id``, ``to_id``, ``id``, properties, ``source``, ``source_row``, ``_row``.
    The endpoint labels are resolved during validation among ``from_labels``/``to_labels``;
    ``from_column``/``to_column`` name the input columns the ids came from, for messages.
    ``clean``: the reader vouches that every property cell is a ``str``, already trimmed, with
    ``""`` for blank (the register's are), so validation need not trim 1.8 million cells again.
    """

    type: str
    frame: pd.DataFrame
    file: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    from_column: str
    to_column: str
    clean: bool = False


@dataclass(frozen=True)
class ReadWarning:
    """A value read past without refusing anything: it breaks its standard's schema, but partnermap
    does not need it (or needs only what could be read of it). The publisher should fix it."""

    problem: Problem

    def __str__(self) -> str:
        return str(self.problem)


@dataclass(frozen=True)
class Skipped:
    """A record a reader left out, with everything that hangs off it, because it was asked to skip
    invalid records (``--skip-invalid``): which file and record (row or JSON pointer), and why."""

    file: str
    record: int | str
    problems: tuple[Problem, ...]

    def rows(self) -> list[dict[str, object]]:
        """One row per reason (file, record, field, value, reason): a rejects file's lines."""
        return [{"file": self.file, "record": self.record, "field": p.column, "value": p.value, "reason": p.reason}
                for p in self.problems]


Item = NodeBatch | EdgeBatch | Problem | ReadWarning | Skipped
"""What a reader yields. Warnings and skipped records are set aside (:class:`SetAside`) before the
batches and problems are checked and written."""


class SetAside:
    """A reader's items without its warnings and skipped records, which are kept here instead.

    ``ingest.load`` takes batches and problems only; what a reader read past or left out is
    reported beside what was written.
    """

    def __init__(self, items: Iterable[Item]):
        self._items = items
        self.warnings: list[ReadWarning] = []
        self.skipped: list[Skipped] = []

    def __iter__(self) -> Iterator[Item]:
        for item in self._items:
            if isinstance(item, ReadWarning):
                self.warnings.append(item)
            elif isinstance(item, Skipped):
                self.skipped.append(item)
            else:
                yield item


def _file_names(source: object) -> str:
    """The file or files a reader was given, as messages name them."""
    if isinstance(source, (str, Path)):
        return Path(source).name or str(source)
    if isinstance(source, Iterable):
        return ", ".join(_file_names(item) for item in source)
    return str(source)


def guarded(reader: Callable[..., Iterator[Item]]) -> Callable[..., Iterator[Item]]:
    """The reader, except that a failure it did not foresee becomes a fatal Problem naming the file.

    Readers turn every fault they know of into a Problem; this is the net under them, so a file
    nobody foresaw still gets a message (and the ingest writes nothing) instead of a traceback.
    """

    @functools.wraps(reader)
    def read(source, *args, **kwargs) -> Iterator[Item]:
        try:
            yield from reader(source, *args, **kwargs)
        except (RecursionError, MemoryError) as exc:
            yield Problem(_file_names(source), None, None, None,
                          f"too deeply nested or too large to read ({type(exc).__name__})", fatal=True)
        except Exception as exc:  # noqa: BLE001 -- the net: every other failure is reported, never raised
            yield Problem(_file_names(source), None, None, None,
                          f"could not be read ({type(exc).__name__}: {exc}); {UNFORESEEN}", fatal=True)

    return read


UNFORESEEN = "the reader met something it does not expect: please report this file to partnermap's maintainers"

"""The errors partnermap raises on purpose, each with a message a person can act on.

    PartnermapError             base: anything we expected could go wrong
    ├── NotFound                an id, code, query or file that does not exist
    ├── InvalidRecords          input that breaks the model; carries the first problems and counts the rest
    ├── QueryError              a query that cannot run: bad parameters, or the engine refused it
    ├── QueryTimeout            a query or page that ran past its time budget and was stopped
    ├── Forbidden               a write to a source another key owns
    ├── Unconfirmed             a write that would remove much of what a source said, not confirmed
    ├── StoreUnavailable        the database cannot be opened or reached
    ├── BackupRefused           a backup or restore that cannot be done as asked; nothing was written
    └── PrintUnavailable        a PDF asked for where WeasyPrint or the Pango library is missing

Driver exceptions are translated at the store boundary (``raise StoreUnavailable(...) from exc``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# An error report lists this many problems and counts the rest by file, column and reason: an
# all-wrong register of 700,000 rows once answered 2.1 million problems in a 419 MB body.
LISTED_PROBLEMS = 1000
# The rest are counted in at most this many (file, column, reason) groups; a reason quoting a
# value makes a group per row, and those are counted together as "other reasons".
COUNTED_GROUPS = 1000
OTHER_REASONS = "other reasons"
# A value quoted in a report is cut to this many characters (a spreadsheet cell holds 32,767).
QUOTED_CHARACTERS = 200


class PartnermapError(Exception):
    """Base of every error partnermap raises deliberately."""


class NotFound(PartnermapError):
    """Something named does not exist."""


class QueryError(PartnermapError):
    """A query cannot be run as asked."""


class QueryTimeout(PartnermapError):
    """A query or page ran past its time budget and was stopped; nothing it did is kept."""


class StoreUnavailable(PartnermapError):
    """The graph store cannot be opened or reached."""


class Forbidden(PartnermapError):
    """A write to a source that belongs to someone else (another API key)."""


class Unconfirmed(PartnermapError):
    """A write that would remove more of a source's facts than is usual, asked without confirming; nothing was written."""


class BackupRefused(PartnermapError):
    """A backup or restore that cannot be done as asked; nothing was written and the store is as it was.

    A damaged, truncated or foreign backup file, a store holding data without ``--force``, a
    backup file that exists already, or an engine whose backups are its own tools (Neo4j).
    """


class PrintUnavailable(PartnermapError):
    """A PDF asked for where WeasyPrint, or the Pango library it draws text with, cannot be loaded."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value of the input: where it is, what it is, and why."""

    file: str
    row: int | str | None
    column: str | None
    value: object
    reason: str
    fatal: bool = False  # the whole file could not be read: references into it would all fail too

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" value {quoted_value(self.value)!r}:"
        return f"{where}:{value} {self.reason}"


def quoted_value(value: object) -> object:
    """A value as a report quotes it: text past :data:`QUOTED_CHARACTERS` cut short with an ellipsis."""
    if isinstance(value, str) and len(value) > QUOTED_CHARACTERS:
        return value[:QUOTED_CHARACTERS] + "…"
    return value


@dataclass(frozen=True)
class ProblemCount:
    """How many problems beyond the listed ones share a file, column and reason."""

    file: str | None
    column: str | None
    reason: str
    count: int


class InvalidRecords(PartnermapError):
    """Input that breaks the model. Nothing was written.

    ``problems`` lists the first :data:`LISTED_PROBLEMS` found, ``unlisted`` counts the rest by
    file, column and reason, and ``count`` is how many there were in all: the report stays small
    however much of the input is wrong.
    """

    def __init__(self, problems: Iterable[Problem]):
        listed: list[Problem] = []
        groups: Counter[tuple[str | None, str | None, str]] = Counter()
        count = 0
        for problem in problems:
            count += 1
            if len(listed) < LISTED_PROBLEMS:
                listed.append(problem)
                continue
            key = (problem.file, problem.column, problem.reason)
            if key not in groups and len(groups) >= COUNTED_GROUPS:
                key = (None, None, OTHER_REASONS)
            groups[key] += 1
        self.problems = listed
        self.count = count
        self.unlisted = [ProblemCount(file, column, reason, n) for (file, column, reason), n in groups.most_common()]
        super().__init__(self.summary())

    def summary(self) -> str:
        """The report as text, as the CLI prints it: a count, the listed problems, and how many more of which kind."""
        lines = [f"{self.count:,} problem{'s' if self.count != 1 else ''} found; nothing was written:"]
        lines += [f"  {p}" for p in self.problems]
        if self.unlisted:
            lines.append(f"  beyond the first {len(self.problems):,}, counted by file, column and reason:")
            for group in self.unlisted:
                where = ", ".join(filter(None, [group.file, group.column and f"column {group.column!r}"]))
                lines.append(f"    {group.count:,} × {where + ': ' if where else ''}{group.reason}")
        return "\n".join(lines)

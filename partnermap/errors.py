"""The errors partnermap raises on purpose, each with a message a person can act on.

    PartnermapError             base: anything we expected could go wrong
    ├── NotFound                an id, code, query or file that does not exist
    ├── InvalidRecords          input that breaks the model; carries every Problem found
    ├── QueryError              a query that cannot run: bad parameters, or the engine refused it
    └── StoreUnavailable        the database cannot be opened or reached

Driver exceptions are translated at the store boundary (``raise StoreUnavailable(...) from exc``).
"""

from __future__ import annotations

from dataclasses import dataclass


class PartnermapError(Exception):
    """Base of every error partnermap raises deliberately."""


class NotFound(PartnermapError):
    """Something named does not exist."""


class QueryError(PartnermapError):
    """A query cannot be run as asked."""


class StoreUnavailable(PartnermapError):
    """The graph store cannot be opened or reached."""


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
        value = "" if self.value is None else f" value {self.value!r}:"
        return f"{where}:{value} {self.reason}"


class InvalidRecords(PartnermapError):
    """Input that breaks the model. Nothing was written; ``problems`` lists all that was found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems[:200])
        more = f"\n  … and {count - 200} more" if count > 200 else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was written:\n{lines}{more}")

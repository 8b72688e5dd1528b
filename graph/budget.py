"""A time budget for reads: a query, or a page built from several, stops once it is spent.

The API gives each request one (``PARTNERMAP_QUERY_SECONDS``); the CLI each query, report and
map. The budget travels in a context variable, so everything run under it is bounded without
passing it through every call: the embedded engine is given what is left as its query timeout,
Neo4j as its transaction timeout, and the Python-run analyses call :func:`check` as they go.
Writes (ingest) run outside any budget: they are all or nothing and must finish.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from partnermap.errors import QueryTimeout

# (deadline on the monotonic clock, the budget in seconds as given): None outside any budget.
_current: ContextVar[tuple[float, float] | None] = ContextVar("partnermap_budget", default=None)


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Run the block under a budget of ``seconds`` (None: none); an inner budget never outlasts an outer one."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    outer = _current.get()
    if outer is not None and outer[0] < deadline:
        deadline, seconds = outer
    token = _current.set((deadline, seconds))
    try:
        yield
    finally:
        _current.reset(token)


def remaining() -> float | None:
    """Seconds left of the budget in force (negative once spent), or None outside any budget."""
    current = _current.get()
    return None if current is None else current[0] - time.monotonic()


def check() -> None:
    """Raise QueryTimeout if the budget in force is spent (a cooperative stop for Python-run work)."""
    left = remaining()
    if left is not None and left <= 0:
        raise exceeded()


def remaining_ms() -> int | None:
    """Whole milliseconds left (at least 1) for an engine's timeout, None outside any budget; QueryTimeout if spent."""
    check()
    left = remaining()
    return None if left is None else max(1, math.ceil(left * 1000))


def exceeded() -> QueryTimeout:
    """The error for a spent budget, saying how long it was."""
    current = _current.get()
    seconds = f" of {current[1]:g} s" if current is not None else ""
    return QueryTimeout(f"the query ran past its time budget{seconds} and was stopped; narrow it "
                        "(a territory, a theme, a smaller limit) or try again later")

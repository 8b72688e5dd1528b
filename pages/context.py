"""What every workspace page is built from: the store, its caches and the app's version, passed as one object."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import graph
from graph.coverage import CoverageCache, CoverageIndex
from pages.findings import FindingsCache
from partnermap import __version__


@dataclass
class Workspace:
    """The store a page reads and the indexes kept beside it (built at server start, rebuilt after writes)."""

    store: graph.Store
    coverage: CoverageCache
    cache: FindingsCache

    @property
    def index(self) -> CoverageIndex:
        """The coverage index as the store is now."""
        return self.coverage.get(self.store)


def common(section: str = "", **context: Any) -> dict[str, Any]:
    """The values every page's layout uses: the navigation section, version and today's date."""
    return {"section": section, "version": __version__, "today": dt.date.today().isoformat(), **context}

"""The report ``partnermap report`` writes: the overview and every finding in one self-contained file.

The same templates and macros as the workspace's pages, rendered standalone (assets inlined, links
that only a server answers left out), so the file a manager emails looks like the page they browse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import graph
from pages import findings, governance, overview
from pages.context import Workspace, common
from pages.findings import Filters
from pages.render import render
from partnermap.errors import PartnermapError


@dataclass
class Section:
    """One finding's rows (or why it could not run)."""

    finding: findings.Finding
    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    error: str = ""


def page(space: Workspace, filters: Filters, title: str, seconds: float | None = None) -> str:
    """Every finding under the filters, with the headline counts and the governance tree, as one file.

    With ``seconds``, each finding has that time budget: one past it is reported as such, the rest written.
    """
    index = space.index
    covering = overview.covering_ids(index, filters.area)
    sections = []
    for item in findings.FINDINGS:
        try:
            with graph.budget.within(seconds):
                found = findings.rows(space.store, space.cache, item, filters, covering)
            sections.append(Section(item, found, findings.columns(item, found)))
        except PartnermapError as exc:
            sections.append(Section(item, error=str(exc)))
    lines = space.cache.rows(space.store, "reporting-lines", {})
    gaps = next((s.rows for s in sections if s.finding.slug == "governance-gaps"), [])
    holdings = overview.counts(space.store, space.cache)
    return render("report.html", standalone=True, **common(
        "", title=title, filters=filters, sections=sections,
        headlines=overview.headlines(space.store, space.cache, index, filters),
        holdings=[(k, f"{v:,}") for k, v in holdings.items()], tops=governance.tree(lines, gaps, covering),
        area_name=index.territories[filters.area].name if filters.area else "",
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M")))

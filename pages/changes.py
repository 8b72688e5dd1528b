"""The "What changed" page: what began, ended, appeared or cleared between two days, counts first.

The rows are :func:`graph.changes.changes`'s; this module only groups them for the template and
links each name to its profile, and to the network drawn with what joined and left marked.
"""

from __future__ import annotations

from urllib.parse import urlencode

from graph.changes import changes
from pages.context import Workspace, common
from pages.overview import areas
from pages.render import render

# What each section's two name columns hold, as the table's headers say it.
HEADERS: dict[str, tuple[str, str]] = {
    "memberships-begun": ("Organisation", "Partnership or forum"),
    "memberships-ended": ("Organisation", "Partnership or forum"),
    "chairs-changed": ("Partnership or forum", "New chair"),
    "overload-up": ("Organisation", ""),
    "overload-down": ("Organisation", ""),
    "duplicates-new": ("Partnership", "May duplicate"),
    "duplicates-resolved": ("Partnership", "No longer duplicates"),
}


def page(space: Workspace, from_date: str = "", to_date: str = "", area: str = "") -> str:
    """The form with the two days and an area; with both days, the changes grouped, their counts first."""
    from_date, to_date, area = from_date.strip(), to_date.strip(), area.strip()
    context = common("/what-changed", areas=areas(space.index), area=area, from_date=from_date, to_date=to_date,
                     sections=None, total=0, network_href="")
    if from_date or to_date:
        if area:
            space.index.territory(area)  # NotFound for a place that is not in the graph
        found = changes(space.store, from_date, to_date, area)
        context["sections"] = [
            {"name": section.name, "title": section.title, "rows": rows,
             "headers": HEADERS.get(section.name, ("Partnership or forum" if section.name.startswith(("partnerships", "missing"))
                                                   else "Strategy", "")),
             "dated": bool(rows) and rows[0]["date"] is not None}
            for section, rows in found.grouped()
        ]
        context["total"] = len(found.rows)
        context["from_date"], context["to_date"] = found.from_date.isoformat(), found.to_date.isoformat()
        context["network_href"] = "/network?" + urlencode(
            {k: v for k, v in (("area", area), ("from", context["from_date"]), ("to", context["to_date"])) if v})
    return render("changes.html", **context)


__all__ = ["page"]

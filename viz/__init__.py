"""Presentation of rows already fetched: the HTML report (and, with their issue, pyvis networks).

Nothing here queries the store; every string from the data is escaped.
"""

from viz.report import Section, render_report, table

__all__ = ["Section", "render_report", "table"]

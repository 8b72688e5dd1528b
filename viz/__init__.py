"""Presentation of rows already fetched: interactive networks (pyvis) and the HTML report.

Nothing here queries the store; every string from the data is escaped.
"""

from viz.network import network_options, render_network
from viz.network_page import embed_network
from viz.network_rows import (
    duplicate_links, governance_tree, membership_network, missing_link_overlay, overload_highlights,
)
from viz.report import Section, render_report, table

__all__ = [
    "Section",
    "duplicate_links",
    "embed_network",
    "governance_tree",
    "membership_network",
    "missing_link_overlay",
    "network_options",
    "overload_highlights",
    "render_network",
    "render_report",
    "table",
]

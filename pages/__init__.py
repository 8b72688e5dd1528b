"""Pages people look at, assembled once for the API and the CLI: run named queries, shape rows, render templates.

This floor sits below both presentation edges (``api`` serves its pages, ``cli`` writes them to files)
and above ``graph`` and ``viz``; it never writes. ``findings.FINDINGS`` is the table of finding pages;
``render.render`` draws a template for the server or, standalone, for a file; ``pack`` assembles the
review pack and ``printed`` prints a page to PDF.
"""

from pages import (
    finding_page, findings, governance, layout, maps, neighbourhood, network, overview, pack, places, printed, profiles,
    render, report, search, upload,
)

__all__ = ["finding_page", "findings", "governance", "layout", "maps", "neighbourhood", "network", "overview", "pack",
           "places", "printed", "profiles", "render", "report", "search", "upload"]

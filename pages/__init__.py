"""Pages people look at, assembled once for the API and the CLI: run named queries, hand the rows to viz.

This floor sits below both presentation edges (``api`` serves its pages, ``cli`` writes them to files)
and above ``graph`` and ``viz``; it never writes.
"""

from pages import maps

__all__ = ["maps"]

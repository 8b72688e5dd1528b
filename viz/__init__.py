"""Interactive network visualisations (pyvis). Arrives with its own issue."""

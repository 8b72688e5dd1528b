"""What readers produce: batches of nodes and relationships as columns, plus problems.

A reader turns a file into these; :mod:`ingest.validate` types and checks them
against the ontology; :mod:`ingest.load` writes them. Columns are kept as
DataFrames so that a national register is validated column by column, not row by row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from partnermap.errors import Problem

# Every batch frame carries these beside the model's properties: the row number
# (for error messages) and provenance (the Source id and the row, stored on the fact).
ROW = "_row"


@dataclass
class NodeBatch:
    """Nodes of one label read from one file: columns ``id``, properties, ``source``, ``source_row``, ``_row``."""

    label: str
    frame: pd.DataFrame
    file: str


@dataclass
class EdgeBatch:
    """Relationships of one type read from one file.

    Columns: ``from_id``, ``to_id``, ``id``, properties, ``source``, ``source_row``, ``_row``.
    The endpoint labels are resolved during validation among ``from_labels``/``to_labels``;
    ``from_column``/``to_column`` name the input columns the ids came from, for messages.
    """

    type: str
    frame: pd.DataFrame
    file: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    from_column: str
    to_column: str


Item = NodeBatch | EdgeBatch | Problem

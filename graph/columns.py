"""Facts as typed columns: Arrow tables typed from the model, and a digest of each row.

The engines' bulk paths take Arrow (typed from the model, so a column empty throughout still
has its type), and the write path compares what it would write with what the store holds by a
digest of each row, so a row the store already holds exactly is never written again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ontology import Property

ARROW_TYPES = {
    "string": pa.string(),
    "string[]": pa.list_(pa.string()),
    "integer": pa.int64(),
    "float": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


def arrow_table(frame: pd.DataFrame, properties: list[Property], leading: tuple[str, ...] = (),
                types: dict[str, pa.DataType] | None = None) -> pa.Table:
    """The frame as an Arrow table: ``leading`` columns (strings unless ``types`` says), then ``properties`` typed.

    A property the frame lacks is null throughout; a missing list is empty, except a provenance
    list (``sources``), which stays null: a fact one source states has none.
    """
    fields = [pa.field(name, (types or {}).get(name, pa.string())) for name in leading]
    fields += [pa.field(p.name, ARROW_TYPES[p.type]) for p in properties]
    provenance = {p.name for p in properties if p.provenance}
    arrays = []
    for field in fields:
        listed = pa.types.is_list(field.type)
        if field.name not in frame.columns:
            empty = listed and field.name not in provenance
            arrays.append(pa.array([[]] * len(frame) if empty else [None] * len(frame), type=field.type))
            continue
        values = frame[field.name].to_numpy(dtype=object)
        if pa.types.is_boolean(field.type) and frame[field.name].dtype.kind == "f":
            # pandas widens a yes/no column to 0.0/1.0 when it is joined with rows that lack it
            # (a source that does not state `statutory` restating a partnership another one states)
            values = [None if v != v else bool(v) for v in values]
        if listed:
            blank = None if field.name in provenance else []
            values = [list(v) if isinstance(v, (list, tuple, np.ndarray)) else blank for v in values]
        arrays.append(pa.array(values, type=field.type, from_pandas=True))  # NaN and None both to null
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def digests(table: pa.Table) -> np.ndarray:
    """A 64-bit digest of each row's values (a list as its items joined; an empty list as null)."""
    columns = []
    for column in table.columns:
        if pa.types.is_list(column.type):
            column = pc.if_else(pc.equal(pc.list_value_length(column), 0), None, pc.binary_join(column, "\x1f"))
        columns.append(column)
    frame = pa.table(columns, names=table.column_names).to_pandas()
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()

"""Check and type every batch against the ontology before anything is written.

All problems are collected, each naming file, row, column, value and reason;
the caller raises :class:`InvalidRecords` with all of them. Values are typed
per the model (dates, numbers, booleans, lists, vocabularies), duplicate ids are
caught, and each relationship's endpoints are resolved to labels, looking in the
batches and then in what the store holds. Checking is pure: what the store holds comes
in as lookups fetched before it starts (:func:`unknown_references` says which to fetch),
never by a call into the store.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ingest.batches import ROW, EdgeBatch, NodeBatch
from ontology import Model, Property
from partnermap.errors import Problem

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str) and not value.strip())


def _typed(value: Any, prop: Property, vocabulary: tuple[str, ...] | None) -> tuple[Any, str | None]:
    """(typed value, None) or (None, reason)."""
    if _blank(value):
        return ([] if prop.type == "string[]" else None), None
    kind = prop.type
    if kind == "string":
        text = str(value).strip()
        if vocabulary is not None:
            lowered = text.lower().replace(" ", "_")
            if lowered not in vocabulary:
                return None, f"not one of the allowed {prop.vocabulary} values: {', '.join(vocabulary)}"
            return lowered, None
        return text, None
    if kind == "string[]":
        items = value if isinstance(value, list) else str(value).split(";")
        return [str(v).strip() for v in items if str(v).strip()], None
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value, None
        text = str(value).strip()
        if not _ISO_DATE.match(text):
            return None, "not a date in the form YYYY-MM-DD"
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            return None, "not a real calendar date"
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, "not yes or no"
    try:
        number = float(str(value).strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return None, f"not a {'whole number' if kind == 'integer' else 'number'}"
    if kind == "integer":
        if not number.is_integer():
            return None, "not a whole number"
        number = int(number)
    if prop.min is not None and number < prop.min or prop.max is not None and number > prop.max:
        return None, f"outside the allowed range {prop.min:g}..{prop.max:g}"
    return number, None


def _stripped(value: Any) -> str:
    """A cell as trimmed text; blank (None, NaN, spaces) as ""."""
    if value.__class__ is str:
        return value.strip()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _strings(
    frame: pd.DataFrame, column: str, prop: Property, vocabulary: tuple[str, ...] | None, file: str,
    problems: list[Problem], clean: bool = False,
) -> pd.Series:
    """A text column typed as whole columns (most of a register): blanks to None, vocabulary checked.

    ``clean``: every cell is a trimmed ``str`` already (see ``EdgeBatch.clean``).
    """
    raw = frame[column].to_numpy(dtype=object)
    if clean and vocabulary is None:  # no Python per cell: numpy compares in C
        blank = raw == ""
        values = raw.copy()
        values[blank] = None
        if prop.required:
            for row in frame[ROW].to_numpy(dtype=object)[blank].tolist():
                problems.append(Problem(file, row, column, None, "a value is required"))
        return pd.Series(values, index=frame.index, dtype=object)
    # One pass of plain Python over plain objects: pandas' string methods on object columns build
    # Arrow arrays and back, several times the cost on a national register's 1.8 million cells.
    text = [v.strip() if v.__class__ is str else _stripped(v) for v in raw]  # inlined for str: 3x faster
    if vocabulary is not None:
        allowed = set(vocabulary)
        text = [t.lower().replace(" ", "_") if t else t for t in text]
        bad = np.fromiter((bool(t) and t not in allowed for t in text), dtype=bool, count=len(text))
        if bad.any():
            listed = ", ".join(vocabulary)
            for row, value in zip(frame[ROW].to_numpy(dtype=object)[bad].tolist(), raw[bad].tolist()):
                problems.append(Problem(file, row, column, value, f"not one of the allowed {prop.vocabulary} values: {listed}"))
    else:
        bad = None
    values = np.array([t or None for t in text], dtype=object)
    if bad is not None:
        values[bad] = None
    if prop.required:
        blank = np.fromiter((not t for t in text), dtype=bool, count=len(text))
        for row in frame[ROW].to_numpy(dtype=object)[blank].tolist():
            problems.append(Problem(file, row, column, None, "a value is required"))
    return pd.Series(values, index=frame.index, dtype=object)


def _all_text(column: pd.Series) -> bool:
    """Whether every value is a string or blank (what CSV gives; spreadsheets may give dates and numbers)."""
    return bool(column.map(lambda v: v is None or isinstance(v, str) or (isinstance(v, float) and math.isnan(v))).all())


def _text(frame: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    text = frame[column].astype(object)
    text = text.where(text.notna(), "").map(str).str.strip()
    return text, text == ""


def _report(frame: pd.DataFrame, column: str, mask: pd.Series, reason: str, file: str, problems: list[Problem]) -> None:
    for row, value in zip(frame.loc[mask, ROW], frame.loc[mask, column]):
        problems.append(Problem(file, row, column, value, reason))


def _required(frame: pd.DataFrame, column: str, prop: Property, blank: pd.Series, file: str, problems: list[Problem]) -> None:
    if prop.required:
        for row in frame.loc[blank, ROW]:
            problems.append(Problem(file, row, column, None, "a value is required"))


def _dates(frame: pd.DataFrame, column: str, prop: Property, file: str, problems: list[Problem]) -> pd.Series:
    """A date column typed as a whole (the same answers as :func:`_typed`, a value at a time)."""
    text, blank = _text(frame, column)
    shaped = text.str.match(_ISO_DATE).astype(bool)
    # Dates repeat (a register has a few hundred distinct days): parse each distinct one once,
    # with the same rule as a value at a time (any year 1..9999, unlike pandas' timestamps).
    distinct = {}
    for day in text[shaped & ~blank].unique():
        try:
            distinct[day] = dt.date.fromisoformat(day)
        except ValueError:
            distinct[day] = None
    dates = text.map(distinct).astype(object)
    dates = dates.where(dates.notna(), None)
    _report(frame, column, ~blank & ~shaped, "not a date in the form YYYY-MM-DD", file, problems)
    _report(frame, column, ~blank & shaped & dates.isna(), "not a real calendar date", file, problems)
    _required(frame, column, prop, blank, file, problems)
    return dates


def _numbers(frame: pd.DataFrame, column: str, prop: Property, file: str, problems: list[Problem]) -> pd.Series:
    """An integer or float column typed as a whole."""
    text, blank = _text(frame, column)
    number = pd.to_numeric(text.where(~blank, None), errors="coerce").astype(float)
    finite = number.notna() & number.map(math.isfinite)
    whole = prop.type == "integer"
    _report(frame, column, ~blank & ~finite, f"not a {'whole number' if whole else 'number'}", file, problems)
    ok = finite
    if whole:
        fractional = finite & (number != number.round())
        _report(frame, column, fractional, "not a whole number", file, problems)
        ok = ok & ~fractional
    low = (number < prop.min) if prop.min is not None else pd.Series(False, index=frame.index)
    high = (number > prop.max) if prop.max is not None else pd.Series(False, index=frame.index)
    out_of_range = ok & (low | high)
    if out_of_range.any():
        _report(frame, column, out_of_range, f"outside the allowed range {prop.min:g}..{prop.max:g}", file, problems)
    ok = ok & ~out_of_range
    _required(frame, column, prop, blank, file, problems)
    typed = np.full(len(frame), None, dtype=object)  # None, not NaN: a blank is no value, not "not a number"
    typed[ok.to_numpy()] = [int(v) if whole else float(v) for v in number[ok]]
    return pd.Series(typed, index=frame.index, dtype=object)


def _booleans(frame: pd.DataFrame, column: str, prop: Property, file: str, problems: list[Problem]) -> pd.Series:
    """A yes/no column typed as a whole."""
    text, blank = _text(frame, column)
    lowered = text.str.lower()
    truth = lowered.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None))
    _report(frame, column, ~blank & truth.isna(), "not yes or no", file, problems)
    _required(frame, column, prop, blank, file, problems)
    return truth.astype(object).where(truth.notna(), None)


_COLUMNWISE = {"date": _dates, "integer": _numbers, "float": _numbers, "boolean": _booleans}


def type_columns(frame: pd.DataFrame, properties: dict[str, Property], model: Model, file: str, problems: list[Problem],
                 clean: bool = False) -> pd.DataFrame:
    """Type each property column of ``frame`` in place of its raw values, recording problems.

    ``clean``: the reader vouches every cell is a trimmed ``str`` (see ``EdgeBatch.clean``).
    """
    out = frame.copy()
    for column in frame.columns:
        if column in (ROW, "from_id", "to_id"):
            continue
        prop = properties.get(column)
        if prop is None:
            raise ValueError(f"reader produced column {column!r}, which the model does not declare")
        vocabulary = model.vocabularies[prop.vocabulary] if prop.vocabulary else None
        if prop.type == "string":
            out[column] = _strings(frame, column, prop, vocabulary, file, problems, clean)
            continue
        if prop.type in _COLUMNWISE and _all_text(frame[column]):
            out[column] = _COLUMNWISE[prop.type](frame, column, prop, file, problems)
            continue
        values = []
        for row, value in zip(frame[ROW], frame[column]):
            typed, reason = _typed(value, prop, vocabulary)
            if reason:
                problems.append(Problem(file, row, column, value, reason))
            elif prop.required and (typed is None or typed == []):
                problems.append(Problem(file, row, column, None, "a value is required"))
            values.append(typed)
        out[column] = pd.Series(values, index=frame.index, dtype=object)
    return out


def validate(
    nodes: list[NodeBatch], edges: list[EdgeBatch], model: Model, problems: list[Problem],
    existing: Mapping[str, set[str]] | None = None,
) -> tuple[list[NodeBatch], list[tuple[str, str, str, pd.DataFrame]]]:
    """Type and check everything; returns typed node batches and edges grouped by (type, from, to).

    ``existing``: per label, ids the store holds that references may name (the ids
    :func:`unknown_references` asks about); none by default, as on a fresh store.
    """
    typed_nodes, known = validate_nodes(nodes, model, problems)
    return typed_nodes, list(validate_edges(list(edges), known, existing or {}, model, problems))


def validate_nodes(
    nodes: list[NodeBatch], model: Model, problems: list[Problem]
) -> tuple[list[NodeBatch], dict[str, pd.Index]]:
    """Type and check the node batches; returns them typed, and the ids they hold per label."""
    checked = CheckedNodes(model, problems)
    typed_nodes = checked.add(nodes)
    return typed_nodes, checked.finish()


def unknown_references(edges: list[EdgeBatch], known: dict[str, pd.Index]) -> dict[str, set[str]]:
    """Per label, the ids relationships name that this ingest does not hold: what to look up in the store."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for batch in edges:
        for column, labels in (("from_id", batch.from_labels), ("to_id", batch.to_labels)):
            ids = batch.frame[column].dropna().astype(object)
            for lab in labels:
                if lab in known:
                    ids = ids[known[lab].get_indexer(ids) < 0]
            if len(ids):
                missing = set(ids.unique())
                for lab in labels:
                    wanted[lab] |= missing
    return dict(wanted)


class CheckedNodes:
    """Node batches typed a few at a time (:meth:`add`), then checked together (:meth:`finish`).

    An ingest types the labels entity resolution cannot change first, and hands them to the
    writer while it resolves organisations. Ids repeated within one file are found over every
    batch added, whatever its label, once :meth:`finish` is called.
    """

    def __init__(self, model: Model, problems: list[Problem]):
        self.model, self.problems = model, problems
        self._places: list[pd.DataFrame] = []  # (label, file, origin, row, id) of every node row

    def add(self, nodes: list[NodeBatch]) -> list[NodeBatch]:
        """``nodes`` typed, each id once per batch (a node several sources give is kept from each: its statements)."""
        typed = []
        for batch in nodes:
            frame = type_columns(batch.frame, self.model.label(batch.label).properties, self.model, batch.file,
                                 self.problems, batch.clean)
            self._places.append(pd.DataFrame({"label": batch.label, "file": batch.file, "origin": _origin(frame, batch.file),
                                              "row": frame[ROW].astype(object), "id": frame["id"]}))
            typed.append(NodeBatch(batch.label, frame.drop_duplicates("id"), batch.file))
        return typed

    def finish(self) -> dict[str, pd.Index]:
        """Report ids repeated within a file; the ids of every batch added, per label."""
        columns = ["label", "file", "origin", "row", "id"]
        every = pd.concat(self._places, ignore_index=True) if self._places else pd.DataFrame(columns=columns)
        every = every[every["id"].notna()]
        _duplicate_ids(every, self.problems, self.model)
        return {label: pd.Index(group["id"].unique()) for label, group in every.groupby("label", sort=False)}


def validate_edges(
    edges: list[EdgeBatch], known: dict[str, pd.Index], existing: Mapping[str, set[str]], model: Model,
    problems: list[Problem],
) -> Iterator[tuple[str, str, str, pd.DataFrame]]:
    """Type and check the relationship batches, yielding (type, from label, to label, typed rows).

    A type's groups come out (largest first) as soon as the last batch of that type is checked,
    so a writer can start on them while later types are still checked; the caller must still
    look at ``problems`` once the generator is exhausted before anything it wrote counts.
    ``edges`` is taken over: each batch leaves the list once typed (a national register's read
    frames are ~0.3 GB). ``known``: the node ids of this ingest per label (:func:`validate_nodes`);
    ``existing``: the ids the store holds per label, of those :func:`unknown_references` named.
    A fact several sources state is kept once per source (its statements).
    """
    left = Counter(model.relationship(batch.type).name for batch in edges)
    grouped: dict[tuple[str, str, str], list[pd.DataFrame]] = defaultdict(list)
    facts: dict[str, list[pd.DataFrame]] = defaultdict(list)  # (id, file, row) of each fact, per type
    edges.reverse()  # popped from the end, in the order given
    while edges:
        batch = edges.pop()
        rel = model.relationship(batch.type)
        frame = type_columns(batch.frame, rel.properties, model, batch.file, problems, batch.clean)
        from_labels = _resolve(frame, "from_id", batch.from_labels, batch.from_column, batch, known, existing, problems)
        to_labels = _resolve(frame, "to_id", batch.to_labels, batch.to_column, batch, known, existing, problems)
        frame = frame.assign(
            _from_label=pd.Series(from_labels, index=frame.index, dtype=object),
            _to_label=pd.Series(to_labels, index=frame.index, dtype=object),
        )
        resolved = frame["_from_label"].notna() & frame["_to_label"].notna()
        starts, ends = frame["_from_label"].to_numpy(dtype=object), frame["_to_label"].to_numpy(dtype=object)
        allowed = np.zeros(len(frame), dtype=bool)
        for a, b in rel.endpoints:  # a few pairs per type: numpy compares, no tuple per row
            allowed |= (starts == a) & (ends == b)
        allowed = pd.Series(allowed, index=frame.index)
        for row, a, b in zip(frame.loc[resolved & ~allowed, ROW], frame.loc[resolved & ~allowed, "_from_label"],
                             frame.loc[resolved & ~allowed, "_to_label"]):
            problems.append(Problem(batch.file, row, batch.to_column, None, f"a {a} cannot be {rel.name} a {b}"))
        candidates = frame[resolved & allowed]
        facts[rel.name].append(pd.DataFrame({"id": candidates["id"], "file": batch.file, "row": candidates[ROW],
                                             "column": batch.to_column, "origin": _origin(candidates, batch.file)}))
        frame = frame.drop(index=frame.index[resolved & ~allowed])
        ok = frame["_from_label"].notna() & frame["_to_label"].notna()
        for (a, b), part in frame[ok].groupby(["_from_label", "_to_label"]):
            grouped[(rel.name, a, b)].append(part.drop(columns=["_from_label", "_to_label"]))
        del batch, frame, candidates
        left[rel.name] -= 1
        if left[rel.name]:
            continue
        _duplicate_facts(rel.name, pd.concat(facts.pop(rel.name), ignore_index=True), problems)
        # A fact several sources state is kept from each (a repeat within a file was reported above).
        done = [(key, _once_per_source(pd.concat(grouped.pop(key))))
                for key in [key for key in grouped if key[0] == rel.name]]
        for (rel_type, a, b), frame in sorted(done, key=lambda group: -len(group[1])):
            yield rel_type, a, b, frame
        del done


def _once_per_source(frame: pd.DataFrame) -> pd.DataFrame:
    """Each fact once per source that states it (the later row where one source repeats it)."""
    return frame.drop_duplicates(["id", "source"] if "source" in frame else "id", keep="last")


def _duplicate_facts(rel_type: str, facts: pd.DataFrame, problems: list[Problem]) -> None:
    """The same relationship (same id) given twice in one file; across files, the last file's is kept."""
    facts = facts[facts["id"].duplicated(keep=False)]  # one column first: a national register has 1.5 million
    again = facts.duplicated(["origin", "id"], keep="first")
    if not again.any():
        return
    first = facts[~again].set_index(["origin", "id"])
    for edge_id, origin, file, row, column in zip(facts.loc[again, "id"], facts.loc[again, "origin"], facts.loc[again, "file"],
                                                  facts.loc[again, "row"], facts.loc[again, "column"]):
        where = first.loc[(origin, edge_id)]
        problems.append(Problem(file, row, column, None, f"the same {rel_type} fact is already at {file} row {where['row']}"))


def _origin(frame: pd.DataFrame, file: str) -> pd.Series | str:
    """Which file each row came from: its Source id (file names repeat across folders), else the name."""
    return frame["source"].fillna(file) if "source" in frame else file


def _duplicate_ids(every: pd.DataFrame, problems: list[Problem], model: Model) -> None:
    """A node id given twice in one file, for one label or labels of one kind (a partnership and a forum).

    Labels of different kinds may share an id (a theme and a client group both "older people"):
    every reference names the label it means. Across files, each file is a source stating the node.
    """
    reported: set[tuple[str, Any]] = set()
    # Shared concepts with no row (some readers give none) may repeat within a file.
    rows = every[every["row"].notna()]
    rows = rows[rows["id"].duplicated(keep=False)]
    kind_of = {label: kind for kind, labels in model.kinds.items() for label in labels}
    rows = rows.assign(kind=rows["label"].map(lambda label: kind_of.get(label, label)))
    twice = rows[rows.duplicated(["origin", "kind", "id"], keep=False)]
    for _, group in twice.groupby(["origin", "kind", "id"], sort=False):
        ordered = sorted(set(zip(group["file"], group["row"])), key=lambda place: (place[0], place[1] or 0))
        node_id = group["id"].iloc[0]
        for file, row in ordered[1:]:
            if (file, row) not in reported:
                reported.add((file, row))
                problems.append(Problem(file, row, "id", node_id,
                                        f"duplicate id: already used at {ordered[0][0]} row {ordered[0][1]}"))


def _resolve(
    frame: pd.DataFrame,
    column: str,
    labels: tuple[str, ...],
    input_column: str,
    batch: EdgeBatch,
    known: dict[str, pd.Index],
    existing: Mapping[str, set[str]],
    problems: list[Problem],
) -> list[str | None]:
    """The label of each row's endpoint id, looking in this ingest then in what the store holds; problems otherwise."""
    ids = frame[column].astype(object)
    present = ids.notna()
    # Membership per candidate label, as whole columns: this runs over every relationship row.
    # get_indexer reuses each label's hash table, built once, instead of hashing 300,000 ids per batch.
    hits = {lab: pd.Series(known[lab].get_indexer(ids) >= 0, index=frame.index) if lab in known
            else pd.Series(False, index=frame.index) for lab in labels}
    count = sum(hit.astype(int) for hit in hits.values())
    if ((count == 0) & present).any():
        for lab in labels:
            stored = existing.get(lab)
            if stored:
                hits[lab] = hits[lab] | ids.isin(stored)
        count = sum(hit.astype(int) for hit in hits.values())
    resolved = np.full(len(frame), None, dtype=object)
    for lab, hit in hits.items():
        resolved[(hit & (count == 1)).to_numpy()] = lab
    kinds = " or ".join(lab.lower() for lab in labels)
    for row, node_id, n in zip(frame.loc[present & (count != 1), ROW], ids[present & (count != 1)], count[present & (count != 1)]):
        if n == 0:
            reason = f"refers to no {kinds} with this id (not in this register, nor already in the store from another source)"
        else:
            both = " and ".join(lab for lab in labels if lab in known and node_id in known[lab])
            reason = f"ambiguous: ids of {both or 'several kinds'} are both {node_id!r}"
        problems.append(Problem(batch.file, row, input_column, node_id, reason))
    return resolved.tolist()

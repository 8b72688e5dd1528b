"""Ids of relationships and sources: minted here, from the model's rule, and nowhere else.

A relationship's id is ``TYPE|from|to`` followed by the values its type's ``key`` names
(``MEMBER_OF|leicestershire-cc|lsp|Chief Executive``). Each part has ``%`` and ``|``
escaped (``%25``, ``%7C``), so an id splits back into exactly the parts it was built from:
no two facts can share an id by accident of their names. Ids of parts without either
character read as they always did, so stores written before the escaping keep their ids.
Readers call :func:`relationship_id` (or :func:`relationship_ids` for whole columns);
entity resolution and merges call :func:`repointed` when an end changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from ontology.model import Model, load_model

SEPARATOR = "|"
_ESCAPES = (("%", "%25"), ("|", "%7C"))


def _escaped(part: object) -> str:
    text = "" if part is None else str(part)
    if "%" in text or SEPARATOR in text:
        for raw, escaped in _ESCAPES:
            text = text.replace(raw, escaped)
    return text


def _unescaped(part: str) -> str:
    if "%" in part:
        for raw, escaped in reversed(_ESCAPES):
            part = part.replace(escaped, raw)
    return part


def _checked_key(rel_type: str, key: Sequence[object], model: Model | None) -> None:
    expected = (model or load_model()).relationship(rel_type).key
    if len(key) != len(expected):
        raise ValueError(f"a {rel_type} id is keyed by its ends and {list(expected) or 'nothing else'}, "
                         f"not {len(key)} more values")


def relationship_id(rel_type: str, from_id: object, to_id: object, *key: object, model: Model | None = None) -> str:
    """The id of one ``rel_type`` fact from ``from_id`` to ``to_id``, keyed by ``key`` (the type's ``key`` values)."""
    _checked_key(rel_type, key, model)
    return SEPARATOR.join([rel_type, *(_escaped(part) for part in (from_id, to_id, *key))])


def relationship_ids(rel_type: str, from_ids: Sequence[object], to_ids: Sequence[object],
                     *keys: Sequence[object], model: Model | None = None) -> list[str]:
    """:func:`relationship_id` for whole columns (a national register has 1.5 million).

    Columns none of whose values holds ``%`` or ``|`` (nearly always) are joined as they are.
    """
    _checked_key(rel_type, keys, model)
    columns = [list(from_ids), list(to_ids), *(list(k) for k in keys)]
    columns = [[("" if v is None else v) if v.__class__ is str or v is None else str(v) for v in column]
               for column in columns]
    for i, column in enumerate(columns):
        joined = "".join(column)
        if "%" in joined or SEPARATOR in joined:
            columns[i] = [_escaped(v) for v in column]
    prefix = rel_type + SEPARATOR
    return [prefix + SEPARATOR.join(parts) for parts in zip(*columns)]


def parts(edge_id: str) -> list[str]:
    """The parts an id was built from: ``[TYPE, from, to, *key]``."""
    return [_unescaped(part) for part in str(edge_id).split(SEPARATOR)]


def repointed(edge_id: str, end: str, old: str, new: str) -> str:
    """``edge_id`` with its ``end`` ("from" or "to") changed from ``old`` to ``new``.

    An id that does not have ``old`` at that end (one given by its source, such as an RDF
    statement's) is returned as it is: only ids minted here embed their ends.
    """
    split = str(edge_id).split(SEPARATOR)
    position = {"from": 1, "to": 2}[end]
    if len(split) <= position or _unescaped(split[position]) != old:
        return edge_id
    split[position] = _escaped(new)
    return SEPARATOR.join(split)


def source_id(reader: str, dataset: str, file: str | None = None) -> str:
    """The id of a Source: ``register:leicestershire/memberships.csv``, or ``rdf:org.ttl`` for a lone file."""
    return f"{reader}:{dataset}/{file}" if file is not None else f"{reader}:{dataset}"

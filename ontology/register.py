"""The register's files and columns, as ``model.toml``'s ``[register.*]`` sections describe them.

The reader of registers, the template workbook and the export of the graph as a register all
ask these (through ``load_model().register``) rather than keep their own list of columns.
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMN_TYPES = ("date", "fraction", "integer", "yes_no")
DIRECTIONS = ("out", "in")
ENDS = ("from", "to")
_COLUMN_KEYS = {"required", "property", "refers", "relationship", "direction", "concept", "vocabulary", "type",
                "multiple", "note", "end"}
_FILE_KEYS = {"required", "labels", "relationship", "note", "columns"}


@dataclass(frozen=True)
class RegisterColumn:
    """One column of a register file: what it fills or names, and how a person fills it in."""

    name: str
    note: str
    required: bool = False
    property: str | None = None  # the model property of the row's node or relationship it fills
    refers: tuple[str, ...] = ()  # the register files whose id (territories: code) it names
    relationship: str | None = None  # the relationship a reference or concept column makes
    direction: str = "out"  # "out": from the row's node; "in": to it
    concept: str | None = None  # the label of the shared node a name becomes (Theme, ClientGroup)
    vocabulary: str | None = None
    type: str | None = None  # date, fraction, integer, yes_no; None for text
    multiple: bool = False  # several values separated by ";"
    end: str | None = None  # in a relationship file: which end of it the id names ("from", "to")


@dataclass(frozen=True)
class RegisterFile:
    """One register file (a CSV file, or a sheet of the workbook): its rows are nodes of ``labels`` or ``relationship``s."""

    name: str
    note: str
    columns: dict[str, RegisterColumn]
    required: bool = False
    labels: tuple[str, ...] = ()
    relationship: str | None = None

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The columns that must be in the header and filled in on every row."""
        return tuple(name for name, column in self.columns.items() if column.required)

    @property
    def key(self) -> str | None:
        """The column that keys a row (fills ``id``), or None for a file of relationships."""
        return next((name for name, column in self.columns.items() if column.property == "id"), None)


def parse_register(spec: dict, labels: dict, relationships: dict, vocabularies: dict) -> dict[str, RegisterFile]:
    """The ``[register]`` section, checked against the model; ValueError naming the entry otherwise."""
    files: dict[str, RegisterFile] = {}
    for name, file_spec in spec.items():
        where = f"register.{name}"
        unknown = set(file_spec) - _FILE_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        file_labels = tuple(file_spec.get("labels", ()))
        relationship = file_spec.get("relationship")
        if bool(file_labels) == bool(relationship):
            raise ValueError(f"{where}: needs either labels or a relationship")
        for label in file_labels:
            if label not in labels:
                raise ValueError(f"{where}: unknown label {label!r}")
        if relationship and relationship not in relationships:
            raise ValueError(f"{where}: unknown relationship {relationship!r}")
        owners = [labels[label] for label in file_labels] or [relationships[relationship]]
        columns = {column: _column(f"{where}.columns.{column}", column, column_spec, owners, labels, relationships,
                                   vocabularies, relationship)
                   for column, column_spec in file_spec.get("columns", {}).items()}
        files[name] = RegisterFile(name, str(file_spec.get("note", "")), columns, bool(file_spec.get("required", False)),
                                   file_labels, relationship)
        if file_labels and files[name].key is None:
            raise ValueError(f"{where}: no column fills the id")
        if relationship and sorted(c.end for c in columns.values() if c.end) != ["from", "to"]:
            raise ValueError(f"{where}: needs one column for each end of {relationship}")
    for file in files.values():
        for column in file.columns.values():
            for target in column.refers:
                if target not in files or files[target].key is None:
                    raise ValueError(f"register.{file.name}.columns.{column.name}: refers to {target!r}, not a file of nodes")
    return files


def _column(where: str, name: str, spec: dict, owners: list, labels: dict, relationships: dict, vocabularies: dict,
            file_relationship: str | None) -> RegisterColumn:
    unknown = set(spec) - _COLUMN_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    refers = spec.get("refers", ())
    refers = (refers,) if isinstance(refers, str) else tuple(refers)
    column = RegisterColumn(
        name=name, note=str(spec.get("note", "")), required=bool(spec.get("required", False)),
        property=spec.get("property"), refers=refers, relationship=spec.get("relationship"),
        direction=spec.get("direction", "out"), concept=spec.get("concept"), vocabulary=spec.get("vocabulary"),
        type=spec.get("type"), multiple=bool(spec.get("multiple", False)), end=spec.get("end"),
    )
    if not column.note:
        raise ValueError(f"{where}: needs a note for the person filling it in")
    fills = [bool(column.property), bool(column.refers) and not column.end, bool(column.concept), bool(column.end)]
    if sum(fills) != 1:
        raise ValueError(f"{where}: needs exactly one of property, refers (with a relationship), concept or end")
    if column.property and not any(column.property in owner.properties for owner in owners):
        raise ValueError(f"{where}: property {column.property!r} is not one of the file's")
    if column.end:
        if column.end not in ENDS or not column.refers or file_relationship is None:
            raise ValueError(f"{where}: end must be from or to, of a relationship file, with refers")
    if (column.refers and not column.end) or column.concept:
        if column.relationship not in relationships:
            raise ValueError(f"{where}: needs the relationship it makes (unknown: {column.relationship!r})")
        if column.direction not in DIRECTIONS:
            raise ValueError(f"{where}: direction {column.direction!r} is not out or in")
    if column.concept and column.concept not in labels:
        raise ValueError(f"{where}: unknown concept label {column.concept!r}")
    if column.vocabulary and column.vocabulary not in vocabularies:
        raise ValueError(f"{where}: unknown vocabulary {column.vocabulary!r}")
    if column.type is not None and column.type not in COLUMN_TYPES:
        raise ValueError(f"{where}: type {column.type!r} is not one of {COLUMN_TYPES}")
    return column

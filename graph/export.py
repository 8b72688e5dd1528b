"""The whole graph in the formats other tools read, and pushed into a Neo4j server.

Every exporter works on a :class:`graph.dump.Dump` (what the store holds, typed per the model):
``neo4j-admin database import`` CSV, GraphML and GEXF (Gephi, yEd, Cytoscape), JSON nodes and
edges, and CSV per label and type for spreadsheets. :func:`copy_graph` writes a dump into another
store through its bulk upserts (for Neo4j: batched ``UNWIND … MERGE``, constraints first).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx
import pandas as pd

from graph.dump import EDGE_COLUMNS, Dump
from graph.schema import neo4j_constraints
from graph.store import Store
from ontology import Model, checked_identifier, load_model
from partnermap.errors import InvalidRecords, Problem
from partnermap.progress import Progress, quiet, tell
from partnermap.output import FORMULA_STARTS

# neo4j-admin's header types for the model's. Neo4j Operations Manual, "Import header format"
# (https://neo4j.com/docs/operations-manual/current/import/header-format/): `<name>:<type>` with
# int long float double boolean byte short char string point date … and `[]` for arrays; ID(space),
# START_ID(space), END_ID(space), TYPE, LABEL. Options: "Full import" on the same site.
NEO4J_TYPES = {"string": "string", "string[]": "string[]", "integer": "long", "float": "double",
               "boolean": "boolean", "date": "date"}
# neo4j-admin has no escape for the array delimiter, and `;` (its default) can be inside a name
# read from JSON; the unit separator never is in text people write, and one that is gets refused.
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_OPTION = "U+001F"


@dataclass
class Written:
    """What an export wrote: its files and how many nodes and relationships they hold."""

    files: list[Path] = field(default_factory=list)
    nodes: int = 0
    relationships: int = 0


def _edge_groups(frame: pd.DataFrame) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """A relationship type's rows per (from label, to label) pair of the model."""
    if len(frame):
        for (from_label, to_label), part in frame.groupby(["from_label", "to_label"], sort=True):
            yield from_label, to_label, part


def _text(value: Any) -> str:
    """A typed value as neo4j-admin reads it; '' (no property) for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back to the same double
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(value)
    return str(value)


def _delimiter_problems(everything: Dump, model: Model) -> list[Problem]:
    problems = []
    frames = [(label, model.label(label).properties, frame) for label, frame in everything.nodes.items()]
    frames += [(rel, model.relationship(rel).properties, frame) for rel, frame in everything.relationships.items()]
    for name, properties, frame in frames:
        for prop in (p for p in properties.values() if p.type == "string[]"):
            for row_id, values in zip(frame["id"], frame[prop.name]):
                for value in values or []:
                    if ARRAY_DELIMITER in value:
                        problems.append(Problem(name, row_id, prop.name, value,
                                                "holds U+001F, the array delimiter of the neo4j-admin export"))
    return problems


def write_neo4j_csv(everything: Dump, model: Model, directory: Path) -> Written:
    """``neo4j-admin database import full`` CSV: one file per label and per (type, from, to), plus import.sh.

    Each label is its own ID space (ids are unique per label only: a GSS code can be a Territory
    and a Partnership). Values are written verbatim: the files are for a database, not a spreadsheet.
    """
    problems = _delimiter_problems(everything, model)
    if problems:
        raise InvalidRecords(problems)
    directory.mkdir(parents=True, exist_ok=True)
    written, multiline = Written(), False

    def write(path: Path, header: list[str], columns: list[list[str]]) -> None:
        nonlocal multiline
        multiline = multiline or any("\n" in v or "\r" in v for column in columns for v in column)
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")  # RFC 4180: `"` doubled, fields quoted as needed
            writer.writerow(header)
            writer.writerows(zip(*columns))
        written.files.append(path)

    for label, frame in everything.nodes.items():
        if not len(frame):
            continue
        space = checked_identifier(label)
        properties = [p for p in model.label(label).properties.values() if p.name != "id"]
        header = [f"id:ID({space})", ":LABEL", *(f"{p.name}:{NEO4J_TYPES[p.type]}" for p in properties)]
        columns = [[str(v) for v in frame["id"]], [label] * len(frame)]
        columns += [[_text(v) for v in frame[p.name]] for p in properties]
        write(directory / f"nodes_{label}.csv", header, columns)
        written.nodes += len(frame)
    for rel_type, frame in everything.relationships.items():
        properties = [p for p in model.relationship(rel_type).properties.values() if p.name != "id"]
        for from_label, to_label, part in _edge_groups(frame):
            header = [f":START_ID({checked_identifier(from_label)})", f":END_ID({checked_identifier(to_label)})",
                      ":TYPE", "id:string", *(f"{p.name}:{NEO4J_TYPES[p.type]}" for p in properties)]
            columns = [[str(v) for v in part["from_id"]], [str(v) for v in part["to_id"]],
                       [rel_type] * len(part), [str(v) for v in part["id"]]]
            columns += [[_text(v) for v in part[p.name]] for p in properties]
            write(directory / f"rels_{rel_type}_{from_label}_{to_label}.csv", header, columns)
            written.relationships += len(part)
    (directory / "schema.cypher").write_text(";\n".join(neo4j_constraints(model)) + ";\n", encoding="utf-8")
    script = directory / "import.sh"
    script.write_text(import_script(written.files, multiline), encoding="utf-8")
    script.chmod(0o755)
    (directory / "README.md").write_text(_readme(written, multiline), encoding="utf-8")
    return written


def import_command(files: list[Path], multiline: bool, database: str = '"$DATABASE"') -> list[str]:
    """The ``neo4j-admin database import full`` command line for these files (names relative to their folder)."""
    options = ["--id-type=string", "--delimiter=,", "--quote='\"'", f"--array-delimiter={ARRAY_DELIMITER_OPTION}",
               "--legacy-style-quoting=false"]
    if multiline:  # slower to parse, so only when a value needs it
        options.append("--multiline-fields=true")
    inputs = [f"--{'nodes' if f.name.startswith('nodes_') else 'relationships'}={f.name}" for f in files]
    # The database name goes first: after the variadic --nodes/--relationships it is read as one
    # more file from Neo4j 5.19 on (neo4j/docs-operations#1689 moved it in the manual's examples).
    return ["neo4j-admin", "database", "import", "full", database, *options, *inputs]


def import_script(files: list[Path], multiline: bool) -> str:
    """import.sh: load the CSV files beside it into a new database (default neo4j)."""
    command = import_command(files, multiline)
    command[0] = '"${NEO4J_HOME:+$NEO4J_HOME/bin/}neo4j-admin"'
    return (
        "#!/bin/sh\n"
        "# Load this partnermap export into a new Neo4j database (stop Neo4j, or name a database that does\n"
        "# not exist yet). Usage: ./import.sh [DATABASE]; then run schema.cypher (see README.md).\n"
        "set -eu\n"
        'cd "$(dirname "$0")"\n'
        'DATABASE="${1:-neo4j}"\n'
        + _shell_lines(command) + "\n"
    )


def _shell_lines(command: list[str]) -> str:
    """The command, its five leading words on the first line and one option per line after."""
    return " \\\n  ".join([" ".join(command[:5]), *command[5:]])


def _readme(written: Written, multiline: bool) -> str:
    command = _shell_lines(import_command(written.files, multiline, "neo4j"))
    return f"""# partnermap export for neo4j-admin

{written.nodes} nodes and {written.relationships} relationships: one file per label (`nodes_<Label>.csv`)
and per relationship type and its endpoint labels (`rels_<TYPE>_<From>_<To>.csv`). Each label is its own
ID space (`id:ID(Organisation)`, `:START_ID(Organisation)`): ids are unique per label only.

1. With Neo4j stopped (or into a database that does not exist yet), in this folder:

```sh
{command}
```

   (`./import.sh [DATABASE]` runs the same; `NEO4J_HOME` locates `bin/neo4j-admin`.)
2. Start Neo4j (`CREATE DATABASE name` first if it is not `neo4j`), then create the uniqueness
   constraints partnermap's queries and `partnermap push` rely on:
   `cypher-shell -d neo4j -f schema.cypher`.

Lists use U+001F as the array delimiter (`;` can be inside a name). Values are written verbatim, as
the database must hold them: these files are not meant for a spreadsheet (`partnermap export csv`
writes those, with formula-like cells neutralised).
"""


def _plain(value: Any) -> Any:
    """A property value GraphML and GEXF can hold: lists joined with '; ', dates as ISO text."""
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def node_key(label: str, node_id: str) -> str:
    """A node's key across labels ("Territory:E06000016"): ids are unique per label only."""
    return f"{label}:{node_id}"


def to_networkx(everything: Dump) -> nx.MultiDiGraph:
    """The graph for networkx: nodes keyed "Label:id" with kind, label (the name, which Gephi
    shows) and properties; edges keyed by relationship id with type and properties. Unset values are left out."""
    network = nx.MultiDiGraph()
    for label, frame in everything.nodes.items():
        for record in frame.to_dict("records"):
            attributes = {"kind": label, "label": record.get("name") or record["id"]}
            attributes |= {k: _plain(v) for k, v in record.items() if v is not None}
            network.add_node(node_key(label, record["id"]), **attributes)
    for rel_type, frame in everything.relationships.items():
        for record in frame.to_dict("records"):
            attributes = {"type": rel_type}
            attributes |= {k: _plain(v) for k, v in record.items() if v is not None and k not in EDGE_COLUMNS}
            network.add_edge(node_key(record["from_label"], record["from_id"]),
                             node_key(record["to_label"], record["to_id"]), key=record["id"], **attributes)
    return network


# GraphML's and GEXF's attribute types for the model's (dates and lists travel as text).
XML_TYPES = {"integer": "long", "float": "double", "boolean": "boolean"}
# Characters XML 1.0 cannot hold at all, escaped or not: replaced, so that the file still parses.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Quotes for attribute values; line breaks and tabs as references, which an attribute would turn into spaces.
_XML_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _xml_value(value: Any) -> str:
    """A property value as XML attribute or element text: lists joined with '; ', dates ISO, booleans lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_NOT_XML.sub("\ufffd", str(_plain(value))), _XML_ENTITIES)


def _attribute_types(frames: dict[str, pd.DataFrame], types: Callable[[str], dict[str, str]],
                     leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """Each property name's XML type across labels or types: the model's, or string where they differ."""
    found: dict[str, str] = {}
    for name, frame in frames.items():
        model_types = types(name)
        for column in frame.columns:
            if column in leave_out:
                continue
            kind = XML_TYPES.get(model_types.get(column, "string"), "string")
            found[column] = kind if found.get(column, kind) == kind else "string"
    return found


class _Counted:
    """Rows written so far out of all the dump's, told to a progress receiver a chunk at a time."""

    def __init__(self, everything: Dump, progress: Progress):
        self.progress, self.done = progress, 0
        self.total = sum(len(f) for f in everything.nodes.values()) + sum(len(f) for f in everything.relationships.values())

    def rows(self, name: str, frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple]:
        """The frame's rows as tuples of plain values, a chunk at a time (no dict per row)."""
        for start in range(0, len(frame), 50_000):
            part = frame.iloc[start:start + 50_000]
            yield from zip(*(part[c].tolist() for c in columns))
            self.done += len(part)
            tell(self.progress, f"{name}: {min(start + 50_000, len(frame))}/{len(frame)}", stage="export",
                 done=self.done, total=self.total)


def _node_rows(everything: Dump, counted: _Counted) -> Iterator[tuple[str, list[str], str, Any, tuple]]:
    """Each node as (label, its frame's columns, its key "Label:id", the name shown for it, its values)."""
    for label, frame in everything.nodes.items():
        columns = list(frame.columns)
        id_at, name_at = columns.index("id"), columns.index("name") if "name" in columns else None
        for row in counted.rows(label, frame, columns):
            shown = row[name_at] if name_at is not None and row[name_at] is not None else row[id_at]
            yield label, columns, node_key(label, row[id_at]), shown, row


def _edge_rows(everything: Dump, counted: _Counted) -> Iterator[tuple[str, list[str], str, str, str, tuple]]:
    """Each relationship as (type, its property columns (its id among them), source key, target key, id, values)."""
    for rel_type, frame in everything.relationships.items():
        properties = [c for c in frame.columns if c not in EDGE_COLUMNS]
        id_at = properties.index("id")
        for from_label, from_id, to_label, to_id, *row in counted.rows(rel_type, frame, [*EDGE_COLUMNS, *properties]):
            yield rel_type, properties, node_key(from_label, from_id), node_key(to_label, to_id), row[id_at], row


class _Keyed:
    """The attribute keys of a frame's columns, worked out once per frame (its rows share one column list)."""

    def __init__(self, key: Callable[[str], str]):
        self.key, self.columns, self.keys = key, None, []

    def __call__(self, columns: list[str]) -> list[str]:
        if columns is not self.columns:
            self.columns, self.keys = columns, [self.key(c) for c in columns]
        return self.keys


def _node_types(model: Model) -> Callable[[str], dict[str, str]]:
    return lambda label: {name: prop.type for name, prop in model.label(label).properties.items()}


def _edge_types(model: Model) -> Callable[[str], dict[str, str]]:
    return lambda rel_type: {name: prop.type for name, prop in model.relationship(rel_type).properties.items()}


def write_graphml(everything: Dump, path: Path, model: Model | None = None, progress: Progress = quiet) -> Written:
    """GraphML (Gephi, yEd, Cytoscape): each property a typed attribute, written as it is read.

    Nodes are keyed "Label:id" with ``kind`` and ``label`` (the name, which Gephi shows); edges
    carry their relationship id as the GraphML edge id and ``type``. Unset values are left out.
    Streamed row by row: networkx built the whole document in memory first.
    """
    counted = _Counted(everything, progress)
    model = model or load_model()
    node_keys = {"kind": "string", "label": "string", **_attribute_types(everything.nodes, _node_types(model))}
    edge_keys = {"type": "string", **_attribute_types(everything.relationships, _edge_types(model), EDGE_COLUMNS)}
    ids = {("node", name): f"d{i}" for i, name in enumerate(node_keys)}
    ids |= {("edge", name): f"d{len(node_keys) + i}" for i, name in enumerate(edge_keys)}
    written = Written([path])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write("<?xml version='1.0' encoding='utf-8'?>\n"
                  '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                  'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for scope, keys in (("node", node_keys), ("edge", edge_keys)):
            for name, kind in keys.items():
                out.write(f'  <key id="{ids[(scope, name)]}" for="{scope}" attr.name="{_xml_value(name)}" '
                          f'attr.type="{kind}" />\n')
        out.write('  <graph edgedefault="directed">\n')
        kind_key, label_key, type_key = ids[("node", "kind")], ids[("node", "label")], ids[("edge", "type")]
        node_data, edge_data = _Keyed(lambda c: ids[("node", c)]), _Keyed(lambda c: ids[("edge", c)])
        for label, columns, key, shown, row in _node_rows(everything, counted):
            values = [(kind_key, label), (label_key, shown), *zip(node_data(columns), row)]
            out.write(_graphml_element("node", f'id="{_xml_value(key)}"', values))
            written.nodes += 1
        for rel_type, properties, source, target, edge_id, row in _edge_rows(everything, counted):
            head = f'source="{_xml_value(source)}" target="{_xml_value(target)}" id="{_xml_value(edge_id)}"'
            values = [(type_key, rel_type), *zip(edge_data(properties), row)]  # the id too, as before
            out.write(_graphml_element("edge", head, values))
            written.relationships += 1
        out.write("  </graph>\n</graphml>\n")
    return written


def _graphml_element(tag: str, head: str, values: list[tuple[str, Any]]) -> str:
    """A node or edge element with a <data> per set value (unset ones left out)."""
    parts = [f"    <{tag} {head}>\n"]
    parts += [f'      <data key="{key}">{_xml_value(value)}</data>\n' for key, value in values if value is not None]
    parts.append(f"    </{tag}>\n")
    return "".join(parts)


# GEXF gives these attribute names a meaning of its own (a node's XML id and label, an edge's
# direction and weight, time spells), so the graph's own values move aside.
GEXF_NODE_RENAMES = {"id": "node_id", "start": "start_date", "end": "end_date", "pid": "pid_"}
GEXF_EDGE_RENAMES = {"id": "rel_id", "type": "rel_type", "label": "label_", "weight": "weight_",
                     "start": "start_date", "end": "end_date"}


def write_gexf(everything: Dump, path: Path, model: Model | None = None, progress: Progress = quiet) -> Written:
    """GEXF 1.2 for Gephi: node ids "Label:id", labels the names; ``rel_type`` says what each edge is.

    Streamed row by row, like :func:`write_graphml`.
    """
    counted = _Counted(everything, progress)
    model = model or load_model()
    node_attributes = {"kind": "string", **{GEXF_NODE_RENAMES.get(k, k): v for k, v in
                                            _attribute_types(everything.nodes, _node_types(model)).items()}}
    edge_attributes = {"rel_type": "string", "rel_id": "string", **{
        GEXF_EDGE_RENAMES.get(k, k): v for k, v in
        _attribute_types(everything.relationships, _edge_types(model), EDGE_COLUMNS).items()}}
    node_ids = {name: str(i) for i, name in enumerate(node_attributes)}
    edge_ids = {name: str(len(node_attributes) + i) for i, name in enumerate(edge_attributes)}
    written = Written([path])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write("<?xml version='1.0' encoding='utf-8'?>\n"
                  '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
                  'version="1.2">\n'
                  f'  <meta lastmodifieddate="{dt.date.today().isoformat()}">\n'
                  "    <creator>partnermap</creator>\n  </meta>\n"
                  '  <graph defaultedgetype="directed" mode="static" name="">\n')
        for scope, attributes, numbers in (("edge", edge_attributes, edge_ids), ("node", node_attributes, node_ids)):
            out.write(f'    <attributes mode="static" class="{scope}">\n')
            for name, kind in attributes.items():
                out.write(f'      <attribute id="{numbers[name]}" title="{_xml_value(name)}" type="{kind}" />\n')
            out.write("    </attributes>\n")
        out.write("    <nodes>\n")
        node_numbers = _Keyed(lambda c: node_ids[GEXF_NODE_RENAMES.get(c, c)])
        edge_numbers = _Keyed(lambda c: edge_ids[GEXF_EDGE_RENAMES.get(c, c)])  # the id as rel_id
        for label, columns, key, shown, row in _node_rows(everything, counted):
            values = [(node_ids["kind"], label), *zip(node_numbers(columns), row)]
            out.write(_gexf_element("node", f'id="{_xml_value(key)}" label="{_xml_value(shown)}"', values))
            written.nodes += 1
        out.write("    </nodes>\n    <edges>\n")
        for rel_type, properties, source, target, edge_id, row in _edge_rows(everything, counted):
            values = [(edge_ids["rel_type"], rel_type), *zip(edge_numbers(properties), row)]
            head = (f'source="{_xml_value(source)}" target="{_xml_value(target)}" '
                    f'id="{_xml_value(f"{rel_type}:{edge_id}")}" label="{_xml_value(rel_type)}"')
            out.write(_gexf_element("edge", head, values))
            written.relationships += 1
        out.write("    </edges>\n  </graph>\n</gexf>\n")
    return written


def _gexf_element(tag: str, head: str, values: list[tuple[str, Any]]) -> str:
    parts = [f"      <{tag} {head}>\n        <attvalues>\n"]
    parts += [f'          <attvalue for="{number}" value="{_xml_value(value)}" />\n'
              for number, value in values if value is not None]
    parts.append(f"        </attvalues>\n      </{tag}>\n")
    return "".join(parts)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def to_json(everything: Dump) -> dict[str, list[dict[str, Any]]]:
    """``{"nodes": […], "edges": […]}`` like the API's /graph: nodes with key, id, kind, name and
    properties; edges with id, type, source and target (node keys) and properties."""
    nodes, edges = [], []
    for label, frame in everything.nodes.items():
        for record in frame.to_dict("records"):
            properties = {k: _json_value(v) for k, v in record.items() if v is not None and k not in ("id", "name")}
            nodes.append({"key": node_key(label, record["id"]), "id": record["id"], "kind": label,
                          "name": record.get("name"), "properties": properties})
    for rel_type, frame in everything.relationships.items():
        for record in frame.to_dict("records"):
            properties = {k: _json_value(v) for k, v in record.items()
                          if v is not None and k not in (*EDGE_COLUMNS, "id")}
            edges.append({"id": record["id"], "type": rel_type,
                          "source": node_key(record["from_label"], record["from_id"]),
                          "target": node_key(record["to_label"], record["to_id"]), "properties": properties})
    return {"nodes": nodes, "edges": edges}


def write_json(everything: Dump, path: Path) -> Written:
    """The graph as one JSON document (see :func:`to_json`)."""
    document = to_json(everything)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False)
    return Written([path], len(document["nodes"]), len(document["edges"]))


def _spreadsheet_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: lists joined with '; ', and text a spreadsheet would run as
    a formula (CSV injection) behind a leading quote, as ``partnermap query --format csv`` does."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return _text(value)
    text = _plain(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(everything: Dump, directory: Path) -> Written:
    """CSV for spreadsheets: ``<Label>.csv`` per label, ``<TYPE>.csv`` per relationship type (non-empty ones)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = Written()
    frames = [(name, frame, "nodes") for name, frame in everything.nodes.items()]
    frames += [(name, frame, "relationships") for name, frame in everything.relationships.items()]
    for name, frame, kind in frames:
        if not len(frame):
            continue
        path = directory / f"{checked_identifier(name)}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(list(frame.columns))
            writer.writerows(zip(*([_spreadsheet_cell(v) for v in frame[c]] for c in frame.columns)))
        written.files.append(path)
        setattr(written, kind, getattr(written, kind) + len(frame))
    return written


def _chunks(frame: pd.DataFrame, rows: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), rows):
        yield frame.iloc[start : start + rows]


def copy_graph(everything: Dump, target: Store, batch_rows: int = 10_000, progress: Progress = quiet) -> Written:
    """Upsert a dump into ``target`` (MERGE on id: pushing twice changes nothing): nodes per label,
    then relationships per (type, from, to), ``batch_rows`` at a time. A Neo4j target creates the
    model's constraints when it opens, so every MERGE is an index lookup."""
    written, counted = Written(), _Counted(everything, progress)

    def say(message: str, rows: int) -> None:
        counted.done += rows
        tell(progress, message, stage="push", done=counted.done, total=counted.total)

    for label, frame in everything.nodes.items():
        done = 0
        for chunk in _chunks(frame, batch_rows):
            done += target.upsert_nodes(label, chunk.reset_index(drop=True))
            say(f"{label}: {done}/{len(frame)} nodes", len(chunk))
        written.nodes += done
    for rel_type, frame in everything.relationships.items():
        for from_label, to_label, part in _edge_groups(frame):
            rows, done = part.drop(columns=["from_label", "to_label"]), 0
            for chunk in _chunks(rows, batch_rows):
                done += target.upsert_relationships(rel_type, from_label, to_label, chunk.reset_index(drop=True))
                say(f"{rel_type} {from_label}->{to_label}: {done}/{len(rows)} relationships", len(chunk))
            written.relationships += done
    return written


__all__ = [
    "ARRAY_DELIMITER",
    "NEO4J_TYPES",
    "Written",
    "copy_graph",
    "import_command",
    "node_key",
    "to_json",
    "to_networkx",
    "write_csv",
    "write_gexf",
    "write_graphml",
    "write_json",
    "write_neo4j_csv",
]

"""Exports for the tools people already have: neo4j-admin CSV, GraphML, GEXF, JSON, spreadsheet CSV, push."""

import csv
import datetime as dt
import json
import re
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import graph
import ingest
from graph.dump import dump
from graph.export import (
    ARRAY_DELIMITER,
    GEXF_EDGE_RENAMES,
    GEXF_NODE_RENAMES,
    copy_graph,
    to_networkx,
    write_csv,
    write_gexf,
    write_graphml,
    write_json,
    write_neo4j_csv,
)
from graph.neo4j_store import Neo4jStore, node_upsert_statement, relationship_upsert_statement
from ontology import load_model
from partnermap.errors import InvalidRecords
from tests.conftest import lint

# --- neo4j-admin's documented header rules (Operations Manual, "Import header format") --------------
# A field is `<name>:<field_type>`; without a type it is a string property. Node files: an ID field,
# `ID(<ID space>)` to give it an ID space, and LABEL; relationship files: START_ID, END_ID and TYPE
# (mandatory, names ignored), `START_ID(<ID space>)` to refer to one. Property types: the list below,
# `[]` appended for an array (elements split on --array-delimiter). IGNORE skips a column.
PROPERTY_TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string", "point",
                  "date", "localtime", "time", "localdatetime", "datetime", "duration", "vector"}
FIELD = re.compile(r"^(?P<name>[^:]*)(?::(?:(?P<special>ID|START_ID|END_ID|TYPE|LABEL|IGNORE)"
                   r"(?:\((?P<space>[^()]+)\))?|(?P<type>[a-z]+)(?P<array>\[\])?))?$")


def parse_field(field: str) -> dict:
    """One header field by the documented rules, or an AssertionError naming it."""
    match = FIELD.match(field)
    assert match, f"not a neo4j-admin header field: {field!r}"
    parsed = match.groupdict()
    if parsed["special"] is None:
        assert parsed["name"], f"a property needs a name: {field!r}"
        parsed["type"] = parsed["type"] or "string"
        assert parsed["type"] in PROPERTY_TYPES, f"{field!r}: {parsed['type']} is not a neo4j-admin type"
    return parsed


def read_export(directory: Path) -> tuple[dict, dict]:
    """Node and relationship files as neo4j-admin reads them: {file: (parsed header, rows)}."""
    nodes, rels = {}, {}
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        header = [parse_field(f) for f in rows[0]]
        (nodes if path.name.startswith("nodes_") else rels)[path.name] = (header, rows[1:])
    return nodes, rels


def typed(value: str, field: dict):
    """A cell read back as neo4j-admin types it ('' is no property)."""
    if value == "":
        return None
    if field["array"]:
        return value.split(ARRAY_DELIMITER)
    return {"long": int, "double": float, "boolean": lambda v: v == "true",
            "date": dt.date.fromisoformat}.get(field["type"], str)(value)


def records(header: list[dict], rows: list[list[str]]) -> list[dict]:
    # Properties and the ID field are stored under their names; the other fields name no property.
    names = [f["name"] if f["special"] in (None, "ID") else f":{f['special']}" for f in header]
    return [{n: (typed(v, f) if f["special"] is None else v) for n, f, v in zip(names, header, row)} for row in rows]


# --- a small register with awkward values ---------------------------------------------------------
INJECTION = "=cmd|' /C calc'!A0"
AWKWARD = 'Smith, Jones & "Partners"\nLtd'


@pytest.fixture
def awkward_store(tmp_path):
    """A register whose Leicester is both a Territory and a Partnership (id E06000016), an organisation
    named as a formula, one whose name has a comma, quotes and a newline, and aliases with ';' in them."""
    register = tmp_path / "register"
    register.mkdir()
    (register / "territories.csv").write_text("code,name,level,parent\nE06000016,Leicester,unitary,\n")
    (register / "organisations.csv").write_text(
        "id,name,sector,aliases,territory,identifiers\n"
        f'evil,"{INJECTION}",other,,,\n'
        f'odd,"{AWKWARD.replace(chr(34), chr(34) * 2)}",vcse,SJ;SJP,E06000016,\n'
    )
    (register / "partnerships.csv").write_text(
        "id,name,kind,themes,territory,reports_to,statutory,meetings_per_year\n"
        "E06000016,Leicester Partnership,lsp,health,E06000016,,yes,6\n"
    )
    (register / "memberships.csv").write_text(
        "partnership,organisation,role,representative,attendance,since,until\n"
        'E06000016,odd,chair,"Director, ""Ops""",0.5,2004-04-01,\n'
        "E06000016,evil,member,,,,\n"
    )
    store = graph.open_store(tmp_path / "db")
    ingest.load(store, ingest.READERS["register"](register))
    # A list value may hold ';' when a reader takes it from JSON: the CSV export must keep it whole.
    store.upsert_nodes("Organisation", pd.DataFrame(
        {"id": ["semi"], "name": ["Semi Colon Trust"], "sector": ["vcse"], "aliases": [["A;B", "C"]]}))
    yield store
    store.close()


# --- neo4j-admin CSV -----------------------------------------------------------------------------------
def test_every_header_follows_neo4j_admins_rules_and_every_reference_resolves(sample_store, tmp_path):
    model = load_model()
    written = write_neo4j_csv(dump(sample_store), model, tmp_path / "neo4j")
    nodes, rels = read_export(tmp_path / "neo4j")
    counts = graph.stats(sample_store)
    ids = {}
    for name, (header, rows) in nodes.items():
        label = name.removeprefix("nodes_").removesuffix(".csv")
        specials = [f["special"] for f in header if f["special"]]
        assert sorted(specials) == ["ID", "LABEL"], name
        id_field = next(f for f in header if f["special"] == "ID")
        assert (id_field["name"], id_field["space"]) == ("id", label)  # one ID space per label
        properties = {f["name"]: f for f in header if f["special"] is None}
        assert set(properties) | {"id"} == set(model.labels[label].properties)
        assert {row[1] for row in rows} == {label}  # the :LABEL column
        ids[label] = [row[0] for row in rows]
        assert len(set(ids[label])) == len(rows) == counts["nodes"][label]
    per_type = dict.fromkeys(model.relationships, 0)
    for name, (header, rows) in rels.items():
        specials = {f["special"]: f for f in header if f["special"]}
        assert set(specials) == {"START_ID", "END_ID", "TYPE"}, name
        start, end = specials["START_ID"]["space"], specials["END_ID"]["space"]
        assert start in ids and end in ids, f"{name} refers to an ID space no nodes file defines"
        for row in records(header, rows):
            assert row[":START_ID"] in ids[start] and row[":END_ID"] in ids[end]
            assert f"rels_{row[':TYPE']}_{start}_{end}.csv" == name
            per_type[row[":TYPE"]] += 1
    assert per_type == counts["relationships"]
    assert written.nodes == sum(counts["nodes"].values()) and written.relationships == sum(per_type.values())


def test_typed_values_survive_commas_quotes_newlines_and_semicolons(awkward_store, tmp_path):
    write_neo4j_csv(dump(awkward_store), load_model(), tmp_path / "neo4j")
    nodes, rels = read_export(tmp_path / "neo4j")
    organisations = {r["id"]: r for r in records(*nodes["nodes_Organisation.csv"])}
    assert organisations["odd"]["name"] == AWKWARD
    assert organisations["odd"]["aliases"] == ["SJ", "SJP"]
    assert organisations["semi"]["aliases"] == ["A;B", "C"]
    assert organisations["evil"]["name"] == INJECTION  # verbatim: this file is for a database
    leicester = records(*nodes["nodes_Partnership.csv"])[0]
    assert leicester["meetings_per_year"] == 6 and leicester["statutory"] is True
    assert records(*nodes["nodes_Territory.csv"])[0]["id"] == "E06000016"  # same id, another ID space
    chair = next(r for r in records(*rels["rels_MEMBER_OF_Organisation_Partnership.csv"]) if r[":START_ID"] == "odd")
    assert chair["attendance"] == 0.5 and chair["since"] == dt.date(2004, 4, 1) and chair["until"] is None
    assert chair["representative"] == 'Director, "Ops"'
    script = (tmp_path / "neo4j" / "import.sh").read_text()
    assert "--multiline-fields=true" in script  # AWKWARD spans two lines


def test_import_script_names_every_file_once_with_the_options_the_files_need(sample_store, tmp_path):
    written = write_neo4j_csv(dump(sample_store), load_model(), tmp_path / "neo4j")
    script = (tmp_path / "neo4j" / "import.sh").read_text()
    command = script[script.index("neo4j-admin"):].replace("\\\n", " ").split()
    assert command[1:5] == ["database", "import", "full", '"$DATABASE"']  # the database before the files
    inputs = sorted(a.split("=", 1)[1] for a in command if a.startswith(("--nodes=", "--relationships=")))
    assert inputs == sorted(p.name for p in written.files) == sorted(p.name for p in (tmp_path / "neo4j").glob("*.csv"))
    assert all(a.startswith("--nodes=nodes_") for a in command if a.startswith("--nodes"))
    assert "--array-delimiter=U+001F" in command and "--id-type=string" in command
    assert "--multiline-fields=true" not in command  # no value in the sample spans lines
    readme = (tmp_path / "neo4j" / "README.md").read_text()
    assert "neo4j-admin database import full neo4j" in readme and "schema.cypher" in readme
    schema = (tmp_path / "neo4j" / "schema.cypher").read_text()
    assert "CREATE CONSTRAINT organisation_id IF NOT EXISTS" in schema


def test_a_list_value_holding_the_array_delimiter_is_refused_and_nothing_written(awkward_store, tmp_path):
    awkward_store.upsert_nodes("Organisation", pd.DataFrame(
        {"id": ["unit"], "name": ["Unit"], "sector": ["other"], "aliases": [["a\x1fb"]]}))
    with pytest.raises(InvalidRecords, match="U\\+001F") as raised:
        write_neo4j_csv(dump(awkward_store), load_model(), tmp_path / "neo4j")
    assert raised.value.problems[0].row == "unit" and raised.value.problems[0].column == "aliases"
    assert not (tmp_path / "neo4j").exists()


# --- GraphML, GEXF, JSON -----------------------------------------------------------------------------
def test_graphml_reads_back_with_networkx(sample_store, tmp_path):
    write_graphml(dump(sample_store), tmp_path / "g.graphml")
    network = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    counts = graph.stats(sample_store)
    assert network.number_of_nodes() == sum(counts["nodes"].values())
    assert network.number_of_edges() == sum(counts["relationships"].values())
    lcc = network.nodes["Organisation:leicestershire-cc"]  # organisations.csv row 2
    assert lcc["kind"] == "Organisation" and lcc["name"] == lcc["label"] == "Leicestershire County Council"
    assert lcc["aliases"] == "Leicestershire CC; County Council; Leicestershire"
    edges = network.get_edge_data("Organisation:leicestershire-cc", "Partnership:leicestershire-together")
    chair = edges["MEMBER_OF|leicestershire-cc|leicestershire-together|Leader of the Council"]
    assert chair["type"] == "MEMBER_OF" and chair["attendance"] == 0.92 and chair["since"] == "2001-06-01"
    assert network.nodes["Partnership:leicestershire-together"]["meetings_per_year"] == 4


def test_gexf_reads_back_with_networkx_and_keeps_same_ids_apart(awkward_store, tmp_path):
    write_gexf(dump(awkward_store), tmp_path / "g.gexf")
    network = nx.read_gexf(tmp_path / "g.gexf")
    counts = graph.stats(awkward_store)
    # 1 territory, 3 organisations, 1 partnership, 1 theme (health), 4 sources (one per register file)
    assert network.number_of_nodes() == sum(counts["nodes"].values()) == 10
    assert network.number_of_edges() == sum(counts["relationships"].values())
    assert network.nodes["Territory:E06000016"]["kind"] == "Territory"
    partnership = network.nodes["Partnership:E06000016"]
    assert partnership["label"] == "Leicester Partnership" and partnership["node_id"] == "E06000016"
    assert network.nodes["Organisation:odd"]["label"] == AWKWARD
    membership = network.get_edge_data("Organisation:odd", "Partnership:E06000016")  # one edge: no multigraph
    assert membership["rel_type"] == "MEMBER_OF" and membership["attendance"] == 0.5
    assert membership["representative"] == 'Director, "Ops"' and membership["since"] == "2004-04-01"


def _networkx_graphml(everything, path):
    """The GraphML writer before streaming (networkx's own), as the reference the streamed file must equal."""
    nx.write_graphml(to_networkx(everything), path, encoding="utf-8")


def _networkx_gexf(everything, path):
    network = nx.MultiDiGraph()
    for key, data in to_networkx(everything).nodes(data=True):
        attributes = {GEXF_NODE_RENAMES.get(k, k): v for k, v in data.items() if k != "label"}
        network.add_node(key, id=key, label=data["label"], **attributes)
    for u, v, key, data in to_networkx(everything).edges(keys=True, data=True):
        attributes = {GEXF_EDGE_RENAMES.get(k, k): value for k, value in data.items()}
        network.add_edge(u, v, key=key, id=f"{data['type']}:{key}", label=data["type"], **attributes)
    nx.write_gexf(network, path, encoding="utf-8")


def _contents(network) -> tuple[dict, list]:
    edges = sorted((u, v, repr(sorted(d.items()))) for u, v, d in network.edges(data=True))
    return {n: dict(d) for n, d in network.nodes(data=True)}, edges


@pytest.mark.parametrize("which", ["sample_store", "awkward_store"])
def test_streamed_graphml_and_gexf_read_back_as_networkx_wrote_them(which, request, tmp_path):
    everything = dump(request.getfixturevalue(which))
    write_graphml(everything, tmp_path / "ours.graphml")
    _networkx_graphml(everything, tmp_path / "theirs.graphml")
    ours = nx.read_graphml(tmp_path / "ours.graphml", force_multigraph=True)
    theirs = nx.read_graphml(tmp_path / "theirs.graphml", force_multigraph=True)
    assert _contents(ours) == _contents(theirs)
    assert sorted(ours.edges(keys=True)) == sorted(theirs.edges(keys=True))
    write_gexf(everything, tmp_path / "ours.gexf")
    _networkx_gexf(everything, tmp_path / "theirs.gexf")
    assert _contents(nx.read_gexf(tmp_path / "ours.gexf")) == _contents(nx.read_gexf(tmp_path / "theirs.gexf"))


def test_characters_xml_cannot_hold_are_replaced_and_the_files_still_parse(sample_store, tmp_path):
    everything = dump(sample_store)
    organisations = everything.nodes["Organisation"].copy()
    organisations.loc[organisations.index[0], "name"] = "Bell\x07 & <Whistle>\x00 Trust"
    everything.nodes["Organisation"] = organisations
    key = f"Organisation:{organisations['id'].iloc[0]}"
    write_graphml(everything, tmp_path / "g.graphml")
    write_gexf(everything, tmp_path / "g.gexf")
    assert nx.read_graphml(tmp_path / "g.graphml").nodes[key]["name"] == "Bell\ufffd & <Whistle>\ufffd Trust"
    assert nx.read_gexf(tmp_path / "g.gexf").nodes[key]["label"] == "Bell\ufffd & <Whistle>\ufffd Trust"


def test_json_has_nodes_and_edges_like_the_api(sample_store, tmp_path):
    write_json(dump(sample_store), tmp_path / "g.json")
    document = json.loads((tmp_path / "g.json").read_text())
    counts = graph.stats(sample_store)
    assert set(document) == {"nodes", "edges"}
    assert len(document["nodes"]) == sum(counts["nodes"].values())
    assert len(document["edges"]) == sum(counts["relationships"].values())
    keys = {n["key"] for n in document["nodes"]}
    assert all(e["source"] in keys and e["target"] in keys for e in document["edges"])
    lcc = next(n for n in document["nodes"] if n["key"] == "Organisation:leicestershire-cc")
    assert lcc["kind"] == "Organisation" and lcc["name"] == "Leicestershire County Council"
    assert lcc["properties"]["aliases"] == ["Leicestershire CC", "County Council", "Leicestershire"]
    chair = next(e for e in document["edges"] if e["id"] == "MEMBER_OF|leicestershire-cc|leicestershire-together|Leader of the Council")
    assert chair["type"] == "MEMBER_OF" and chair["source"] == "Organisation:leicestershire-cc"
    assert chair["properties"]["since"] == "2001-06-01" and chair["properties"]["role"] == "chair"


# --- CSV for spreadsheets ----------------------------------------------------------------------------
def test_spreadsheet_csv_neutralises_formulas_and_keeps_numbers(awkward_store, tmp_path):
    written = write_csv(dump(awkward_store), tmp_path / "csv")
    assert {p.name for p in written.files} >= {"Organisation.csv", "Partnership.csv", "MEMBER_OF.csv"}
    with (tmp_path / "csv" / "Organisation.csv").open(encoding="utf-8", newline="") as handle:
        organisations = {r["id"]: r for r in csv.DictReader(handle)}
    assert organisations["evil"]["name"] == "'" + INJECTION
    assert organisations["odd"]["name"] == AWKWARD and organisations["odd"]["aliases"] == "SJ; SJP"
    with (tmp_path / "csv" / "MEMBER_OF.csv").open(encoding="utf-8", newline="") as handle:
        members = {r["from_id"]: r for r in csv.DictReader(handle)}
    assert members["odd"]["attendance"] == "0.5" and members["odd"]["since"] == "2004-04-01"
    assert members["odd"]["to_label"] == "Partnership" and members["evil"]["attendance"] == ""


# --- push ----------------------------------------------------------------------------------------------
def test_push_copies_the_graph_and_pushing_twice_changes_nothing(sample_store, store):
    # `store` is embedded, and Neo4j too when NEO4J_URI is set (the live suite).
    everything = dump(sample_store)
    written = copy_graph(everything, store, batch_rows=50)
    expected = graph.stats(sample_store)
    assert graph.stats(store) == expected
    assert written.nodes == sum(expected["nodes"].values())
    copy_graph(everything, store, batch_rows=50)
    assert graph.stats(store) == expected
    assert dump(store).nodes["Organisation"].equals(everything.nodes["Organisation"])


class RecordingNeo4j(Neo4jStore):
    """A Neo4jStore that records the statements it would send instead of reaching a server."""

    def __init__(self):
        graph.Store.__init__(self)
        self.sent: list[str] = []

    def run(self, query, params=None):
        self.sent.append(query)
        return []


def test_every_statement_push_sends_is_a_bulk_upsert_that_lints_clean(sample_store):
    target = RecordingNeo4j()
    copy_graph(dump(sample_store), target, batch_rows=20)
    sent = set(target.sent)
    model = load_model()
    upserts = {node_upsert_statement(label, [p for p in model.labels[label].properties if p != "id"])
               for label in model.labels}
    upserts |= {relationship_upsert_statement(rel.name, a, b, [p for p in rel.properties if p != "id"])
                for rel in model.relationships.values() for a, b in rel.endpoints}
    assert sent <= upserts  # the statements test_lint lints, nothing built here
    assert len(target.sent) > len(sent)  # in batches
    found = lint({f"push {i}": statement for i, statement in enumerate(sorted(sent))})
    assert {name: diags for name, diags in found.items() if diags} == {}

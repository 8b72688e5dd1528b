"""RDF in and out: the export reads back whole, W3C ORG data maps onto the model, hostile RDF fetches nothing."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import shutil
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from pyshacl import validate as shacl_validate
from rdflib import Graph
from typer.testing import CliRunner

import graph
import ingest
from graph.dump import dump
from ingest import rdf
from ontology import ontology_graph
from ontology.rdf_data import serialize
from cli import app
from partnermap.errors import InvalidRecords, Problem
from tests.conftest import SAMPLE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ORG_TTL = FIXTURES / "rdf" / "org.ttl"
HOSTILE = FIXTURES / "hostile" / "rdf"
EX = "https://example.org/leics/"


def _read(path: Path) -> list:
    return list(rdf.read(path))


def _problems(items: list) -> list[Problem]:
    return [item for item in items if isinstance(item, Problem)]


def _empty(store) -> bool:
    counts = graph.stats(store)
    return sum(counts["nodes"].values()) == 0 and sum(counts["relationships"].values()) == 0


def _normalised(store) -> dict[str, list]:
    """Every node and relationship as comparable rows (list values as sets: RDF keeps no order)."""
    everything = dump(store)
    out = {}
    for name, frame in {**everything.nodes, **everything.relationships}.items():
        rows = [{k: (sorted(v) if isinstance(v, list) else v) for k, v in row.items()} for row in frame.to_dict("records")]
        out[name] = sorted(rows, key=repr)
    return out


# -- the export round trip ------------------------------------------------------------------

@pytest.fixture(scope="module")
def exports(sample_store, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("export")
    everything = dump(sample_store)
    paths = {"ttl": folder / "sample.ttl", "jsonld": folder / "sample.jsonld", "nt": folder / "sample.nt"}
    for fmt, path in paths.items():
        path.write_text(serialize(everything.nodes, everything.relationships, fmt), encoding="utf-8")
    return paths


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "nt"])
def test_an_export_reads_back_into_a_fresh_store_unchanged(fmt, exports, sample_store, tmp_path):
    with graph.open_store(tmp_path / "db") as restored:
        written = ingest.load(restored, ingest.READERS["rdf"](exports[fmt]))
        # The sample: 43 organisations and 220 memberships (organisations.csv, memberships.csv rows).
        assert written["nodes"]["Organisation"] == 43 and written["relationships"]["MEMBER_OF"] == 220
        assert graph.stats(restored) == graph.stats(sample_store)
        before, after = _normalised(sample_store), _normalised(restored)
        for name in before:
            assert [r["id"] for r in after[name]] == [r["id"] for r in before[name]], name
            assert after[name] == before[name], name
        # A few values read back with their types (memberships.csv row 2, partnerships.csv row 2).
        rows = graph.run_query(restored, "memberships", {"organisation": "leicestershire-cc", "as_of": "2008-01-01"})
        chair = next(r for r in rows if r["representative"] == "Leader of the Council")
        assert chair["role"] == "chair" and chair["attendance"] == 0.92 and chair["since"] == dt.date(2001, 6, 1)
        assert chair["source_row"] == "memberships.csv row 2"
        lt = dump(restored).nodes["Partnership"].set_index("id").loc["leicestershire-together"]
        assert lt["meetings_per_year"] == 4 and lt["statutory"] is False and lt["kind"] == "lsp"


def test_streamed_ntriples_hold_the_same_graph_as_the_turtle(exports):
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(exports["nt"], format="nt"), Graph().parse(exports["ttl"], format="turtle"))


def test_ntriples_keep_awkward_text_whole(store):
    from ontology.rdf_data import write_ntriples

    awkward = 'Line one\nline "two" \\ tab\there — ünïcode'
    store.upsert_nodes("Organisation", pd.DataFrame({"id": ["odd one"], "name": [awkward], "sector": ["vcse"],
                                                     "aliases": [["A;B", "C"]]}))
    everything = dump(store)
    text = io.StringIO()
    count = write_ntriples(everything.nodes, everything.relationships, text)
    assert count == len(text.getvalue().splitlines())
    parsed = Graph().parse(data=text.getvalue(), format="nt")
    said = {str(o) for s, _, o in parsed if str(s).endswith("/organisation/odd%20one")}
    assert awkward in said and {"A;B", "C"} <= said


def test_the_exported_turtle_conforms_to_the_shacl_shapes(exports):
    data = Graph().parse(exports["ttl"], format="turtle")
    conforms, _, report = shacl_validate(data, shacl_graph=ontology_graph())
    assert conforms, report


def test_the_export_speaks_w3c_org(exports):
    data = Graph().parse(exports["ttl"], format="turtle")
    org = "http://www.w3.org/ns/org#"
    lcc = "https://w3id.org/partnermap/id/organisation/leicestershire-cc"
    lt = "https://w3id.org/partnermap/id/partnership/leicestershire-together"
    answer = data.query(f"""
        PREFIX org: <{org}>
        SELECT ?label WHERE {{ <{lcc}> a org:FormalOrganization ; org:memberOf <{lt}> .
            ?m a org:Membership ; org:member <{lcc}> ; org:organization <{lt}> ; org:role ?role .
            ?role <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }}""")
    assert {str(row.label) for row in answer} == {"chair", "secretariat"}  # memberships.csv rows 2 and 3


# -- W3C ORG data from elsewhere ------------------------------------------------------------

def test_w3c_org_data_maps_onto_the_model(store):
    written = ingest.load(store, rdf.read(ORG_TTL))
    assert dict(written["nodes"]) == {"Organisation": 4, "Partnership": 2, "Territory": 1, "Source": 1}
    # lcc (m1), police (blank membership), police → csp, vasl (org:hasMember); lcc's org:memberOf
    # repeats its membership and is not counted twice.
    assert dict(written["relationships"]) == {"MEMBER_OF": 4, "SUB_ORGANISATION_OF": 1, "REPORTS_TO": 1, "COVERS": 1}
    organisations = dump(store).nodes["Organisation"].set_index("id")
    lcc = organisations.loc[EX + "lcc"]
    assert lcc["name"] == "Leicestershire County Council"  # the English label of two
    assert lcc["sector"] == "local_authority" and lcc["aliases"] == ["LCC"] and lcc["identifiers"] == ["gss:E10000018"]
    assert lcc["source"] == "rdf:org.ttl" and lcc["source_row"] == EX + "lcc"
    assert organisations.loc[EX + "police", "sector"] == "other"  # no pm:sector: documented default
    assert organisations.loc[EX + "lcc-adults", "name"] == "Adults and Communities Department"
    partnerships = dump(store).nodes["Partnership"].set_index("id")
    assert partnerships.loc[EX + "csp", "kind"] == "other" and partnerships.loc[EX + "together", "kind"] == "lsp"

    members = dump(store).relationships["MEMBER_OF"].set_index("id")
    m1 = members.loc[EX + "lcc-on-together"]
    assert (m1["from_id"], m1["to_id"], m1["role"], m1["since"]) == (EX + "lcc", EX + "together", "chair", dt.date(2001, 6, 1))
    treasurer = members.loc[f"MEMBER_OF|{EX}police|{EX}together|"]  # the register's rule: no post given
    assert treasurer["role"] == "member"  # "Treasurer" is not a partnermap role
    assert members.loc[f"MEMBER_OF|{EX}vasl|{EX}together|", "role"] == "member"
    relationships = dump(store).relationships
    assert relationships["SUB_ORGANISATION_OF"][["from_id", "to_id"]].values.tolist() == [[EX + "lcc-adults", EX + "lcc"]]
    assert relationships["REPORTS_TO"][["from_id", "to_id"]].values.tolist() == [[EX + "csp", EX + "together"]]
    # Only the site that is a GSS code becomes coverage; the Enderby office is an address.
    assert relationships["COVERS"][["from_id", "to_id"]].values.tolist() == [[EX + "lcc", "E10000018"]]


def test_ingesting_twice_changes_nothing(store):
    ingest.load(store, rdf.read(ORG_TTL))
    first = graph.stats(store)
    again = ingest.load(store, rdf.read(ORG_TTL))
    assert graph.stats(store) == first and again["removed"]["facts"] == 0


def _broken(tmp_path: Path, old: str, new: str, name: str = "org.ttl") -> Path:
    text = ORG_TTL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_syntax_error_names_its_line_and_nothing_is_written(store, tmp_path):
    path = _broken(tmp_path, 'skos:altLabel "LCC" ;', 'skos:altLabel "LCC" ;;; ,')
    problems = _problems(_read(path))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if ";;; ," in text)
    assert len(problems) == 1 and problems[0].fatal and problems[0].row == line
    assert "not valid turtle" in str(problems[0])
    with pytest.raises(InvalidRecords):
        ingest.load(store, rdf.read(path))
    assert _empty(store)


def test_an_organisation_without_a_name_is_a_problem_naming_it(store, tmp_path):
    path = _broken(tmp_path, 'rdfs:label "Leicestershire Constabulary" .', "org:identifier \"police\" .")
    with pytest.raises(InvalidRecords) as raised:
        ingest.load(store, rdf.read(path))
    messages = [str(p) for p in raised.value.problems]
    assert messages == [f"org.ttl, row <{EX}police>, column 'rdfs:label': Organisation with no name "
                        "(give it one of rdfs:label, skos:prefLabel, foaf:name, dct:title)"]
    assert _empty(store)


def test_values_outside_the_vocabularies_are_problems(store, tmp_path):
    path = _broken(tmp_path, 'pm:sector "vcse"', 'pm:sector "charity"')
    with pytest.raises(InvalidRecords) as raised:
        ingest.load(store, rdf.read(path))
    (problem,) = raised.value.problems
    assert problem.row == f"<{EX}vasl>" and problem.column == "sector" and problem.value == "charity"
    assert _empty(store)


def test_a_blank_node_organisation_has_no_stable_id(tmp_path):
    path = tmp_path / "blank.ttl"
    path.write_text('@prefix org: <http://www.w3.org/ns/org#> .\n[] a org:FormalOrganization ; '
                    '<http://www.w3.org/2000/01/rdf-schema#label> "Nameless IRI" .\n')
    (problem,) = _problems(_read(path))
    assert problem.column == "pm:id" and "blank node has no stable id" in problem.reason


def test_a_file_with_no_organisations_says_so(tmp_path):
    path = tmp_path / "other.nt"
    path.write_text('<https://example.org/a> <https://example.org/p> "x" .\n')
    (problem,) = _problems(_read(path))
    assert problem.fatal and "found no W3C ORG" in problem.reason


# -- hostile RDF: nothing fetched, refused quickly --------------------------------------------

@pytest.fixture
def loopback():
    """A loopback HTTP server that records every request it gets (and would serve a context)."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def _record(self):
            requests.append(f"{self.command} {self.path}")
            body = b'{"@context": {"name": "http://www.w3.org/2000/01/rdf-schema#label"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_HEAD = do_POST = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests
    yield server
    server.shutdown()
    server.server_close()


def _hostile(name: str, server, tmp_path: Path) -> Path:
    path = tmp_path / name
    path.write_text((HOSTILE / name).read_text(encoding="utf-8").replace("@PORT@", str(server.server_address[1])))
    return path


def test_the_loopback_server_records_requests(loopback):
    # The server the assertions rely on does see a request when one is made.
    import urllib.request

    urllib.request.urlopen(f"http://127.0.0.1:{loopback.server_address[1]}/probe", timeout=5).read()
    assert loopback.requests == ["GET /probe"]


@pytest.mark.parametrize("name, reason", [
    ("billion-laughs.rdf", "DOCTYPE or ENTITY declaration"),
    ("external-entity.rdf", "DOCTYPE or ENTITY declaration"),
    ("external-dtd.rdf", "DOCTYPE or ENTITY declaration"),
    ("parameter-entity.rdf", "DOCTYPE or ENTITY declaration"),
    ("remote-context.jsonld", "never fetches documents"),
    ("remote-context-array.jsonld", "never fetches documents"),
    ("remote-context-nested.jsonld", "never fetches documents"),
    ("scoped-context.jsonld", "never fetches documents"),
    ("context-import.jsonld", "never fetches documents"),
    ("local-file-context.jsonld", "never fetches documents"),
    ("deep.jsonld", "nested more than"),
    ("deep-context.jsonld", "nested more than"),
    ("deep.ttl", "nested too deeply"),
])
def test_hostile_rdf_is_refused_quickly_fetching_nothing(name, reason, loopback, tmp_path, store):
    path = _hostile(name, loopback, tmp_path)
    started = time.perf_counter()
    problems = _problems(_read(path))
    assert time.perf_counter() - started < 0.5
    assert len(problems) == 1 and problems[0].fatal and reason in problems[0].reason, problems
    with pytest.raises(InvalidRecords):
        ingest.load(store, rdf.read(path))
    assert _empty(store)
    assert loopback.requests == []


def test_remote_imports_prefixes_and_base_in_turtle_are_never_fetched(loopback, tmp_path, store):
    path = _hostile("remote-imports.ttl", loopback, tmp_path)
    written = ingest.load(store, rdf.read(path))
    assert written["nodes"]["Organisation"] == 1
    assert loopback.requests == []


@pytest.mark.parametrize("name", ["remote-context.jsonld", "scoped-context.jsonld", "context-import.jsonld"])
def test_a_remote_context_the_check_misses_is_still_not_fetched(name, loopback, tmp_path, monkeypatch):
    # Skip the check on the JSON: the guard on rdflib's context loader must still refuse.
    monkeypatch.setattr(rdf, "_json", lambda raw, path: (json.loads(raw), None))
    path = _hostile(name, loopback, tmp_path)
    problems = _problems(_read(path))
    assert len(problems) == 1 and "never fetches documents" in problems[0].reason, problems
    assert loopback.requests == []


def test_rdflib_still_loads_contexts_outside_our_reader(loopback):
    # The guard is scoped to our parse: other users of rdflib in the process are unaffected.
    port = loopback.server_address[1]
    data = json.dumps({"@context": f"http://127.0.0.1:{port}/ctx", "@id": "https://example.org/x", "name": "X"})
    parsed = Graph().parse(data=data, format="json-ld")
    assert len(parsed) == 1 and loopback.requests == ["GET /ctx"]


def test_inline_json_ld_contexts_work(store, tmp_path):
    path = tmp_path / "inline.jsonld"
    path.write_text(json.dumps({
        "@context": {"org": "http://www.w3.org/ns/org#", "name": "http://www.w3.org/2004/02/skos/core#prefLabel"},
        "@graph": [
            {"@id": "https://example.org/a", "@type": "org:FormalOrganization", "name": "A Council",
             "org:memberOf": {"@id": "https://example.org/p"}},
            {"@id": "https://example.org/p", "@type": "org:OrganizationalCollaboration", "name": "A Partnership"},
        ],
    }))
    written = ingest.load(store, rdf.read(path))
    assert written["nodes"]["Organisation"] == 1 and written["relationships"]["MEMBER_OF"] == 1


def test_files_over_the_size_limit_are_refused_before_reading(monkeypatch):
    monkeypatch.setattr(rdf, "MAX_BYTES", 100)
    (problem,) = _problems(_read(ORG_TTL))
    assert problem.fatal and "larger than the 100 bytes" in problem.reason


def test_an_unknown_file_name_is_refused(tmp_path):
    path = tmp_path / "org.txt"
    shutil.copy(ORG_TTL, path)
    (problem,) = _problems(_read(path))
    assert problem.fatal and ".ttl" in problem.reason


# -- the commands ---------------------------------------------------------------------------

def test_export_then_ingest_from_the_command_line(tmp_path):
    runner = CliRunner()
    first, second = str(tmp_path / "first"), str(tmp_path / "second")
    assert runner.invoke(app, ["--db", first, "ingest", "register", str(SAMPLE)]).exit_code == 0
    done = runner.invoke(app, ["--db", first, "export", "rdf", "--format", "ttl", "--output", str(tmp_path / "g.ttl")])
    assert done.exit_code == 0, done.output
    assert "203 nodes, 776 relationships" in done.stdout  # the sample's rows, as `stats` counts them
    done = runner.invoke(app, ["--db", second, "ingest", "rdf", str(tmp_path / "g.ttl")])
    assert done.exit_code == 0, done.output
    stats = [json.loads(runner.invoke(app, ["--db", db, "stats", "--format", "json"]).stdout) for db in (first, second)]
    assert stats[0] == stats[1]
    done = runner.invoke(app, ["--db", first, "export", "rdf", "--format", "jsonld"])
    assert done.exit_code == 0 and "@context" in json.loads(done.stdout)
    done = runner.invoke(app, ["--db", first, "export", "rdf", "--format", "nt", "--output", str(tmp_path / "g.nt")])
    assert done.exit_code == 0 and "203 nodes, 776 relationships" in done.stdout
    third = str(tmp_path / "third")
    assert runner.invoke(app, ["--db", third, "ingest", "rdf", str(tmp_path / "g.nt")]).exit_code == 0
    assert json.loads(runner.invoke(app, ["--db", third, "stats", "--format", "json"]).stdout) == stats[0]
    done = runner.invoke(app, ["--db", first, "export", "rdf", "--format", "xml"])
    assert done.exit_code == 2 and "ttl, jsonld, nt" in done.output


def test_hostile_input_on_the_command_line_exits_2_and_writes_nothing(tmp_path, loopback):
    path = _hostile("billion-laughs.rdf", loopback, tmp_path)
    done = CliRunner().invoke(app, ["--db", str(tmp_path / "db"), "ingest", "rdf", str(path)])
    assert done.exit_code == 2 and "DOCTYPE" in done.output


# -- membership of an organisation, and XML that is not RDF ---------------------------------

FEDERATION = """@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix pm: <https://w3id.org/partnermap/def#> .
@prefix ex: <https://example.org/leics/> .
ex:lga a org:FormalOrganization ; rdfs:label "Local Government Association" ; pm:sector "government" .
ex:lcc a org:FormalOrganization ; rdfs:label "Leicestershire County Council" ; pm:sector "local_authority" ;
    org:memberOf ex:lga .
ex:vasl a org:FormalOrganization ; rdfs:label "Voluntary Action South Leicestershire" ; pm:sector "vcse" .
ex:ncvo a org:FormalOrganization ; rdfs:label "NCVO" ; pm:sector "vcse" ; org:hasMember ex:vasl .
ex:together a org:OrganizationalCollaboration ; rdfs:label "Leicestershire Together" .
ex:lcc org:memberOf ex:together .
"""


def test_an_organisation_may_be_a_member_of_another(store, tmp_path):
    path = tmp_path / "federation.ttl"
    path.write_text(FEDERATION)
    ingest.load(store, rdf.read(path))
    rows = store.run("MATCH (o:Organisation)-[m:MEMBER_OF]->(t) RETURN o.name AS member, labels(t)[0] AS kind, "
                     "t.name AS of, m.role AS role ORDER BY member, of")
    # org:memberOf and (its inverse) org:hasMember, to a formal organisation or a collaboration alike.
    assert [(r["member"], r["of"], r["role"]) for r in rows] == [
        ("Leicestershire County Council", "Leicestershire Together", "member"),
        ("Leicestershire County Council", "Local Government Association", "member"),
        ("Voluntary Action South Leicestershire", "NCVO", "member"),
    ]
    # ... and the export reads back with the membership of an organisation intact.
    again = tmp_path / "again.ttl"
    again.write_text(serialize(*_everything(store), "ttl"))
    with graph.open_store(tmp_path / "fresh") as fresh:
        ingest.load(fresh, rdf.read(again))
        assert _normalised(fresh)["MEMBER_OF"] == _normalised(store)["MEMBER_OF"]


def _everything(store):
    everything = dump(store)
    return everything.nodes, everything.relationships


QUERIES_OVER_MEMBERSHIPS = [("overload", {"min": 1}), ("overload-representatives", {"min": 1}), ("attendance", {}),
                            ("memberships", {}), ("membership-pairs", {}), ("missing-links", {}),
                            ("organisation-themes", {"ids": ["shire-cc", "shire-police"]}),
                            ("duplicate-partnerships", {"min_jaccard": 0.1}), ("network", {})]


def test_the_queries_over_memberships_answer_the_same_beside_a_membership_of_an_organisation(store, tmp_path):
    small = FIXTURES / "registers" / "small"
    ingest.load(store, ingest.READERS["register"](small))
    before = {name: _answer(store, name, params) for name, params in QUERIES_OVER_MEMBERSHIPS}
    extra = tmp_path / "extra.ttl"  # the county council joins the police: an organisation in an organisation
    extra.write_text("""@prefix org: <http://www.w3.org/ns/org#> .
<https://w3id.org/partnermap/id/organisation/shire-cc> org:memberOf <https://w3id.org/partnermap/id/organisation/shire-police> .
""")
    ingest.load(store, rdf.read(extra))
    assert store.run("MATCH (:Organisation)-[m:MEMBER_OF]->(:Organisation) RETURN count(m) AS n") == [{"n": 1}]
    after = {name: _answer(store, name, params) for name, params in QUERIES_OVER_MEMBERSHIPS}
    assert after == before


def _answer(store, name: str, params: dict) -> list[dict]:
    """A query's rows, each list in them sorted: collect() gives no order, and a write may change the engine's."""
    return [{k: sorted(v, key=repr) if isinstance(v, list) else v for k, v in row.items()}
            for row in graph.run_query(store, name, params)]


def test_xml_that_is_not_rdf_gets_a_plain_reason(store, tmp_path):
    path = tmp_path / "meetings.xml"  # a ModernGov answer, given to the RDF reader
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<getmeetings><committee><committeeid>1</committeeid>'
                    "</committee></getmeetings>\n")
    [problem] = _problems(_read(path))
    assert (problem.file, problem.value, problem.fatal) == ("meetings.xml", "getmeetings", True)
    assert problem.reason.startswith("XML, but not RDF: its root element is <getmeetings>; RDF/XML starts with <rdf:RDF")
    assert problem.reason.endswith("it is a ModernGov answer: read it with 'partnermap ingest moderngov'")
    assert "sequence item" not in problem.reason

"""The model loads, is consistent, and its OWL/SHACL rendering validates data with pyshacl."""

import copy
import tomllib

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import ORG, RDF, RDFS, XSD  # noqa: F401

from ontology import ModelError, load_model, ontology_graph, ontology_turtle
from ontology.model import MODEL_FILE, parse_model

PM = Namespace(load_model().namespace)
ID = Namespace(load_model().resource_base)


def test_the_model_has_the_labels_types_and_vocabularies_the_product_relies_on():
    model = load_model()
    assert set(model.labels) == {
        "Organisation", "Partnership", "Forum", "Strategy", "Service", "Territory", "Theme", "ClientGroup", "Target", "Source"
    }
    assert {"MEMBER_OF", "REPORTS_TO", "COVERS", "PART_OF", "OWNS", "ALIGNS_WITH", "CONTRIBUTES_TO", "OWNS_TARGET",
            "DELIVERS", "COMMISSIONS", "SERVES", "HAS_THEME"} <= set(model.relationships)
    assert "probation" in model.vocabularies["sector"]
    assert model.vocabularies["membership_role"] == ("chair", "vice_chair", "member", "observer", "secretariat")
    assert model.relationships["MEMBER_OF"].properties["attendance"].max == 1.0
    assert model.theme_sectors["community safety"] == ("police", "probation")


def _data() -> dict:
    with MODEL_FILE.open("rb") as handle:
        return tomllib.load(handle)


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda d: d["labels"].update({"Bad Label": {"rdf_class": "pm:X", "properties": {}}}), "not a safe identifier"),
        (lambda d: d["relationships"]["COVERS"].update({"endpoints": [["Service", "Nowhere"]]}), "unknown label 'Nowhere'"),
        (lambda d: d["labels"]["Organisation"]["properties"]["sector"].update({"vocabulary": "sectors"}), "unknown vocabulary"),
        (lambda d: d["labels"]["Organisation"]["properties"]["name"].update({"type": "text"}), "type 'text'"),
        (lambda d: d["theme_sectors"].update({"health": ["doctors"]}), "unknown sectors"),
    ],
)
def test_an_inconsistent_model_is_refused_naming_the_entry(breakage, message):
    data = copy.deepcopy(_data())
    breakage(data)
    with pytest.raises(ModelError, match=message):
        parse_model(data)


def test_every_label_has_a_shacl_shape_and_the_turtle_parses():
    graph = Graph().parse(data=ontology_turtle(), format="turtle")
    SH = Namespace("http://www.w3.org/ns/shacl#")
    for label in load_model().labels:
        assert (PM[f"{label}Shape"], SH.targetClass, PM[label]) in graph
    assert (PM.Partnership, RDFS.subClassOf, ORG.OrganizationalCollaboration) in graph
    assert (PM.memberOf, RDFS.subPropertyOf, ORG.memberOf) in graph
    assert (PM.MemberOf, RDFS.subClassOf, ORG.Membership) in graph


def _organisation(graph: Graph, org_id: str, sector: str) -> URIRef:
    node = ID[f"organisation/{org_id}"]
    graph.add((node, RDF.type, PM.Organisation))
    graph.add((node, PM.id, Literal(org_id)))
    graph.add((node, RDFS.label, Literal(org_id.title())))
    graph.add((node, PM.sector, Literal(sector)))
    return node


def test_shacl_accepts_conforming_data_and_rejects_what_breaks_the_model():
    shapes = ontology_graph()
    good = Graph()
    council = _organisation(good, "council", "local_authority")
    lsp = ID["partnership/lsp"]
    good.add((lsp, RDF.type, PM.Partnership))
    good.add((lsp, PM.id, Literal("lsp")))
    good.add((lsp, RDFS.label, Literal("An LSP")))
    good.add((lsp, PM.kind, Literal("lsp")))
    good.add((lsp, PM.meetingsPerYear, Literal(4, datatype=XSD.integer)))
    good.add((council, PM.memberOf, lsp))
    conforms, _, report = validate(good, shacl_graph=shapes)
    assert conforms, report

    bad = Graph()
    _organisation(bad, "charity", "charity")  # not a sector
    town = ID["territory/x"]
    bad.add((town, RDF.type, PM.Territory))
    bad.add((town, PM.id, Literal("x")))  # no name, no level
    bad.add((ID["organisation/charity"], PM.memberOf, town))  # members of partnerships only
    conforms, results, _ = validate(bad, shacl_graph=shapes)
    assert not conforms
    SH = Namespace("http://www.w3.org/ns/shacl#")
    failures = {(focus, path) for focus, path in results.query(
        "SELECT ?f ?p WHERE { ?r a sh:ValidationResult ; sh:focusNode ?f ; sh:resultPath ?p }", initNs={"sh": SH})}
    assert failures == {
        (ID["organisation/charity"], PM.sector),
        (ID["organisation/charity"], PM.memberOf),
        (town, RDFS.label),
        (town, PM.level),
    }

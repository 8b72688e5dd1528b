"""The graph's data as RDF in the ontology's own terms (W3C ORG aligned), for export and re-import.

Each node is ``<resource_base><label>/<id>`` typed with its ``pm:`` class and the model's
``rdf_class``; properties are typed literals (``property_iri``), with ``prov:wasDerivedFrom``
its Source. Each relationship is its direct triple (``pm:`` property, and the ORG property
the model aligns it with) and a statement resource ``<resource_base><type>/<id>``
(``rdf:Statement`` with ``rdf:subject/predicate/object``) carrying its id, provenance and
properties, so every relationship survives a round trip. MEMBER_OF's statement is also an
``org:Membership`` (``org:member``, ``org:organization``, ``org:role`` a role resource).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, unquote

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS, XSD

from ontology.model import Model, Property, load_model
from ontology.rdf import PREFIXES, camel, class_iri, expand, namespace, property_iri, relationship_iri

# Properties every fact carries that are written with their own terms, not as plain data.
PROVENANCE = ("source", "source_row")


def node_iri(label: str, node_id: str, model: Model) -> URIRef:
    """The resource for a node: ``<resource_base>organisation/leicestershire-cc``."""
    return URIRef(f"{model.resource_base}{label.lower()}/{quote(str(node_id), safe='')}")


def statement_iri(rel_type: str, rel_id: str, model: Model) -> URIRef:
    """The resource that reifies one relationship: ``<resource_base>member_of/<id>``."""
    return URIRef(f"{model.resource_base}{rel_type.lower()}/{quote(str(rel_id), safe='')}")


def role_iri(role: str, model: Model) -> URIRef:
    """The ``org:Role`` resource for a membership role value."""
    return URIRef(f"{model.resource_base}role/{quote(role, safe='')}")


def parse_node_iri(iri: str, model: Model) -> tuple[str, str] | None:
    """``(label, id)`` for a partnermap node IRI, or None for any other IRI."""
    if not iri.startswith(model.resource_base):
        return None
    segment, _, encoded = iri[len(model.resource_base):].partition("/")
    for label in model.labels:
        if label.lower() == segment and encoded:
            return label, unquote(encoded)
    return None


def reified_class(rel_type: str, model: Model) -> URIRef | None:
    """The class the ontology declares for a relationship type with its own properties (else None)."""
    own = [p for p in model.relationship(rel_type).properties if p not in ("id", *PROVENANCE)]
    return namespace(model)[camel(rel_type, upper=True)] if own else None


def literal(value: object, prop: Property) -> Literal:
    """A typed literal for one model value (xsd:double for floats, xsd:date for dates)."""
    if prop.type == "float":
        return Literal(float(value), datatype=XSD.double)
    if prop.type == "integer":
        return Literal(int(value), datatype=XSD.integer)
    if prop.type == "boolean":
        return Literal(bool(value), datatype=XSD.boolean)
    if prop.type == "date":
        return Literal(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)), datatype=XSD.date)
    return Literal(str(value))


def _values(value: object, prop: Property) -> list[Literal]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if prop.type == "string[]":
        return [literal(v, prop) for v in value]
    return [literal(value, prop)]


def _add_properties(graph: Graph, subject: URIRef, row: dict, properties: dict[str, Property], model: Model) -> None:
    for name, prop in properties.items():
        for value in _values(row.get(name), prop):
            graph.add((subject, property_iri(name, model), value))
    if row.get("source"):
        graph.add((subject, PROV.wasDerivedFrom, node_iri("Source", row["source"], model)))


def bind_prefixes(graph: Graph, model: Model) -> None:
    """The prefixes an export uses: ``pm:`` and the ORG family."""
    graph.bind("pm", namespace(model))
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)


def data_graph(nodes: dict[str, pd.DataFrame], relationships: dict[str, pd.DataFrame], model: Model | None = None) -> Graph:
    """The graph's nodes and relationships (as :class:`graph.dump.Dump` frames) as an rdflib Graph."""
    model = model or load_model()
    graph = Graph()
    bind_prefixes(graph, model)
    for label, frame in nodes.items():
        spec = model.label(label)
        cls, aligned = class_iri(label, model), expand(spec.rdf_class, model)
        for row in frame.to_dict("records"):
            subject = node_iri(label, row["id"], model)
            graph.add((subject, RDF.type, cls))
            graph.add((subject, RDF.type, aligned))
            _add_properties(graph, subject, row, spec.properties, model)
    roles: set[str] = set()
    for rel_type, frame in relationships.items():
        rel = model.relationship(rel_type)
        predicate = relationship_iri(rel_type, model)
        aligned = expand(rel.rdf_property, model)
        cls = reified_class(rel_type, model)
        membership = aligned == ORG.memberOf
        for row in frame.to_dict("records"):
            a = node_iri(row["from_label"], row["from_id"], model)
            b = node_iri(row["to_label"], row["to_id"], model)
            graph.add((a, predicate, b))
            if aligned != predicate:
                graph.add((a, aligned, b))
            statement = statement_iri(rel_type, row["id"], model)
            graph.add((statement, RDF.type, RDF.Statement))
            graph.add((statement, RDF.subject, a))
            graph.add((statement, RDF.predicate, predicate))
            graph.add((statement, RDF.object, b))
            if cls is not None:
                graph.add((statement, RDF.type, cls))
            if membership:
                graph.add((statement, RDF.type, ORG.Membership))
                graph.add((statement, ORG.member, a))
                graph.add((statement, ORG.organization, b))
                if row.get("role"):
                    graph.add((statement, ORG.role, role_iri(row["role"], model)))
                    roles.add(row["role"])
            _add_properties(graph, statement, row, rel.properties, model)
    for role in sorted(roles):
        graph.add((role_iri(role, model), RDF.type, ORG.Role))
        graph.add((role_iri(role, model), SKOS.prefLabel, Literal(role)))
        graph.add((role_iri(role, model), RDFS.label, Literal(role)))
    return graph



# The `export rdf --format` values and the rdflib serializer each names.
RDF_FORMATS = {"ttl": "turtle", "jsonld": "json-ld"}


def serialize(nodes: dict[str, pd.DataFrame], relationships: dict[str, pd.DataFrame], fmt: str = "ttl",
              model: Model | None = None) -> str:
    """The data as Turtle (``ttl``) or JSON-LD (``jsonld``, with an inline context of the prefixes)."""
    model = model or load_model()
    graph = data_graph(nodes, relationships, model)
    if RDF_FORMATS[fmt] == "json-ld":
        context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix in {"pm", *PREFIXES}}
        return graph.serialize(format="json-ld", context=context, auto_compact=True)
    return graph.serialize(format="turtle")

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
import io
from collections.abc import Iterator
from typing import TextIO
from urllib.parse import quote, unquote

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS, XSD
from rdflib.plugins.serializers.nt import _nt_row

from ontology.model import Model, Property, load_model
from ontology.rdf import PREFIXES, camel, class_iri, expand, namespace, property_iri, relationship_iri

# Properties every fact carries that say where it came from, not what it is.
PROVENANCE = load_model().provenance


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


def _property_triples(subject: URIRef, row: dict, properties: dict[str, Property], model: Model) -> Iterator[tuple]:
    for name, prop in properties.items():
        for value in _values(row.get(name), prop):
            yield subject, property_iri(name, model), value
    sources = list(row.get("sources") or []) or ([row["source"]] if row.get("source") else [])
    for source in sources:  # every source that states it, not only the one shown
        yield subject, PROV.wasDerivedFrom, node_iri("Source", source, model)


def bind_prefixes(graph: Graph, model: Model) -> None:
    """The prefixes an export uses: ``pm:`` and the ORG family."""
    graph.bind("pm", namespace(model))
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)


def _records(frame: pd.DataFrame) -> Iterator[dict]:
    """The frame's rows as dicts, a chunk at a time (a national frame at once is gigabytes of dicts)."""
    for start in range(0, len(frame), 20_000):
        yield from frame.iloc[start:start + 20_000].to_dict("records")


def triples(nodes: dict[str, pd.DataFrame], relationships: dict[str, pd.DataFrame], model: Model | None = None) -> Iterator[tuple]:
    """The graph's nodes and relationships (as :class:`graph.dump.Dump` frames) as RDF triples, one at a time."""
    model = model or load_model()
    for label, frame in nodes.items():
        spec = model.label(label)
        cls, aligned = class_iri(label, model), expand(spec.rdf_class, model)
        for row in _records(frame):
            subject = node_iri(label, row["id"], model)
            yield subject, RDF.type, cls
            yield subject, RDF.type, aligned
            yield from _property_triples(subject, row, spec.properties, model)
    roles: set[str] = set()
    for rel_type, frame in relationships.items():
        rel = model.relationship(rel_type)
        predicate = relationship_iri(rel_type, model)
        aligned = expand(rel.rdf_property, model)
        cls = reified_class(rel_type, model)
        membership = aligned == ORG.memberOf
        for row in _records(frame):
            a = node_iri(row["from_label"], row["from_id"], model)
            b = node_iri(row["to_label"], row["to_id"], model)
            yield a, predicate, b
            if aligned != predicate:
                yield a, aligned, b
            statement = statement_iri(rel_type, row["id"], model)
            yield statement, RDF.type, RDF.Statement
            yield statement, RDF.subject, a
            yield statement, RDF.predicate, predicate
            yield statement, RDF.object, b
            if cls is not None:
                yield statement, RDF.type, cls
            if membership:
                yield statement, RDF.type, ORG.Membership
                yield statement, ORG.member, a
                yield statement, ORG.organization, b
                if row.get("role"):
                    yield statement, ORG.role, role_iri(row["role"], model)
                    roles.add(row["role"])
            yield from _property_triples(statement, row, rel.properties, model)
    for role in sorted(roles):
        yield role_iri(role, model), RDF.type, ORG.Role
        yield role_iri(role, model), SKOS.prefLabel, Literal(role)
        yield role_iri(role, model), RDFS.label, Literal(role)


def data_graph(nodes: dict[str, pd.DataFrame], relationships: dict[str, pd.DataFrame], model: Model | None = None) -> Graph:
    """The graph's nodes and relationships (as :class:`graph.dump.Dump` frames) as an rdflib Graph."""
    model = model or load_model()
    graph = Graph()
    bind_prefixes(graph, model)
    for triple in triples(nodes, relationships, model):
        graph.add(triple)
    return graph


def write_ntriples(nodes: dict[str, pd.DataFrame], relationships: dict[str, pd.DataFrame], out: TextIO,
                   model: Model | None = None) -> int:
    """The data as N-Triples, written triple by triple (no graph held in memory); returns the triples.

    For a national graph: Turtle and JSON-LD need the whole graph in rdflib first. Each line is
    rdflib's own N-Triples serialisation of the triple (``_nt_row`` of the pinned rdflib 7.6).
    """
    written = 0
    lines = []
    for triple in triples(nodes, relationships, model):
        lines.append(_nt_row(triple))
        if len(lines) == 10_000:
            out.write("".join(lines))
            written += len(lines)
            lines.clear()
    out.write("".join(lines))
    return written + len(lines)


# The `export rdf --format` values and the rdflib serializer each names (nt is streamed by write_ntriples).
RDF_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}


def serialize(nodes: dict[str, pd.DataFrame], relationships: dict[str, pd.DataFrame], fmt: str = "ttl",
              model: Model | None = None) -> str:
    """The data as Turtle (``ttl``), JSON-LD (``jsonld``, with an inline context of the prefixes) or N-Triples (``nt``)."""
    model = model or load_model()
    if fmt == "nt":
        text = io.StringIO()
        write_ntriples(nodes, relationships, text, model)
        return text.getvalue()
    graph = data_graph(nodes, relationships, model)
    if RDF_FORMATS[fmt] == "json-ld":
        context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix in {"pm", *PREFIXES}}
        return graph.serialize(format="json-ld", context=context, auto_compact=True)
    return graph.serialize(format="turtle")

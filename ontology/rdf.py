"""Derive the OWL/RDFS ontology and SHACL shapes (Turtle) from the model.

Labels become OWL classes under the W3C Organization Ontology where one fits
(Organisation ⊑ org:FormalOrganization, Partnership and Forum ⊑
org:OrganizationalCollaboration); MEMBER_OF is org:memberOf, reified as
org:Membership when it carries a role. Each label gets a SHACL node shape whose
property shapes come from the model's types, vocabularies, bounds and endpoints.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from ontology.model import Model, Property, load_model, own_properties

SH = Namespace("http://www.w3.org/ns/shacl#")
DCT = Namespace("http://purl.org/dc/terms/")

XSD_TYPES = {
    "string": XSD.string,
    "string[]": XSD.string,
    "integer": XSD.integer,
    "float": XSD.double,
    "boolean": XSD.boolean,
    "date": XSD.date,
}

PREFIXES = {"org": ORG, "owl": OWL, "prov": PROV, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "xsd": XSD}


def camel(name: str, upper: bool = False) -> str:
    """``meetings_per_year`` → ``meetingsPerYear`` (``MEMBER_OF`` → ``memberOf``)."""
    parts = name.lower().split("_")
    head = parts[0].capitalize() if upper else parts[0]
    return head + "".join(p.capitalize() for p in parts[1:])


def namespace(model: Model | None = None) -> Namespace:
    """The partnermap vocabulary namespace (``pm:``)."""
    return Namespace((model or load_model()).namespace)


def expand(curie: str, model: Model) -> URIRef:
    """Expand ``org:Membership`` or ``pm:Target`` to a full IRI."""
    prefix, _, local = curie.partition(":")
    if prefix == "pm":
        return namespace(model)[local]
    return PREFIXES[prefix][local]


def class_iri(label: str, model: Model) -> URIRef:
    """The partnermap class for a label, e.g. ``pm:Organisation``."""
    return namespace(model)[label]


def property_iri(name: str, model: Model) -> URIRef:
    """The RDF property for a graph property; ``name`` is ``rdfs:label``."""
    return RDFS.label if name == "name" else namespace(model)[camel(name)]


def relationship_iri(name: str, model: Model) -> URIRef:
    """The RDF property for a relationship type, e.g. ``pm:memberOf``."""
    return namespace(model)[camel(name)]


def _property_shape(graph: Graph, prop: Property, model: Model) -> BNode:
    shape = BNode()
    graph.add((shape, SH.path, property_iri(prop.name, model)))
    graph.add((shape, SH.datatype, XSD_TYPES[prop.type]))
    if prop.required:
        graph.add((shape, SH.minCount, Literal(1)))
    if prop.type != "string[]":
        graph.add((shape, SH.maxCount, Literal(1)))
    if prop.vocabulary:
        values = BNode()
        Collection(graph, values, [Literal(v) for v in model.vocabularies[prop.vocabulary]])
        graph.add((shape, SH["in"], values))
    if prop.min is not None:
        graph.add((shape, SH.minInclusive, Literal(prop.min, datatype=XSD_TYPES[prop.type])))
    if prop.max is not None:
        graph.add((shape, SH.maxInclusive, Literal(prop.max, datatype=XSD_TYPES[prop.type])))
    if prop.description:
        graph.add((shape, SH.description, Literal(prop.description)))
    return shape


def ontology_graph(model: Model | None = None) -> Graph:
    """The OWL ontology and SHACL shapes for ``model`` as one rdflib Graph."""
    model = model or load_model()
    pm = namespace(model)
    graph = Graph()
    graph.bind("pm", pm)
    graph.bind("sh", SH)
    graph.bind("dct", DCT)
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    ontology = URIRef(model.namespace.rstrip("#/"))
    graph.add((ontology, RDF.type, OWL.Ontology))
    graph.add((ontology, OWL.versionInfo, Literal(model.version)))
    graph.add((ontology, RDFS.label, Literal("partnermap: public-sector partnerships and services")))
    graph.add((ontology, OWL.imports, URIRef("http://www.w3.org/ns/org#")))

    declared: set[URIRef] = set()
    for label in model.labels.values():
        cls = class_iri(label.name, model)
        graph.add((cls, RDF.type, OWL.Class))
        graph.add((cls, RDFS.label, Literal(label.name)))
        graph.add((cls, RDFS.comment, Literal(label.description)))
        graph.add((cls, RDFS.subClassOf, expand(label.rdf_class, model)))
        shape = pm[f"{label.name}Shape"]
        graph.add((shape, RDF.type, SH.NodeShape))
        graph.add((shape, SH.targetClass, cls))
        for prop in label.properties.values():
            iri = property_iri(prop.name, model)
            if iri not in declared and iri != RDFS.label:
                graph.add((iri, RDF.type, OWL.DatatypeProperty))
                graph.add((iri, RDFS.label, Literal(prop.name)))
                declared.add(iri)
            graph.add((shape, SH.property, _property_shape(graph, prop, model)))

    for rel in model.relationships.values():
        iri = relationship_iri(rel.name, model)
        graph.add((iri, RDF.type, OWL.ObjectProperty))
        graph.add((iri, RDFS.label, Literal(rel.name)))
        graph.add((iri, RDFS.comment, Literal(rel.description)))
        parent = expand(rel.rdf_property, model)
        if parent != iri:
            graph.add((iri, RDFS.subPropertyOf, parent))
        for from_label in rel.from_labels:
            targets = [b for a, b in rel.endpoints if a == from_label]
            shape = BNode()
            graph.add((pm[f"{from_label}Shape"], SH.property, shape))
            graph.add((shape, SH.path, iri))
            if len(targets) == 1:
                graph.add((shape, SH["class"], class_iri(targets[0], model)))
            else:
                options = []
                for target in targets:
                    option = BNode()
                    graph.add((option, SH["class"], class_iri(target, model)))
                    options.append(option)
                alternatives = BNode()
                Collection(graph, alternatives, options)
                graph.add((shape, SH["or"], alternatives))

    # Relationships with their own properties are reified, as org:Membership is.
    for rel in model.relationships.values():
        own = own_properties(rel.properties)
        if not own:
            continue
        cls = pm[camel(rel.name, upper=True)]
        graph.add((cls, RDF.type, OWL.Class))
        graph.add((cls, RDFS.label, Literal(rel.name)))
        if rel.rdf_property == "org:memberOf":
            graph.add((cls, RDFS.subClassOf, ORG.Membership))
        shape = pm[f"{camel(rel.name, upper=True)}Shape"]
        graph.add((shape, RDF.type, SH.NodeShape))
        graph.add((shape, SH.targetClass, cls))
        for prop in rel.properties.values():
            iri = property_iri(prop.name, model)
            if iri not in declared:
                graph.add((iri, RDF.type, OWL.DatatypeProperty))
                declared.add(iri)
            graph.add((shape, SH.property, _property_shape(graph, prop, model)))
    return graph


def ontology_turtle(model: Model | None = None) -> str:
    """The ontology and shapes serialised as Turtle."""
    return ontology_graph(model).serialize(format="turtle")

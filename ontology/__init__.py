"""The partnermap data model: labels, relationship types, vocabularies, RDF and SHACL.

``model.toml`` is the one written description; :func:`load_model` reads it and
:func:`ontology_turtle` derives the OWL ontology and SHACL shapes from it.
``glossary.toml`` holds the acronyms documents use; :func:`load_glossary` reads it.
"""

from ontology.glossary import Term, load_glossary
from ontology import ids
from ontology.model import (IDENTIFIER, Display, Label, LabelDisplay, Model, ModelError, Property, RelationshipType,
                            checked_identifier, concept_id, load_model, own_properties)
from ontology.rdf import ontology_graph, ontology_turtle
from ontology.register import RegisterColumn, RegisterFile
from ontology.statutory import Requirement, Statutory, StatutoryRule

__all__ = [
    "Display",
    "IDENTIFIER",
    "Label",
    "LabelDisplay",
    "Model",
    "ModelError",
    "Property",
    "RegisterColumn",
    "RegisterFile",
    "RelationshipType",
    "Requirement",
    "Statutory",
    "StatutoryRule",
    "Term",
    "checked_identifier",
    "concept_id",
    "ids",
    "load_glossary",
    "load_model",
    "ontology_graph",
    "ontology_turtle",
    "own_properties",
]

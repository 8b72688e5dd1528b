"""Schema statements derived from the ontology, one function per engine.

Embedded (ladybug): a node table per label with every property declared and ``id``
as primary key; a relationship table per type listing its (FROM, TO) pairs.
Neo4j: a uniqueness constraint on ``id`` per label and an index on ``id`` per
relationship type (so MERGE on relationship ids does not scan).
"""

from __future__ import annotations

from ontology import Model, Property, checked_identifier

EMBEDDED_TYPES = {
    "string": "STRING",
    "string[]": "STRING[]",
    "integer": "INT64",
    "float": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
}


def quoted(name: str) -> str:
    """A checked identifier in backticks, so names such as ``end`` are never keywords."""
    return f"`{checked_identifier(name)}`"


def _column(prop: Property) -> str:
    return f"{quoted(prop.name)} {EMBEDDED_TYPES[prop.type]}"


def embedded_ddl(model: Model) -> list[str]:
    """CREATE NODE/REL TABLE statements for the embedded engine (idempotent)."""
    statements = []
    for label in model.labels.values():
        columns = ", ".join(_column(p) for p in label.properties.values())
        statements.append(
            f"CREATE NODE TABLE IF NOT EXISTS {quoted(label.name)}({columns}, PRIMARY KEY(`id`))"
        )
    for rel in model.relationships.values():
        pairs = ", ".join(f"FROM {quoted(a)} TO {quoted(b)}" for a, b in rel.endpoints)
        columns = ", ".join(_column(p) for p in rel.properties.values())
        statements.append(f"CREATE REL TABLE IF NOT EXISTS {quoted(rel.name)}({pairs}, {columns})")
    return statements


def embedded_column_type(prop: Property) -> str:
    """The embedded engine's type for a property (used when adding a column later)."""
    return EMBEDDED_TYPES[prop.type]


def neo4j_constraints(model: Model) -> list[str]:
    """Uniqueness constraints and relationship-id indexes for Neo4j (idempotent)."""
    statements = [
        f"CREATE CONSTRAINT {checked_identifier(label.name.lower() + '_id')} IF NOT EXISTS "
        f"FOR (n:{quoted(label.name)}) REQUIRE n.id IS UNIQUE"
        for label in model.labels.values()
    ]
    statements += [
        f"CREATE INDEX {checked_identifier(rel.name.lower() + '_id')} IF NOT EXISTS "
        f"FOR ()-[r:{quoted(rel.name)}]-() ON (r.id)"
        for rel in model.relationships.values()
    ]
    return statements

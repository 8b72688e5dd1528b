"""Every Cypher statement partnermap sends to Neo4j passes Neo4j's own linter."""

from graph import load_queries, neo4j_constraints
from graph.neo4j_store import node_upsert_statement, relationship_upsert_statement
from ontology import load_model
from tests.conftest import lint


def test_every_named_query_lints_clean_as_neo4j_cypher():
    queries = {name: q.render("neo4j") for name, q in load_queries().items()}
    assert queries, "no queries found"
    found = lint(queries)
    assert found == {name: [] for name in queries}


def test_schema_and_bulk_write_statements_lint_clean():
    model = load_model()
    statements = {f"constraint {i}": s for i, s in enumerate(neo4j_constraints(model))}
    for label in model.labels.values():
        statements[f"upsert {label.name}"] = node_upsert_statement(label.name, [p for p in label.properties if p != "id"])
    for rel in model.relationships.values():
        for a, b in rel.endpoints:
            columns = [p for p in rel.properties if p != "id"]
            statements[f"upsert {rel.name} {a}->{b}"] = relationship_upsert_statement(rel.name, a, b, columns)
    found = lint(statements)
    assert {name: diags for name, diags in found.items() if diags} == {}


def test_linter_catches_what_it_should():
    # The check must be able to fail: a misspelled label, an unknown type, a syntax error.
    found = lint({
        "label": "MATCH (o:Organistion) RETURN o",
        "type": "MATCH (o:Organisation)-[:MEMBER]->(p) RETURN p",
        "syntax": "MATCH (o:Organisation RETURN o",
        "function": "RETURN partnermap.nosuch('x')",
    })
    assert "Organistion" in found["label"][0]["message"]
    assert "MEMBER" in found["type"][0]["message"]
    assert found["syntax"][0]["severity"] == 1
    assert "partnermap.nosuch" in found["function"][0]["message"]

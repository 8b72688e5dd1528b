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
            statements[f"create {rel.name} {a}->{b}"] = relationship_upsert_statement(rel.name, a, b, columns, new=True)
    found = lint(statements)
    assert {name: diags for name, diags in found.items() if diags} == {}


def test_write_path_statements_lint_clean():
    """Reading stored facts, withdrawing a source's statements, listing disagreements: every statement, every table."""
    from graph import conflicts, write

    model = load_model()
    statements = {"sources": write.stored_sources_statement(), "source facts": write.source_facts_statement()}
    for label in model.labels:
        for by_id in (True, False):
            statements[f"read {label} {by_id}"] = write.read_nodes_statement(model, label, by_id)
        for details in (True, False):
            statements[f"stated {label} {details}"] = write.stated_nodes_statement(label, details)
        statements[f"delete {label}"] = write.delete_nodes_statement(label)
        statements[f"holders {label}"] = write.holders_statement(label)
        statements[f"conflicts {label}"] = conflicts.nodes_with_statements(label)
    for rel in model.relationships.values():
        for a, b in rel.endpoints:
            for by_id in (True, False):
                statements[f"read {rel.name} {a} {b} {by_id}"] = write.read_relationships_statement(model, rel.name, a, b, by_id)
        for details in (True, False):
            statements[f"stated {rel.name} {details}"] = write.stated_relationships_statement(rel.name, details)
        statements[f"delete {rel.name}"] = write.delete_relationships_statement(rel.name)
        statements[f"conflicts {rel.name}"] = conflicts.relationships_with_statements(rel.name)
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

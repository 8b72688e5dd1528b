// Embedded: node offsets instead of ids (see the Neo4j text one folder up).
MATCH (t:Territory)-[:PART_OF]->(parent:Territory)
RETURN offset(id(t)) AS territory, offset(id(parent)) AS parent

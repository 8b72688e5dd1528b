// Embedded: node offsets instead of ids (see the Neo4j text one folder up).
MATCH (s:Service)-[:SERVES]->(cg:ClientGroup)
RETURN offset(id(s)) AS service, offset(id(cg)) AS client_group

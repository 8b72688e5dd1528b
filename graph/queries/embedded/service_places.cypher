// Embedded: node offsets instead of ids (see the Neo4j text one folder up).
MATCH (s:Service)-[:COVERS]->(t:Territory)
RETURN offset(id(s)) AS service, offset(id(t)) AS territory

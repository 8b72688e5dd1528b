// Embedded: node offsets instead of ids (see the Neo4j text one folder up).
MATCH (o:Organisation)-[:DELIVERS]->(s:Service)
RETURN offset(id(s)) AS service, offset(id(o)) AS provider

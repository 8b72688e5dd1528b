// Embedded: the number is the node's offset (see the Neo4j text one folder up).
MATCH (t:Territory)
RETURN offset(id(t)) AS number, t.id AS territory

// Embedded: the number is the node's offset (see the Neo4j text one folder up).
MATCH (cg:ClientGroup)
RETURN offset(id(cg)) AS number, cg.id AS client_group

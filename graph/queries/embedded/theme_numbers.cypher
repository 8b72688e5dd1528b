// Embedded: the number is the node's offset (see the Neo4j text one folder up).
MATCH (t:Theme)
RETURN offset(id(t)) AS number, t.id AS theme, t.name AS theme_name

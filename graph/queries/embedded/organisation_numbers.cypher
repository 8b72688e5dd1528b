// Embedded: the number is the node's offset (see the Neo4j text one folder up).
MATCH (o:Organisation)
RETURN offset(id(o)) AS number, o.id AS organisation, o.name AS organisation_name

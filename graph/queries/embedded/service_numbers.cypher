// Embedded: the number is the node's offset (see the Neo4j text one folder up).
MATCH (s:Service)
WHERE $type = '' OR s.type = $type
RETURN offset(id(s)) AS number, s.id AS service, s.type AS type
ORDER BY service

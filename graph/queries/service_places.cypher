// Each service's type and the territories it covers: the block duplicate-services compares within.
// Ordered by service id, so numbering services in order of appearance keeps their order.
// @param type str = '': limit to one service type (empty: all)
MATCH (s:Service)-[:COVERS]->(t:Territory)
WHERE $type = '' OR s.type = $type
RETURN s.id AS service, s.type AS type, t.id AS territory
ORDER BY service

// The themes and client groups of everything that covers a territory: what the coverage
// index filters on (tag ids are shared concept ids, so "Older People" matches "older people").
MATCH (x:@Group|Service|Organisation|Strategy)-[:COVERS]->(:Territory)
MATCH (x)-[:HAS_THEME]->(th:Theme)
RETURN DISTINCT x.id AS id, 'theme' AS tag, th.id AS tag_id, th.name AS tag_name
UNION
MATCH (x:Service)-[:COVERS]->(:Territory)
MATCH (x)-[:SERVES]->(g:ClientGroup)
RETURN DISTINCT x.id AS id, 'client_group' AS tag, g.id AS tag_id, g.name AS tag_name

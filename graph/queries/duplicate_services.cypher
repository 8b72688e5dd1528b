// Duplicate services: pairs of services of the same type, from different providers, for a
// shared client group, whose territories overlap (the same, or one inside the other): the
// seeds' "organisations visiting the same street to do different jobs". Each pair once.
// Blocked on type and client group first, so only plausible pairs are compared.
// @param type str = '': limit to one service type (empty: all)
MATCH (s1:Service)-[:SERVES]->(cg:ClientGroup)<-[:SERVES]-(s2:Service)
WHERE s1.id < s2.id AND s1.type = s2.type AND ($type = '' OR s1.type = $type)
MATCH (s1)-[:COVERS]->(t1:Territory)
MATCH (s2)-[:COVERS]->(t2:Territory)
WITH s1, s2, cg, t1, t2,
     CASE WHEN t1.id = t2.id THEN 'same territory'
          WHEN EXISTS { MATCH (t1)-[:PART_OF*1..12]->(t2) } THEN 'a inside b'
          WHEN EXISTS { MATCH (t2)-[:PART_OF*1..12]->(t1) } THEN 'b inside a'
     END AS overlap
WHERE overlap IS NOT NULL
MATCH (p1:Organisation)-[:DELIVERS]->(s1)
MATCH (p2:Organisation)-[:DELIVERS]->(s2)
WHERE p1.id <> p2.id
RETURN s1.id AS a, s1.name AS a_name, s2.id AS b, s2.name AS b_name, s1.type AS type,
       collect(DISTINCT cg.name) AS client_group, p1.name AS provider_a, p2.name AS provider_b,
       t1.id AS territory, t1.name AS territory_a, t2.name AS territory_b, overlap,
       s1.source_row AS a_source_row, s2.source_row AS b_source_row
ORDER BY type, a, b

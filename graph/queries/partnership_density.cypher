// Partnership density: for each territory and theme, how many partnerships and forums work
// on that theme there, directly or through a territory it lies in, and which. Without a
// territory or level, only territories some partnership covers directly are listed (every
// ward and LSOA of England would otherwise repeat its district's figures).
// @param territory str = '': limit to this territory's code (empty: every territory)
// @param level str = '': limit to territories of this level, e.g. district or ward (empty: all)
// @param min int = 2 in 1..100000: fewest partnerships for a (territory, theme) to be listed
MATCH (t:Territory)
WHERE ($territory = '' OR t.id = $territory) AND ($level = '' OR t.level = $level)
  AND ($territory <> '' OR $level <> '' OR EXISTS { MATCH (t)<-[:COVERS]-(:@Group) })
MATCH (t)-[:PART_OF*0..12]->(via:Territory)<-[:COVERS]-(p:@Group)-[:HAS_THEME]->(th:Theme)
WITH t, th, count(DISTINCT p) AS partnerships, collect(DISTINCT p.name) AS names,
     collect(DISTINCT via.id) AS through
WHERE partnerships >= $min
RETURN t.id AS territory, t.name AS territory_name, t.level AS level, th.name AS theme,
       partnerships, names, through
ORDER BY partnerships DESC, territory, theme

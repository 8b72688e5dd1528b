// Every territory with the territory it lies directly inside (empty at the top): the tree the
// pair diagnostics walk to decide whether two territories overlap.
// @order territory
MATCH (t:Territory)
OPTIONAL MATCH (t)-[:PART_OF]->(parent:Territory)
RETURN t.id AS territory, t.name AS territory_name, t.level AS level, parent.id AS parent

// Each territory and the territory it lies directly inside, as numbers (see territory-numbers):
// the tree duplicate-services walks to decide whether two territories overlap.
MATCH (t:Territory)-[:PART_OF]->(parent:Territory)
RETURN t.id AS territory, parent.id AS parent

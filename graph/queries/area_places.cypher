// A territory and every place inside it (down the PART_OF chain), each with the place it lies
// directly inside: the codes a register template for that area offers.
// @param territory str: GSS code of the area, e.g. E10000018
MATCH (area:Territory {id: $territory})
MATCH (t:Territory)-[:PART_OF*0..12]->(area)
OPTIONAL MATCH (t)-[:PART_OF]->(parent:Territory)
RETURN DISTINCT t.id AS code, t.name AS name, t.level AS level, parent.id AS parent

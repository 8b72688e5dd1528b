// Everything that covers a territory: the partnerships, forums, services, organisations and strategies
// that cover the territory itself, a territory it lies inside (up the PART_OF chain),
// or a territory inside it. Each row says which territory it came through (via) and how.
// @param territory str: GSS code of the territory, e.g. E07000129
// @order relation, kind, name, via
MATCH (t:Territory {id: $territory})
MATCH (t)-[:PART_OF*0..12]->(via:Territory)
MATCH (x:@Group|Service|Organisation|Strategy)-[c:COVERS]->(via)
RETURN labels(x)[0] AS kind, x.id AS id, x.name AS name, via.id AS via, via.name AS via_name,
       CASE WHEN via.id = t.id THEN 'itself' ELSE 'contains it' END AS relation,
       c.source AS source, c.source_row AS source_row
UNION
MATCH (t:Territory {id: $territory})
MATCH (via:Territory)-[:PART_OF*1..12]->(t)
MATCH (x:@Group|Service|Organisation|Strategy)-[c:COVERS]->(via)
RETURN labels(x)[0] AS kind, x.id AS id, x.name AS name, via.id AS via, via.name AS via_name,
       'inside it' AS relation, c.source AS source, c.source_row AS source_row

// Every COVERS fact: what covers which territory, with its dates and source. The coverage
// index reads this once per change of the graph and answers lookups from memory.
// @order territory, kind, name, id
MATCH (x:@Group|Service|Organisation|Strategy)-[c:COVERS]->(t:Territory)
RETURN t.id AS territory, labels(x)[0] AS kind, x.id AS id, x.name AS name,
       x.start AS start, x.`end` AS finish, c.source AS source, c.source_row AS source_row

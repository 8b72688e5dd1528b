// The partnerships, forums and strategies working in a territory: covering it, a place inside
// it, or a place it lies in. What `changes` keeps of the findings when given a territory.
// @param territory str: GSS code of the territory, e.g. E07000129
// @order kind, id
MATCH (x:@Group|Strategy)
WHERE EXISTS { MATCH (x)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
   OR EXISTS { MATCH (x)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) }
RETURN labels(x)[0] AS kind, x.id AS id

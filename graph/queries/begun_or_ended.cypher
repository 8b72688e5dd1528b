// Partnerships, forums and strategies that began or ended between two days: each whose first day
// (start) is after the first day and on or before the second, or whose last day (end) is on or
// after the first day and before the second (the same rule as changed-memberships).
// @param from_date date: the earlier day (YYYY-MM-DD): what starts on it was already in force that day
// @param to_date date: the later day (YYYY-MM-DD): what starts on it counts; what has it as its last day was still in force
// @param territory str = '': GSS code to limit to what covers it, a place inside it or a place it lies in (empty: everywhere)
MATCH (x:@Group|Strategy)
WHERE ((x.start > $from_date AND x.start <= $to_date) OR (x.`end` >= $from_date AND x.`end` < $to_date))
  AND ($territory = ''
       OR EXISTS { MATCH (x)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
       OR EXISTS { MATCH (x)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) })
RETURN labels(x)[0] AS kind, x.id AS id, x.name AS name, x.start AS start, x.`end` AS finish,
       x.source_row AS source_row
ORDER BY kind, id

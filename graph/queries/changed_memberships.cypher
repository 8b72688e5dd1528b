// Memberships that began or ended between two days: each whose first day (since) is after the
// first day and on or before the second, or whose last day (until) is on or after the first day
// and before the second. So what was in force on one day and not on the other, and what began
// and ended between them; nothing in force on both days, nor on neither with no date between.
// @param from_date date: the earlier day (YYYY-MM-DD): a membership beginning on it was already in force that day
// @param to_date date: the later day (YYYY-MM-DD): one beginning on it counts; one whose last day it is was still in force
// @param territory str = '': GSS code to limit to groups working there (empty: everywhere)
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:@Group)
WHERE ((m.since > $from_date AND m.since <= $to_date) OR (m.until >= $from_date AND m.until < $to_date))
  AND ($territory = ''
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) })
RETURN o.id AS organisation, o.name AS organisation_name, o.sector AS sector,
       p.id AS partnership, p.name AS partnership_name, labels(p)[0] AS partnership_label,
       m.role AS role, m.representative AS representative, m.since AS since, m.until AS until,
       m.source_row AS source_row
ORDER BY partnership, organisation, since, until

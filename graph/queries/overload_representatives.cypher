// Overload per post: the same count per (organisation, representative post), so that
// "the Director of Commissioning chairs three groups" shows. Memberships with no named
// representative are grouped under an empty post.
// @param territory str = '': GSS code to limit to groups working there (empty: everywhere)
// @param groups list = '': ids of the partnerships and forums to count (empty: all); the workspace passes those working in an area, read from the coverage index instead of walking PART_OF per membership
// @param min int = 1 in 1..100000: fewest memberships a post must have to be listed
// @param as_of date = today: count only memberships in force on this day, of partnerships and forums in force then (YYYY-MM-DD)
// @param limit int = 500 in 0..1000: most rows to return, busiest first
// @flatten source_rows
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:@Group)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
  AND (size($groups) = 0 OR p.id IN $groups)
  AND ($territory = ''
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) })
WITH o, coalesce(m.representative, '') AS representative, p,
     max(CASE WHEN m.role = 'chair' THEN 1 ELSE 0 END) AS chair, collect(m.source_row) AS source_row
WITH o, representative, count(p) AS memberships, sum(chair) AS chairs,
     sum(coalesce(p.meetings_per_year, 0)) AS meetings_per_year, collect(p.name) AS partnerships,
     collect(CASE WHEN chair = 1 THEN p.name END) AS chaired, collect(source_row) AS source_rows
WHERE memberships >= $min
RETURN o.id AS organisation, o.name AS organisation_name, representative, memberships, chairs,
       meetings_per_year, partnerships, chaired, source_rows
ORDER BY chairs DESC, memberships DESC, organisation, representative
LIMIT $limit

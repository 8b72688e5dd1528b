// Partnership overload: organisations by the number of partnerships and forums they sit on,
// with the chairs they hold, the meetings a year those groups hold between them, and their
// average attendance. With a territory, only groups working there (covering it, a place
// inside it, or a place it lies in) count.
// @param territory str = '': GSS code to limit to groups working there (empty: everywhere)
// @param groups list = '': ids of the partnerships and forums to count (empty: all); the workspace passes those working in an area, read from the coverage index instead of walking PART_OF per membership
// @param organisations list = '': ids of the organisations to list (empty: all); the review pack passes a partnership's members
// @param min int = 1 in 1..100000: fewest memberships an organisation must have to be listed
// @param as_of date = today: count only memberships in force on this day, of partnerships and forums in force then (YYYY-MM-DD)
// @param limit int = 500 in 0..1000: most rows to return, busiest first
// @flatten source_rows
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:@Group)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
  AND (size($groups) = 0 OR p.id IN $groups)
  AND (size($organisations) = 0 OR o.id IN $organisations)
  AND ($territory = ''
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) })
// One row per (organisation, group) first: an organisation holding two posts on a group
// counts the group, its chair and its meetings once.
WITH o, p, max(CASE WHEN m.role = 'chair' THEN 1 ELSE 0 END) AS chair, avg(m.attendance) AS attendance,
     collect(m.source_row) AS source_row
// The lists below in one order every time (by the group's name), not the engine's.
ORDER BY p.name, p.id SKIP 0
WITH o, count(p) AS memberships, sum(chair) AS chairs, sum(coalesce(p.meetings_per_year, 0)) AS meetings_per_year,
     avg(attendance) AS average_attendance, collect(p.name) AS partnerships,
     collect(CASE WHEN chair = 1 THEN p.name END) AS chaired, collect(source_row) AS source_rows
WHERE memberships >= $min
RETURN o.id AS organisation, o.name AS organisation_name, o.sector AS sector, memberships, chairs,
       meetings_per_year, round(average_attendance, 2) AS average_attendance, partnerships, chaired, source_rows
ORDER BY memberships DESC, chairs DESC, organisation
LIMIT $limit

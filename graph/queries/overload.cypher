// Partnership overload: organisations by the number of partnerships and forums they sit on,
// with the chairs they hold, the meetings a year those groups hold between them, and their
// average attendance. With a territory, only groups working there (covering it, a place
// inside it, or a place it lies in) count.
// @param territory str = '': GSS code to limit to groups working there (empty: everywhere)
// @param min int = 1: fewest memberships an organisation must have to be listed
// @param as_of date = today: count only memberships in force on this day (YYYY-MM-DD)
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:Partnership|Forum)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND ($territory = ''
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) })
WITH o, count(DISTINCT p) AS memberships,
     count(DISTINCT CASE WHEN m.role = 'chair' THEN p.id END) AS chairs,
     // An organisation may hold two posts on one group: each row carries its share of the
     // group's meetings, so the group's meetings count once.
     sum(coalesce(p.meetings_per_year, 0) * 1.0 / COUNT {
       MATCH (o)-[m2:MEMBER_OF]->(p)
       WHERE (m2.since IS NULL OR m2.since <= $as_of) AND (m2.until IS NULL OR m2.until >= $as_of)
     }) AS meetings_per_year,
     avg(m.attendance) AS average_attendance,
     collect(DISTINCT p.name) AS partnerships,
     collect(DISTINCT CASE WHEN m.role = 'chair' THEN p.name END) AS chaired,
     collect(DISTINCT m.source_row) AS source_rows
WHERE memberships >= $min
RETURN o.id AS organisation, o.name AS organisation_name, o.sector AS sector, memberships, chairs,
       toInteger(round(meetings_per_year, 0)) AS meetings_per_year, round(average_attendance, 2) AS average_attendance, partnerships, chaired, source_rows
ORDER BY memberships DESC, chairs DESC, organisation

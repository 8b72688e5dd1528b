// Low attendance: memberships whose recorded attendance is below a threshold, with the
// post that attends and the row the figure came from.
// @param threshold float = 0.75 in 0..1: attendance (0..1) below which a membership is listed
// @param as_of date = today: only memberships in force on this day, of partnerships and forums in force then (YYYY-MM-DD)
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:@Group)
WHERE m.attendance IS NOT NULL AND m.attendance < $threshold
  AND (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
RETURN p.id AS partnership, p.name AS partnership_name, o.id AS organisation, o.name AS organisation_name,
       o.sector AS sector, m.representative AS representative, m.role AS role, m.attendance AS attendance,
       p.meetings_per_year AS meetings_per_year, m.source_row AS source_row
ORDER BY attendance, partnership, organisation

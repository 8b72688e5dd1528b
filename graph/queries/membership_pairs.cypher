// Which organisation sits on which partnership or forum (ids only), on a day: the light
// projection the pair diagnostics and network measures read.
// @param as_of date = today: only memberships in force on this day, of partnerships and forums in force then (YYYY-MM-DD)
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:@Group)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
RETURN DISTINCT o.id AS organisation, p.id AS partnership

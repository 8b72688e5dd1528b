// The themes the given organisations are active on: through the partnerships and forums they
// sit on (memberships in force), and the services they deliver or commission.
// @param ids list: organisation ids (passed by the diagnostic)
// @param as_of date = today: only memberships in force on this day, of partnerships and forums in force then (YYYY-MM-DD)
// @order organisation, theme, through
UNWIND $ids AS wanted
MATCH (o:Organisation {id: wanted})-[m:MEMBER_OF]->(p:@Group)-[:HAS_THEME]->(t:Theme)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
RETURN o.id AS organisation, t.id AS theme, t.name AS theme_name, p.id AS through, 'member' AS how
UNION
UNWIND $ids AS wanted
MATCH (o:Organisation {id: wanted})-[:DELIVERS|COMMISSIONS]->(s:Service)-[:HAS_THEME]->(t:Theme)
RETURN o.id AS organisation, t.id AS theme, t.name AS theme_name, s.id AS through, 'services' AS how

// The themes each organisation is active on: through the partnerships and forums it sits on
// (memberships in force), and the services it delivers or commissions.
// @param as_of date = today: only memberships in force on this day (YYYY-MM-DD)
// @order organisation, theme, through
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:Partnership|Forum)-[:HAS_THEME]->(t:Theme)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
RETURN o.id AS organisation, t.id AS theme, t.name AS theme_name, p.id AS through, 'member' AS how
UNION
MATCH (o:Organisation)-[:DELIVERS|COMMISSIONS]->(s:Service)-[:HAS_THEME]->(t:Theme)
RETURN o.id AS organisation, t.id AS theme, t.name AS theme_name, s.id AS through, 'services' AS how

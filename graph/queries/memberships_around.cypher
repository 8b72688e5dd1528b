// The memberships in force of one organisation, or of one partnership or forum: the small network
// on its profile page (the same columns as `network`, without reading every membership).
// @param id str: the organisation's, partnership's or forum's id
// @param as_of date = today: only memberships in force on this day, of partnerships and forums in force then (YYYY-MM-DD)
// @order partnership, organisation
MATCH (o:Organisation {id: $id})-[m:MEMBER_OF]->(p:@Group)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
RETURN o.id AS organisation, o.name AS organisation_name, o.sector AS sector,
       p.id AS partnership, p.name AS partnership_name, labels(p)[0] AS partnership_label, p.kind AS kind,
       m.role AS role, m.representative AS representative, m.attendance AS attendance, m.source_row AS source_row
UNION
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:@Group {id: $id})
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
RETURN o.id AS organisation, o.name AS organisation_name, o.sector AS sector,
       p.id AS partnership, p.name AS partnership_name, labels(p)[0] AS partnership_label, p.kind AS kind,
       m.role AS role, m.representative AS representative, m.attendance AS attendance, m.source_row AS source_row

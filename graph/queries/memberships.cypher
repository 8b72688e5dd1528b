// Memberships in force: who sits on which partnership or forum, in what role and post, with
// attendance and the row each came from. Also the projection the network measures read.
// @param as_of date = today: only memberships in force on this day, of partnerships and forums in force then (YYYY-MM-DD)
// @param organisation str = '': limit to one organisation's id (empty: all)
// @order partnership, organisation, representative
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:@Group)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
  AND ($organisation = '' OR o.id = $organisation)
RETURN o.id AS organisation, o.name AS organisation_name, o.sector AS sector,
       p.id AS partnership, p.name AS partnership_name, p.kind AS kind,
       m.role AS role, m.representative AS representative, m.attendance AS attendance,
       m.since AS since, m.until AS until, m.source_row AS source_row

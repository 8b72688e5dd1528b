// The membership network of a place and theme: each membership in force of a partnership or
// forum working in the territory (covering it, a place inside it, or a place it lies in), with
// the partnership's reporting line. What `partnermap viz` draws.
// @param territory str = '': GSS code (empty: everywhere)
// @param theme str = '': a theme name, any case (empty: every theme)
// @param as_of date = today: only memberships in force on this day, of partnerships and forums in force then (YYYY-MM-DD)
// @order partnership, organisation
MATCH (o:Organisation)-[m:MEMBER_OF]->(p:@Group)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
  AND ($territory = ''
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) })
  AND ($theme = '' OR EXISTS { MATCH (p)-[:HAS_THEME]->(t:Theme) WHERE lower(t.name) = lower($theme) })
OPTIONAL MATCH (p)-[:REPORTS_TO]->(up)
RETURN o.id AS organisation, o.name AS organisation_name, o.sector AS sector,
       p.id AS partnership, p.name AS partnership_name, labels(p)[0] AS partnership_label, p.kind AS kind,
       p.meetings_per_year AS meetings_per_year, m.role AS role, m.representative AS representative,
       m.attendance AS attendance, m.source_row AS source_row, p.source_row AS partnership_source_row,
       up.id AS reports_to

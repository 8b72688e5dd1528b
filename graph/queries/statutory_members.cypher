// What statutory-gaps checks: each partnership or forum marked statutory, with its themes and
// the territories it covers, and each of its memberships in force on the day (one row per
// membership; one row with no organisation when none is). With a territory, only groups
// working there (covering it, a place inside it, or a place it lies in); with a partnership, that one.
// @param as_of date = today: only partnerships and forums in force on this day, and memberships in force then (YYYY-MM-DD)
// @param territory str = '': GSS code to limit to groups working there (empty: everywhere)
// @param partnership str = '': one partnership's or forum's id (empty: all)
// @param kinds list = '': only partnerships of these kinds (empty: all); statutory-gaps passes those its rules match
// @order partnership, organisation, representative
MATCH (p:@Group)
WHERE p.statutory = true AND (size($kinds) = 0 OR p.kind IN $kinds) AND ($partnership = '' OR p.id = $partnership)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
  AND ($territory = ''
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) })
OPTIONAL MATCH (p)-[:HAS_THEME]->(theme:Theme)
WITH p, collect(DISTINCT theme.name) AS themes
OPTIONAL MATCH (p)-[:COVERS]->(place:Territory)
WITH p, themes, collect(DISTINCT place.id) AS territories
OPTIONAL MATCH (p)<-[m:MEMBER_OF]-(o:Organisation)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
RETURN p.id AS partnership, p.name AS partnership_name, labels(p)[0] AS partnership_label, p.kind AS kind,
       themes, territories, p.source_row AS source_row, o.id AS organisation, o.name AS organisation_name,
       o.sector AS sector, o.aliases AS aliases, m.representative AS representative,
       m.source_row AS membership_source_row

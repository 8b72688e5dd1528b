// What governance-register checks: each partnership and forum with the governance fields of the
// register (significance, lead officer, resources, risks, terms of reference review, last review).
// With a territory, only groups working there (covering it, a place inside it, or a place it lies
// in); with a partnership, that one.
// @param as_of date = today: only partnerships and forums in force on this day (YYYY-MM-DD)
// @param territory str = '': GSS code to limit to groups working there (empty: everywhere)
// @param partnership str = '': one partnership's or forum's id (empty: all)
// @order partnership
MATCH (p:@Group)
WHERE ($partnership = '' OR p.id = $partnership)
  AND (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
  AND ($territory = ''
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
       OR EXISTS { MATCH (p)-[:COVERS]->(:Territory)<-[:PART_OF*1..12]-(:Territory {id: $territory}) })
RETURN p.id AS partnership, p.name AS partnership_name, labels(p)[0] AS partnership_label, p.kind AS kind,
       p.statutory AS statutory, p.significance AS significance, p.lead_officer AS lead_officer,
       p.resources_cash AS resources_cash, p.resources_in_kind AS resources_in_kind, p.risks AS risks,
       p.terms_of_reference_review AS terms_of_reference_review, p.last_review AS last_review,
       p.source_row AS source_row

// Strategy gaps: strategies on a theme tied to health or community safety (a theme that
// calls for the NHS or probation in ontology/model.toml) that neither contribute to a target
// owned by a health or probation body nor say they align with a strategy that does: the
// seeds' "links to health and probation targets not evident".
// @param as_of date = today: only strategies in force on this day (YYYY-MM-DD)
// @context linked_themes: ids of themes that call for the nhs or probation sectors
// @context target_sectors: the sectors whose targets count (nhs, probation)
MATCH (s:Strategy)-[:HAS_THEME]->(theme:Theme)
WHERE theme.id IN $linked_themes
  AND (s.start IS NULL OR s.start <= $as_of) AND (s.`end` IS NULL OR s.`end` >= $as_of)
  AND NOT EXISTS { MATCH (s)-[:CONTRIBUTES_TO]->(:Target)<-[:OWNS_TARGET]-(o:Organisation) WHERE o.sector IN $target_sectors }
  AND NOT EXISTS {
    MATCH (s)-[:ALIGNS_WITH]->(:Strategy)-[:CONTRIBUTES_TO]->(:Target)<-[:OWNS_TARGET]-(o:Organisation)
    WHERE o.sector IN $target_sectors
  }
OPTIONAL MATCH (s)-[:CONTRIBUTES_TO]->(target:Target)
OPTIONAL MATCH (owner)-[:OWNS]->(s)
RETURN s.id AS strategy, s.name AS strategy_name, owner.name AS owner, collect(DISTINCT theme.name) AS themes,
       collect(DISTINCT target.id) AS targets,
       'no target of a health or probation body, directly or through a strategy it aligns with' AS reason,
       s.source_row AS source_row
ORDER BY strategy

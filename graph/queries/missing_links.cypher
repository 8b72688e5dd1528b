// Missing links: partnerships and forums on a theme that calls for a sector (health calls
// for the NHS; community safety for police and probation; see [theme_sectors] in
// ontology/model.toml) with no member organisation from that sector.
// @param as_of date = today: only partnerships and forums in force on this day, and their memberships in force then (YYYY-MM-DD)
// @context theme_sectors: the model's theme → sector rules, as a list of {theme, sector}
UNWIND $theme_sectors AS rule
MATCH (p:@Group)-[:HAS_THEME]->(theme:Theme {id: rule.theme})
WHERE (p.start IS NULL OR p.start <= $as_of) AND (p.`end` IS NULL OR p.`end` >= $as_of)
  AND NOT EXISTS {
  MATCH (p)<-[m:MEMBER_OF]-(o:Organisation)
  WHERE o.sector = rule.sector
    AND (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
}
OPTIONAL MATCH (p)<-[m:MEMBER_OF]-(present:Organisation)
WHERE (m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR m.until >= $as_of)
RETURN p.id AS partnership, p.name AS partnership_name, theme.name AS theme, rule.sector AS missing_sector,
       collect(DISTINCT present.sector) AS sectors_present, count(DISTINCT present) AS members,
       p.source_row AS source_row
ORDER BY partnership, theme, missing_sector

// Document gaps: documents (read by the documents reader) that mention a strategy, partnership
// or forum on a theme that calls for a sector (health calls for the NHS; community safety for
// police and probation; see [theme_sectors] in ontology/model.toml) yet never mention an
// organisation of that sector, nor the sector through a glossary term (NHS, PCT …): the text
// shows no link to it. Evidence: the sentences that mention what is on the theme.
// @context theme_sectors: the model's theme → sector rules, as a list of {theme, sector}
UNWIND $theme_sectors AS rule
MATCH (d:Source {reader: 'documents'})-[m:MENTIONS]->(x:Strategy|@Group)-[:HAS_THEME]->(theme:Theme {id: rule.theme})
WHERE NOT EXISTS { MATCH (d)-[:MENTIONS]->(o:Organisation) WHERE o.sector = rule.sector }
  AND NOT EXISTS { MATCH (d)-[s:MENTIONS]->(:Theme) WHERE s.sector = rule.sector }
RETURN d.name AS document, theme.name AS theme, rule.sector AS missing_sector,
       collect(DISTINCT x.name) AS mentioned, collect(DISTINCT m.evidence) AS evidence,
       collect(DISTINCT m.source_row) AS source_rows
ORDER BY document, theme, missing_sector

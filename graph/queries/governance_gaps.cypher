// Governance gaps: partnerships and forums with no reporting line (REPORTS_TO, in up to ten
// steps) up to an LSP; reporting lines that loop; and LSPs inside the area of another LSP
// with no reporting line to it (the seeds' "unclear relationship between the county LSP and
// the district LSPs"). `related` names the partnership the reason refers to.
// @order partnership, reason, related
MATCH (p:Partnership|Forum)
WHERE p.kind <> 'lsp'
  AND NOT EXISTS { MATCH (p)-[:REPORTS_TO*1..10]->(lsp:Partnership {kind: 'lsp'}) }
  AND NOT EXISTS { MATCH (p)-[:REPORTS_TO*1..10]->(p) }
OPTIONAL MATCH (p)-[:REPORTS_TO]->(up)
RETURN p.id AS partnership, p.name AS partnership_name, p.kind AS kind,
       CASE WHEN up IS NULL THEN 'reports to nobody' ELSE 'no reporting line up to an LSP' END AS reason,
       up.id AS related, p.source_row AS source_row
UNION
MATCH (p:Partnership|Forum)-[:REPORTS_TO*1..10]->(p)
MATCH (p)-[:REPORTS_TO]->(up)
RETURN p.id AS partnership, p.name AS partnership_name, p.kind AS kind,
       'its reporting line loops back to itself' AS reason, up.id AS related, p.source_row AS source_row
UNION
MATCH (inner:Partnership {kind: 'lsp'})-[:COVERS]->(:Territory)-[:PART_OF*1..12]->(:Territory)<-[:COVERS]-(outer:Partnership {kind: 'lsp'})
WHERE inner.id <> outer.id AND NOT EXISTS { MATCH (inner)-[:REPORTS_TO*1..10]->(outer) }
RETURN inner.id AS partnership, inner.name AS partnership_name, inner.kind AS kind,
       'an LSP inside the area of another LSP, with no reporting line to it' AS reason,
       outer.id AS related, inner.source_row AS source_row

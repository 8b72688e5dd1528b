// The facts duplicate-partnerships compares: each partnership or forum with the territories
// it covers and its themes (one row per territory and theme).
// @order partnership, territory, theme
MATCH (p:@Group)
OPTIONAL MATCH (p)-[:COVERS]->(t:Territory)
OPTIONAL MATCH (p)-[:HAS_THEME]->(th:Theme)
RETURN p.id AS partnership, p.name AS partnership_name, p.kind AS kind, t.id AS territory,
       t.name AS territory_name, th.id AS theme, th.name AS theme_name, p.source_row AS source_row

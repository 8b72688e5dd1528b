// Each service's themes, as numbers (see service-numbers and theme-numbers): with the providers
// and commissioners, the themes organisations work on through services, for suggested-links.
MATCH (s:Service)-[:HAS_THEME]->(t:Theme)
RETURN s.id AS service, t.id AS theme

// Each service's providers, as numbers (see service-numbers and organisation-numbers), for
// duplicate-services and suggested-links.
MATCH (o:Organisation)-[:DELIVERS]->(s:Service)
RETURN s.id AS service, o.id AS provider

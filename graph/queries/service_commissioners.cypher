// The organisations commissioning each service, as numbers (see service-numbers and
// organisation-numbers), for suggested-links.
MATCH (o:Organisation)-[:COMMISSIONS]->(s:Service)
RETURN s.id AS service, o.id AS commissioner

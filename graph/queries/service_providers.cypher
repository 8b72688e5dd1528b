// Each service's providers (ids), for duplicate-services.
MATCH (o:Organisation)-[:DELIVERS]->(s:Service)
RETURN s.id AS service, o.id AS provider

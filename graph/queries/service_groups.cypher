// Each service's client groups, as numbers (see service-numbers and client-group-numbers), for duplicate-services.
MATCH (s:Service)-[:SERVES]->(cg:ClientGroup)
RETURN s.id AS service, cg.id AS client_group

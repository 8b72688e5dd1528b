// Each service's client groups (ids), for duplicate-services.
MATCH (s:Service)-[:SERVES]->(cg:ClientGroup)
RETURN s.id AS service, cg.id AS client_group

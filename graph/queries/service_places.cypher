// The territories each service covers, as numbers (see service-numbers and territory-numbers):
// the blocks duplicate-services compares within.
MATCH (s:Service)-[:COVERS]->(t:Territory)
RETURN s.id AS service, t.id AS territory

// Names and sources for a list of services: what duplicate-services reports about each pair.
// @param ids list: service ids (passed by the diagnostic)
UNWIND $ids AS wanted
MATCH (s:Service {id: wanted})
OPTIONAL MATCH (o:Organisation)-[:DELIVERS]->(s)
RETURN s.id AS service, s.name AS service_name, s.source_row AS source_row, o.id AS provider, o.name AS provider_name

// Kind, name and sector for a list of organisation, partnership and forum ids: what the network
// measures report about the few nodes they list.
// @param ids list: the ids (passed by the measure)
UNWIND $ids AS wanted
MATCH (n:Organisation|@Group {id: wanted})
RETURN n.id AS id, labels(n)[0] AS kind, n.name AS name, n.sector AS sector

// Names for a list of ids of territories, client groups or organisations.
// @param ids list: the ids (passed by the diagnostic)
UNWIND $ids AS wanted
MATCH (n:Territory|ClientGroup|Organisation {id: wanted})
RETURN n.id AS id, n.name AS name

// One node's own facts, every property it has: what its profile page lists.
// @param id str: the node's id (a register id or a GSS code)
MATCH (n {id: $id})
RETURN labels(n)[0] AS kind, properties(n) AS facts

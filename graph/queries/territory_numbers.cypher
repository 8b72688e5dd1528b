// Every territory's id and number: the key territory-tree and service-places give for it (its
// id here; the embedded engine's node offset in queries/embedded/).
MATCH (t:Territory)
RETURN t.id AS number, t.id AS territory

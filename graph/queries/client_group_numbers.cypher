// Every client group's id and number: the key service-groups gives for it (its id here; the
// embedded engine's node offset in queries/embedded/).
MATCH (cg:ClientGroup)
RETURN cg.id AS number, cg.id AS client_group

// Every organisation's match keys (its names and aliases normalised, identifiers, `id:` and its
// id): read as columns to find the few an ingest's organisations share a key with.
MATCH (o:Organisation)
RETURN o.id AS id, o.match_keys AS match_keys

// Organisations by id, with their names and identifiers: the candidates entity resolution
// compares an ingest's organisations with.
// @param ids list: organisation ids
UNWIND $ids AS wanted
MATCH (o:Organisation {id: wanted})
RETURN o.id AS id, o.name AS name, o.sector AS sector, o.aliases AS aliases, o.identifiers AS identifiers

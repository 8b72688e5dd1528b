// Every organisation with its names and identifiers: what entity resolution matches incoming records against.
MATCH (o:Organisation)
RETURN o.id AS id, o.name AS name, o.sector AS sector, o.aliases AS aliases, o.identifiers AS identifiers

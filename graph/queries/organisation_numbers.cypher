// Every organisation's id, name and number: the key service-providers and service-commissioners
// give for it (its id here; the embedded engine's node offset in queries/embedded/).
MATCH (o:Organisation)
RETURN o.id AS number, o.id AS organisation, o.name AS organisation_name

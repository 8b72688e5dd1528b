// Every theme's id, name and number: the key service-themes gives for it (its id here; the
// embedded engine's node offset in queries/embedded/).
MATCH (t:Theme)
RETURN t.id AS number, t.id AS theme, t.name AS theme_name

// Every territory with a boundary polygon, with its name, level and the polygon as GeoJSON:
// what the locator indexes to find the territories containing a point.
// @order territory
// @internal
MATCH (t:Territory)
WHERE t.boundary IS NOT NULL
RETURN t.id AS territory, t.name AS territory_name, t.level AS level, t.boundary AS boundary

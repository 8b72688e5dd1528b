// Everything a person can search for by name, alias, code or identifier: organisations,
// partnerships, forums, services, strategies and territories. The workspace's search index
// reads this once per change of the graph.
// @order kind, id
MATCH (n:Organisation|@Group|Service|Strategy|Territory)
RETURN labels(n)[0] AS kind, n.id AS id, n.name AS name, n.aliases AS aliases, n.identifiers AS identifiers,
       n.sector AS sector, n.level AS level

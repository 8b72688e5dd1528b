// Names and aliases of everything a document can mention (organisations, partnerships, forums,
// strategies, targets, services) and the themes a glossary term can stand for, with the territories
// each covers (whose places tell another place's body from it): what the documents reader matches
// text against (the CLI passes these rows in; a reader never reads the store).
MATCH (n:Organisation|@Group|Strategy|Target|Service|Theme)
OPTIONAL MATCH (n)-[:COVERS]->(t:Territory)
WITH n, collect(t.id) AS territories
RETURN n.id AS id, labels(n)[0] AS label, n.name AS name, n.aliases AS aliases, n.sector AS sector, n.kind AS kind,
       territories
ORDER BY label, id

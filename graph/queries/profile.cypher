// One node and its neighbours: every relationship in or out, with the neighbour's kind,
// id and name, and the source row each fact came from (`sources`: every source that states it,
// the one shown first).
// @param id str: the node's id (a register id or a GSS code)
// @order direction, relationship, neighbour_kind, neighbour_name, relationship_id
MATCH (n {id: $id})
OPTIONAL MATCH (n)-[r]->(m)
RETURN labels(n)[0] AS kind, n.id AS id, n.name AS name, n.source AS source, n.source_row AS source_row,
       coalesce(n.sources, [n.source]) AS sources,
       'out' AS direction, type(r) AS relationship, r.id AS relationship_id,
       labels(m)[0] AS neighbour_kind, m.id AS neighbour_id, m.name AS neighbour_name,
       r.source AS relationship_source, r.source_row AS relationship_source_row,
       coalesce(r.sources, [r.source]) AS relationship_sources
UNION
MATCH (n {id: $id})
OPTIONAL MATCH (n)<-[r]-(m)
RETURN labels(n)[0] AS kind, n.id AS id, n.name AS name, n.source AS source, n.source_row AS source_row,
       coalesce(n.sources, [n.source]) AS sources,
       'in' AS direction, type(r) AS relationship, r.id AS relationship_id,
       labels(m)[0] AS neighbour_kind, m.id AS neighbour_id, m.name AS neighbour_name,
       r.source AS relationship_source, r.source_row AS relationship_source_row,
       coalesce(r.sources, [r.source]) AS relationship_sources

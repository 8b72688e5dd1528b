// Every reporting line between partnerships and forums, with their kinds: the governance tree.
// @order partnership
MATCH (p:@Group)
OPTIONAL MATCH (p)-[r:REPORTS_TO]->(up)
RETURN p.id AS partnership, p.name AS partnership_name, labels(p)[0] AS partnership_label, p.kind AS kind,
       up.id AS reports_to, p.source_row AS source_row, r.source_row AS reports_to_source_row

// Duplicate partnerships: pairs of partnerships or forums whose members overlap (Jaccard
// index of their member organisations at least min_jaccard), that share a theme and work in
// overlapping territories (the same, or one inside the other). Each pair once, with the
// members and themes they share and the territories that overlap.
// @param min_jaccard float = 0.5: least overlap of membership (shared / all members of either)
// @param as_of date = today: count only memberships in force on this day (YYYY-MM-DD)
MATCH (a:Partnership|Forum)<-[ma:MEMBER_OF]-(o:Organisation)
WHERE (ma.since IS NULL OR ma.since <= $as_of) AND (ma.until IS NULL OR ma.until >= $as_of)
MATCH (o)-[mb:MEMBER_OF]->(b:Partnership|Forum)
WHERE a.id < b.id AND (mb.since IS NULL OR mb.since <= $as_of) AND (mb.until IS NULL OR mb.until >= $as_of)
WITH a, b, collect(DISTINCT o.name) AS shared_members, count(DISTINCT o) AS shared
// Members are distinct organisations: one holding two posts on a group counts once.
MATCH (a)<-[m1:MEMBER_OF]-(x:Organisation)
WHERE (m1.since IS NULL OR m1.since <= $as_of) AND (m1.until IS NULL OR m1.until >= $as_of)
WITH a, b, shared_members, shared, count(DISTINCT x) AS members_a
MATCH (b)<-[m2:MEMBER_OF]-(y:Organisation)
WHERE (m2.since IS NULL OR m2.since <= $as_of) AND (m2.until IS NULL OR m2.until >= $as_of)
WITH a, b, shared_members, shared, members_a, count(DISTINCT y) AS members_b
WITH a, b, shared_members, shared, members_a, members_b, shared * 1.0 / (members_a + members_b - shared) AS jaccard
WHERE jaccard >= $min_jaccard
MATCH (a)-[:HAS_THEME]->(theme:Theme)<-[:HAS_THEME]-(b)
WITH a, b, shared_members, shared, members_a, members_b, jaccard, collect(DISTINCT theme.name) AS shared_themes
MATCH (a)-[:COVERS]->(ta:Territory)
MATCH (b)-[:COVERS]->(tb:Territory)
WHERE ta.id = tb.id OR EXISTS { MATCH (ta)-[:PART_OF*1..12]->(tb) } OR EXISTS { MATCH (tb)-[:PART_OF*1..12]->(ta) }
RETURN a.id AS a, a.name AS a_name, b.id AS b, b.name AS b_name, round(jaccard, 3) AS jaccard,
       shared_members, members_a, members_b, shared_themes,
       collect(DISTINCT ta.name + ' / ' + tb.name) AS overlapping_territories,
       a.source_row AS a_source_row, b.source_row AS b_source_row
ORDER BY jaccard DESC, a, b

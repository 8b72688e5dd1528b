// Who funds whom: per recipient and funder, the grants, the total awarded and the first and last
// award dates (360Giving FUNDS), with each funder's and each recipient's total beside each row.
// Organisations with no grant are listed once with no funder, so a place's unfunded bodies show.
// With a territory, only organisations covering it or a place inside it, and grants whose
// beneficiary location is it or a place inside it, count.
// @param territory str = '': GSS code to limit to that place (empty: everywhere)
// @param limit int = 500 in 0..1000: most rows to return, largest totals first
MATCH (r:Organisation)
WHERE $territory = ''
   OR EXISTS { MATCH (r)-[:COVERS]->(:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) }
OPTIONAL MATCH (f:Organisation)-[g:FUNDS]->(r)
WHERE $territory = ''
   OR EXISTS { MATCH (x:Territory)-[:PART_OF*0..12]->(:Territory {id: $territory}) WHERE x.id IN g.locations }
WITH f, r, collect(DISTINCT g.currency) AS currencies, count(g) AS grants, coalesce(sum(g.amount), 0.0) AS total,
     min(g.award_date) AS first_award, max(g.award_date) AS last_award, collect(g.source_row) AS source_rows
WITH f, collect({r: r, currencies: currencies, grants: grants, total: total, first_award: first_award,
                 last_award: last_award, source_rows: source_rows}) AS pairs, sum(total) AS funder_total
UNWIND pairs AS pair
WITH f, funder_total, pair, pair.r AS r
WITH r, collect({f: f, funder_total: funder_total, pair: pair}) AS funders, sum(pair.total) AS recipient_total
UNWIND funders AS row
RETURN r.id AS recipient, r.name AS recipient_name, r.sector AS recipient_sector,
       row.f.id AS funder, row.f.name AS funder_name, row.f.sector AS funder_sector,
       row.pair.currencies AS currencies, row.pair.grants AS grants, round(row.pair.total, 2) AS total,
       row.pair.first_award AS first_award, row.pair.last_award AS last_award,
       round(recipient_total, 2) AS recipient_total, round(row.funder_total, 2) AS funder_total,
       row.pair.source_rows AS source_rows
ORDER BY total DESC, recipient_total DESC, recipient, funder
LIMIT $limit

// How many organisations the store holds, and how many have no match keys (stored before ingests
// kept them): entity resolution reads every organisation of a small store, or of one with
// unkeyed organisations, and otherwise only those sharing a key with the incoming ones.
MATCH (o:Organisation)
RETURN count(o) AS organisations,
       sum(CASE WHEN o.match_keys IS NULL OR size(o.match_keys) = 0 THEN 1 ELSE 0 END) AS unkeyed

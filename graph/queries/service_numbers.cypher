// Every service (of one type) with its type, in id order, and its number: the key the service
// projections below give for it (its id here; the embedded engine's node offset, an integer
// that costs no string per row, in queries/embedded/). What duplicate-services numbers services by.
// @param type str = '': limit to one service type (empty: all)
MATCH (s:Service)
WHERE $type = '' OR s.type = $type
RETURN s.id AS number, s.id AS service, s.type AS type
ORDER BY service

// The sources the graph was read from: each file or dataset, the reader that read it, where
// from, and when it was last ingested (when it last stated its facts).
// @param reader str = '': only sources read by this reader, e.g. register (empty: all)
MATCH (s:Source)
WHERE $reader = '' OR s.reader = $reader
RETURN s.id AS source, s.name AS name, s.reader AS reader, s.path AS path, s.ingested_at AS ingested_at
ORDER BY source

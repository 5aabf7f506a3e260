-- graphmodel query: liaison_group_without_leadership (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("liaison_group_without_leadership"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): one pass over the active LEADS links.

WITH led AS (
    SELECT DISTINCT l.target_id AS id
    FROM links AS l JOIN organizations AS o ON o.id = l.source_id
    WHERE l.type = 'LEADS' AND o.sector = 'party'
      AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
)
SELECT g.id, NULL AS detail
FROM organizations AS g
LEFT JOIN organizations AS parent ON parent.id = g.parent_id
WHERE g.kind = 'liaison_group'
  AND NOT EXISTS (SELECT 1 FROM led WHERE led.id = g.id)
  AND parent.sector IS DISTINCT FROM 'party'
ORDER BY g.id

-- graphmodel query: grid_without_worker (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("grid_without_worker"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): one pass over the active ASSIGNED_TO links.

WITH staffed AS (
    -- a person's active ASSIGNED_TO link to the grid itself (not its area or buildings)
    SELECT DISTINCT l.target_id AS place
    FROM links AS l JOIN people AS p ON p.id = l.source_id
    WHERE l.type = 'ASSIGNED_TO'
      AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
)
SELECT g.id, {'grid_kind': g.kind} AS detail
FROM grids AS g
WHERE NOT EXISTS (SELECT 1 FROM staffed AS s WHERE s.place = g.id)
ORDER BY g.id

-- graphmodel query: key_building_without_worker (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("key_building_without_worker"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $key_building_min_companies (INTEGER)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): one count of companies per building, one pass over the active ASSIGNED_TO links.

WITH housed AS (
    SELECT building_id, count(*) AS companies FROM companies GROUP BY building_id
), staffed AS (
    -- a person's active ASSIGNED_TO link to the building itself
    SELECT DISTINCT l.target_id AS place
    FROM links AS l JOIN people AS p ON p.id = l.source_id
    WHERE l.type = 'ASSIGNED_TO'
      AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
)
SELECT b.id,
       {'companies': coalesce(h.companies, 0),
        'key_building': coalesce(b.key_building, false)} AS detail
FROM buildings AS b
LEFT JOIN housed AS h ON h.building_id = b.id
WHERE (coalesce(b.key_building, false)
       OR coalesce(h.companies, 0) >= $key_building_min_companies::INTEGER)
  AND NOT EXISTS (SELECT 1 FROM staffed AS s WHERE s.place = b.id)
ORDER BY b.id

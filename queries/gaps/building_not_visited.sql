-- graphmodel query: building_not_visited (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("building_not_visited"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $visit_window_days (INTEGER)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): recent visits mapped to their building by one hash join.

WITH recent AS (
    -- done visits in (as_of - window, as_of]; planned visits never count
    SELECT DISTINCT target_id FROM visits
    WHERE status = 'done' AND date <= $as_of
      AND date > $as_of::DATE - $visit_window_days::INTEGER
), visited AS (
    -- the building itself, or any company in it
    SELECT b.id FROM buildings AS b JOIN recent AS r ON r.target_id = b.id
    UNION
    SELECT c.building_id FROM companies AS c JOIN recent AS r ON r.target_id = c.id
), housed AS (
    SELECT building_id, count(*) AS companies FROM companies GROUP BY building_id
)
SELECT b.id, {'companies': h.companies, 'visit_window_days': $visit_window_days} AS detail
FROM buildings AS b
JOIN housed AS h ON h.building_id = b.id
WHERE NOT EXISTS (SELECT 1 FROM visited AS v WHERE v.id = b.id)
ORDER BY b.id

-- graphmodel query: company_unreached (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("company_unreached"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $visit_window_days (INTEGER)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): hash joins of the companies with what reaches them.

WITH reaching AS (
    SELECT id, located_in FROM organizations
    WHERE sector = 'party' OR kind IN ('service_station', 'service_center')
), located AS (
    -- located_in exactly the company or its building (not anything else within)
    SELECT DISTINCT located_in AS place FROM reaching WHERE located_in IS NOT NULL
), covered AS (
    -- targets of active COVERS links: a target covers itself and everything within it
    SELECT DISTINCT l.target_id AS place FROM links AS l
    WHERE l.type = 'COVERS' AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
      AND l.source_id IN (SELECT id FROM reaching)
), visited AS (
    -- done visits in (as_of - window, as_of]; planned visits never count
    SELECT DISTINCT target_id AS place FROM visits
    WHERE status = 'done' AND date <= $as_of
      AND date > $as_of::DATE - $visit_window_days::INTEGER
)
SELECT c.id, {'visit_window_days': $visit_window_days} AS detail
FROM companies AS c
LEFT JOIN buildings AS b ON b.id = c.building_id
LEFT JOIN grids AS g ON g.id = b.grid_id
-- one equality per anti-join against a small set (an OR of several would make DuckDB loop
-- over every pair); the containers of a company: its building, grid and area
WHERE NOT EXISTS (SELECT 1 FROM located AS x WHERE x.place = c.id)
  AND NOT EXISTS (SELECT 1 FROM located AS x WHERE x.place = c.building_id)
  AND NOT EXISTS (SELECT 1 FROM covered AS x WHERE x.place = c.id)
  AND NOT EXISTS (SELECT 1 FROM covered AS x WHERE x.place = c.building_id)
  AND NOT EXISTS (SELECT 1 FROM covered AS x WHERE x.place = b.grid_id)
  AND NOT EXISTS (SELECT 1 FROM covered AS x WHERE x.place = g.area_id)
  AND NOT EXISTS (SELECT 1 FROM visited AS x WHERE x.place = c.id)
  AND NOT EXISTS (SELECT 1 FROM visited AS x WHERE x.place = c.building_id)
ORDER BY c.id

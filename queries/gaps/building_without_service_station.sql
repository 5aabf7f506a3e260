-- graphmodel query: building_without_service_station (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("building_without_service_station"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): semi-joins of buildings and companies with the few station places, and
-- anti-joins with the few covered targets.

WITH housed AS (
    SELECT building_id, count(*) AS companies FROM companies GROUP BY building_id
), stations AS (
    SELECT id, located_in FROM organizations WHERE kind IN ('service_station', 'service_center')
), located AS (
    -- a building with a station within it: in the building or in one of its companies
    SELECT id AS building_id FROM buildings WHERE id IN (SELECT located_in FROM stations)
    UNION
    SELECT building_id FROM companies WHERE id IN (SELECT located_in FROM stations)
), covered AS (
    -- targets of active COVERS links from stations
    SELECT DISTINCT l.target_id AS place FROM links AS l
    WHERE l.type = 'COVERS' AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
      AND l.source_id IN (SELECT id FROM stations)
)
SELECT b.id, {'companies': h.companies} AS detail
FROM buildings AS b
JOIN housed AS h ON h.building_id = b.id
LEFT JOIN grids AS g ON g.id = b.grid_id
WHERE b.id NOT IN (SELECT building_id FROM located WHERE building_id IS NOT NULL)
  -- an active COVERS link to the building, its grid or its area (one equality each)
  AND NOT EXISTS (SELECT 1 FROM covered AS x WHERE x.place = b.id)
  AND NOT EXISTS (SELECT 1 FROM covered AS x WHERE x.place = b.grid_id)
  AND NOT EXISTS (SELECT 1 FROM covered AS x WHERE x.place = g.area_id)
ORDER BY b.id

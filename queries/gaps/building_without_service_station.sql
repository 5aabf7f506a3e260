-- graphmodel query: building_without_service_station (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("building_without_service_station"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): one count of companies per building, two hash joins of the place tree.

WITH stations AS (
    SELECT id, located_in FROM organizations WHERE kind IN ('service_station', 'service_center')
), housed AS (
    SELECT building_id, count(*) AS companies FROM companies GROUP BY building_id
), served AS (
    -- a station located within the building (in it or in one of its companies)
    SELECT w.container AS place FROM within AS w JOIN stations AS o ON o.located_in = w.place
    UNION
    -- an active COVERS link from a station to the building, its grid or its area
    SELECT w.place
    FROM within AS w
    JOIN links AS l ON l.target_id = w.container
    JOIN stations AS o ON o.id = l.source_id
    WHERE l.type = 'COVERS'
      AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
)
SELECT b.id, {'companies': h.companies} AS detail
FROM buildings AS b
JOIN housed AS h ON h.building_id = b.id
WHERE NOT EXISTS (SELECT 1 FROM served AS s WHERE s.place = b.id)
ORDER BY b.id

-- graphmodel query: area_without_liaison_group (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("area_without_liaison_group"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): one pass over population, two hash joins of the place tree.

WITH liaison_groups AS (
    SELECT id, located_in FROM organizations WHERE kind = 'liaison_group'
), minority AS (
    -- Han in any spelling (汉族, 汉, Han, any case) is the majority
    SELECT area_id, CAST(sum(residents) AS BIGINT) AS residents
    FROM population
    WHERE lower(trim(ethnic_group)) NOT IN ('汉族', '汉', 'han')
    GROUP BY area_id
), served AS (
    -- a liaison group located within the area
    SELECT w.container AS place FROM within AS w JOIN liaison_groups AS o ON o.located_in = w.place
    UNION
    -- an active COVERS link from a liaison group to the area
    SELECT w.place
    FROM within AS w
    JOIN links AS l ON l.target_id = w.container
    JOIN liaison_groups AS o ON o.id = l.source_id
    WHERE l.type = 'COVERS'
      AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
)
SELECT a.id, {'minority_residents': m.residents} AS detail
FROM residential_areas AS a
JOIN minority AS m ON m.area_id = a.id
WHERE m.residents > 0
  AND NOT EXISTS (SELECT 1 FROM served AS s WHERE s.place = a.id)
ORDER BY a.id

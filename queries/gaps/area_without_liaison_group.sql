-- graphmodel query: area_without_liaison_group (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("area_without_liaison_group"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): semi-joins of the place tables with the few places where liaison groups
-- are.

WITH minority AS (
    -- Han in any spelling (汉族, 汉, Han, any case) is the majority
    SELECT area_id, CAST(sum(residents) AS BIGINT) AS residents
    FROM population
    WHERE lower(trim(ethnic_group)) NOT IN ('汉族', '汉', 'han')
    GROUP BY area_id
), located AS (
    -- where liaison groups are located
    SELECT located_in AS place FROM organizations WHERE kind = 'liaison_group'
), served AS (
    -- an area with a liaison group within it: in the area itself, in one of its grids, in a
    -- building of those, or in a company of those buildings (semi-joins on the few places)
    SELECT id AS area_id FROM residential_areas WHERE id IN (SELECT place FROM located)
    UNION
    SELECT area_id FROM grids WHERE id IN (SELECT place FROM located)
    UNION
    SELECT g.area_id FROM buildings AS b JOIN grids AS g ON g.id = b.grid_id
    WHERE b.id IN (SELECT place FROM located)
    UNION
    SELECT g.area_id FROM companies AS c JOIN buildings AS b ON b.id = c.building_id
    JOIN grids AS g ON g.id = b.grid_id
    WHERE c.id IN (SELECT place FROM located)
    UNION
    -- an active COVERS link from a liaison group to the area (an area's only container is
    -- its street, and a link to a street covers nothing)
    SELECT l.target_id FROM links AS l
    WHERE l.type = 'COVERS' AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
      AND l.source_id IN (SELECT id FROM organizations WHERE kind = 'liaison_group')
)
SELECT a.id, {'minority_residents': m.residents} AS detail
FROM residential_areas AS a
JOIN minority AS m ON m.area_id = a.id
WHERE m.residents > 0
  AND a.id NOT IN (SELECT area_id FROM served WHERE area_id IS NOT NULL)
ORDER BY a.id

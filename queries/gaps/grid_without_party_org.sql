-- graphmodel query: grid_without_party_org (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("grid_without_party_org"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): semi-joins of the grids, buildings and companies with the few places
-- where party organisations are or that they cover.

WITH party_places AS (
    -- where party organisations are located
    SELECT located_in AS place FROM organizations WHERE sector = 'party'
), covered_targets AS (
    -- targets of active COVERS links from party organisations
    SELECT l.target_id AS place FROM links AS l
    WHERE l.type = 'COVERS' AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
      AND l.source_id IN (SELECT id FROM organizations WHERE sector = 'party')
), touched AS (
    -- places with a party organisation in them or a COVERS link to them
    SELECT place FROM party_places UNION SELECT place FROM covered_targets
), served AS (
    -- a grid with such a place within it: the grid itself, one of its buildings, or a
    -- company in one of them (semi-joins: DuckDB hashes the few places, not the tables)
    SELECT id AS grid_id FROM grids WHERE id IN (SELECT place FROM touched)
    UNION
    SELECT grid_id FROM buildings WHERE id IN (SELECT place FROM touched)
    UNION
    SELECT b.grid_id FROM companies AS c JOIN buildings AS b ON b.id = c.building_id
    WHERE c.id IN (SELECT place FROM touched)
)
SELECT g.id,
       {'grid_kind': g.kind,
        'reason': 'no party organisation located in or covering the grid'} AS detail
FROM grids AS g
WHERE g.id NOT IN (SELECT grid_id FROM served WHERE grid_id IS NOT NULL)
  -- an active COVERS link to the grid's area covers the grid
  AND NOT EXISTS (SELECT 1 FROM covered_targets AS t WHERE t.place = g.area_id)
ORDER BY g.id

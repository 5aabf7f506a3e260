-- graphmodel query: grid_without_party_org (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("grid_without_party_org"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): three hash joins of the place tree with the party organisations.

WITH party AS (
    SELECT id, located_in FROM organizations WHERE sector = 'party'
), covered_targets AS (
    SELECT l.target_id AS place
    FROM links AS l JOIN party AS o ON o.id = l.source_id
    WHERE l.type = 'COVERS'
      AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
), served AS (
    -- a party organisation located within the grid
    SELECT w.container AS place FROM within AS w JOIN party AS o ON o.located_in = w.place
    UNION
    -- an active COVERS link to the grid or to its area
    SELECT w.place FROM within AS w JOIN covered_targets AS t ON t.place = w.container
    UNION
    -- an active COVERS link to anything within the grid
    SELECT w.container FROM within AS w JOIN covered_targets AS t ON t.place = w.place
)
SELECT g.id,
       {'grid_kind': g.kind,
        'reason': 'no party organisation located in or covering the grid'} AS detail
FROM grids AS g
WHERE NOT EXISTS (SELECT 1 FROM served AS s WHERE s.place = g.id)
ORDER BY g.id

-- graphmodel query: path (SQL, run by DuckDB), the network its paths are searched in
-- (titles, definition and output columns: graphmodel.get_query("path"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $colocation (BOOLEAN)
-- Tables: the dataset's typed contract tables (graphmodel._duckdb.connect). Returns
-- from_id, type, to_id: every relationship a path may use, in the direction it runs (the
-- rows of queries/links/path.cypher for k > 1): the contract links active on $as_of that
-- touch no demand, CHILD_OF, WORKS_FOR and, when $colocation is true, PART_OF and
-- LOCATED_IN; self-links left out. The k shortest simple paths are then searched in
-- Python (graphmodel.linkages.shortest_paths), as on Neo4j.
--
-- Cost: O(E) over the links and the foreign keys.

WITH edges AS (
    SELECT source_id AS from_id, type, target_id AS to_id
    FROM links
    WHERE type IN ('COVERS', 'LEADS', 'PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF',
                   'ASSIGNED_TO', 'SERVES')
      AND (since IS NULL OR since <= $as_of) AND (until IS NULL OR until >= $as_of)
      AND source_id NOT IN (SELECT id FROM demands)
      AND target_id NOT IN (SELECT id FROM demands)
    UNION ALL SELECT id, 'CHILD_OF', parent_id FROM organizations WHERE parent_id IS NOT NULL
    UNION ALL SELECT id, 'WORKS_FOR', organization_id FROM people
              WHERE organization_id IS NOT NULL
    -- co-location: a residential grid is part of its area, a business grid of the street
    UNION ALL SELECT id, 'PART_OF', street_id FROM residential_areas
              WHERE $colocation AND street_id IS NOT NULL
    UNION ALL SELECT id, 'PART_OF', coalesce(area_id, street_id) FROM grids
              WHERE $colocation AND coalesce(area_id, street_id) IS NOT NULL
    UNION ALL SELECT id, 'PART_OF', grid_id FROM buildings
              WHERE $colocation AND grid_id IS NOT NULL
    UNION ALL SELECT id, 'PART_OF', building_id FROM companies
              WHERE $colocation AND building_id IS NOT NULL
    UNION ALL SELECT id, 'LOCATED_IN', located_in FROM organizations
              WHERE $colocation AND located_in IS NOT NULL
)
SELECT from_id, type, to_id FROM edges WHERE from_id <> to_id

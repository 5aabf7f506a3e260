-- graphmodel query: sector_matrix (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("sector_matrix"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables (graphmodel._duckdb.connect). Returns
-- source_sector, target_sector, links: one row per non-empty cell, in the order of the
-- sectors of the data contract (graphmodel.schema.SECTORS), any other sector after them.
--
-- Cost: O(E) over the links, one hash join with the actors' sectors.

WITH sectors AS (
    -- an actor's sector: an organisation's own, business for a company, a person's
    -- organisation's
    SELECT id, sector FROM organizations WHERE sector IS NOT NULL
    UNION ALL SELECT id, 'business' FROM companies
    UNION ALL SELECT p.id, o.sector FROM people AS p
              JOIN organizations AS o ON o.id = p.organization_id WHERE o.sector IS NOT NULL
), relationships AS (
    -- one relationship per (source, type, target); a partnership is the same whichever
    -- way it was recorded
    SELECT DISTINCT type,
           CASE WHEN type = 'PARTNERS_WITH' AND target_id < source_id
                THEN target_id ELSE source_id END AS u,
           CASE WHEN type = 'PARTNERS_WITH' AND target_id < source_id
                THEN source_id ELSE target_id END AS v
    FROM links
    WHERE type IN ('COVERS', 'LEADS', 'PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF',
                   'ASSIGNED_TO', 'SERVES')
      AND source_id <> target_id
      AND (since IS NULL OR since <= $as_of) AND (until IS NULL OR until >= $as_of)
), cells AS (
    SELECT su.sector AS source_sector, sv.sector AS target_sector
    FROM relationships AS r
    JOIN sectors AS su ON su.id = r.u
    JOIN sectors AS sv ON sv.id = r.v
    -- a partnership between two sectors is read in both directions
    UNION ALL
    SELECT sv.sector, su.sector
    FROM relationships AS r
    JOIN sectors AS su ON su.id = r.u
    JOIN sectors AS sv ON sv.id = r.v
    WHERE r.type = 'PARTNERS_WITH' AND su.sector <> sv.sector
)
SELECT source_sector, target_sector, count(*) AS links
FROM cells
GROUP BY source_sector, target_sector
ORDER BY coalesce(list_position(['party', 'government', 'business', 'community', 'ethnic',
                                 'religious', 'education', 'culture', 'charity'],
                                source_sector), 10),
         coalesce(list_position(['party', 'government', 'business', 'community', 'ethnic',
                                 'religious', 'education', 'culture', 'charity'],
                                target_sector), 10),
         source_sector, target_sector

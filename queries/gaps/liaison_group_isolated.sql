-- graphmodel query: liaison_group_isolated (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("liaison_group_isolated"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): one pass over the active links, in both directions.

WITH sectors AS (
    SELECT id, sector FROM organizations
    UNION ALL
    SELECT id, 'business' FROM companies
), ties AS (
    SELECT l.source_id AS own, l.target_id AS other FROM links AS l
    WHERE l.type IN ('PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF')
      AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
    UNION ALL
    SELECT l.target_id, l.source_id FROM links AS l
    WHERE l.type IN ('PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF')
      AND (l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)
), connected AS (
    -- tied, either way, to an organisation or a company whose sector is not ethnic
    SELECT DISTINCT t.own AS id FROM ties AS t JOIN sectors AS s ON s.id = t.other
    WHERE s.sector <> 'ethnic'
)
SELECT g.id, NULL AS detail
FROM organizations AS g
WHERE g.kind = 'liaison_group'
  AND NOT EXISTS (SELECT 1 FROM connected AS c WHERE c.id = g.id)
ORDER BY g.id

-- graphmodel query: connectors (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("connectors"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $k (INTEGER)
-- Tables: the dataset's typed contract tables, the views actors and entity_names and the
-- macro actor_pairs (the actor network's edges; graphmodel._duckdb.VIEWS_SQL).
-- Returns id, name (else the id), label, sector, other_sectors (sorted), count: the actors
-- tied (an active contract link in either direction, WORKS_FOR or CHILD_OF) to actors of
-- at least $k sectors other than their own, most sectors first, then by id.
--
-- Cost: O(V + E) over the actors and their ties, hash joins and two groupings.

WITH other_sectors AS (
    -- the distinct sectors of an actor's neighbours, its own left out
    SELECT DISTINCT p.id, o.sector
    FROM actor_pairs($as_of) AS p
    JOIN actors AS me ON me.id = p.id
    JOIN actors AS o ON o.id = p.other
    WHERE o.sector IS NOT NULL AND o.sector IS DISTINCT FROM me.sector
), counted AS (
    SELECT id, list(sector ORDER BY sector) AS other_sectors, count(*) AS n
    FROM other_sectors
    GROUP BY id
)
SELECT a.id, coalesce(nm.name, a.id) AS name, a.label, a.sector,
       coalesce(c.other_sectors, []::VARCHAR[]) AS other_sectors, coalesce(c.n, 0) AS "count"
FROM actors AS a
LEFT JOIN counted AS c ON c.id = a.id
LEFT JOIN entity_names AS nm ON nm.id = a.id
WHERE coalesce(c.n, 0) >= $k
ORDER BY "count" DESC, a.id

-- graphmodel query: bridges (SQL, run by DuckDB), the actor network it ranks
-- (titles, definition and output columns: graphmodel.get_query("bridges"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables, the views actors and entity_names and the
-- macro actor_pairs (the actor network's edges; graphmodel._duckdb.VIEWS_SQL).
-- Returns the rows of queries/links/bridges.cypher: every actor (organisation, company,
-- person) with its id, name, label, sector and neighbours (the actors it is tied to by an
-- active contract link in either direction, WORKS_FOR or CHILD_OF; sorted ids, self-links
-- left out), ordered by id. networkx builds the actor network from them
-- (graphmodel.linkages.network_from_projection) and ranks it by betweenness centrality:
-- the same Python ranking as on Neo4j.
--
-- Cost: O(V + E) over the actors and their ties, hash joins and one grouping.

WITH neighbours AS (
    SELECT id, list(other ORDER BY other) AS neighbours
    FROM actor_pairs($as_of)
    GROUP BY id
)
SELECT a.id, n.name, a.label, a.sector, coalesce(nb.neighbours, []::VARCHAR[]) AS neighbours
FROM actors AS a
LEFT JOIN entity_names AS n ON n.id = a.id
LEFT JOIN neighbours AS nb ON nb.id = a.id
ORDER BY a.id

-- graphmodel query: sectors_bridged (SQL, run by DuckDB), the ties it ranks
-- (titles, definition and output columns: graphmodel.get_query("sectors_bridged"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE)
-- Tables: the dataset's typed contract tables and the shared views
-- (graphmodel._duckdb.connect). Returns the
-- ties of graphmodel.linkages.sector_ties, one row per distinct tie: actor, sector (of the
-- other side), kind, direction ('->', '<-', or '' for a partnership), other, other_name
-- (its name, else its id). The ranking (sectors bridged, betweenness centrality on the
-- actor network, links) is done by networkx (graphmodel.linkages.rank_sectors_bridged).
--
-- Cost: O(E) over the links, WORKS_FOR and CHILD_OF, two hash joins with the actors.

WITH edges AS (
    -- active contract links, and the structural relationships between actors
    SELECT source_id AS u, target_id AS v, type AS kind
    FROM links
    WHERE type IN ('COVERS', 'LEADS', 'PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF',
                   'ASSIGNED_TO', 'SERVES')
      AND (since IS NULL OR since <= $as_of) AND (until IS NULL OR until >= $as_of)
    UNION ALL SELECT id, organization_id, 'WORKS_FOR' FROM people
              WHERE organization_id IS NOT NULL
    UNION ALL SELECT id, parent_id, 'CHILD_OF' FROM organizations WHERE parent_id IS NOT NULL
), ends AS (
    SELECT e.u, e.v, e.kind, au.id IS NOT NULL AS u_actor, au.sector AS su,
           av.id IS NOT NULL AS v_actor, av.sector AS sv
    FROM edges AS e
    LEFT JOIN actors AS au ON au.id = e.u
    LEFT JOIN actors AS av ON av.id = e.v
    WHERE e.u <> e.v
), ties AS (
    SELECT u AS actor, sv AS sector, kind,
           CASE WHEN kind = 'PARTNERS_WITH' THEN '' ELSE '->' END AS direction, v AS other
    FROM ends WHERE u_actor AND sv IS NOT NULL AND sv IS DISTINCT FROM su
    UNION
    SELECT v, su, kind, CASE WHEN kind = 'PARTNERS_WITH' THEN '' ELSE '<-' END, u
    FROM ends WHERE v_actor AND su IS NOT NULL AND su IS DISTINCT FROM sv
)
SELECT t.actor, t.sector, t.kind, t.direction, t.other, coalesce(n.name, t.other) AS other_name
FROM ties AS t
LEFT JOIN entity_names AS n ON n.id = t.other
ORDER BY t.actor, t.sector, t.kind, t.direction, t.other

// graphmodel query: grid_without_worker
// (titles, definition and output columns: graphmodel.get_query("grid_without_worker"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Cost: O(V + E) (each grid reads only its own relationships).

MATCH (g:Grid {dataset: $dataset})
WHERE g.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND NOT EXISTS {
        MATCH (g)<-[r:ASSIGNED_TO]-(:Person)
        WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
      }
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
RETURN g.id AS id, g.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name, {grid_kind: g.kind} AS detail
ORDER BY id

// graphmodel query: grid_without_party_org
// (titles, definition and output columns: graphmodel.get_query("grid_without_party_org"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'            // dataset name given to `graphmodel neo4j load`
//   :param as_of => date('2026-11-29')      // evaluation date (the CLI's default is today)
//
// Cost: O(V + E) — an area's COVERS links are read once for all its grids, and each grid
// expands only its own subtree (<= 2 PART_OF hops down).

MATCH (g:Grid {dataset: $dataset})
WHERE g.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
WITH a, collect(g) AS grids
WITH a, grids, EXISTS {
       MATCH (a)<-[c:COVERS]-(o:Organization {dataset: $dataset})
       WHERE o.sector = 'party'
         AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
     } AS area_covered
WHERE NOT area_covered
UNWIND grids AS g
WITH g, a
WHERE NOT EXISTS {
        MATCH (g)<-[:PART_OF*0..2]-(place)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.sector = 'party'
      }
  AND NOT EXISTS {
        MATCH (g)<-[:PART_OF*0..2]-(place)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.sector = 'party'
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
RETURN g.id AS id, g.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name,
       {grid_kind: g.kind,
        reason: 'no party organisation located in or covering the grid'} AS detail
ORDER BY id

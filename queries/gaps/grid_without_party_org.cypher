// 网格无党组织 Grid without party organisation          (graphmodel query: grid_without_party_org)
//
// 找出：网格内（网格本身、其居民区、楼宇及楼宇内企业）没有任何党建领域（sector = party）的组织，
//       也没有党建组织对该网格或其内任何地点有有效的 COVERS 服务覆盖关系。
// Finds grids where no organisation of sector `party` is located within the grid (the grid,
// its residential areas, its buildings or their companies) and none has a COVERS link active
// on $as_of to the grid or to anything within it (GAPS.md, grid_without_party_org).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'            // dataset name given to `graphmodel neo4j load`
//   :param as_of => date('2026-11-29')      // evaluation date (the CLI's default is today)
//
// Returns one row per grid, sorted by id: id, name, grid_id, grid_name, detail.
// Cost: each grid expands only its own subtree (<= 2 PART_OF hops), so O(V + E) in all.

MATCH (g:Grid {dataset: $dataset})
WHERE g.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND NOT EXISTS {
        MATCH (g)<-[:PART_OF*0..2]-(place)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.sector = 'party'
      }
  AND NOT EXISTS {
        MATCH (g)<-[:PART_OF*0..2]-(place)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.sector = 'party'
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
RETURN g.id AS id, g.name AS name, g.id AS grid_id, g.name AS grid_name,
       {grid_kind: g.kind,
        reason: 'no party organisation located in or covering the grid'} AS detail
ORDER BY id

// 网格无网格员 Grid without worker                       (graphmodel query: grid_without_worker)
//
// 找出：在 $as_of 没有任何人员对网格本身有有效的 ASSIGNED_TO 包干关系的网格
//       （每个网格都需要自己的网格员或网格长；对居民区或楼宇的包干不算）。
// Finds grids to which no person has an ASSIGNED_TO link active on $as_of to the grid itself
// (every grid needs its own 网格员 or 网格长; a link to the area or to a building does not
// count) (the gap definitions, docs/gaps.md: grid_without_worker).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Returns one row per grid, sorted by id: id, name, grid_id, grid_name (the grid itself),
// area_id, area_name (its residential area; null for a business grid), detail {grid_kind}.
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

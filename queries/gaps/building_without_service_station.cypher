// 楼宇无党群服务站 Building without service station  (graphmodel query: building_without_service_station)
//
// 找出：有企业入驻的楼宇，楼内（楼宇本身或楼内企业）没有党群服务站/服务中心
//       （kind = service_station 或 service_center），也没有服务站覆盖该楼宇
//       （对楼宇、其所属网格或网格所属居民区有有效的 COVERS 关系；对街道的 COVERS 不算）。
// Finds buildings housing at least one company where no organisation of kind
// `service_station` or `service_center` is located within the building (located_in is the
// building or one of its companies) and none covers the building (a COVERS link active on
// $as_of to the building, to its grid or to that grid's residential area; a COVERS link to a
// street covers nothing) (the gap definitions, docs/gaps.md: building_without_service_station).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Returns one row per building, sorted by id: id, name, grid_id, grid_name, area_id,
// area_name (its grid's residential area; null in a business grid), detail {companies}.
// Cost: O(V + E) — whether an area and a grid are covered is computed once per area and
// once per grid, then each building checks only its own relationships and companies.

MATCH (g:Grid {dataset: $dataset})
WHERE g.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
WITH a, collect(g) AS grids
WITH a, grids, EXISTS {
       MATCH (a)<-[c:COVERS]-(o:Organization {dataset: $dataset})
       WHERE o.kind IN ['service_station', 'service_center']
         AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
     } AS area_covered
WHERE NOT area_covered
UNWIND grids AS g
WITH g, a
WHERE NOT EXISTS {
        MATCH (g)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.kind IN ['service_station', 'service_center']
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
MATCH (b:Building {dataset: $dataset})-[:PART_OF]->(g)
WITH g, a, b, COUNT { (b)<-[:PART_OF]-(:Company) } AS companies
WHERE companies > 0
  AND NOT EXISTS {
        MATCH (b)<-[:PART_OF*0..1]-(place)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.kind IN ['service_station', 'service_center']
      }
  AND NOT EXISTS {
        MATCH (b)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.kind IN ['service_station', 'service_center']
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
RETURN b.id AS id, b.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name, {companies: companies} AS detail
ORDER BY id

// 楼宇无党群服务站 Building without service station  (graphmodel query: building_without_service_station)
//
// 找出：有企业入驻的楼宇，楼内（楼宇本身或楼内企业）没有党群服务站/服务中心
//       （kind = service_station 或 service_center），也没有服务站对该楼宇或其所属网格有有效的 COVERS 关系。
// Finds buildings housing at least one company where no organisation of kind
// `service_station` or `service_center` is located within the building (the building or one
// of its companies) and none has a COVERS link active on $as_of to the building or to its grid
// (GAPS.md, building_without_service_station).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Returns one row per building, sorted by id: id, name, grid_id, grid_name,
// detail {companies}. Cost: O(V + E).

MATCH (b:Building {dataset: $dataset})
WHERE b.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
WITH b, COUNT { (b)<-[:PART_OF]-(:Company) } AS companies
WHERE companies > 0
  AND NOT EXISTS {
        MATCH (b)<-[:PART_OF*0..1]-(place)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.kind IN ['service_station', 'service_center']
      }
  AND NOT EXISTS {
        MATCH (b)-[:PART_OF*0..1]->(place)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.kind IN ['service_station', 'service_center']
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
OPTIONAL MATCH (b)-[:PART_OF]->(g:Grid)
RETURN b.id AS id, b.name AS name, g.id AS grid_id, g.name AS grid_name,
       {companies: companies} AS detail
ORDER BY id

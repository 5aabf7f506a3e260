// 重点楼宇无包干工作者 Key building without assigned worker
//                                                      (graphmodel query: key_building_without_worker)
//
// 找出：重点楼宇（key_building 为 true，或入驻企业数 >= $key_building_min_companies），
//       且在 $as_of 没有任何人员对其有有效的 ASSIGNED_TO 包干关系。
// Finds buildings that are key buildings (key_building true, or housing at least
// $key_building_min_companies companies) to which no person has an ASSIGNED_TO link active
// on $as_of (the gap definitions, docs/gaps.md: key_building_without_worker).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param key_building_min_companies => 20 // default 20
//
// Returns one row per building, sorted by id: id, name, grid_id, grid_name, area_id,
// area_name (its grid's residential area; null in a business grid),
// detail {companies, key_building}. Cost: O(V + E).

MATCH (b:Building {dataset: $dataset})
WHERE b.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
WITH b, COUNT { (b)<-[:PART_OF]-(:Company) } AS companies
WHERE (b.key_building = true OR companies >= $key_building_min_companies)
  AND NOT EXISTS {
        MATCH (b)<-[r:ASSIGNED_TO]-(:Person)
        WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
      }
OPTIONAL MATCH (b)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
RETURN b.id AS id, b.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name,
       {companies: companies, key_building: coalesce(b.key_building, false)} AS detail
ORDER BY id

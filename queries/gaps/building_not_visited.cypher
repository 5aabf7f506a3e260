// 楼宇久未走访 Building not visited                     (graphmodel query: building_not_visited)
//
// 找出：有企业入驻、但近期（$as_of 之前 $visit_window_days 天内）既没有人实际走访（status = done）
//       该楼宇、也没有人走访楼内任何企业的楼宇（计划中的走访不算）。
// Finds buildings housing at least one company with no recent visit (status `done`; planned
// visits never count) to the building nor to any company in it:
// $as_of - $visit_window_days days < date <= $as_of
// (the gap definitions, docs/gaps.md: building_not_visited).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param visit_window_days => 180         // default 180
//
// Returns one row per building, sorted by id: id, name, grid_id, grid_name, area_id,
// area_name (its grid's residential area; null in a business grid),
// detail {companies, visit_window_days}. Cost: O(V + E).

MATCH (b:Building {dataset: $dataset})
WHERE b.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
WITH b, COUNT { (b)<-[:PART_OF]-(:Company) } AS companies
WHERE companies > 0
  AND NOT EXISTS {
        MATCH (b)<-[:PART_OF*0..1]-(target)<-[v:VISITED]-()
        WHERE v.status = 'done'
          AND v.date > $as_of - duration({days: $visit_window_days}) AND v.date <= $as_of
      }
OPTIONAL MATCH (b)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
RETURN b.id AS id, b.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name,
       {companies: companies, visit_window_days: $visit_window_days} AS detail
ORDER BY id

// 民族联络组无党组织领导 Liaison group without party leadership
//                                                      (graphmodel query: liaison_group_without_leadership)
//
// 找出：在 $as_of 没有来自党建组织（sector = party）的有效 LEADS 关系，
//       且上级组织（parent_id）为空或上级组织不属于党建领域的民族联络组。
// Finds organisations of kind `liaison_group` with no LEADS link active on $as_of from an
// organisation of sector `party`, and whose parent_id is blank or names an organisation whose
// sector is not `party` (the gap definitions, docs/gaps.md: liaison_group_without_leadership).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Returns one row per group, sorted by id: id, name, grid_id, grid_name (the grid of the place
// it is located in: that grid, or the grid of that building or company; null for an area, a
// street or a blank located_in), area_id, area_name (the residential area of that place: the
// area itself, or the area of its grid), detail {}. Cost: O(V + E).

MATCH (o:Organization {dataset: $dataset})
WHERE o.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND o.kind = 'liaison_group'
  AND NOT EXISTS {
        MATCH (o)<-[r:LEADS]-(leader:Organization {dataset: $dataset})
        WHERE leader.sector = 'party'
          AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
      }
  AND NOT EXISTS {
        MATCH (o)-[:CHILD_OF]->(parent:Organization {dataset: $dataset})
        WHERE parent.sector = 'party'
      }
OPTIONAL MATCH (o)-[:LOCATED_IN]->(place)
OPTIONAL MATCH (place)-[:PART_OF*0..2]->(g:Grid)
OPTIONAL MATCH (place)-[:PART_OF*0..3]->(a:ResidentialArea)
RETURN o.id AS id, o.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name, {} AS detail
ORDER BY id

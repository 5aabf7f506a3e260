// 居民区有少数民族居民但无联络组 Residential area with minority residents but no liaison group
//                                                      (graphmodel query: area_without_liaison_group)
//
// 找出：有少数民族居民（非汉族人口之和 > 0）的居民区，区内没有民族联络组（kind = liaison_group），
//       也没有联络组对该居民区或其所属网格有有效的 COVERS 关系。
// Finds residential areas with minority residents > 0 (sum of `residents` over the area's
// Population nodes whose ethnic_group is not Han: 汉族, 汉, Han in any case), where no
// organisation of kind `liaison_group` is located in the area and none has a COVERS link
// active on $as_of to the area or to its grid (GAPS.md, area_without_liaison_group).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Returns one row per area, sorted by id: id, name, grid_id, grid_name,
// detail {minority_residents}. Cost: O(V + E) (each area reads its own population and links).

MATCH (a:ResidentialArea {dataset: $dataset})
WHERE a.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
WITH a, reduce(total = 0, residents IN [(a)-[:HAS_POPULATION]->(p:Population)
          WHERE NOT toLower(trim(p.ethnic_group)) IN ['汉族', '汉', 'han'] | p.residents]
        | total + residents) AS minority
WHERE minority > 0
  AND NOT EXISTS {
        MATCH (a)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.kind = 'liaison_group'
      }
  AND NOT EXISTS {
        MATCH (a)-[:PART_OF*0..1]->(place)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.kind = 'liaison_group'
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
OPTIONAL MATCH (a)-[:PART_OF]->(g:Grid)
RETURN a.id AS id, a.name AS name, g.id AS grid_id, g.name AS grid_name,
       {minority_residents: minority} AS detail
ORDER BY id

// 居民区有少数民族居民但无联络组 Residential area with minority residents but no liaison group
//                                                      (graphmodel query: area_without_liaison_group)
//
// 找出：有少数民族居民（非汉族人口之和 > 0）的居民区，区内（居民区本身、其微网格、楼宇及企业）
//       没有民族联络组（kind = liaison_group），也没有联络组覆盖该居民区（对居民区有有效的 COVERS 关系；
//       对街道的 COVERS 不算）。
// Finds residential areas with minority residents > 0 (sum of `residents` over the area's
// Population nodes whose ethnic_group is not Han: 汉族, 汉, Han in any case), where no
// organisation of kind `liaison_group` is located within the area (located_in is the area,
// one of its grids, their buildings or companies) and none covers the area (a COVERS link
// active on $as_of to the area; an area's only container is its street, and a COVERS link
// to a street covers nothing) (the gap definitions, docs/gaps.md: area_without_liaison_group).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Returns one row per area, sorted by id: id, name, grid_id (null: an area is in no grid),
// grid_name, area_id and area_name (the area itself), detail {minority_residents}.
// Cost: O(V + E) (each area reads its own population, links and subtree, <= 3 PART_OF hops).

MATCH (a:ResidentialArea {dataset: $dataset})
WHERE a.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
WITH a, reduce(total = 0, residents IN [(a)-[:HAS_POPULATION]->(p:Population)
          WHERE NOT toLower(trim(p.ethnic_group)) IN ['汉族', '汉', 'han'] | p.residents]
        | total + residents) AS minority
WHERE minority > 0
  AND NOT EXISTS {
        MATCH (a)<-[:PART_OF*0..3]-(place)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.kind = 'liaison_group'
      }
  AND NOT EXISTS {
        MATCH (a)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.kind = 'liaison_group'
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
RETURN a.id AS id, a.name AS name, null AS grid_id, null AS grid_name,
       a.id AS area_id, a.name AS area_name, {minority_residents: minority} AS detail
ORDER BY id

// 民族联络组孤立 Isolated liaison group                 (graphmodel query: liaison_group_isolated)
//
// 找出：与任何非民族领域（sector 不是 ethnic）的组织或企业（企业的领域是 business）之间，
//       在 $as_of 没有任何方向的有效 PARTNERS_WITH、SUPPORTS、MENTORS 或 MEMBER_OF 关系的民族联络组。
// Finds organisations of kind `liaison_group` with no PARTNERS_WITH, SUPPORTS, MENTORS or
// MEMBER_OF link active on $as_of, in either direction, with any organisation or company
// whose sector is not `ethnic` (a company's sector is `business`); links with people do not
// count (the gap definitions, docs/gaps.md: liaison_group_isolated).
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
        MATCH (o)-[r:PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF]-(other)
        WHERE (other:Company OR (other:Organization AND other.sector <> 'ethnic'))
          AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
      }
OPTIONAL MATCH (o)-[:LOCATED_IN]->(place)
OPTIONAL MATCH (place)-[:PART_OF*0..2]->(g:Grid)
OPTIONAL MATCH (place)-[:PART_OF*0..3]->(a:ResidentialArea)
RETURN o.id AS id, o.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name, {} AS detail
ORDER BY id

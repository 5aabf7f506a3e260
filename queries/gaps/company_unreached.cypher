// 企业未被触达 Company unreached                      (graphmodel query: company_unreached)
//
// 找出：以下三条都不成立的企业：
//       (a) 党建组织（sector = party）或党群服务站/服务中心的所在地点（located_in）正是该企业或其楼宇
//           （位于同楼其他企业的不算）；
//       (b) 这样的组织覆盖该企业（对企业、其楼宇、楼宇所属网格或网格所属居民区有有效的 COVERS 关系；
//           对街道的 COVERS 不算）；
//       (c) 近期（$as_of 之前 $visit_window_days 天内）有人实际走访（status = done）该企业或其楼宇。
// Finds companies for which none holds (the gap definitions, docs/gaps.md: company_unreached):
//   (a) an organisation of sector `party` or of kind `service_station`/`service_center` has
//       located_in equal to the company or to its building (one located in another company of
//       the same building does not count);
//   (b) such an organisation covers the company: a COVERS link active on $as_of to the
//       company, its building, the building's grid or that grid's residential area (a COVERS
//       link to a street covers nothing);
//   (c) a recent visit (status `done`; planned visits never count) to the company or its
//       building: $as_of - $visit_window_days days < date <= $as_of.
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param visit_window_days => 180         // default 180
//
// Returns one row per company, sorted by id: id, name, grid_id, grid_name, area_id,
// area_name (of its building's grid), detail {visit_window_days}.
// Cost: O(V + E) — what reaches an area, a grid and a building is computed once per area,
// once per grid and once per building, then each company checks only its own relationships.

MATCH (g:Grid {dataset: $dataset})
WHERE g.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
WITH a, collect(g) AS grids
WITH a, grids, EXISTS {
       MATCH (a)<-[c:COVERS]-(o:Organization {dataset: $dataset})
       WHERE (o.sector = 'party' OR o.kind IN ['service_station', 'service_center'])
         AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
     } AS area_covered
WHERE NOT area_covered
UNWIND grids AS g
WITH g, a
WHERE NOT EXISTS {
        MATCH (g)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE (o.sector = 'party' OR o.kind IN ['service_station', 'service_center'])
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
MATCH (b:Building {dataset: $dataset})-[:PART_OF]->(g)
WHERE NOT EXISTS {
        MATCH (b)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.sector = 'party' OR o.kind IN ['service_station', 'service_center']
      }
  AND NOT EXISTS {
        MATCH (b)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE (o.sector = 'party' OR o.kind IN ['service_station', 'service_center'])
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
  AND NOT EXISTS {
        MATCH (b)<-[v:VISITED]-()
        WHERE v.status = 'done'
          AND v.date > $as_of - duration({days: $visit_window_days}) AND v.date <= $as_of
      }
MATCH (company:Company {dataset: $dataset})-[:PART_OF]->(b)
WHERE NOT EXISTS {
        MATCH (company)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.sector = 'party' OR o.kind IN ['service_station', 'service_center']
      }
  AND NOT EXISTS {
        MATCH (company)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE (o.sector = 'party' OR o.kind IN ['service_station', 'service_center'])
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
  AND NOT EXISTS {
        MATCH (company)<-[v:VISITED]-()
        WHERE v.status = 'done'
          AND v.date > $as_of - duration({days: $visit_window_days}) AND v.date <= $as_of
      }
RETURN company.id AS id, company.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name, {visit_window_days: $visit_window_days} AS detail
ORDER BY id

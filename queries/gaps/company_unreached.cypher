// 企业未被触达 Company unreached                      (graphmodel query: company_unreached)
//
// 找出：以下三条都不成立的企业：(a) 党建组织（sector = party）或党群服务站/服务中心位于该企业或其楼宇；
//       (b) 这样的组织对该企业、其楼宇或楼宇所属网格有有效的 COVERS 关系；
//       (c) 近期（$as_of 之前 $visit_window_days 天内）有人走访该企业或其楼宇。
// Finds companies for which none holds (GAPS.md, company_unreached):
//   (a) an organisation of sector `party` or of kind `service_station`/`service_center` is
//       located in the company or in its building;
//   (b) such an organisation has a COVERS link active on $as_of to the company, its building
//       or its building's grid;
//   (c) a recent visit to the company or its building:
//       $as_of - $visit_window_days days < date <= $as_of.
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param visit_window_days => 180         // default 180
//
// Returns one row per company, sorted by id: id, name, grid_id, grid_name,
// detail {visit_window_days}.
// Cost: O(V + E) — what reaches a grid and a building is computed once per grid and once per
// building, then each company checks only its own relationships.

MATCH (g:Grid {dataset: $dataset})
WHERE g.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
WITH g, EXISTS {
          MATCH (g)<-[c:COVERS]-(o:Organization {dataset: $dataset})
          WHERE (o.sector = 'party' OR o.kind IN ['service_station', 'service_center'])
            AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
        } AS grid_covered
MATCH (b:Building {dataset: $dataset})-[:PART_OF]->(g)
WITH g, b, grid_covered
  OR EXISTS {
       MATCH (b)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
       WHERE o.sector = 'party' OR o.kind IN ['service_station', 'service_center']
     }
  OR EXISTS {
       MATCH (b)<-[c:COVERS]-(o:Organization {dataset: $dataset})
       WHERE (o.sector = 'party' OR o.kind IN ['service_station', 'service_center'])
         AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
     }
  OR EXISTS {
       MATCH (b)<-[v:VISITED]-()
       WHERE v.date > $as_of - duration({days: $visit_window_days}) AND v.date <= $as_of
     } AS building_reached
WHERE NOT building_reached
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
        WHERE v.date > $as_of - duration({days: $visit_window_days}) AND v.date <= $as_of
      }
RETURN company.id AS id, company.name AS name, g.id AS grid_id, g.name AS grid_name,
       {visit_window_days: $visit_window_days} AS detail
ORDER BY id

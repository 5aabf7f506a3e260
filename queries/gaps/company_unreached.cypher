// graphmodel query: company_unreached
// (titles, definition and output columns: graphmodel.get_query("company_unreached"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param visit_window_days => 180         // default 180
//
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

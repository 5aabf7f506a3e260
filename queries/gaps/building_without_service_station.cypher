// graphmodel query: building_without_service_station
// (titles, definition and output columns: graphmodel.get_query("building_without_service_station"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Cost: O(V + E) — whether an area and a grid are covered is computed once per area and
// once per grid, then each building checks only its own relationships and companies.

MATCH (g:Grid {dataset: $dataset})
WHERE g.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
WITH a, collect(g) AS grids
WITH a, grids, EXISTS {
       MATCH (a)<-[c:COVERS]-(o:Organization {dataset: $dataset})
       WHERE o.kind IN ['service_station', 'service_center']
         AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
     } AS area_covered
WHERE NOT area_covered
UNWIND grids AS g
WITH g, a
WHERE NOT EXISTS {
        MATCH (g)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.kind IN ['service_station', 'service_center']
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
MATCH (b:Building {dataset: $dataset})-[:PART_OF]->(g)
WITH g, a, b, COUNT { (b)<-[:PART_OF]-(:Company) } AS companies
WHERE companies > 0
  AND NOT EXISTS {
        MATCH (b)<-[:PART_OF*0..1]-(place)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.kind IN ['service_station', 'service_center']
      }
  AND NOT EXISTS {
        MATCH (b)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.kind IN ['service_station', 'service_center']
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
RETURN b.id AS id, b.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name, {companies: companies} AS detail
ORDER BY id

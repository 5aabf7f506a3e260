// graphmodel query: building_not_visited
// (titles, definition and output columns: graphmodel.get_query("building_not_visited"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param visit_window_days => 180         // default 180
//
// Cost: O(V + E).

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

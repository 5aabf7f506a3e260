// graphmodel query: stale_demand
// (titles, definition and output columns: graphmodel.get_query("stale_demand"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param demand_max_days => 30            // default 30
//
// Cost: O(V + E).

MATCH (d:Demand {dataset: $dataset})
WHERE d.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND d.raised_on <= $as_of
  AND (d.status <> 'resolved' OR d.resolved_on > $as_of)
WITH d, duration.inDays(d.raised_on, $as_of).days AS age
WHERE age > $demand_max_days
OPTIONAL MATCH (d)<-[:RAISED]-(:Company)-[:PART_OF]->(:Building)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
RETURN d.id AS id, d.category AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name,
       {company_id: d.company_id, raised_on: toString(d.raised_on), status: d.status,
        age_days: age} AS detail
ORDER BY id

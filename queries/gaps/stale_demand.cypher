// 企业诉求久未解决 Stale company demand                 (graphmodel query: stale_demand)
//
// 找出：在 $as_of 当天或之前提出、到 $as_of 仍未解决（状态不是 resolved，或解决日期晚于 $as_of），
//       且已超过 $demand_max_days 天的企业诉求。
// Finds demands with raised_on <= $as_of that are not resolved on $as_of (status is not
// `resolved`, or resolved_on > $as_of) and whose age $as_of - raised_on exceeds
// $demand_max_days days (the gap definitions, docs/gaps.md: stale_demand). `name` is the
// demand's category.
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param demand_max_days => 30            // default 30
//
// Returns one row per demand, sorted by id: id, name (category), grid_id, grid_name, area_id,
// area_name (the place of a demand is its company: its building's grid and that grid's
// residential area), detail {company_id, raised_on, status, age_days}. Cost: O(V + E).

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

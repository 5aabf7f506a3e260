// graphmodel query: risk_without_followup
// (titles, definition and output columns: graphmodel.get_query("risk_without_followup"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param followup_days_orange => 14       // default 14
//   :param followup_days_red => 3           // default 3
//
// Cost: O(V + E) — one pass over assessments; only high-risk, overdue companies look at
// their own and their building's visits.

MATCH (c:Company {dataset: $dataset})-[:ASSESSED]->(r:RiskAssessment)
WHERE c.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND r.assessed_on <= $as_of
WITH c, max(r.assessed_on) AS last
MATCH (c)-[:ASSESSED]->(r:RiskAssessment {assessed_on: last})
WHERE r.level >= 4
WITH c, r, r.assessed_on + duration({days: CASE r.level WHEN 4 THEN $followup_days_orange
                                                        ELSE $followup_days_red END}) AS deadline
WHERE $as_of > deadline
  AND NOT EXISTS {
        MATCH (c)-[:PART_OF*0..1]->(target)<-[v:VISITED]-()
        WHERE v.status = 'done' AND v.date >= r.assessed_on AND v.date <= deadline
      }
  AND NOT EXISTS {
        MATCH (c)-[:RAISED]->(d:Demand)
        WHERE d.resolved_on >= r.assessed_on AND d.resolved_on <= deadline
      }
OPTIONAL MATCH (c)-[:PART_OF]->(:Building)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
RETURN c.id AS id, c.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name,
       {level: r.level, assessed_on: toString(r.assessed_on),
        deadline: toString(deadline)} AS detail
ORDER BY id

// graphmodel query: risk_without_followup
// (titles, definition and output columns: graphmodel.get_query("risk_without_followup"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param followup_days_orange => 14       // default 14
//   :param followup_days_red => 3           // default 3
//
// Cost: O(V + E) or less: a seek of the orange and red assessments made by $as_of (index
// on level), each overdue one checked to be its company's latest, then its company's
// demands and its own and its building's visits.

MATCH (r:RiskAssessment {dataset: $dataset})
WHERE r.level >= 4 AND r.assessed_on <= $as_of  // seek the (dataset, level) index
WITH r, r.assessed_on + duration({days: CASE r.level WHEN 4 THEN $followup_days_orange
                                                     ELSE $followup_days_red END}) AS deadline
WHERE $as_of > deadline
MATCH (c:Company)-[:ASSESSED]->(r)
WHERE NOT EXISTS {  // the company's latest assessment by $as_of
        MATCH (c)-[:ASSESSED]->(x:RiskAssessment)
        WHERE x.assessed_on > r.assessed_on AND x.assessed_on <= $as_of
      }
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

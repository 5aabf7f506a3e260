// graphmodel query: risk_view
// (titles, definition and output columns: graphmodel.get_query("risk_view"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param followup_days_orange => 14       // default 14
//   :param followup_days_red => 3           // default 3
//
// Cost: O(V + E).

MATCH (c:Company {dataset: $dataset})-[:ASSESSED]->(x:RiskAssessment)
WHERE c.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND x.assessed_on <= $as_of
WITH c, max(x.assessed_on) AS last
MATCH (c)-[:ASSESSED]->(r:RiskAssessment {assessed_on: last})
OPTIONAL MATCH (c)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(g:Grid)
WITH c, r, b, g,
     CASE r.level WHEN 4 THEN r.assessed_on + duration({days: $followup_days_orange})
                  WHEN 5 THEN r.assessed_on + duration({days: $followup_days_red}) END AS deadline
// follow-up counts only when dated on or before as_of (later records do not exist yet)
WITH c, r, b, g, deadline,
     CASE WHEN deadline IS NULL THEN NULL WHEN deadline < $as_of THEN deadline
          ELSE $as_of END AS span_end
WITH c, r, b, g, deadline,
     span_end IS NOT NULL
     AND (EXISTS {
            MATCH (c)-[:PART_OF*0..1]->(target)<-[v:VISITED]-()
            WHERE v.status = 'done' AND v.date >= r.assessed_on AND v.date <= span_end
          }
          OR EXISTS {
            MATCH (c)-[:RAISED]->(d:Demand)
            WHERE d.resolved_on >= r.assessed_on AND d.resolved_on <= span_end
          }) AS done
RETURN c.id AS company_id, c.name AS company_name, b.id AS building_id,
       b.name AS building_name, g.id AS grid_id, g.name AS grid_name, r.level AS level,
       ['稳定', '较稳定', '一般', '较不稳定', '不稳定'][r.level - 1] AS label_zh,
       ['stable', 'fairly stable', 'moderate', 'fairly unstable', 'unstable'][r.level - 1]
         AS label_en,
       ['绿', '蓝', '黄', '橙', '红'][r.level - 1] AS colour_zh,
       ['green', 'blue', 'yellow', 'orange', 'red'][r.level - 1] AS colour_en,
       r.assessed_on AS assessed_on, deadline,
       CASE WHEN r.level < 4 THEN 'n/a'
            WHEN done THEN 'done'
            WHEN $as_of <= deadline THEN 'pending'
            ELSE 'overdue' END AS followup,
       r.reason AS reason, 'assessed' AS kind
ORDER BY level DESC, company_id

// graphmodel query: risk_suggested
// (titles, definition and output columns: graphmodel.get_query("risk_suggested"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Cost: O(V + E).

MATCH (c:Company {dataset: $dataset})
WHERE c.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND NOT EXISTS {
        MATCH (c)-[:ASSESSED]->(x:RiskAssessment)
        WHERE x.assessed_on <= $as_of
      }
OPTIONAL MATCH (c)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(g:Grid)
WITH c, b, g,
     CASE WHEN c.lease_expires IS NULL THEN NULL
          ELSE duration.inDays($as_of, c.lease_expires).days END AS lease_days,
     [(c)-[:RAISED]->(d:Demand)
       WHERE d.raised_on <= $as_of AND (d.status <> 'resolved' OR d.resolved_on > $as_of)
       | d.raised_on] AS open_raised
WITH c, b, g, lease_days, size(open_raised) AS unresolved,
     CASE WHEN size(open_raised) = 0 THEN NULL
          ELSE duration.inDays(reduce(oldest = open_raised[0], day IN open_raised |
                 CASE WHEN day < oldest THEN day ELSE oldest END), $as_of).days END AS oldest_days
WITH c, b, g, [
       CASE WHEN lease_days < 0
              THEN [3, '租约已到期' + toString(-lease_days) + '天 / lease expired '
                       + toString(-lease_days) + CASE WHEN -lease_days = 1 THEN ' day' ELSE ' days' END
                       + ' ago']
            WHEN lease_days <= 90
              THEN [2, '租约' + toString(lease_days) + '天后到期 / lease expires in '
                       + toString(lease_days) + CASE WHEN lease_days = 1 THEN ' day' ELSE ' days' END]
       END,
       CASE WHEN c.relocation_intent = true THEN [3, '有迁出意向 / intends to relocate'] END,
       CASE WHEN unresolved > 0
              THEN [CASE WHEN unresolved > 2 THEN 2 ELSE unresolved END,
                    toString(unresolved) + '项诉求未解决 / ' + toString(unresolved)
                    + ' unresolved demand' + CASE WHEN unresolved > 1 THEN 's' ELSE '' END]
       END,
       CASE WHEN oldest_days > 30
              THEN [1, '最早诉求已' + toString(oldest_days) + '天 / oldest demand '
                       + toString(oldest_days) + CASE WHEN oldest_days = 1 THEN ' day' ELSE ' days' END
                       + ' old']
       END,
       CASE WHEN c.employees < 10
              THEN [1, '小微企业（' + toString(c.employees) + '人） / small company ('
                       + toString(c.employees) + ' staff)']
       END
     ] AS indicators
WITH c, b, g, [i IN indicators WHERE i IS NOT NULL] AS indicators
WITH c, b, g, reduce(total = 0, i IN indicators | total + i[0]) AS score,
     [i IN indicators | i[1]] AS reasons
WITH c, b, g, score, reasons,
     CASE WHEN score >= 6 THEN 5 WHEN score >= 4 THEN 4 WHEN score >= 2 THEN 3
          WHEN score >= 1 THEN 2 ELSE 1 END AS level
RETURN c.id AS company_id, c.name AS company_name, b.id AS building_id, g.id AS grid_id,
       level AS suggested_level,
       ['稳定', '较稳定', '一般', '较不稳定', '不稳定'][level - 1] AS label_zh,
       ['green', 'blue', 'yellow', 'orange', 'red'][level - 1] AS colour_en,
       score, reasons, 'suggested' AS kind
ORDER BY suggested_level DESC, score DESC, company_id

// graphmodel query: path
// (titles, definition and output columns: graphmodel.get_query("path"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param a => '京东健康'                   // id or exact name (required)
//   :param b => '上海戏剧学院'               // id or exact name (required)
//   :param k => 1                           // how many paths; 1 = answered here
//   :param colocation => true               // false: no PART_OF / LOCATED_IN hops
//
// $k = 1: every shortest path between $a and $b (allShortestPaths, unbounded length like
// the embedded search), then the one with the smallest ids: the path breadth-first search
// finds, rows with path = 1. $a and $b are ids or exact names (an ambiguous name takes the
// smallest id here; graphmodel refuses it and lists the candidates).
// $k > 1: the rows are the relationships of the active path network, with path = 0 and
// step = 0, and graphmodel picks the k shortest simple paths from them in Python (Yen's
// algorithm, ties by the smallest ids). Cypher's SHORTEST k counts walks (parallel
// relationships, revisited nodes) and orders ties arbitrarily. Cost: O(E) rows.

MATCH (a:Entity {dataset: $dataset})
WHERE $k = 1 AND a.id IS NOT NULL AND (a.id = $a OR a.name = $a)
  AND NOT (a:Demand OR a:RiskAssessment OR a:Population)
WITH a ORDER BY a.id = $a DESC, a.id LIMIT 1
MATCH (b:Entity {dataset: $dataset})
WHERE b.id IS NOT NULL AND (b.id = $b OR b.name = $b)
  AND NOT (b:Demand OR b:RiskAssessment OR b:Population)
WITH a, b ORDER BY b.id = $b DESC, b.id LIMIT 1
WITH a, b WHERE a <> b
MATCH p = allShortestPaths((a)-[:COVERS|LEADS|PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF|ASSIGNED_TO|SERVES|PART_OF|LOCATED_IN|CHILD_OF|WORKS_FOR*]-(b))
// a predicate on each relationship alone: Neo4j checks it during the search
WHERE all(r IN relationships(p)
          WHERE ($colocation IS NULL OR $colocation OR NOT type(r) IN ['PART_OF', 'LOCATED_IN'])
            AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of))
  AND none(n IN nodes(p) WHERE n:Demand OR n:RiskAssessment OR n:Population)
WITH nodes(p) AS ns, relationships(p) AS rs
// the path breadth-first search in id order finds: the smallest sequence of ids, then per
// step a relationship running in path order before one running against it, then by type
WITH ns, rs ORDER BY [n IN ns | n.id],
     [i IN range(0, size(rs) - 1) |
      [CASE WHEN startNode(rs[i]) = ns[i] THEN 0 ELSE 1 END, type(rs[i])]]
LIMIT 1
UNWIND range(0, size(rs) - 1) AS i
WITH i, ns[i] AS x, rs[i] AS r, ns[i + 1] AS y
RETURN 1 AS path, i + 1 AS step, x.id AS from_id, coalesce(x.name, x.id) AS from_name,
       type(r) AS type, CASE WHEN startNode(r) = x THEN '->' ELSE '<-' END AS direction,
       y.id AS to_id, coalesce(y.name, y.id) AS to_name
ORDER BY step
UNION ALL
MATCH (x:Entity {dataset: $dataset})
      -[r:COVERS|LEADS|PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF|ASSIGNED_TO|SERVES|PART_OF|LOCATED_IN|CHILD_OF|WORKS_FOR]->
      (y:Entity {dataset: $dataset})
WHERE $k > 1 AND x.id IS NOT NULL AND x <> y
  AND ($colocation IS NULL OR $colocation OR NOT type(r) IN ['PART_OF', 'LOCATED_IN'])
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
  AND NOT (x:Demand OR x:RiskAssessment OR x:Population)
  AND NOT (y:Demand OR y:RiskAssessment OR y:Population)
RETURN 0 AS path, 0 AS step, x.id AS from_id, coalesce(x.name, x.id) AS from_name,
       type(r) AS type, '->' AS direction, y.id AS to_id, coalesce(y.name, y.id) AS to_name

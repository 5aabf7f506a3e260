// 最短联系路径 Shortest connection                      (graphmodel query: path)
//
// 找出：两个主体/地点之间最短的无向联系路径，经过在 $as_of 有效的合同关系和结构关系
//       PART_OF、LOCATED_IN、CHILD_OF、WORKS_FOR（不经过走访、诉求、风险评估和人口记录）。
// Finds the shortest undirected connection between $a and $b over contract links active on
// $as_of and the structural PART_OF, LOCATED_IN, CHILD_OF and WORKS_FOR relationships (no
// visits; no demand, assessment or population node on the way). $a and $b are ids or exact
// names; an id wins over a name, and an ambiguous name takes the smallest id here (the CLI and
// graphmodel.neo4j_backend.run_links_query refuse ambiguous names and list the candidates).
// Among equally short paths Neo4j returns any one.
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param a => '京东健康'                   // id or exact name (required)
//   :param b => '上海戏剧学院'               // id or exact name (required)
//
// Returns one row per step: step, from_id, from_name, type, direction ('->' when the
// relationship runs from from_id to to_id, '<-' otherwise), to_id, to_name. No rows when
// there is no connection or $a and $b are the same. Cost: one bidirectional breadth-first
// search (shortestPath), O(V + E) at worst. The length is deliberately unbounded, like the
// embedded search (Neo4j notes that the pattern is unbounded; that is intended).

MATCH (a:Entity {dataset: $dataset})
WHERE a.id IS NOT NULL AND (a.id = $a OR a.name = $a)
  AND NOT (a:Demand OR a:RiskAssessment OR a:Population)
WITH a ORDER BY a.id = $a DESC, a.id LIMIT 1
MATCH (b:Entity {dataset: $dataset})
WHERE b.id IS NOT NULL AND (b.id = $b OR b.name = $b)
  AND NOT (b:Demand OR b:RiskAssessment OR b:Population)
WITH a, b ORDER BY b.id = $b DESC, b.id LIMIT 1
WITH a, b WHERE a <> b
MATCH p = shortestPath((a)-[:COVERS|LEADS|PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF|ASSIGNED_TO|SERVES|PART_OF|LOCATED_IN|CHILD_OF|WORKS_FOR*]-(b))
WHERE all(r IN relationships(p)
          WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of))
  AND none(n IN nodes(p) WHERE n:Demand OR n:RiskAssessment OR n:Population)
WITH nodes(p) AS ns, relationships(p) AS rs
UNWIND range(0, size(rs) - 1) AS i
WITH i, ns[i] AS x, rs[i] AS r, ns[i + 1] AS y
RETURN i + 1 AS step, x.id AS from_id, coalesce(x.name, x.id) AS from_name, type(r) AS type,
       CASE WHEN startNode(r) = x THEN '->' ELSE '<-' END AS direction,
       y.id AS to_id, coalesce(y.name, y.id) AS to_name
ORDER BY step

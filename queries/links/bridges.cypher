// 跨领域桥梁（网络投影）Bridges — the actor network projection   (graphmodel query: bridges)
//
// 返回：在 $as_of 的“主体网络”——所有组织、企业、人员及其邻居（有效合同关系的任一方向，以及 WORKS_FOR、
//       CHILD_OF；地点与记录不在其中）。Neo4j 社区版没有介数中心性算法，
//       `graphmodel neo4j query bridges` 在 Python 中用同一个 rank_bridges 函数计算排名（取前 $top 名）。
// Returns the undirected actor network on $as_of: every organisation, company and person,
// its sector (an organisation's `sector`, `business` for a company, a person's organisation's
// sector) and the ids of its neighbours — actors joined to it by a contract link active on
// $as_of in either direction, or by WORKS_FOR / CHILD_OF (places, demands, assessments and
// population groups are not part of it; self-links dropped, parallel links collapsed).
// Neo4j Community has no betweenness centrality, so the ranking is computed in Python from
// this projection with the same function as the embedded backend
// (graphmodel.linkages.rank_bridges, via graphmodel.neo4j_backend.run_links_query): the
// top $top actors by normalised betweenness, ties by id.
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param top => 20                        // used by the Python ranking only (0 = all)
//
// Returns one row per actor, sorted by id: id, name, label, sector, neighbours (list of ids).
// Cost: O(V + E) over actors and their links.

MATCH (n:Entity {dataset: $dataset})
WHERE n.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND (n:Organization OR n:Company OR n:Person)
OPTIONAL MATCH (n)-[r:COVERS|LEADS|PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF|ASSIGNED_TO|SERVES|WORKS_FOR|CHILD_OF]-(m:Entity {dataset: $dataset})
WHERE (m:Organization OR m:Company OR m:Person) AND m <> n
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
WITH n, collect(DISTINCT m.id) AS neighbours
RETURN n.id AS id, n.name AS name,
       CASE WHEN n:Organization THEN 'Organization' WHEN n:Company THEN 'Company'
            ELSE 'Person' END AS label,
       CASE WHEN n:Organization THEN n.sector
            WHEN n:Company THEN 'business'
            ELSE head([(n)-[:WORKS_FOR]->(o:Organization) | o.sector]) END AS sector,
       neighbours
ORDER BY id

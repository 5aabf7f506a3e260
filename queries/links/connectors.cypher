// 跨领域连接者 Connectors                               (graphmodel query: connectors)
//
// 找出：直接连接到至少 $k 个“其他领域”（不同于自身领域）主体的组织、企业和人员
//       （在 $as_of 有效的任一方向合同关系，以及 WORKS_FOR、CHILD_OF）。
// Finds organisations, companies and people directly linked to actors of at least $k sectors
// other than their own — neighbours in the actor network of `bridges` (contract links active
// on $as_of in either direction, WORKS_FOR, CHILD_OF; places and records excluded). An
// actor's sector: an organisation's `sector`, `business` for a company, a person's
// organisation's sector (a person without organisation has none, so all neighbour sectors
// count as other).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param k => 3                           // minimum number of other sectors, default 3
//
// Returns id, name, label, sector, other_sectors (sorted list), count — sorted by count
// descending, then id. Cost: O(V + E) over actors and their links.

MATCH (n:Entity {dataset: $dataset})
WHERE n.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND (n:Organization OR n:Company OR n:Person)
WITH n, CASE WHEN n:Organization THEN n.sector
             WHEN n:Company THEN 'business'
             ELSE head([(n)-[:WORKS_FOR]->(o:Organization) | o.sector]) END AS sector
OPTIONAL MATCH (n)-[r:COVERS|LEADS|PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF|ASSIGNED_TO|SERVES|WORKS_FOR|CHILD_OF]-(m:Entity {dataset: $dataset})
WHERE (m:Organization OR m:Company OR m:Person) AND m <> n
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
WITH n, sector, collect(DISTINCT m) AS neighbours
WITH n, sector,
     [m IN neighbours | CASE WHEN m:Organization THEN m.sector
                             WHEN m:Company THEN 'business'
                             ELSE head([(m)-[:WORKS_FOR]->(o:Organization) | o.sector]) END]
       AS neighbour_sectors
// sorted, distinct, without the actor's own sector (the sector list is the contract's enum)
WITH n, sector,
     [s IN ['business', 'charity', 'community', 'culture', 'education', 'ethnic', 'government',
            'party', 'religious']
      WHERE s IN neighbour_sectors AND (sector IS NULL OR s <> sector)] AS other_sectors
WHERE size(other_sectors) >= $k
RETURN n.id AS id, n.name AS name,
       CASE WHEN n:Organization THEN 'Organization' WHEN n:Company THEN 'Company'
            ELSE 'Person' END AS label,
       sector, other_sectors, size(other_sectors) AS count
ORDER BY count DESC, id

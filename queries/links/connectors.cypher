// graphmodel query: connectors
// (titles, definition and output columns: graphmodel.get_query("connectors"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param k => 3                           // minimum number of other sectors, default 3
//
// Cost: O(V + E) over actors and their links.

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

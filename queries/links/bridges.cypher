// graphmodel query: bridges
// (titles, definition and output columns: graphmodel.get_query("bridges"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param top => 20                        // used by the Python ranking only (0 = all)
//
// Cost: O(V + E) over actors and their links. The ranking (normalised betweenness, top
// $top, ties by id) is computed in Python from these rows with the embedded function,
// as Neo4j Community has no betweenness centrality.

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

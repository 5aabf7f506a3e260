// graphmodel query: sectors_bridged
// (titles, definition and output columns: graphmodel.get_query("sectors_bridged"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param sectors => 'business,community,ethnic,religious'  // '' = every sector (or a list)
//   :param min_sectors => 1                 // used by the Python ranking only
//
// Cost: O(V + E) over actors and their links. One row per actor: its sector, its
// neighbours in the actor network and its ties to actors of other sectors (of $sectors
// when set): [sector, type, direction, other id, other name], direction '->' for the
// actor's own link, '<-' for a link to it, '' for a partnership (read both ways). The
// ranking (sectors bridged, then normalised betweenness, then links, then id; at least
// $min_sectors) is computed in Python from these rows with the embedded function, as Neo4j
// Community has no betweenness centrality.

MATCH (n:Entity {dataset: $dataset})
WHERE n.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND (n:Organization OR n:Company OR n:Person)
WITH n,
     CASE WHEN n:Organization THEN n.sector
          WHEN n:Company THEN 'business'
          ELSE head([(n)-[:WORKS_FOR]->(o:Organization) | o.sector]) END AS sector,
     // $sectors as 'a,b' or ['a', 'b']
     [s IN reduce(acc = [], x IN [] + coalesce($sectors, '') | acc + split(x, ','))
      WHERE trim(s) <> '' | trim(s)] AS wanted
OPTIONAL MATCH (n)-[r:COVERS|LEADS|PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF|ASSIGNED_TO|SERVES|WORKS_FOR|CHILD_OF]-(m:Entity {dataset: $dataset})
WHERE (m:Organization OR m:Company OR m:Person) AND m <> n
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
WITH n, sector, wanted, r, m,
     CASE WHEN m IS NULL THEN null
          WHEN m:Organization THEN m.sector
          WHEN m:Company THEN 'business'
          ELSE head([(m)-[:WORKS_FOR]->(o:Organization) | o.sector]) END AS other
WITH n, sector, collect(DISTINCT m.id) AS neighbours,
     collect(DISTINCT
       CASE WHEN other IS NOT NULL AND (sector IS NULL OR other <> sector)
                 AND (size(wanted) = 0 OR other IN wanted)
            THEN [other, type(r),
                  CASE WHEN type(r) = 'PARTNERS_WITH' THEN ''
                       WHEN startNode(r) = n THEN '->' ELSE '<-' END,
                  m.id, coalesce(m.name, m.id)] END) AS ties
RETURN n.id AS id, n.name AS name,
       CASE WHEN n:Organization THEN 'Organization' WHEN n:Company THEN 'Company'
            ELSE 'Person' END AS label,
       sector, neighbours, ties
ORDER BY id

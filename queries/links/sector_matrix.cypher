// graphmodel query: sector_matrix
// (titles, definition and output columns: graphmodel.get_query("sector_matrix"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Cost: O(E) over the dataset's links.

MATCH (a:Entity {dataset: $dataset})
      -[r:COVERS|LEADS|PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF|ASSIGNED_TO|SERVES]->
      (b:Entity {dataset: $dataset})
WHERE a.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND a <> b
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
// one relationship per (source, type, target); a partnership is the same whichever way it was recorded
WITH DISTINCT type(r) AS kind,
     CASE WHEN type(r) = 'PARTNERS_WITH' AND b.id < a.id THEN [b, a] ELSE [a, b] END AS ends
WITH kind, ends[0] AS u, ends[1] AS v
WITH kind,
     CASE WHEN u:Organization THEN u.sector
          WHEN u:Company THEN 'business'
          WHEN u:Person THEN head([(u)-[:WORKS_FOR]->(o:Organization) | o.sector]) END AS su,
     CASE WHEN v:Organization THEN v.sector
          WHEN v:Company THEN 'business'
          WHEN v:Person THEN head([(v)-[:WORKS_FOR]->(o:Organization) | o.sector]) END AS sv
WHERE su IS NOT NULL AND sv IS NOT NULL
UNWIND CASE WHEN kind = 'PARTNERS_WITH' AND su <> sv THEN [[su, sv], [sv, su]]
            ELSE [[su, sv]] END AS cell
WITH cell[0] AS source_sector, cell[1] AS target_sector, count(*) AS links
WITH source_sector, target_sector, links,
     {party: 0, government: 1, business: 2, community: 3, ethnic: 4, religious: 5, education: 6,
      culture: 7, charity: 8} AS sector_order
RETURN source_sector, target_sector, links
ORDER BY sector_order[source_sector], sector_order[target_sector]

// graphmodel query: key_building_without_worker
// (titles, definition and output columns: graphmodel.get_query("key_building_without_worker"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param key_building_min_companies => 20 // default 20
//
// Cost: O(V + E).

MATCH (b:Building {dataset: $dataset})
WHERE b.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
WITH b, COUNT { (b)<-[:PART_OF]-(:Company) } AS companies
WHERE (b.key_building = true OR companies >= $key_building_min_companies)
  AND NOT EXISTS {
        MATCH (b)<-[r:ASSIGNED_TO]-(:Person)
        WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
      }
OPTIONAL MATCH (b)-[:PART_OF]->(g:Grid)
OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)
RETURN b.id AS id, b.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name,
       {companies: companies, key_building: coalesce(b.key_building, false)} AS detail
ORDER BY id

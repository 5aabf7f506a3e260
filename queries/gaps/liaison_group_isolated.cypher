// graphmodel query: liaison_group_isolated
// (titles, definition and output columns: graphmodel.get_query("liaison_group_isolated"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Cost: O(V + E).

MATCH (o:Organization {dataset: $dataset})
WHERE o.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND o.kind = 'liaison_group'
  AND NOT EXISTS {
        MATCH (o)-[r:PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF]-(other)
        WHERE (other:Company OR (other:Organization AND other.sector <> 'ethnic'))
          AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
      }
OPTIONAL MATCH (o)-[:LOCATED_IN]->(place)
OPTIONAL MATCH (place)-[:PART_OF*0..2]->(g:Grid)
OPTIONAL MATCH (place)-[:PART_OF*0..3]->(a:ResidentialArea)
RETURN o.id AS id, o.name AS name, g.id AS grid_id, g.name AS grid_name,
       a.id AS area_id, a.name AS area_name, {} AS detail
ORDER BY id

// graphmodel query: area_without_liaison_group
// (titles, definition and output columns: graphmodel.get_query("area_without_liaison_group"))
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Cost: O(V + E) (each area reads its own population, links and subtree, <= 3 PART_OF
// hops).

MATCH (a:ResidentialArea {dataset: $dataset})
WHERE a.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
WITH a, reduce(total = 0, residents IN [(a)-[:HAS_POPULATION]->(p:Population)
          WHERE NOT toLower(trim(p.ethnic_group)) IN ['汉族', '汉', 'han'] | p.residents]
        | total + residents) AS minority
WHERE minority > 0
  AND NOT EXISTS {
        MATCH (a)<-[:PART_OF*0..3]-(place)<-[:LOCATED_IN]-(o:Organization {dataset: $dataset})
        WHERE o.kind = 'liaison_group'
      }
  AND NOT EXISTS {
        MATCH (a)<-[c:COVERS]-(o:Organization {dataset: $dataset})
        WHERE o.kind = 'liaison_group'
          AND (c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR c.until >= $as_of)
      }
RETURN a.id AS id, a.name AS name, null AS grid_id, null AS grid_name,
       a.id AS area_id, a.name AS area_name, {minority_residents: minority} AS detail
ORDER BY id

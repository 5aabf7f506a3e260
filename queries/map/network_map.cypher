// 治理网络地图 Network map (for Neo4j Browser)
//
// 画出：街道、居民区及其平面网格（微网格）、立体网格（商圈商务区网格）及其楼宇、楼宇和组织，
//       以及它们之间的结构关系（PART_OF 隶属：居民区→街道，平面网格→居民区，立体网格→街道，
//       楼宇→网格；LOCATED_IN 位于；CHILD_OF 下属）和在 $as_of 有效的合同关系（COVERS、LEADS、
//       PARTNERS_WITH、SUPPORTS、MENTORS、MEMBER_OF、SERVES）。不含企业、人员和走访、诉求、评估、
//       人口等记录，大小适合 Browser 绘制（静安寺街道约 200 个节点）。
// Draws the street, its residential areas with their micro-grids (平面网格), its
// business-district grids (立体网格) with their office towers, the other buildings, and the
// organisations, with the structural relationships among them (PART_OF: area -> street,
// residential grid -> area, business grid -> street, building -> grid; LOCATED_IN; CHILD_OF)
// and the contract links active on $as_of (COVERS, LEADS, PARTNERS_WITH, SUPPORTS, MENTORS,
// MEMBER_OF, SERVES). Companies, people and the leaf records (visits, demands, assessments,
// population groups) are left out so Browser can draw it (about 200 nodes for 静安寺街道).
// Tip: Browser's "Connect result nodes" setting adds every relationship between the nodes
// drawn, inactive links included; switch it off to see only what this query returns.
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//
// Returns n, r, m: every place and organisation n, with each relationship r to another place
// or organisation m (r and m are null for a node without one).

MATCH (n:Entity {dataset: $dataset})
WHERE n.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND (n:Street OR n:Grid OR n:ResidentialArea OR n:Building OR n:Organization)
OPTIONAL MATCH (n)-[r:PART_OF|LOCATED_IN|CHILD_OF|COVERS|LEADS|PARTNERS_WITH|SUPPORTS|MENTORS|MEMBER_OF|SERVES]->(m:Entity {dataset: $dataset})
WHERE (m:Street OR m:Grid OR m:ResidentialArea OR m:Building OR m:Organization)
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
RETURN n, r, m

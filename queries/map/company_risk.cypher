// 企业五色风险地图 Companies by risk colour (for Neo4j Browser)
//
// 画出：企业及其所在楼宇，以及每家企业截至 $as_of 的最近一次风险评估节点（RiskAssessment，标题为等级中文名）。
//       企业节点带有加载时写入的“最近一次评估”（不论日期）：属性 risk_level（1-5）、risk_colour、
//       risk_label_zh、risk_assessed_on，以及颜色标签 RiskGreen / RiskBlue / RiskYellow / RiskOrange /
//       RiskRed（Browser 样式只能按标签着色）。从未评估的企业没有这些属性和标签。
// Draws companies with their building and, for each company, its latest risk assessment dated
// on or before $as_of (a RiskAssessment node, captioned by its Chinese level label).
// Company nodes also carry, written by the loader from the latest assessment in the dataset
// (whatever its date): the properties risk_level (1-5), risk_colour, risk_label_zh and
// risk_assessed_on, and one colour label RiskGreen, RiskBlue, RiskYellow, RiskOrange or
// RiskRed (Browser's style sheet selects on labels only, so colour by those labels). Never
// assessed companies have neither. When $as_of is before a company's latest assessment, the
// node drawn for the assessment (as of $as_of) can differ from the colour label (latest).
//
// Parameters — set them in Neo4j Browser first:
//   :param dataset => 'jingansi'
//   :param as_of => date('2026-11-29')
//   :param grid_id => null                  // a grid id to draw only its companies; null = all
//
// Returns c, p, b, a, r: company, its PART_OF to its building, the building, and the ASSESSED
// relationship and RiskAssessment node of its latest assessment on $as_of (null if none).
// All of 静安寺街道 is more than a thousand companies: raise Browser's "Initial node display"
// setting, or set $grid_id (a business-district grid draws its towers' companies).

MATCH (c:Company {dataset: $dataset})-[p:PART_OF]->(b:Building {dataset: $dataset})
WHERE c.id IS NOT NULL  // id IS NOT NULL: seek the (dataset, id) index
  AND ($grid_id IS NULL OR EXISTS { (b)-[:PART_OF]->(:Grid {dataset: $dataset, id: $grid_id}) })
OPTIONAL MATCH (c)-[:ASSESSED]->(x:RiskAssessment)
WHERE x.assessed_on <= $as_of
WITH c, p, b, max(x.assessed_on) AS last
OPTIONAL MATCH (c)-[a:ASSESSED]->(r:RiskAssessment {assessed_on: last})
RETURN c, p, b, a, r

-- graphmodel query: risk_view (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("risk_view"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $followup_days_orange (INTEGER), $followup_days_red (INTEGER)
-- Tables: the dataset's typed contract tables and the shared views
-- (graphmodel._duckdb.connect). Returns one
-- row per company assessed on or before $as_of: its latest assessment (the last row of
-- the file among assessments of the same day), places and names, the follow-up deadline
-- (levels 4 and 5) and state; the label and colour columns are added in Python from the
-- level (graphmodel.schema.RISK_LEVELS).
--
-- Cost: O(V + E): one pass over assessments; the high levels join their own and their
-- building's done visits and their demands.

WITH latest AS (
    SELECT company_id, level, assessed_on, reason,
           CASE level WHEN 4 THEN assessed_on + $followup_days_orange::INTEGER
                      WHEN 5 THEN assessed_on + $followup_days_red::INTEGER END AS deadline
    FROM risk_assessments
    WHERE assessed_on <= $as_of
    QUALIFY row_number() OVER (PARTITION BY company_id
                               ORDER BY assessed_on DESC, rowid DESC) = 1
), placed AS (
    SELECT l.*, c.building_id, b.grid_id,
           -- later records do not exist yet on as_of
           least(l.deadline, $as_of::DATE) AS until
    FROM latest AS l
    LEFT JOIN companies AS c ON c.id = l.company_id
    LEFT JOIN buildings AS b ON b.id = c.building_id
), followed AS (
    -- a done visit to the company or its building, or a demand of the company resolved,
    -- from the assessment to the deadline (one equality per join)
    SELECT p.company_id FROM placed AS p JOIN visits AS v ON v.target_id = p.company_id
    WHERE p.level >= 4 AND v.status = 'done' AND v.date BETWEEN p.assessed_on AND p.until
    UNION
    SELECT p.company_id FROM placed AS p JOIN visits AS v ON v.target_id = p.building_id
    WHERE p.level >= 4 AND v.status = 'done' AND v.date BETWEEN p.assessed_on AND p.until
    UNION
    SELECT p.company_id FROM placed AS p JOIN demands AS d ON d.company_id = p.company_id
    WHERE p.level >= 4 AND d.resolved_on BETWEEN p.assessed_on AND p.until
)
SELECT p.company_id, nc.name AS company_name, p.building_id, nb.name AS building_name,
       p.grid_id, ng.name AS grid_name, p.level, p.assessed_on, p.deadline,
       CASE WHEN p.level < 4 THEN 'n/a'
            WHEN p.company_id IN (SELECT company_id FROM followed) THEN 'done'
            WHEN $as_of::DATE <= p.deadline THEN 'pending'
            ELSE 'overdue' END AS followup,
       p.reason
FROM placed AS p
LEFT JOIN entity_names AS nc ON nc.id = p.company_id
LEFT JOIN entity_names AS nb ON nb.id = p.building_id
LEFT JOIN entity_names AS ng ON ng.id = p.grid_id
ORDER BY p.level DESC, p.company_id

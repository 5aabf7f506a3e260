-- graphmodel query: risk_without_followup (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("risk_without_followup"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $followup_days_orange (INTEGER), $followup_days_red (INTEGER)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V + E): one pass over assessments; overdue companies join their own and their building's visits and their demands.

WITH latest AS (
    SELECT company_id, max(assessed_on) AS assessed_on
    FROM risk_assessments
    WHERE assessed_on <= $as_of
    GROUP BY company_id
), overdue AS (
    SELECT r.company_id, r.level, r.assessed_on, c.building_id,
           r.assessed_on + CASE r.level WHEN 4 THEN $followup_days_orange::INTEGER
                                        ELSE $followup_days_red::INTEGER END AS deadline
    FROM risk_assessments AS r
    JOIN latest USING (company_id, assessed_on)
    LEFT JOIN companies AS c ON c.id = r.company_id
    WHERE r.level >= 4
)
SELECT o.company_id AS id,
       {'level': o.level,
        'assessed_on': CAST(o.assessed_on AS VARCHAR),
        'deadline': CAST(o.deadline AS VARCHAR)} AS detail
FROM overdue AS o
WHERE o.deadline < $as_of
  -- a done visit to the company or its building between the assessment and the deadline
  -- (one equality per anti-join: an OR of two would make DuckDB loop over every pair)
  AND NOT EXISTS (SELECT 1 FROM visits AS v
                  WHERE v.status = 'done' AND v.target_id = o.company_id
                    AND v.date BETWEEN o.assessed_on AND o.deadline)
  AND NOT EXISTS (SELECT 1 FROM visits AS v
                  WHERE v.status = 'done' AND v.target_id = o.building_id
                    AND v.date BETWEEN o.assessed_on AND o.deadline)
  -- a demand of the company resolved between the assessment and the deadline
  AND NOT EXISTS (SELECT 1 FROM demands AS d
                  WHERE d.company_id = o.company_id
                    AND d.resolved_on BETWEEN o.assessed_on AND o.deadline)
ORDER BY id

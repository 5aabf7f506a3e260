-- graphmodel query: risk_suggested (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("risk_suggested"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $lease_window_days (INTEGER), $old_demand_days (INTEGER), $small_company_employees (INTEGER)
-- Tables: the dataset's typed contract tables and the shared views
-- (graphmodel._duckdb.connect). Returns one
-- row per company never assessed on or before $as_of: its places, score, suggested level
-- and reasons (a list of "中文 / English" texts, in the order of the points of
-- graphmodel.risk.score_indicators); label and colour are added in Python.
--
-- Cost: O(V + E): one pass over companies, assessments and demands.

WITH open_demands AS (
    -- unresolved on as_of: the stale_demand rule without its age
    SELECT company_id, count(*) AS unresolved, $as_of::DATE - min(raised_on) AS oldest_days
    FROM demands
    WHERE raised_on <= $as_of AND company_id IS NOT NULL
      AND (status IS DISTINCT FROM 'resolved' OR resolved_on > $as_of)
    GROUP BY company_id
), todo AS (
    SELECT c.id AS company_id, c.building_id, b.grid_id, c.lease_expires - $as_of::DATE AS lease_days,
           coalesce(c.relocation_intent, false) AS relocation,
           coalesce(d.unresolved, 0) AS unresolved, d.oldest_days, c.employees
    FROM companies AS c
    LEFT JOIN buildings AS b ON b.id = c.building_id
    LEFT JOIN open_demands AS d ON d.company_id = c.id
    WHERE c.id IS NULL OR c.id NOT IN (SELECT company_id FROM risk_assessments
                                       WHERE assessed_on <= $as_of AND company_id IS NOT NULL)
), scored AS (
    SELECT *,
           CASE WHEN lease_days < 0 THEN 3 WHEN lease_days <= $lease_window_days::INTEGER THEN 2
                ELSE 0 END
           + CASE WHEN relocation THEN 3 ELSE 0 END
           + least(unresolved, 2)
           + CASE WHEN oldest_days > $old_demand_days::INTEGER THEN 1 ELSE 0 END
           + CASE WHEN employees < $small_company_employees::INTEGER THEN 1 ELSE 0 END AS score,
           list_filter([
               CASE WHEN lease_days < 0
                    THEN format('租约已到期{}天 / lease expired {} ago', -lease_days,
                                CASE -lease_days WHEN 1 THEN '1 day' ELSE (-lease_days) || ' days' END)
                    WHEN lease_days <= $lease_window_days::INTEGER
                    THEN format('租约{}天后到期 / lease expires in {}', lease_days,
                                CASE lease_days WHEN 1 THEN '1 day' ELSE lease_days || ' days' END)
               END,
               CASE WHEN relocation THEN '有迁出意向 / intends to relocate' END,
               CASE WHEN unresolved > 0
                    THEN format('{}项诉求未解决 / {} unresolved demand{}', unresolved, unresolved,
                                CASE WHEN unresolved > 1 THEN 's' ELSE '' END)
               END,
               CASE WHEN oldest_days > $old_demand_days::INTEGER
                    THEN format('最早诉求已{}天 / oldest demand {} old', oldest_days,
                                CASE oldest_days WHEN 1 THEN '1 day' ELSE oldest_days || ' days' END)
               END,
               CASE WHEN employees < $small_company_employees::INTEGER
                    THEN format('小微企业（{}人） / small company ({} staff)', employees, employees)
               END], lambda r: r IS NOT NULL) AS reasons
    FROM todo
)
SELECT s.company_id, nc.name AS company_name, s.building_id, s.grid_id,
       CASE WHEN s.score >= 6 THEN 5 WHEN s.score >= 4 THEN 4 WHEN s.score >= 2 THEN 3
            WHEN s.score >= 1 THEN 2 ELSE 1 END AS suggested_level,
       s.score, s.reasons
FROM scored AS s
LEFT JOIN entity_names AS nc ON nc.id = s.company_id
ORDER BY suggested_level DESC, s.score DESC, s.company_id

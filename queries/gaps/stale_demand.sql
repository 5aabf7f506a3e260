-- graphmodel query: stale_demand (SQL, run by DuckDB)
-- (titles, definition and output columns: graphmodel.get_query("stale_demand"))
--
-- Parameters (DuckDB named parameters): $as_of (DATE), $demand_max_days (INTEGER)
-- Tables: the dataset's typed contract tables and within(place, container), every area,
-- grid, building and company with itself and its containers, never the street
-- (graphmodel._duckdb.connect). Returns id and detail (a struct), one row per finding,
-- ordered by id.
--
-- Cost: O(V): one pass over demands.

SELECT d.id,
       {'company_id': d.company_id,
        'raised_on': CAST(d.raised_on AS VARCHAR),
        'status': d.status,
        'age_days': $as_of::DATE - d.raised_on} AS detail
FROM demands AS d
WHERE d.raised_on <= $as_of
  AND (d.status IS DISTINCT FROM 'resolved' OR d.resolved_on > $as_of)
  AND $as_of::DATE - d.raised_on > $demand_max_days::INTEGER
ORDER BY d.id

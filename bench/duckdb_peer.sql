-- The DuckDB peer: the eleven coverage gaps (docs/gaps.md) as an analyst fluent in SQL would
-- write them against the dataset's CSV files, independently of graphmodel's own SQL.
-- It is the reference the project's `graphmodel gaps DIR --format json` is timed against
-- (docs/performance.md), and must give the same findings.
--
-- Variables (SET VARIABLE before reading this file; bench/duckdb_peer.py sets them):
--   data_dir (the CSV folder), as_of (DATE), visit_window_days, followup_days_orange,
--   followup_days_red, demand_max_days, key_building_min_companies (integers).
-- From the DuckDB shell:
--   SET VARIABLE data_dir = 'data/jingansi'; SET VARIABLE as_of = DATE '2026-11-29';
--   SET VARIABLE visit_window_days = 180; SET VARIABLE followup_days_orange = 14;
--   SET VARIABLE followup_days_red = 3; SET VARIABLE demand_max_days = 30;
--   SET VARIABLE key_building_min_companies = 20;
--   .read bench/duckdb_peer.sql
--
-- The last statement returns gap, id, name, grid_id, grid_name, area_id, area_name and
-- detail (JSON text), sorted by gap then id.

-- ---------------------------------------------------------------------------------------
-- Reading: every cell as text, trimmed, blank = NULL; the contract's spellings mapped
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE MACRO src(name) AS TABLE
    SELECT * FROM read_csv(getvariable('data_dir') || '/' || name || '.csv',
                           all_varchar = true, header = true);
CREATE OR REPLACE MACRO txt(x) AS nullif(trim(x), '');
CREATE OR REPLACE MACRO low(x) AS lower(nullif(trim(x), ''));
CREATE OR REPLACE MACRO day(x) AS try_cast(replace(trim(x), '/', '-') AS DATE);
CREATE OR REPLACE MACRO active(since, until) AS
    (since IS NULL OR since <= getvariable('as_of'))
    AND (until IS NULL OR until >= getvariable('as_of'));

CREATE OR REPLACE TEMP TABLE org_kind_words(word, kind) AS VALUES
    ('党工委', 'party_committee'), ('党总支', 'party_general_branch'), ('党支部', 'party_branch'),
    ('党群服务站', 'service_station'), ('服务中心', 'service_center'), ('联络组', 'liaison_group'),
    ('理事会', 'council'), ('协会', 'association'), ('联合会', 'association'),
    ('政府部门', 'government_office'), ('合作单位', 'partner_institution'),
    ('宗教场所', 'religious_site'), ('学校', 'school'), ('公共场所', 'public_venue'),
    ('媒体', 'media_channel'), ('慈善组织', 'charity'), ('社会组织', 'social_organization');
CREATE OR REPLACE TEMP TABLE sector_words(word, sector) AS VALUES
    ('党建', 'party'), ('政府', 'government'), ('商务', 'business'), ('企业', 'business'),
    ('社区', 'community'), ('民族', 'ethnic'), ('宗教', 'religious'), ('教育', 'education'),
    ('文化', 'culture'), ('公益', 'charity'), ('慈善', 'charity');
CREATE OR REPLACE TEMP TABLE risk_words(word, level) AS VALUES
    ('1', 1), ('稳定', 1), ('stable', 1), ('绿', 1), ('绿色', 1), ('green', 1),
    ('2', 2), ('较稳定', 2), ('fairly stable', 2), ('fairly_stable', 2), ('蓝', 2), ('蓝色', 2),
    ('blue', 2),
    ('3', 3), ('一般', 3), ('moderate', 3), ('黄', 3), ('黄色', 3), ('yellow', 3),
    ('4', 4), ('较不稳定', 4), ('fairly unstable', 4), ('fairly_unstable', 4), ('橙', 4),
    ('橙色', 4), ('orange', 4),
    ('5', 5), ('不稳定', 5), ('unstable', 5), ('红', 5), ('红色', 5), ('red', 5);

CREATE OR REPLACE TEMP TABLE areas AS
    SELECT txt(id) AS id, txt(name) AS name FROM src('residential_areas');
CREATE OR REPLACE TEMP TABLE grids AS
    SELECT txt(id) AS id, txt(name) AS name, txt(area_id) AS area_id,
           CASE WHEN low(kind) IN ('residential', '平面', '平面网格') THEN 'residential'
                WHEN low(kind) IN ('business', 'building', '立体', '立体网格') THEN 'business'
                ELSE low(kind) END AS kind
    FROM src('grids');
CREATE OR REPLACE TEMP TABLE buildings AS
    SELECT txt(id) AS id, txt(name) AS name, txt(grid_id) AS grid_id,
           coalesce(low(key_building) IN ('true', '1', 'yes', '是', 't', 'y'), false) AS key_building
    FROM src('buildings');
CREATE OR REPLACE TEMP TABLE companies AS
    SELECT txt(id) AS id, txt(name) AS name, txt(building_id) AS building_id FROM src('companies');
CREATE OR REPLACE TEMP TABLE orgs AS
    SELECT txt(o.id) AS id, txt(o.name) AS name, txt(o.located_in) AS located_in,
           txt(o.parent_id) AS parent_id,
           coalesce(k.kind, low(o.kind)) AS kind, coalesce(s.sector, low(o.sector)) AS sector
    FROM src('organizations') AS o
    LEFT JOIN org_kind_words AS k ON k.word = low(o.kind)
    LEFT JOIN sector_words AS s ON s.word = low(o.sector);
CREATE OR REPLACE TEMP TABLE people AS
    SELECT txt(id) AS id, txt(name) AS name FROM src('people');
CREATE OR REPLACE TEMP TABLE streets AS
    SELECT txt(id) AS id, txt(name) AS name FROM src('streets');
CREATE OR REPLACE TEMP TABLE links AS
    SELECT txt(source_id) AS source_id, upper(txt(type)) AS type, txt(target_id) AS target_id,
           day(since) AS since, day(until) AS until
    FROM src('links');
CREATE OR REPLACE TEMP TABLE visits AS
    SELECT txt(target_id) AS target_id, day(date) AS date,
           CASE WHEN low(status) IS NULL OR low(status) IN ('done', '已走访') THEN 'done'
                WHEN low(status) IN ('planned', '计划') THEN 'planned' END AS status
    FROM src('visits');
CREATE OR REPLACE TEMP TABLE demands AS
    SELECT txt(id) AS id, txt(company_id) AS company_id, txt(category) AS category,
           day(raised_on) AS raised_on, day(resolved_on) AS resolved_on,
           CASE low(status) WHEN '未处理' THEN 'open' WHEN '处理中' THEN 'in_progress'
                            WHEN '已解决' THEN 'resolved' ELSE low(status) END AS status
    FROM src('demands');
CREATE OR REPLACE TEMP TABLE risks AS
    SELECT txt(r.company_id) AS company_id, day(r.assessed_on) AS assessed_on, w.level
    FROM src('risk_assessments') AS r JOIN risk_words AS w ON w.word = low(r.level);
CREATE OR REPLACE TEMP TABLE population AS
    SELECT txt(area_id) AS area_id, try_cast(txt(residents) AS BIGINT) AS residents,
           low(ethnic_group) IN ('汉族', '汉', 'han') AS han
    FROM src('population');

-- ---------------------------------------------------------------------------------------
-- The place tree: each area, grid, building and company with its building, grid and area;
-- `up` lists a place and everything above it (never the street)
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE places AS
    SELECT id, NULL::VARCHAR AS building_id, NULL::VARCHAR AS grid_id, id AS area_id FROM areas
    UNION ALL
    SELECT id, NULL, id, area_id FROM grids
    UNION ALL
    SELECT b.id, b.id, b.grid_id, g.area_id FROM buildings AS b LEFT JOIN grids AS g ON g.id = b.grid_id
    UNION ALL
    SELECT c.id, c.building_id, b.grid_id, g.area_id
    FROM companies AS c
    LEFT JOIN buildings AS b ON b.id = c.building_id
    LEFT JOIN grids AS g ON g.id = b.grid_id;
CREATE OR REPLACE TEMP TABLE up AS
    SELECT DISTINCT id AS place, above
    FROM (SELECT id, unnest([id, building_id, grid_id, area_id]) AS above FROM places)
    WHERE above IS NOT NULL;
CREATE OR REPLACE TEMP TABLE company_count AS
    SELECT building_id, count(*) AS n FROM companies GROUP BY building_id;
CREATE OR REPLACE TEMP TABLE active_links AS
    SELECT source_id, type, target_id FROM links WHERE active(since, until);
CREATE OR REPLACE TEMP TABLE recent_visit_targets AS
    SELECT DISTINCT target_id FROM visits
    WHERE status = 'done' AND date <= getvariable('as_of')
      AND date > getvariable('as_of') - getvariable('visit_window_days')::INTEGER;

-- ---------------------------------------------------------------------------------------
-- The eleven gaps
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE findings AS

-- 1. A grid no party organisation is located within or covers (or covers anything in).
SELECT 'grid_without_party_org' AS gap, g.id, g.id AS place,
       to_json({'grid_kind': g.kind,
                'reason': 'no party organisation located in or covering the grid'}) AS detail
FROM grids AS g
WHERE NOT EXISTS (SELECT 1 FROM orgs AS o JOIN up AS u ON u.place = o.located_in
                  WHERE o.sector = 'party' AND u.above = g.id)
  AND NOT EXISTS (SELECT 1 FROM active_links AS l JOIN orgs AS o ON o.id = l.source_id
                  WHERE l.type = 'COVERS' AND o.sector = 'party'
                    AND (l.target_id IN (SELECT above FROM up WHERE place = g.id)
                         OR g.id IN (SELECT above FROM up WHERE place = l.target_id)))

UNION ALL
-- 2. An area with minority residents and no liaison group within it or covering it.
SELECT 'area_without_liaison_group', a.id, a.id, to_json({'minority_residents': m.n})
FROM areas AS a
JOIN (SELECT area_id, sum(residents) AS n FROM population WHERE NOT han GROUP BY area_id) AS m
  ON m.area_id = a.id
WHERE m.n > 0
  AND NOT EXISTS (SELECT 1 FROM orgs AS o JOIN up AS u ON u.place = o.located_in
                  WHERE o.kind = 'liaison_group' AND u.above = a.id)
  AND NOT EXISTS (SELECT 1 FROM active_links AS l JOIN orgs AS o ON o.id = l.source_id
                  WHERE l.type = 'COVERS' AND o.kind = 'liaison_group' AND l.target_id = a.id)

UNION ALL
-- 3. A building with companies and no service station or centre within it or covering it.
SELECT 'building_without_service_station', b.id, b.id, to_json({'companies': n.n})
FROM buildings AS b JOIN company_count AS n ON n.building_id = b.id
WHERE NOT EXISTS (SELECT 1 FROM orgs AS o JOIN up AS u ON u.place = o.located_in
                  WHERE o.kind IN ('service_station', 'service_center') AND u.above = b.id)
  AND NOT EXISTS (SELECT 1 FROM active_links AS l JOIN orgs AS o ON o.id = l.source_id
                  WHERE l.type = 'COVERS' AND o.kind IN ('service_station', 'service_center')
                    AND l.target_id IN (SELECT above FROM up WHERE place = b.id))

UNION ALL
-- 4. A company no party organisation or station is at (company or building) or covers,
--    and with no recent visit to it or its building.
SELECT 'company_unreached', c.id, c.id,
       to_json({'visit_window_days': getvariable('visit_window_days')::BIGINT})
FROM companies AS c
WHERE NOT EXISTS (SELECT 1 FROM orgs AS o
                  WHERE (o.sector = 'party' OR o.kind IN ('service_station', 'service_center'))
                    AND o.located_in IN (c.id, c.building_id))
  AND NOT EXISTS (SELECT 1 FROM active_links AS l JOIN orgs AS o ON o.id = l.source_id
                  WHERE l.type = 'COVERS'
                    AND (o.sector = 'party' OR o.kind IN ('service_station', 'service_center'))
                    AND l.target_id IN (SELECT above FROM up WHERE place = c.id))
  AND NOT EXISTS (SELECT 1 FROM recent_visit_targets AS v
                  WHERE v.target_id IN (c.id, c.building_id))

UNION ALL
-- 5. A company whose latest assessment is orange or red, overdue, with no follow-up.
SELECT 'risk_without_followup', r.company_id, r.company_id,
       to_json({'level': r.level, 'assessed_on': strftime(r.assessed_on, '%Y-%m-%d'),
                'deadline': strftime(r.deadline, '%Y-%m-%d')})
FROM (SELECT x.company_id, x.level, x.assessed_on, c.building_id,
             x.assessed_on + CASE WHEN x.level = 4
                                  THEN getvariable('followup_days_orange')::INTEGER
                                  ELSE getvariable('followup_days_red')::INTEGER END AS deadline
      FROM (SELECT *, row_number() OVER (PARTITION BY company_id ORDER BY assessed_on DESC) AS k
            FROM risks WHERE assessed_on <= getvariable('as_of')) AS x
      LEFT JOIN companies AS c ON c.id = x.company_id
      WHERE x.k = 1 AND x.level >= 4) AS r
WHERE r.deadline < getvariable('as_of')
  AND NOT EXISTS (SELECT 1 FROM visits AS v
                  WHERE v.status = 'done' AND v.target_id IN (r.company_id, r.building_id)
                    AND v.date >= r.assessed_on AND v.date <= r.deadline)
  AND NOT EXISTS (SELECT 1 FROM demands AS d
                  WHERE d.company_id = r.company_id
                    AND d.resolved_on >= r.assessed_on AND d.resolved_on <= r.deadline)

UNION ALL
-- 6. A demand raised on or before as_of, unresolved then, older than demand_max_days.
SELECT 'stale_demand', d.id, d.company_id,
       to_json({'company_id': d.company_id, 'raised_on': strftime(d.raised_on, '%Y-%m-%d'),
                'status': d.status, 'age_days': date_diff('day', d.raised_on, getvariable('as_of'))})
FROM demands AS d
WHERE d.raised_on <= getvariable('as_of')
  AND (coalesce(d.status, '') <> 'resolved' OR coalesce(d.resolved_on > getvariable('as_of'), false))
  AND date_diff('day', d.raised_on, getvariable('as_of'))
      > getvariable('demand_max_days')::INTEGER

UNION ALL
-- 7. A liaison group with no active tie, either way, to a non-ethnic organisation or company.
SELECT 'liaison_group_isolated', g.id, g.located_in, '{}'
FROM orgs AS g
WHERE g.kind = 'liaison_group'
  AND NOT EXISTS (
      SELECT 1
      FROM active_links AS l
      LEFT JOIN orgs AS o ON o.id = CASE WHEN l.source_id = g.id THEN l.target_id ELSE l.source_id END
      LEFT JOIN companies AS c ON c.id = CASE WHEN l.source_id = g.id THEN l.target_id ELSE l.source_id END
      WHERE l.type IN ('PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF')
        AND g.id IN (l.source_id, l.target_id)
        AND (c.id IS NOT NULL OR o.sector <> 'ethnic'))

UNION ALL
-- 8. A liaison group neither led by a party organisation nor under a party parent.
SELECT 'liaison_group_without_leadership', g.id, g.located_in, '{}'
FROM orgs AS g
WHERE g.kind = 'liaison_group'
  AND NOT EXISTS (SELECT 1 FROM active_links AS l JOIN orgs AS o ON o.id = l.source_id
                  WHERE l.type = 'LEADS' AND l.target_id = g.id AND o.sector = 'party')
  AND NOT EXISTS (SELECT 1 FROM orgs AS p WHERE p.id = g.parent_id AND p.sector = 'party')

UNION ALL
-- 9. A key building (flagged, or with enough companies) nobody is assigned to.
SELECT 'key_building_without_worker', b.id, b.id,
       to_json({'companies': coalesce(n.n, 0), 'key_building': b.key_building})
FROM buildings AS b LEFT JOIN company_count AS n ON n.building_id = b.id
WHERE (b.key_building OR coalesce(n.n, 0) >= getvariable('key_building_min_companies')::INTEGER)
  AND NOT EXISTS (SELECT 1 FROM active_links AS l JOIN people AS p ON p.id = l.source_id
                  WHERE l.type = 'ASSIGNED_TO' AND l.target_id = b.id)

UNION ALL
-- 10. A building with companies and no recent visit to it or to any company in it.
SELECT 'building_not_visited', b.id, b.id,
       to_json({'companies': n.n, 'visit_window_days': getvariable('visit_window_days')::BIGINT})
FROM buildings AS b JOIN company_count AS n ON n.building_id = b.id
WHERE NOT EXISTS (SELECT 1 FROM recent_visit_targets AS v WHERE v.target_id = b.id)
  AND NOT EXISTS (SELECT 1 FROM companies AS c JOIN recent_visit_targets AS v ON v.target_id = c.id
                  WHERE c.building_id = b.id)

UNION ALL
-- 11. A grid nobody is assigned to (the grid itself).
SELECT 'grid_without_worker', g.id, g.id, to_json({'grid_kind': g.kind})
FROM grids AS g
WHERE NOT EXISTS (SELECT 1 FROM active_links AS l JOIN people AS p ON p.id = l.source_id
                  WHERE l.type = 'ASSIGNED_TO' AND l.target_id = g.id);

-- ---------------------------------------------------------------------------------------
-- Names and places, sorted
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE names AS
    SELECT id, name FROM streets UNION ALL SELECT id, name FROM areas
    UNION ALL SELECT id, name FROM grids UNION ALL SELECT id, name FROM buildings
    UNION ALL SELECT id, name FROM companies UNION ALL SELECT id, name FROM orgs
    UNION ALL SELECT id, name FROM people UNION ALL SELECT id, category FROM demands;

SELECT f.gap, f.id, n.name, p.grid_id, gn.name AS grid_name, p.area_id, an.name AS area_name,
       f.detail
FROM findings AS f
LEFT JOIN names AS n ON n.id = f.id
LEFT JOIN places AS p ON p.id = f.place
LEFT JOIN names AS gn ON gn.id = p.grid_id
LEFT JOIN names AS an ON an.id = p.area_id
ORDER BY f.gap, f.id;

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
    SELECT id AS place, id AS above FROM places
    UNION ALL SELECT id, building_id FROM places WHERE building_id IS NOT NULL AND building_id <> id
    UNION ALL SELECT id, grid_id FROM places WHERE grid_id IS NOT NULL AND grid_id <> id
    UNION ALL SELECT id, area_id FROM places WHERE area_id IS NOT NULL AND area_id <> id;
CREATE OR REPLACE TEMP TABLE company_count AS
    SELECT building_id, count(*) AS n FROM companies GROUP BY building_id;
CREATE OR REPLACE TEMP TABLE active_links AS
    SELECT source_id, type, target_id FROM links WHERE active(since, until);
CREATE OR REPLACE TEMP TABLE recent_visit_targets AS
    SELECT DISTINCT target_id FROM visits
    WHERE status = 'done' AND date <= getvariable('as_of')
      AND date > getvariable('as_of') - getvariable('visit_window_days')::INTEGER;

-- ---------------------------------------------------------------------------------------
-- Who serves what, computed once per kind of organisation (hash joins, no correlation):
--   org_class: each organisation with the classes the gaps ask about
--              ('party' = sector party, 'liaison' = liaison groups, 'station' = stations
--              and service centres; one organisation may be in several);
--   located:   (class, place) when an organisation of the class is located within place;
--   covered:   (class, place) when one covers place (an active COVERS link to it or to a
--              container of it);
--   covers_in: (class, place) when one has an active COVERS link to something within place.
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE org_class AS
    SELECT id, located_in, 'party' AS class FROM orgs WHERE sector = 'party'
    UNION ALL
    SELECT id, located_in, 'liaison' FROM orgs WHERE kind = 'liaison_group'
    UNION ALL
    SELECT id, located_in, 'station' FROM orgs WHERE kind IN ('service_station', 'service_center');
CREATE OR REPLACE TEMP TABLE located AS
    SELECT o.class, u.above AS place
    FROM org_class AS o JOIN up AS u ON u.place = o.located_in;
CREATE OR REPLACE TEMP TABLE cover_links AS
    SELECT o.class, l.target_id
    FROM active_links AS l JOIN org_class AS o ON o.id = l.source_id
    WHERE l.type = 'COVERS';
CREATE OR REPLACE TEMP TABLE covered AS
    SELECT k.class, u.place
    FROM cover_links AS k JOIN up AS u ON u.above = k.target_id;
CREATE OR REPLACE TEMP TABLE covers_in AS
    SELECT k.class, u.above AS place
    FROM cover_links AS k JOIN up AS u ON u.place = k.target_id;
CREATE OR REPLACE TEMP TABLE served AS
    SELECT class, place FROM located
    UNION ALL SELECT class, place FROM covered;

-- Ties of the liaison-group isolation gap, both directions: (an end, the other end).
CREATE OR REPLACE TEMP TABLE ties AS
    SELECT source_id AS one, target_id AS other FROM active_links
    WHERE type IN ('PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF')
    UNION ALL
    SELECT target_id, source_id FROM active_links
    WHERE type IN ('PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF');
CREATE OR REPLACE TEMP TABLE assigned AS
    SELECT DISTINCT l.target_id FROM active_links AS l JOIN people AS p ON p.id = l.source_id
    WHERE l.type = 'ASSIGNED_TO';

-- The latest assessment on or before as_of of each company, when orange or red, with its
-- follow-up deadline.
CREATE OR REPLACE TEMP TABLE high_risk AS
    SELECT x.company_id, x.level, x.assessed_on, c.building_id,
           x.assessed_on + CASE WHEN x.level = 4
                                THEN getvariable('followup_days_orange')::INTEGER
                                ELSE getvariable('followup_days_red')::INTEGER END AS deadline
    FROM (SELECT company_id, level, assessed_on FROM risks
          WHERE assessed_on <= getvariable('as_of')
          QUALIFY row_number() OVER (PARTITION BY company_id ORDER BY assessed_on DESC) = 1) AS x
    LEFT JOIN companies AS c ON c.id = x.company_id
    WHERE x.level >= 4;
CREATE OR REPLACE TEMP TABLE followed_up AS
    SELECT r.company_id FROM high_risk AS r JOIN visits AS v ON v.target_id = r.company_id
    WHERE v.status = 'done' AND v.date BETWEEN r.assessed_on AND r.deadline
    UNION
    SELECT r.company_id FROM high_risk AS r JOIN visits AS v ON v.target_id = r.building_id
    WHERE v.status = 'done' AND v.date BETWEEN r.assessed_on AND r.deadline
    UNION
    SELECT r.company_id FROM high_risk AS r JOIN demands AS d ON d.company_id = r.company_id
    WHERE d.resolved_on BETWEEN r.assessed_on AND r.deadline;

-- ---------------------------------------------------------------------------------------
-- The eleven gaps: anti-joins on the sets above
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE findings AS

-- 1. A grid no party organisation is located within or covers (or covers anything in).
SELECT 'grid_without_party_org' AS gap, g.id, g.id AS place,
       to_json({'grid_kind': g.kind,
                'reason': 'no party organisation located in or covering the grid'}) AS detail
FROM grids AS g
ANTI JOIN (SELECT place FROM served WHERE class = 'party'
           UNION ALL SELECT place FROM covers_in WHERE class = 'party') AS s
  ON s.place = g.id

UNION ALL
-- 2. An area with minority residents and no liaison group within it or covering it.
SELECT 'area_without_liaison_group', a.id, a.id, to_json({'minority_residents': m.n})
FROM areas AS a
JOIN (SELECT area_id, sum(residents) AS n FROM population WHERE NOT han GROUP BY area_id) AS m
  ON m.area_id = a.id
ANTI JOIN (SELECT place FROM served WHERE class = 'liaison') AS s ON s.place = a.id
WHERE m.n > 0

UNION ALL
-- 3. A building with companies and no service station or centre within it or covering it.
SELECT 'building_without_service_station', b.id, b.id, to_json({'companies': n.n})
FROM buildings AS b JOIN company_count AS n ON n.building_id = b.id
ANTI JOIN (SELECT place FROM served WHERE class = 'station') AS s ON s.place = b.id

UNION ALL
-- 4. A company no party organisation or station is at (company or building) or covers,
--    and with no recent visit to it or its building.
SELECT 'company_unreached', c.id, c.id,
       to_json({'visit_window_days': getvariable('visit_window_days')::BIGINT})
FROM companies AS c
ANTI JOIN (SELECT located_in FROM org_class WHERE class IN ('party', 'station')) AS o
  ON o.located_in = c.id
ANTI JOIN (SELECT located_in FROM org_class WHERE class IN ('party', 'station')) AS ob
  ON ob.located_in = c.building_id
ANTI JOIN (SELECT place FROM covered WHERE class IN ('party', 'station')) AS s
  ON s.place = c.id
ANTI JOIN recent_visit_targets AS v ON v.target_id = c.id
ANTI JOIN recent_visit_targets AS vb ON vb.target_id = c.building_id

UNION ALL
-- 5. A company whose latest assessment is orange or red, overdue, with no follow-up.
SELECT 'risk_without_followup', r.company_id, r.company_id,
       to_json({'level': r.level, 'assessed_on': strftime(r.assessed_on, '%Y-%m-%d'),
                'deadline': strftime(r.deadline, '%Y-%m-%d')})
FROM high_risk AS r
ANTI JOIN followed_up AS f ON f.company_id = r.company_id
WHERE r.deadline < getvariable('as_of')

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
ANTI JOIN (SELECT t.one FROM ties AS t
           LEFT JOIN orgs AS o ON o.id = t.other
           LEFT JOIN companies AS c ON c.id = t.other
           WHERE c.id IS NOT NULL OR o.sector <> 'ethnic') AS t ON t.one = g.id
WHERE g.kind = 'liaison_group'

UNION ALL
-- 8. A liaison group neither led by a party organisation nor under a party parent.
SELECT 'liaison_group_without_leadership', g.id, g.located_in, '{}'
FROM orgs AS g
ANTI JOIN (SELECT l.target_id FROM active_links AS l JOIN orgs AS o ON o.id = l.source_id
           WHERE l.type = 'LEADS' AND o.sector = 'party') AS l ON l.target_id = g.id
ANTI JOIN (SELECT id FROM orgs WHERE sector = 'party') AS p ON p.id = g.parent_id
WHERE g.kind = 'liaison_group'

UNION ALL
-- 9. A key building (flagged, or with enough companies) nobody is assigned to.
SELECT 'key_building_without_worker', b.id, b.id,
       to_json({'companies': coalesce(n.n, 0), 'key_building': b.key_building})
FROM buildings AS b LEFT JOIN company_count AS n ON n.building_id = b.id
ANTI JOIN assigned AS a ON a.target_id = b.id
WHERE b.key_building OR coalesce(n.n, 0) >= getvariable('key_building_min_companies')::INTEGER

UNION ALL
-- 10. A building with companies and no recent visit to it or to any company in it.
SELECT 'building_not_visited', b.id, b.id,
       to_json({'companies': n.n, 'visit_window_days': getvariable('visit_window_days')::BIGINT})
FROM buildings AS b JOIN company_count AS n ON n.building_id = b.id
ANTI JOIN recent_visit_targets AS v ON v.target_id = b.id
ANTI JOIN (SELECT c.building_id FROM companies AS c
           JOIN recent_visit_targets AS v ON v.target_id = c.id) AS cv
  ON cv.building_id = b.id

UNION ALL
-- 11. A grid nobody is assigned to (the grid itself).
SELECT 'grid_without_worker', g.id, g.id, to_json({'grid_kind': g.kind})
FROM grids AS g
ANTI JOIN assigned AS a ON a.target_id = g.id;

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

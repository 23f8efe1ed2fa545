-- A synthetic province-scale project set, added to a database that holds one loaded county
-- (bench/bench_projects.py --province-db): 15 more prefectures, 128 more counties of 11 townships
-- of 10 villages (14,080 villages), one household per new village, 780 projects a county
-- (~10^5 in all), two villages served each, one allocation each, 25 payments each (~2.5M, the
-- simulator's count at 10M people). Codes follow the real 12-digit pattern; no personal data.
BEGIN;
CREATE TEMP TABLE g_county AS
SELECT p, c, '53' || lpad((10 + p)::text, 2, '0') AS pp,
       '53' || lpad((10 + p)::text, 2, '0') || lpad(c::text, 2, '0') AS cc
FROM generate_series(0, 14) p, generate_series(1, 9) c
ORDER BY p, c LIMIT 128;
INSERT INTO regions_region (code, name, level, kind, path, parent_id)
SELECT DISTINCT pp || '00000000', '模拟州' || pp, 'prefecture', '', '/530000000000/' || pp || '00000000/',
       (SELECT id FROM regions_region WHERE code = '530000000000')
FROM g_county;
INSERT INTO regions_region (code, name, level, kind, path, parent_id)
SELECT cc || '000000', '模拟县' || cc, 'county', '', r.path || cc || '000000/', r.id
FROM g_county g JOIN regions_region r ON r.code = g.pp || '00000000';
INSERT INTO regions_region (code, name, level, kind, path, parent_id)
SELECT g.cc || lpad(t::text, 3, '0') || '000', '模拟乡' || t, 'township', '',
       r.path || g.cc || lpad(t::text, 3, '0') || '000/', r.id
FROM g_county g JOIN regions_region r ON r.code = g.cc || '000000', generate_series(1, 11) t;
INSERT INTO regions_region (code, name, level, kind, path, parent_id)
SELECT left(r.code, 9) || lpad(v::text, 3, '0'), '模拟村' || v, 'village', '',
       r.path || left(r.code, 9) || lpad(v::text, 3, '0') || '/', r.id
FROM regions_region r, generate_series(1, 10) v
WHERE r.level = 'township' AND r.code LIKE '53__0_000000' = false AND left(r.code, 4) >= '5310';
-- one household a new village (copies of a loaded household's other fields)
INSERT INTO registry_household (household_no, region_path, address, phone, bank_account,
  household_type, status, monitoring_type, relocated, size, head_name, created_at, updated_at,
  region_id)
SELECT r.code || '0001', r.path, '', '', '', t.household_type, 'exited', t.monitoring_type,
       false, 3, '模拟户', now(), now(), r.id
FROM regions_region r, (SELECT * FROM registry_household LIMIT 1) t
WHERE r.level = 'village' AND left(r.code, 4) >= '5310';
INSERT INTO projects_project (code, name, category, region_path, year, implementer, planned_amount,
  funds_plan, plan, approval_doc, notice_plan, responsible_unit, responsible_person, supervision,
  stage, notice_date, completed_date, accepted_date, county_id)
SELECT 'SY' || left(r.code, 6) || lpad(n::text, 5, '0'), '模拟项目' || n,
       (ARRAY['industry','road','water','power','broadband','housing','education','health'])[1 + n % 8],
       r.path, 2016 + n % 10, '县农业农村局', 100000000, '整合资金', '计划', '批复', '公示',
       '县农业农村局', '负责人', '季度检查',
       (ARRAY['assets','assets','assets','accepted','completed','implementing','approved','proposed'])[1 + n % 8],
       make_date(2016 + n % 10, 3, 1), make_date(2016 + n % 10, 10, 1),
       make_date(2016 + n % 10, 12, 1), r.id
FROM regions_region r, generate_series(1, 780) n
WHERE r.level = 'county' AND left(r.code, 4) >= '5310';
-- two villages served: the n-th and the (n+37)-th of the county's 110
CREATE TEMP TABLE g_villages AS
SELECT v.id, v.path, left(v.code, 6) AS county6,
       row_number() OVER (PARTITION BY left(v.code, 6) ORDER BY v.code) - 1 AS k
FROM regions_region v WHERE v.level = 'village' AND left(v.code, 4) >= '5310';
CREATE INDEX ON g_villages (county6, k);
INSERT INTO projects_projectarea (region_path, project_id, region_id)
SELECT v.path, p.id, v.id
FROM projects_project p, generate_series(0, 1) s, g_villages v
WHERE p.code LIKE 'SY%' AND v.county6 = substr(p.code, 3, 6)
  AND v.k = (substr(p.code, 9)::int + 37 * s) % 110;
INSERT INTO projects_allocation (region_path, source, year, amount, project_id)
SELECT p.region_path, 'integrated', p.year, 100000000, p.id FROM projects_project p
WHERE p.code LIKE 'SY%';
-- 25 payments a project, to the household of its first village (the n-th of the county's 110)
CREATE TEMP TABLE g_paid AS
SELECT p.id AS project_id, p.year, h.id AS household_id, h.region_path
FROM projects_project p
JOIN g_villages v ON v.county6 = substr(p.code, 3, 6) AND v.k = substr(p.code, 9)::int % 110
JOIN registry_household h ON h.region_id = v.id
WHERE p.code LIKE 'SY%';
INSERT INTO projects_disbursement (region_path, voucher, item, payee_name, payee_id_number,
  bank_account, amount, date, year, household_id, project_id)
SELECT g.region_path, 'V' || lpad(k::text, 4, '0'), '产业奖补', '', '', '', 200000,
       make_date(g.year, 6, 1), g.year, g.household_id, g.project_id
FROM g_paid g, generate_series(1, 25) k;
COMMIT;
ANALYZE;

"""The rural population of each village from the household register (公安户籍人口), the
denominator of poverty incidence (贫困发生率 = 未脱贫人口 ÷ 农村户籍人口, 厅字〔2016〕16号).

``rural_population(region_path)`` counts the current load of the ``public_security`` dataset:
people whose registration is active (not deceased, not moved out), by the village of their
registration (``region_code``, 12 digits). One GROUP BY in the database; the result is the
ruler's optional ``villages`` input (``village_code``, ``rural_population``). None when the
household register is not loaded: the ruler then divides by the snapshot's own population.
"""

from __future__ import annotations

import pyarrow as pa
from django.db import connection

ACTIVE = ("active", "正常", "在册")


def rural_population(region_code_prefix: str = "") -> pa.Table | None:
    marks = ", ".join(["%s"] * len(ACTIVE))
    sql = (
        "SELECT SUBSTR(r.region_code, 1, 12), COUNT(*) FROM matching_departmentrecord r "
        "JOIN matching_datasetload d ON d.id = r.load_id "
        "WHERE d.active AND d.dataset = 'public_security' AND LENGTH(r.region_code) >= 12 "
        "AND r.region_code LIKE %s "
        f"AND COALESCE(r.facts ->> 'hukou_status', 'active') IN ({marks}) "
        "GROUP BY SUBSTR(r.region_code, 1, 12)"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [region_code_prefix + "%", *ACTIVE])
        rows = cur.fetchall()
    if not rows:
        return None
    return pa.table(
        {
            "village_code": pa.array([r[0] for r in rows], pa.string()),
            "rural_population": pa.array([int(r[1]) for r in rows], pa.int64()),
        }
    )


MOVED_OUT = ("moved_out", "迁出")


def rural_population_by_year(first_year: int = 2014) -> pa.Table | None:
    """The rural population of each village at the end of every year from ``first_year`` to
    the household register's date (the load's ``as_of``): people of the current load born by
    the year's end and not dead by it (``death_date``), by the village of registration. The
    register gives no date of moving out, so people who moved out are left out of every year
    (an undercount of earlier years), as is a person marked deceased with no date.

    One GROUP BY in the database (village, birth year, death year), then one DuckDB join over
    the years: village_code, year, rural_population. None when the register is not loaded."""
    import duckdb

    from lantu.matching.models import DatasetLoad

    load = DatasetLoad.objects.filter(active=True, dataset="public_security").first()
    if load is None:
        return None
    status = "COALESCE(r.facts ->> 'hukou_status', 'active')"
    died = "NULLIF(r.facts ->> 'death_date', '')"
    sql = (
        "SELECT SUBSTR(r.region_code, 1, 12), "
        "CAST(SUBSTR(CAST(r.birth_date AS TEXT), 1, 4) AS INTEGER), "
        f"CAST(SUBSTR({died}, 1, 4) AS INTEGER), COUNT(*) "
        "FROM matching_departmentrecord r WHERE r.load_id = %s AND r.birth_date IS NOT NULL "
        f"AND {status} NOT IN (%s, %s) "
        f"AND NOT ({status} IN ('deceased', '死亡') AND {died} IS NULL) "
        "GROUP BY 1, 2, 3"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [load.pk, *MOVED_OUT])
        got = [dict(zip(("village", "born", "death_year", "n"), r, strict=True))
               for r in cur.fetchall()]  # fmt: skip
    if not got:
        return None
    cohorts = pa.table(
        {
            "village_code": pa.array([r["village"] for r in got], pa.string()),
            "born": pa.array([r["born"] for r in got], pa.int64()),
            "death_year": pa.array([r["death_year"] for r in got], pa.int64()),
            "n": pa.array([r["n"] for r in got], pa.int64()),
        }
    )
    years = pa.table({"year": pa.array(range(first_year, load.as_of.year + 1), pa.int64())})
    con = duckdb.connect()
    con.register("cohorts", cohorts)
    con.register("years", years)
    return con.sql(
        "SELECT c.village_code, y.year, CAST(SUM(c.n) AS BIGINT) AS rural_population "
        "FROM cohorts c JOIN years y ON c.born <= y.year "
        "AND (c.death_year IS NULL OR c.death_year > y.year) "
        "WHERE LENGTH(c.village_code) = 12 GROUP BY 1, 2 ORDER BY 1, 2"
    ).to_arrow_table()

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

"""The assistance tables → Arrow, in the shapes ``lantu.assistance.facts`` reads, through the
engine's snapshot path (ADBC, or Django's cursor inside a transaction). Amounts are cast to double
precision so both databases hand over the same Arrow types."""

from __future__ import annotations

import pyarrow as pa

from lantu.engine.snapshot import read_queries


def queries(region_path: str | None = None) -> dict[str, str]:
    where = ""
    if region_path:
        where = " WHERE x.region_path LIKE '{}%'".format(region_path.replace("'", "''"))
    h = "JOIN registry_household h ON h.id = x.household_id"
    return {
        "pairings": "SELECT h.household_no, c.cadre_no, x.start_date, x.end_date FROM "
        f"assistance_pairing x {h} JOIN assistance_cadre c ON c.id = x.cadre_id{where}",
        "cadres": "SELECT x.cadre_no, x.level FROM assistance_cadre x",
        "plans": "SELECT h.household_no, CAST(x.year AS INTEGER) AS year, x.planned_exit_year, "
        f"x.planned_risk_elimination FROM assistance_plan x {h}{where}",
        "measures": "SELECT h.household_no, CAST(x.year AS INTEGER) AS year, m.measure, "
        "c.cadre_no, CAST(m.planned_amount AS DOUBLE PRECISION) AS planned_amount, "
        "CAST(m.actual_amount AS DOUBLE PRECISION) AS actual_amount, m.status, m.asset "
        f"FROM assistance_planmeasure m JOIN assistance_plan x ON x.id = m.plan_id {h} "
        f"LEFT JOIN assistance_cadre c ON c.id = m.cadre_id{where}",
        "visits": f"SELECT h.household_no, x.date FROM assistance_visit x {h}{where}",
    }


def from_db(region_path: str | None = None) -> dict[str, pa.Table]:
    return read_queries(queries(region_path))

"""The stats room's assistance indicators (``lantu/stats/indicators.yaml``, group ``assistance``),
computed from this room's tables — never from the simulator's files. Each provider returns the
village-level rows the stats engine rolls up (``region_path, year, key, value``; see
``lantu.stats.providers``), one row per village and year, for the years from the room's first
record to the registry's last year.

- ``coverage``: households with at least one (not cancelled) measure in that year's plan;
- ``industry_support``: households with an industry-support measure (the catalogue's
  ``industry_support`` codes) in a plan of that year or before — cumulative, as the seed's
  产业扶持覆盖 figure is;
- ``first_secretaries``, ``work_team_members``, ``paired_cadres``: the people sent or paired so
  far (累计选派 / 累计结对, as the seed counts them), each person once, at the village of their
  first posting or pairing — so that the sums up the region tree count nobody twice.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from lantu.assistance.codes import industry_support as industry_codes
from lantu.engine.snapshot import read_queries

SOURCES = {
    "teams": "SELECT m.cadre_id, m.role, m.start_date, t.region_path "
    "FROM assistance_teammember m JOIN assistance_workteam t ON t.id = m.team_id",
    "pairings": "SELECT cadre_id, start_date, region_path FROM assistance_pairing",
    "measures": "SELECT p.household_id, CAST(p.year AS INTEGER) AS year, p.region_path, "
    "m.measure, m.status FROM assistance_planmeasure m JOIN assistance_plan p ON p.id = m.plan_id",
    "last": "SELECT CAST(max(year) AS INTEGER) AS y FROM registry_householdyear",
}
EMPTY = pa.schema(
    [("region_path", pa.string()), ("year", pa.int32()), ("key", pa.string()),
     ("value", pa.float64())]
)  # fmt: skip


def _run(tables: list[str], firsts: str) -> pa.Table:
    """``firsts`` gives (region_path, y0): one row per counted thing and the first year it
    counts in; the result counts, per village and year, those with y0 ≤ year."""
    data = read_queries({t: SOURCES[t] for t in [*tables, "last"]})
    con = duckdb.connect()
    for name, table in data.items():
        con.register(name, table)
    con.execute(f"CREATE TEMP TABLE firsts AS {firsts}")
    out = con.sql(
        "WITH span AS (SELECT min(y0) AS a, coalesce((SELECT max(y) FROM last), max(y0)) AS b "
        "FROM firsts), years AS (SELECT CAST(unnest(range(a, b + 1)) AS INTEGER) AS year "
        "FROM span WHERE a IS NOT NULL), per AS (SELECT region_path, y0, count(*) AS n "
        "FROM firsts GROUP BY ALL) "
        "SELECT region_path, year, '' AS key, CAST(sum(n) AS DOUBLE) AS value "
        "FROM per JOIN years ON per.y0 <= years.year GROUP BY ALL ORDER BY ALL"
    ).to_arrow_table()
    return out.cast(EMPTY) if out.num_rows else EMPTY.empty_table()


def _people(table: str, where: str = "TRUE") -> pa.Table:
    return _run(
        [table],
        "SELECT arg_min(region_path, CAST(start_date AS DATE)) AS region_path, "
        f"CAST(min(year(CAST(start_date AS DATE))) AS INTEGER) AS y0 FROM {table} "
        f"WHERE {where} GROUP BY cadre_id",
    )


def first_secretaries() -> pa.Table:
    return _people("teams", "role = 'first_secretary'")


def work_team_members() -> pa.Table:
    return _people("teams")


def paired_cadres() -> pa.Table:
    return _people("pairings")


def coverage() -> pa.Table:
    """Per year, not cumulative: the households whose plan of the year has a measure."""
    data = read_queries({"measures": SOURCES["measures"], "last": SOURCES["last"]})
    con = duckdb.connect()
    con.register("measures", data["measures"])
    con.register("last", data["last"])
    out = con.sql(
        "SELECT region_path, year, '' AS key, CAST(count(DISTINCT household_id) AS DOUBLE) "
        "AS value FROM measures WHERE status <> 'cancelled' AND year <= coalesce((SELECT max(y) "
        "FROM last), year) GROUP BY ALL ORDER BY ALL"
    ).to_arrow_table()
    return out.cast(EMPTY) if out.num_rows else EMPTY.empty_table()


def industry_support() -> pa.Table:
    codes = ", ".join("'{}'".format(c.replace("'", "''")) for c in industry_codes()) or "''"
    return _run(
        ["measures"],
        "SELECT arg_min(region_path, year) AS region_path, CAST(min(year) AS INTEGER) AS y0 "
        f"FROM measures WHERE measure IN ({codes}) AND status <> 'cancelled' "
        "GROUP BY household_id",
    )

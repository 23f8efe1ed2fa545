"""The assistance facts the ruler reads (``lantu.standards.schema``: ``cadre_paired``,
``plan_causes_unanswered``, ``days_since_visit``, ``assisted_vehicle`` …), one row per household,
computed in DuckDB over whole columns from the assistance tables as of a date.

Inputs (Arrow tables or Parquet paths), the same shapes whether read from the database
(``from_db``) or from the simulator's ``observed/assistance`` files:

- ``pairings``: household_no, cadre_no, start_date, end_date
- ``cadres``: cadre_no, level
- ``plans``: household_no, year, planned_exit_year, planned_risk_elimination
- ``measures``: household_no, year, measure, cadre_no, planned_amount, actual_amount, status, asset
- ``visits``: household_no, date
- ``years``: the registry's yearly facts (household_no, year, main_cause, other_cause_1/2)

The measure catalogue (``catalogue.yaml``) becomes two small tables: each measure's group and the
causes it answers. A cause is answered when a measure of the year's plan (not cancelled) lists it.
A household with no assistance records gets NULL facts (the rules read "not paired", "no plan").
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TypeAlias

import duckdb
import pyarrow as pa

from lantu.assistance import codes

Source: TypeAlias = pa.Table | str

FACTS_SQL = """
WITH pair AS (
  SELECT p.household_no, p.cadre_no, c.level FROM pairings p JOIN cadres c USING (cadre_no)
  WHERE p.start_date <= DATE '{as_of}' AND (p.end_date IS NULL OR p.end_date >= DATE '{as_of}')
), load AS (SELECT cadre_no, COUNT(*) AS n FROM pair GROUP BY cadre_no),
cadre AS (
  SELECT pair.household_no, arg_max(pair.level, load.n) AS cadre_level,
         max(load.n) AS cadre_households
  FROM pair JOIN load USING (cadre_no) GROUP BY pair.household_no
), m AS (
  SELECT * FROM measures WHERE year = {year} AND coalesce(status, '') <> 'cancelled'
), plan AS (
  SELECT p.household_no,
         p.planned_exit_year IS NOT NULL OR p.planned_risk_elimination IS NOT NULL AS timeline
  FROM plans p WHERE p.year = {year}
), mm AS (
  SELECT m.household_no, COUNT(*) AS n,
         bool_or(g.grp = 'safety_net') AS safety_net,
         bool_or(g.grp = 'development') AS development,
         bool_and(m.planned_amount IS NOT NULL
                  AND (m.status <> 'done' OR m.actual_amount IS NOT NULL)) AS amounts,
         bool_and(m.cadre_no IS NOT NULL AND m.cadre_no <> '') AS cadres
  FROM m LEFT JOIN catalogue_groups g ON g.measure = m.measure GROUP BY m.household_no
), causes AS (
  SELECT DISTINCT household_no, cause FROM (
    SELECT household_no, main_cause AS cause FROM years WHERE year = {year}
    UNION ALL SELECT household_no, other_cause_1 FROM years WHERE year = {year}
    UNION ALL SELECT household_no, other_cause_2 FROM years WHERE year = {year}
  ) WHERE cause IS NOT NULL AND cause <> ''
), answered AS (
  SELECT DISTINCT m.household_no, a.cause FROM m JOIN catalogue_answers a USING (measure)
), unanswered AS (
  SELECT c.household_no, COUNT(*) FILTER (WHERE a.cause IS NULL) AS n
  FROM causes c LEFT JOIN answered a USING (household_no, cause) GROUP BY c.household_no
), seen AS (
  SELECT household_no, max(date) AS last FROM visits WHERE date <= DATE '{as_of}'
  GROUP BY household_no
), assets AS (
  SELECT household_no, bool_or(asset = 'vehicle') AS v, bool_or(asset = 'property') AS p,
         bool_or(asset = 'company') AS c
  FROM measures WHERE year <= {year} AND coalesce(status, '') <> 'cancelled'
  GROUP BY household_no
), keys AS (
  SELECT household_no FROM pair UNION SELECT household_no FROM plans WHERE year = {year}
  UNION SELECT household_no FROM seen UNION SELECT household_no FROM assets
)
SELECT k.household_no,
  cadre.household_no IS NOT NULL AS cadre_paired,
  cadre.cadre_level, cadre.cadre_households,
  plan.household_no IS NOT NULL AS plan_current,
  coalesce(mm.n, 0) AS plan_measures,
  CASE WHEN plan.household_no IS NOT NULL THEN coalesce(unanswered.n, 0) END
    AS plan_causes_unanswered,
  coalesce(mm.safety_net, false) AS plan_safety_net,
  coalesce(mm.development, false) AS plan_development,
  coalesce(mm.amounts, false) AS plan_amounts_given,
  coalesce(mm.cadres, false) AS plan_cadres_given,
  coalesce(plan.timeline, false) AS plan_timeline,
  date_diff('day', seen.last, DATE '{as_of}') AS days_since_visit,
  coalesce(mm.n, 0) AS assistance_measures,
  coalesce(assets.v, false) AS assisted_vehicle,
  coalesce(assets.p, false) AS assisted_property,
  coalesce(assets.c, false) AS assisted_company
FROM keys k
LEFT JOIN cadre USING (household_no) LEFT JOIN plan USING (household_no)
LEFT JOIN mm USING (household_no) LEFT JOIN unanswered USING (household_no)
LEFT JOIN seen USING (household_no) LEFT JOIN assets USING (household_no)
"""
FACT_COLUMNS = (
    "cadre_paired",
    "cadre_level",
    "cadre_households",
    "plan_current",
    "plan_measures",
    "plan_causes_unanswered",
    "plan_safety_net",
    "plan_development",
    "plan_amounts_given",
    "plan_cadres_given",
    "plan_timeline",
    "days_since_visit",
    "assistance_measures",
    "assisted_vehicle",
    "assisted_property",
    "assisted_company",
)


# Columns typed on the way in: SQLite hands dates over as text, and an empty table as NULL type.
TYPES = {
    "pairings": {
        "household_no": "VARCHAR",
        "cadre_no": "VARCHAR",
        "start_date": "DATE",
        "end_date": "DATE",
    },
    "cadres": {"cadre_no": "VARCHAR", "level": "VARCHAR"},
    "plans": {
        "household_no": "VARCHAR",
        "year": "INTEGER",
        "planned_exit_year": "INTEGER",
        "planned_risk_elimination": "DATE",
    },
    "measures": {
        "household_no": "VARCHAR",
        "year": "INTEGER",
        "measure": "VARCHAR",
        "cadre_no": "VARCHAR",
        "planned_amount": "DOUBLE",
        "actual_amount": "DOUBLE",
        "status": "VARCHAR",
        "asset": "VARCHAR",
    },
    "visits": {"household_no": "VARCHAR", "date": "DATE"},
    "years": {
        "household_no": "VARCHAR",
        "year": "INTEGER",
        "main_cause": "VARCHAR",
        "other_cause_1": "VARCHAR",
        "other_cause_2": "VARCHAR",
    },
}


def catalogue_tables() -> dict[str, pa.Table]:
    cat = codes.catalogue().values()
    pairs = [(m.code, c) for m in cat for c in m.answers]
    return {
        "catalogue_groups": pa.table(
            {"measure": [m.code for m in cat], "grp": [m.group for m in cat]}
        ),
        "catalogue_answers": pa.table(
            {"measure": [p[0] for p in pairs], "cause": [p[1] for p in pairs]}
        ),
    }


def as_of_for(year: int, today: datetime.date | None = None) -> datetime.date:
    """The date a year is judged at: today within the current year, else the year's last day."""
    today = today or datetime.date.today()
    return today if year >= today.year else datetime.date(year, 12, 31)


def compute(
    inputs: Mapping[str, Source],
    *,
    year: int,
    as_of: datetime.date,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """One row per household with any assistance record: the facts of ``FACT_COLUMNS``."""
    con = con or duckdb.connect()
    keep = []
    for name, src in {**inputs, **catalogue_tables()}.items():
        raw = f"raw_{name}"
        if isinstance(src, pa.Table):
            keep.append(src)
            con.register(raw, src)
        else:
            path = str(src).replace("'", "''")
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {raw} AS SELECT * FROM read_parquet('{path}')"
            )
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()}
        types = TYPES.get(name, {})
        cols = [
            f"CAST({c} AS {t}) AS {c}" if c in have else f"CAST(NULL AS {t}) AS {c}"
            for c, t in types.items()
        ] or ["*"]
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {', '.join(cols)} FROM {raw}")
    sql = FACTS_SQL.format(year=int(year), as_of=as_of.isoformat())
    return con.sql(sql).arrow().read_all()


def join_households(households: pa.Table, facts: pa.Table) -> pa.Table:
    """The registry snapshot's households with the facts as columns (NULL where none). An asset
    another room already fed (the projects room's household assets) stays: the two sources are
    joined by OR."""
    con = duckdb.connect()
    con.register("h", households)
    con.register("f", facts)
    drop = [c for c in FACT_COLUMNS if c in households.column_names]
    cols = ", ".join(
        f"CASE WHEN h.{c} IS NULL THEN f.{c} WHEN f.{c} IS NULL THEN h.{c} "
        f"ELSE (h.{c} OR f.{c}) END AS {c}"
        if c in drop and c.startswith("assisted_")
        else f"f.{c}"
        for c in FACT_COLUMNS
    )
    base = f"h.* EXCLUDE ({', '.join(drop)})" if drop else "h.*"
    return (
        con.sql(
            f"SELECT {base}, {cols} FROM h "
            "LEFT JOIN f ON f.household_no = CAST(h.household_no AS VARCHAR)"
        )
        .arrow()
        .read_all()
    )


def add_to_snapshot(
    tables: dict[str, pa.Table], years: tuple[int, ...], region_path: str | None
) -> dict[str, pa.Table]:
    """The registry snapshot's households with the assistance facts of its latest year."""
    from lantu.assistance import snapshot as asst_snapshot

    year = max(years) if years else datetime.date.today().year
    found = compute(
        {**asst_snapshot.from_db(region_path), "years": tables["years"]},
        year=year,
        as_of=as_of_for(year),
    )
    return {**tables, "households": join_households(tables["households"], found)}

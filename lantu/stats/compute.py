"""Computing every counted indicator per region and year in one DuckDB session.

1. The sources (``sources.read``) are registered as Arrow tables and wrapped in the views the
   declarations name (``sources.views``).
2. Each indicator compiles to one ``SELECT region_path, year, key, COUNT(*)`` over its source:
   crossed with the years when its source has no year of its own, or pinned to the latest year
   when it counts the current state (``per_year: false``); ``unpivot`` indicators give one key per
   condition. Years before the indicator's ``valid_from`` are left out.
3. Those village-level rows are rolled up to every ancestor by cutting the materialised path
   (``/province/prefecture/county/township/village/``) at each depth and summing.
4. Each (region, year) becomes one JSON object ``{indicator: {key: value}}`` (key "" = total
   for indicators with no breakdown), which is what is stored and what pages read.
Ratios are not stored: pages divide the two stored counts of the same region and year.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from lantu.jobs import NO_PROGRESS, ProgressFn
from lantu.stats import sources
from lantu.stats.indicators import Catalogue, Indicator, catalogue


@dataclass
class Computed:
    table: pa.Table  # path, depth, year, vals (JSON text)
    years: list[int]
    indicators: list[str]
    missing: list[str]  # provider indicators with no data (their room is not installed)
    timings: dict[str, float] = field(default_factory=dict)


def _years(con: duckdb.DuckDBPyConnection, today: datetime.date) -> list[int]:
    first, last = con.execute(
        "SELECT min(y), max(y) FROM (SELECT year AS y FROM y UNION ALL "
        "SELECT registration_year FROM h UNION ALL SELECT year FROM v)"
    ).fetchall()[0]
    if last is None:
        return [today.year]
    return list(range(max(int(first), 2010), int(last) + 1))


def leaf_sql(ind: Indicator, cat: Catalogue, latest: int) -> str:
    """The indicator's village-level counts: indicator, region_path, year, key, value."""
    own_year = "year" in cat.columns(ind.table)
    if not ind.per_year:
        frm, year = f"(SELECT * FROM {ind.table}) t", str(latest)
        if own_year:
            frm = f"(SELECT * REPLACE ({latest} AS year) FROM {ind.table}) t"
    elif own_year:
        frm, year = f"{ind.table} t", "t.year"
    else:
        frm, year = f"{ind.table} t CROSS JOIN years", "years.year"
    since = f"{year} >= {ind.valid_from.year}"
    conditions = ind.unpivot or {"": ""}
    parts = []
    for key_name, cond in conditions.items():
        key = f"coalesce(CAST({ind.by} AS VARCHAR), '')" if ind.by else f"'{key_name}'"
        where = " AND ".join(f"({c})" for c in (ind.where, cond, since) if c)
        parts.append(
            f"SELECT '{ind.name}' AS indicator, region_path, {year} AS year, {key} AS key, "
            f"CAST(count(*) AS DOUBLE) AS value FROM {frm} WHERE {where} GROUP BY ALL"
        )
    return " UNION ALL ".join(parts)


ROLLUP = """
WITH parts AS (
  SELECT indicator, year, key, value, string_split(trim(region_path, '/'), '/') AS segs FROM leaf
), anc AS (
  SELECT indicator, year, key, value, segs, unnest(range(1, len(segs) + 1)) AS depth FROM parts
), rolled AS (
  SELECT '/' || array_to_string(segs[1:depth], '/') || '/' AS path, depth, year, indicator, key,
         sum(value) AS value
  FROM anc GROUP BY ALL
), per_indicator AS (
  SELECT path, depth, year, indicator, json_group_object(key, value) AS obj
  FROM rolled GROUP BY ALL
)
SELECT path, CAST(depth AS INTEGER) AS depth, CAST(year AS INTEGER) AS year,
       CAST(json_group_object(indicator, obj) AS VARCHAR) AS vals
FROM per_indicator GROUP BY ALL ORDER BY path, year
"""


def compute(progress: ProgressFn = NO_PROGRESS, *, today: datetime.date | None = None) -> Computed:
    today = today or datetime.date.today()
    cat = catalogue()
    t0 = time.perf_counter()
    progress(0, 4, stage="read")
    tables, runs = sources.read()
    t1 = time.perf_counter()
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    for name, sql in sources.views(runs, today).items():
        con.execute(f"CREATE VIEW {name} AS {sql}")
    years = _years(con, today)
    con.register("years", pa.table({"year": pa.array(years, pa.int32())}))
    progress(1, 4, stage="count")
    counted = [i for i in cat.indicators.values() if i.counted]
    leaf = [leaf_sql(i, cat, years[-1]) for i in counted]
    missing: list[str] = []
    for ind in cat.indicators.values():
        if ind.provider:
            rows = sources.provider_rows(ind.provider)
            if rows is None:
                missing.append(ind.name)
                continue
            con.register(f"p_{ind.name}", rows)
            leaf.append(
                f"SELECT '{ind.name}' AS indicator, region_path, CAST(year AS INTEGER) AS year, "
                f"coalesce(CAST(key AS VARCHAR), '') AS key, CAST(value AS DOUBLE) AS value "
                f"FROM p_{ind.name}"
            )
            counted.append(ind)
    con.execute("CREATE TEMP TABLE leaf AS " + " UNION ALL ".join(leaf))
    t2 = time.perf_counter()
    progress(2, 4, stage="roll up")
    table = con.sql(ROLLUP).to_arrow_table()
    t3 = time.perf_counter()
    progress(3, 4, stage="store")
    return Computed(
        table,
        years,
        [i.name for i in counted],
        missing,
        {"read": t1 - t0, "count": t2 - t1, "rollup": t3 - t2},
    )

"""Computing every counted indicator per region and year in one DuckDB session.

1. The sources (``sources.read``) are registered as Arrow tables and wrapped in the views the
   declarations name (``sources.views``).
2. Each source is first reduced once to its distinct (region, [year,] named columns) with a row
   count ``n`` (``group_sources``: 27 M yearly rows and 14 M members at province scale become far
   fewer, and the views' joins run once). Each indicator then compiles to one
   ``SELECT region_path, year, key, sum(n)`` over that reduction of its source: crossed with
   the years when its source has no year of its own, or pinned to the latest year when it counts
   the current state (``per_year: false``); ``unpivot`` indicators give one key per condition.
   Years before the indicator's ``valid_from`` are left out.
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


def used_columns(ind: Indicator, cat: Catalogue) -> list[str]:
    """The source columns an indicator's condition, breakdown and unpivot name (not ``year``)."""
    import sqlglot
    from sqlglot import exp

    names = {ind.by} if ind.by else set()
    for sql in [ind.where, *ind.unpivot.values()]:
        if sql:
            names |= {c.name for c in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column)}
    return [c for c in cat.columns(ind.table) if c in names and c not in ("year", "region_path")]


def grouped_sql(table: str, columns: list[str], own_year: bool, count: str = "count(*)") -> str:
    """A source reduced to its distinct (region, [year,] columns) with their row count ``n``:
    counting rows that satisfy a condition over those columns is summing ``n``, so each indicator
    reads this (millions of rows fewer) instead of the source, and joins and windows in the
    source's view are worked out once."""
    keys = ", ".join(["region_path", *(["year"] if own_year else []), *columns])
    return f"SELECT {keys}, {count} AS n FROM {table} GROUP BY ALL"


def leaf_sql(ind: Indicator, cat: Catalogue, latest: int, grouped: str | None = None) -> str:
    """The indicator's village-level counts: indicator, region_path, year, key, value.

    Over the source itself (``grouped`` None: each row counts 1), or over ``grouped``, that source
    reduced by ``grouped_sql`` to at least the columns this indicator names (each row counts
    ``n``); both give the same figures, which tests/stats/test_compute.py checks."""
    own_year = "year" in cat.columns(ind.table)
    if grouped is None:
        src, weight = ind.table, "count(*)"
    else:
        src = f"({grouped_sql(grouped, used_columns(ind, cat), own_year, 'sum(n)')})"
        weight = "sum(n)"
    if not ind.per_year:
        frm, year = f"(SELECT * FROM {src}) t", str(latest)
        if own_year:
            frm = f"(SELECT * REPLACE ({latest} AS year) FROM {src}) t"
    elif own_year:
        frm, year = f"{src} t", "t.year"
    else:
        frm, year = f"{src} t CROSS JOIN years", "years.year"
    since = f"{year} >= {ind.valid_from.year}"
    conditions = ind.unpivot or {"": ""}
    parts = []
    for key_name, cond in conditions.items():
        key = f"coalesce(CAST({ind.by} AS VARCHAR), '')" if ind.by else f"'{key_name}'"
        where = " AND ".join(f"({c})" for c in (ind.where, cond, since) if c)
        parts.append(
            f"SELECT '{ind.name}' AS indicator, region_path, {year} AS year, {key} AS key, "
            f"CAST({weight} AS DOUBLE) AS value FROM {frm} WHERE {where} GROUP BY ALL"
        )
    return " UNION ALL ".join(parts)


def number_paths(con: duckdb.DuckDBPyConnection, households: pa.Table) -> None:
    """The households table ``h`` with each region path replaced by a small integer (``paths``):
    joining and grouping tens of millions of rows by an integer costs about a quarter less CPU
    than by a 40-character string. ``group_sources`` maps the reduced tables back."""
    con.register("h_in", households)
    con.execute(
        "CREATE TEMP TABLE paths AS SELECT CAST(row_number() OVER () AS INTEGER) AS id, "
        "region_path FROM (SELECT DISTINCT region_path FROM h_in)"
    )
    con.execute(
        "CREATE TEMP TABLE h AS SELECT h_in.* REPLACE (paths.id AS region_path) "
        "FROM h_in JOIN paths ON paths.region_path = h_in.region_path"
    )


def group_sources(con: duckdb.DuckDBPyConnection, counted: list[Indicator], cat: Catalogue) -> None:
    """One grouped table ``g_<source>`` per source, over every column its indicators name, with
    the region's path (numbered by ``number_paths`` where the source comes from the households)."""
    for table in sorted({i.table for i in counted}):
        names = {c for i in counted if i.table == table for c in used_columns(i, cat)}
        columns = [c for c in cat.columns(table) if c in names]
        own_year = "year" in cat.columns(table)
        grouped = grouped_sql(table, columns, own_year)
        kind = con.execute(f"DESCRIBE SELECT region_path FROM {table}").fetchall()[0][1]
        if kind == "INTEGER":
            grouped = (
                f"SELECT paths.region_path, g.* EXCLUDE (region_path) FROM ({grouped}) g "
                "JOIN paths ON paths.id = g.region_path"
            )
        con.execute(f"CREATE TEMP TABLE g_{table} AS {grouped}")


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


def compute(
    progress: ProgressFn = NO_PROGRESS, *, today: datetime.date | None = None, reduce: bool = True
) -> Computed:
    """Every indicator, rolled up. ``reduce=False`` counts over the sources themselves (slower;
    the tests check that it gives the same table)."""
    today = today or datetime.date.today()
    cat = catalogue()
    t0 = time.perf_counter()
    progress(0, 4, stage="read")
    parts: dict[str, float] = {}
    tables, runs = sources.read(parts)
    t1 = time.perf_counter()
    con = duckdb.connect()
    for name, table in tables.items():
        if name == "h" and reduce:
            number_paths(con, table)
        else:
            con.register(name, table)
    for name, sql in sources.views(runs, today).items():
        con.execute(f"CREATE VIEW {name} AS {sql}")
    years = _years(con, today)
    con.register("years", pa.table({"year": pa.array(years, pa.int32())}))
    progress(1, 4, stage="count")
    counted = [i for i in cat.indicators.values() if i.counted]
    if reduce:
        group_sources(con, counted, cat)
    leaf = [leaf_sql(i, cat, years[-1], f"g_{i.table}" if reduce else None) for i in counted]
    missing: list[str] = []
    tp = time.perf_counter()
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
    parts["providers"] = time.perf_counter() - tp
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
        {"read": t1 - t0, **parts, "count": t2 - t1 - parts["providers"], "rollup": t3 - t2},
    )

"""This room's rows for the stats indicators (``lantu/stats/indicators.yaml``, the provider
contract of ``lantu.stats.providers``): an Arrow table ``region_path, year, key, value`` per
village, rolled up by the stats engine. Both figures are stocks: a site or a village counts in
every year from the one its last project was completed, through the current year.

- ``resettlement_sites``: relocation projects (one per concentrated site, 集中安置点) completed,
  at the site's village (the project's first area; its county when it names none);
- ``village_infrastructure``: poor villages (贫困村, poor in any year on record) served by a
  completed project of each of the four kinds of the exit standard — hardened road, power,
  broadband and a service station (``public_services``) — counted from the year the last one was
  completed.
"""

from __future__ import annotations

import datetime

import duckdb
import pyarrow as pa

from lantu.engine.snapshot import read_queries

DONE = "('completed', 'accepted', 'assets')"
FOUR = ("road", "power", "broadband", "public_services")
QUERIES = {
    "p": "SELECT p.id, p.category, p.region_path, p.completed_date, p.year, "
    "(SELECT MIN(a.region_path) FROM projects_projectarea a WHERE a.project_id = p.id) AS area "
    f"FROM projects_project p WHERE p.stage IN {DONE}",
    "a": "SELECT a.region_path, p.category, p.completed_date, p.year "
    "FROM projects_projectarea a JOIN projects_project p ON p.id = a.project_id "
    f"WHERE p.stage IN {DONE} AND p.category IN ({', '.join(repr(k) for k in FOUR)})",
    "v": "SELECT DISTINCT r.path AS region_path FROM regions_povertystatus s "
    "JOIN regions_region r ON r.id = s.region_id WHERE r.level = 'village' AND s.is_poor",
}
# the year a project was done: its completion date's, else its plan year
DONE_YEAR = (
    "coalesce(CAST(substr(CAST(completed_date AS VARCHAR), 1, 4) AS INTEGER), "
    "CAST(year AS INTEGER))"
)


def _stock(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """``sql`` gives ``region_path, since, value``: one row per year from ``since`` to now."""
    now = datetime.date.today().year
    return con.sql(
        f"SELECT region_path, CAST(y AS INTEGER) AS year, '' AS key, "
        f"CAST(value AS DOUBLE) AS value FROM ({sql}) s, range(s.since, {now + 1}) t(y)"
    ).to_arrow_table()


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, table in read_queries(QUERIES).items():
        con.register(name, table)
    return con


def resettlement_sites() -> pa.Table | None:
    con = _connect()
    return _stock(
        con,
        f"SELECT coalesce(area, region_path) AS region_path, {DONE_YEAR} AS since, 1 AS value "
        "FROM p WHERE category = 'relocation'",
    )


def village_infrastructure() -> pa.Table | None:
    con = _connect()
    return _stock(
        con,
        "SELECT region_path, max(first) AS since, 1 AS value FROM ("
        f"SELECT region_path, category, min({DONE_YEAR}) AS first FROM a GROUP BY ALL) "
        f"JOIN v USING (region_path) GROUP BY region_path HAVING count(*) = {len(FOUR)}",
    )

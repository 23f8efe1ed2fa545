"""The registry tables → Arrow, with the canonical column names, for the batch engine.

``from_db(years=(Y-1, Y), region_path=...)`` reads ``registry_household`` (with its village code
from ``regions_region``), ``registry_member`` and ``registry_householdyear`` through ADBC
(``adbc-driver-sqlite`` / ``adbc-driver-postgresql``): one query per table, streamed as Arrow
batches, no Python object per row. Model field names are the canonical names (``lantu.registry.
columns``) except the member's ``phone``, exported as ``member_phone``; a member no longer
``active`` is exported with a ``left_reason`` so that the ruler leaves them out. Money is cast to
double precision in SQL so both databases hand over the same Arrow types.

A database ADBC cannot open from another connection (the in-memory SQLite of the test run), or a
call inside a transaction (whose uncommitted rows another connection would not see), is read
through Django's own cursor instead: the same queries, the same columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
from django.db import connection

from lantu.registry import columns

_CAST = {"money": "DOUBLE PRECISION", "decimal": "DOUBLE PRECISION"}


def _col(alias: str, c: columns.Column, source: str | None = None) -> str:
    ref = f"{alias}.{source or c.name}"
    if c.kind in _CAST:
        ref = f"CAST({ref} AS {_CAST[c.kind]})"
    return f"{ref} AS {c.name}"


def queries(years: tuple[int, ...] = (), region_path: str | None = None) -> dict[str, str]:
    where = ""
    if region_path:
        escaped = region_path.replace("'", "''")
        where = f" WHERE h.region_path LIKE '{escaped}%'"
    hh = [_col("h", c) for c in columns.HOUSEHOLD_COLUMNS if c.name != "region_code"]
    households = (
        f"SELECT h.id AS household_id, r.code AS region_code, {', '.join(hh)} "
        f"FROM registry_household h JOIN regions_region r ON r.id = h.region_id{where}"
    )
    mem = []
    for c in columns.MEMBER_COLUMNS:
        if c.name == "member_phone":
            mem.append("m.phone AS member_phone")
        elif c.name == "left_reason":
            mem.append(
                "CASE WHEN m.active THEN m.left_reason "
                "ELSE COALESCE(NULLIF(m.left_reason, ''), 'inactive') END AS left_reason"
            )
        else:
            mem.append(_col("m", c))
    members = (
        f"SELECT h.household_no AS household_no, {', '.join(mem)} FROM registry_member m "
        f"JOIN registry_household h ON h.id = m.household_id{where}"
    )
    yr = [_col("y", c) for c in columns.YEAR_COLUMNS]
    year_filter = ""
    if years:
        year_filter = (" AND " if where else " WHERE ") + "y.year IN (" + ", ".join(
            str(int(y)) for y in years
        ) + ")"  # fmt: skip
    facts = (
        f"SELECT h.household_no AS household_no, {', '.join(yr)} FROM registry_householdyear y "
        f"JOIN registry_household h ON h.id = y.household_id{where}{year_filter}"
    )
    return {"households": households, "members": members, "years": facts}


def _adbc_connect() -> Any | None:
    if connection.in_atomic_block:
        # A separate connection would not see this transaction's uncommitted rows.
        return None
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(s.get("NAME") or "")
        if not name or name == ":memory:" or "mode=memory" in name:
            return None
        from adbc_driver_sqlite import dbapi as sqlite_dbapi

        # ADBC links its own copy of SQLite. Two copies in one process must not hold the same
        # file open at once: POSIX locks are per process, so the second copy believes it is the
        # only user, truncates the WAL index Django's connection has mapped, and that
        # connection's next write dies of SIGBUS (seen: `lantu demo` after `year open`). Django
        # reconnects on its next query. Only commands call this (one thread per process).
        connection.close()
        return sqlite_dbapi.connect(name)
    if connection.vendor == "postgresql":
        from adbc_driver_postgresql import dbapi as pg_dbapi

        user = s.get("USER") or "postgres"
        auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
        uri = f"postgresql://{auth}@{s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/"
        return pg_dbapi.connect(uri + str(s["NAME"]))
    return None


def _via_django(sql: str) -> pa.Table:
    with connection.cursor() as cur:
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    return pa.table({n: pa.array([r[i] for r in rows]) for i, n in enumerate(names)})


# Other rooms' linked facts (the ruler's ``linked`` variables), added to every snapshot from the
# database: each takes the tables, the years and the region path and returns the tables with its
# columns added (lantu.assistance adds the assistance facts: cadre, plan, visits, assisted_*).
LINKED: list[Callable[[dict[str, pa.Table], tuple[int, ...], str | None], dict[str, pa.Table]]] = []


def register_linked(
    add: Callable[[dict[str, pa.Table], tuple[int, ...], str | None], dict[str, pa.Table]],
) -> None:
    if add not in LINKED:
        LINKED.append(add)


def from_db(
    years: tuple[int, ...] = (), region_path: str | None = None, *, linked: bool = True
) -> dict[str, pa.Table]:
    """The registry (optionally one region's subtree, optionally some years) as Arrow tables,
    with the linked facts other rooms registered (unless ``linked`` is false)."""
    tables = read_queries(queries(years, region_path))
    for add in LINKED if linked else ():
        tables = add(tables, years, region_path)
    return tables


def read_queries(sqls: dict[str, str]) -> dict[str, pa.Table]:
    """Each query's rows as an Arrow table, through ADBC when it can (another room's tables: the
    assistance room's snapshot uses the same path)."""
    adbc = _adbc_connect()
    if adbc is None:
        return {name: _via_django(sql) for name, sql in sqls.items()}
    out = {}
    with adbc:
        cur = adbc.cursor()
        for name, sql in sqls.items():
            cur.execute(sql)
            out[name] = cur.fetch_arrow_table()
        cur.close()
    return out
